package org.padfree.scripts

import java.nio.file.{Files, Path}
import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite

/**
 * The scripts that make payloads for GPU hosts with no Java: scripts/split-carry.sh (tar parts no
 * larger than a limit, each unpackable alone) and scripts/pack-jdk.sh (a jlink'd runtime as jdk/).
 */
class CarryScriptsSuite extends AnyFunSuite {
  private val root = RepositoryCopy.source
  private val splitCarry = root.resolve("scripts/split-carry.sh").toString
  private val packJdk = root.resolve("scripts/pack-jdk.sh").toString
  private val javaHome = System.getProperty("java.home")

  /** A payload folder: files of assorted sizes of seeded random bytes, a nested folder, an empty file
   *  and a name over tar's 100-byte header field. Returns the folder it sits in. */
  private def payload(sizes: Seq[Int]): Path = {
    val base = Files.createTempDirectory("carry-payload")
    val random = new scala.util.Random(12)
    sizes.zipWithIndex.foreach { case (size, i) =>
      val file = base.resolve(if (i % 2 == 0) s"payload/file-$i.bin" else s"payload/nested/deeper/file-$i.bin")
      Files.createDirectories(file.getParent)
      Files.write(file, Array.fill[Byte](size)(random.nextInt().toByte))
    }
    Files.write(base.resolve("payload/" + "long-name-" * 12 + ".bin"), Array.fill[Byte](777)(7))
    Files.write(base.resolve("payload/empty"), Array.emptyByteArray)
    base
  }

  private def filesUnder(dir: Path): Map[String, Seq[Byte]] =
    Files.walk(dir).iterator.asScala.filter(Files.isRegularFile(_))
      .map(f => dir.relativize(f).toString -> Files.readAllBytes(f).toSeq).toMap

  test("split-carry.sh cuts a payload into parts no larger than the limit that unpack, each alone, to the same bytes") {
    val limit = 64 * 1024
    val base = payload(Seq(40000, 30000, 12000, 5000, 60000, 1, 511, 512, 513, 20000))
    val out = Files.createTempDirectory("carry-parts")
    Files.writeString(out.resolve("part9.tar"), "left from an earlier run")
    val ran = Shell.run(Seq("bash", splitCarry, out.toString, "payload"), base, Map("PADFREE_CARRY_PART_BYTES" -> limit.toString))
    assert(ran.status == 0, ran)
    val parts = Files.list(out).iterator.asScala.toSeq.sortBy(_.toString)
    assert(parts.size >= 3, s"several parts expected for ${filesUnder(base).values.map(_.size).sum} bytes: $parts")
    assert(!parts.exists(_.getFileName.toString == "part9.tar"), "old parts are removed")
    for (part <- parts) {
      assert(part.getFileName.toString.matches("part[0-9]+\\.tar"), part)
      assert(Files.size(part) <= limit, s"$part holds ${Files.size(part)} bytes, over $limit")
    }
    // Each part is a whole tar; unpacked one by one into one folder they give back the payload exactly.
    val back = Files.createTempDirectory("carry-back")
    for (part <- parts) {
      val alone = Shell.run(Seq("tar", "xf", part.toString, "-C", back.toString), back)
      assert(alone.status == 0, s"$part: $alone")
    }
    val original = filesUnder(base.resolve("payload"))
    val restored = filesUnder(back.resolve("payload"))
    assert(restored.keySet == original.keySet)
    for ((name, bytes) <- original) assert(restored(name) == bytes, s"$name differs after the round trip")
  }

  test("split-carry.sh refuses a file that cannot fit in one part, and bad usage") {
    val base = payload(Seq(70000))
    val out = Files.createTempDirectory("carry-parts")
    val ran = Shell.run(Seq("bash", splitCarry, out.toString, "payload"), base, Map("PADFREE_CARRY_PART_BYTES" -> "65536"))
    assert(ran.status == 1 && ran.err.contains("payload/file-0.bin alone takes"), ran)
    assert(Files.list(out).count == 0, "no parts are left behind")
    assert(Shell.run(Seq("bash", splitCarry, out.toString), base).status == 2, "no payload given")
    val notNumber = Shell.run(Seq("bash", splitCarry, out.toString, "payload"), base, Map("PADFREE_CARRY_PART_BYTES" -> "60M"))
    assert(notNumber.status == 2 && notNumber.err.contains("PADFREE_CARRY_PART_BYTES=60M"), notNumber)
    val help = Shell.run(Seq("bash", splitCarry, "--help"), base)
    assert(help.status == 0 && help.out.contains("PADFREE_CARRY_PART_BYTES") && help.out.contains("56 MiB"), help)
  }

  test("pack-jdk.sh explains itself and its default modules all exist in JDK 25") {
    val help = Shell.run(Seq("bash", packJdk, "--help"), root)
    assert(help.status == 0 && help.out.contains("OUT.tgz") && help.out.contains("/tmp/jdk/bin/java"), help)
    val noOut = Shell.run(Seq("bash", packJdk), root)
    assert(noOut.status == 2 && noOut.err.contains("expected OUT.tgz"), noOut)
    val defaults = Files.readAllLines(root.resolve("scripts/pack-jdk.sh")).asScala
      .collectFirst { case l if l.startsWith("default_modules=") => l.stripPrefix("default_modules=").split(',').toSeq }
      .getOrElse(fail("pack-jdk.sh has no default_modules= line"))
    val available = Shell.check(Seq(s"$javaHome/bin/java", "--list-modules"), root).linesIterator.map(_.takeWhile(_ != '@')).toSet
    for (module <- defaults) assert(available.contains(module), s"$module is not a module of $javaHome")
    assert(defaults.contains("java.se") && defaults.contains("jdk.unsupported") && defaults.contains("jdk.incubator.vector"))
  }

  test("pack-jdk.sh writes a runtime that unpacks as jdk/ and runs with the modules asked for") {
    assume(Files.isExecutable(Path.of(javaHome, "bin", "jlink")), s"$javaHome has no jlink")
    val work = Files.createTempDirectory("pack-jdk")
    val tgz = work.resolve("jdk.tgz")
    val ran = Shell.run(Seq("bash", packJdk, tgz.toString, "java.base,jdk.no.such.module"), root, Map("JAVA_HOME" -> javaHome))
    assert(ran.status == 0, ran)
    assert(ran.err.contains("no module jdk.no.such.module"), ran)
    val entries = Shell.check(Seq("tar", "tzf", tgz.toString), work).linesIterator.toSeq
    assert(entries.nonEmpty && entries.forall(_.startsWith("jdk/")), entries.filterNot(_.startsWith("jdk/")).take(5))
    Shell.check(Seq("tar", "xzf", tgz.toString, "-C", work.toString), work)
    val modules = Shell.check(Seq(work.resolve("jdk/bin/java").toString, "--list-modules"), work)
    assert(modules.linesIterator.map(_.takeWhile(_ != '@')).toSeq == Seq("java.base"), modules)
  }
}
