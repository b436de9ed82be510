package org.padfree.spark;

import org.apache.spark.launcher.JavaModuleOptions;

/**
 * Prints the JVM flags Spark needs on JDK 17+ (the --add-opens list spark-submit would add), taken
 * from Spark's own launcher so scripts that start a driver with plain {@code java} never carry a
 * stale copy. Needs only spark-launcher on the classpath, and none of the flags itself.
 */
public final class SparkJvmFlags {
  private SparkJvmFlags() {}

  public static void main(String[] args) {
    System.out.println(JavaModuleOptions.defaultModuleOptions());
  }
}
