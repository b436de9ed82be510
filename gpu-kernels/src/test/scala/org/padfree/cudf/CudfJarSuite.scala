package org.padfree.cudf

import org.scalatest.funsuite.AnyFunSuite

/** Whether cuDF is present is asked without loading it; its absence is a message that names the jar. */
class CudfJarSuite extends AnyFunSuite {

  test("without the cuDF jar the message names the jar, the artifact and --jars") {
    // A loader that sees only the JDK: no cuDF there, as on an executor started without --jars.
    val bare = new java.net.URLClassLoader(Array.empty[java.net.URL], null)
    val missing = CudfJar.missing(bare)
    assert(missing.isPresent)
    val m = missing.get
    assert(m.contains("cudf-26.08.1-cuda13.jar") && m.contains("ai.rapids:cudf:26.08.1") && m.contains("--jars"), m)
  }

  test("with cuDF on the classpath (the build's test classpath) it is found, and nothing of cuDF is initialised") {
    assert(CudfJar.missing().isEmpty, "the test classpath has cuDF (provided scope)")
  }
}
