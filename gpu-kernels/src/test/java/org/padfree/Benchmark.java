package org.padfree;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * ScalaTest tag for benchmarks: excluded from the default test run (they take minutes and their
 * figures mean little on a loaded CI machine). Run them with
 * {@code ./mvnw verify -Dpadfree.test.excludeTags=none -Dsuites=...} or scripts/cpu-bench.sh.
 */
@org.scalatest.TagAnnotation
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Benchmark {}
