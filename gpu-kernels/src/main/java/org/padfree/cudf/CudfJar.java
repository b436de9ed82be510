package org.padfree.cudf;

import java.util.Optional;

/**
 * Whether the cuDF jar is on this JVM's classpath, asked without touching a cuDF class (so the CPU
 * path and the driver never load cuDF or its 528 MB native library). cuDF is never inside the job
 * jar: it is passed beside it with {@code --jars}, as Spark GPU users deploy RAPIDS.
 */
public final class CudfJar {
  private CudfJar() {}

  /** The artifact padfree is built and tested against. */
  public static final String ARTIFACT = "ai.rapids:cudf:26.08.1, classifier cuda13";
  /** Its file name in Maven's layout. */
  public static final String FILE = "cudf-26.08.1-cuda13.jar";

  /** Why cuDF cannot be used here, or empty when its classes resolve from padfree's class loader. */
  public static Optional<String> missing() {
    return missing(CudfJar.class.getClassLoader());
  }

  static Optional<String> missing(ClassLoader loader) {
    try {
      Class.forName("ai.rapids.cudf.Table", false, loader);
      return Optional.empty();
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.of("the cuDF jar (" + FILE + ", " + ARTIFACT + ") is not on the executor's classpath;"
          + " pass it beside the job jar: spark-submit --jars /path/to/" + FILE
          + " (scripts/submit.sh --cudf-jar PATH)");
    }
  }
}
