package org.padfree.cuda.jit

import java.nio.file.Path
import scala.jdk.CollectionConverters._

/** Starts a test-scope main class in a fresh JVM with this JVM's java binary and classpath. */
object ChildJvm {
  /** The flags the project's JVMs run with (scripts/gpu-smoke.sh). */
  val Flags: Seq[String] = Seq("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED")

  def javaBinary: String = ProcessHandle.current().info().command().orElseThrow(
    () => new IllegalStateException("cannot tell which java binary runs this JVM"))

  /**
   * Starts `mainClass` with `args`, system `properties` and `env` on top of this JVM's environment less its
   * PADFREE_CUDA_* variables; its stderr goes to `stderr`, its stdout is the process's input stream.
   */
  def start(mainClass: String, args: Seq[String], stderr: Path, properties: Map[String, String] = Map.empty,
      env: Map[String, String] = Map.empty): Process = {
    val command = Seq(javaBinary) ++ Flags ++
      Seq(s"-Djava.io.tmpdir=${System.getProperty("java.io.tmpdir")}", "-cp", System.getProperty("java.class.path")) ++
      properties.map { case (k, v) => s"-D$k=$v" } ++ Seq(mainClass) ++ args
    val pb = new ProcessBuilder(command.asJava).redirectError(stderr.toFile)
    pb.environment().keySet().removeIf(_.startsWith("PADFREE_CUDA_")) // the developer's own settings stay out
    env.foreach { case (k, v) => pb.environment().put(k, v) }
    pb.start()
  }
}
