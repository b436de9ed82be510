package org.padfree.scripts

import java.nio.file.{Files, Path, Paths}
import java.nio.file.attribute.PosixFilePermissions
import org.scalatest.funsuite.AnyFunSuite

/** scripts/find-jdk.sh on the JDK folder layouts of Linux and macOS, with fake JDKs that report a version. */
class FindJdkSuite extends AnyFunSuite {
  private val script = Paths.get("..").toAbsolutePath.normalize.resolve("scripts/find-jdk.sh")

  /** A fake JDK home: bin/java prints the specification version as -XshowSettings does; bin/javac exists. */
  private def fakeJdk(home: Path, version: Int): Path = {
    Files.createDirectories(home.resolve("bin"))
    for ((name, body) <- Seq("java" -> s"echo '    java.specification.version = $version' >&2", "javac" -> "exit 0")) {
      val f = home.resolve(s"bin/$name")
      Files.writeString(f, s"#!/usr/bin/env bash\n$body\n")
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"))
    }
    home
  }

  private def findJdk(jvms: Path): (Int, String) = {
    val pb = new ProcessBuilder("bash", script.toString)
    pb.environment().remove("JAVA_HOME")
    pb.environment().put("PADFREE_JVM_DIR", jvms.toString)
    pb.redirectErrorStream(true)
    val p = pb.start()
    val out = new String(p.getInputStream.readAllBytes()).trim
    (p.waitFor(), out)
  }

  test("a Linux JDK folder: the newest JDK >= 25 directly under it; older ones are skipped") {
    val jvms = Files.createTempDirectory("linux-jvms")
    fakeJdk(jvms.resolve("java-17-openjdk-amd64"), 17)
    val jdk25 = fakeJdk(jvms.resolve("temurin-25-jdk-amd64"), 25)
    assert(findJdk(jvms) == (0, jdk25.toString))
  }

  test("a macOS JDK folder: each bundle's Contents/Home") {
    val jvms = Files.createTempDirectory("mac-jvms")
    fakeJdk(jvms.resolve("zulu-21.jdk/Contents/Home"), 21)
    val jdk25 = fakeJdk(jvms.resolve("temurin-25.jdk/Contents/Home"), 25)
    assert(findJdk(jvms) == (0, jdk25.toString))
  }

  test("no JDK >= 25: exit 1 and a message saying what to install") {
    val jvms = Files.createTempDirectory("old-jvms")
    fakeJdk(jvms.resolve("java-17"), 17)
    val (status, out) = findJdk(jvms)
    assert(status == 1 && out.contains("no JDK >= 25 found") && out.contains("Temurin"), out)
  }
}
