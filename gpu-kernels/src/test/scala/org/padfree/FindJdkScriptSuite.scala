package org.padfree

import java.nio.file.{Files, Path, Paths}
import org.scalatest.funsuite.AnyFunSuite

/** scripts/find-jdk.sh, which ./mvnw and the run scripts use to pick a JDK >= 25. */
class FindJdkScriptSuite extends AnyFunSuite {
  private val script: Path = Paths.get("..", "scripts", "find-jdk.sh").toAbsolutePath.normalize

  private def run(env: Map[String, String]): (Int, String, String) = {
    val pb = new ProcessBuilder("bash", script.toString)
    pb.environment().remove("JAVA_HOME")
    env.foreach { case (k, v) => pb.environment().put(k, v) }
    val p = pb.start()
    val out = new String(p.getInputStream.readAllBytes()).trim
    val err = new String(p.getErrorStream.readAllBytes())
    (p.waitFor(), out, err)
  }

  test("accepts the running JDK (>= 25) from JAVA_HOME") {
    val home = System.getProperty("java.home")
    val (rc, out, _) = run(Map("JAVA_HOME" -> home, "PADFREE_JVM_DIR" -> "/nonexistent"))
    assert(rc == 0 && out == home)
  }

  test("with no JDK >= 25 anywhere it fails and says what to install") {
    val empty = Files.createTempDirectory("no-jdks")
    val (rc, out, err) = run(Map("PADFREE_JVM_DIR" -> empty.toString))
    assert(rc == 1 && out.isEmpty)
    assert(err.contains("no JDK >= 25 found") && err.contains("Temurin 25"), err)
  }

  test("finds a JDK >= 25 in the JVM folder when JAVA_HOME is unset") {
    val jvms = Files.createTempDirectory("jdks")
    val home = Paths.get(System.getProperty("java.home"))
    if (!Files.isExecutable(home.resolve("bin/javac"))) cancel(s"the running Java ($home) is a runtime without javac; the scan looks for JDKs")
    Files.createSymbolicLink(jvms.resolve("jdk-25"), home)
    val (rc, out, _) = run(Map("PADFREE_JVM_DIR" -> jvms.toString))
    assert(rc == 0 && out == jvms.resolve("jdk-25").toString, out)
  }
}
