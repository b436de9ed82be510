package org.padfree.cuda.jit

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}
import java.nio.file.attribute.PosixFilePermissions
import scala.jdk.CollectionConverters._
import org.padfree.cuda.CudaSettings

/**
 * A stand-in for nvcc, so the cache, its keys and its locking are tested without the CUDA toolkit.
 * It is a bash script steered by files in its folder, which the test writes:
 *   version  printed by `--version` (part of every cache key)
 *   sleep    seconds to sleep before compiling (to make compiles overlap)
 *   slow     seconds to pause between writing the two halves of the output (to catch partial reads)
 *   fail     when present, its text goes to stderr and the compile exits with status 3
 * Each compile appends "pid args..." to `compiles` and writes a [[FakeNvcc.CubinBytes]]-byte output
 * holding the SHA-256 of the .cu file and the compile's number, so two compiles never yield equal bytes.
 */
final class FakeNvcc private (val dir: Path) {
  val script: Path = dir.resolve("nvcc")
  private val compilesFile = dir.resolve("compiles")

  def version(text: String): Unit = write("version", text + "\n")
  def sleepSeconds(s: Double): Unit = write("sleep", s.toString)
  def slowSeconds(s: Double): Unit = write("slow", s.toString)
  def failWith(stderr: String): Unit = write("fail", stderr + "\n")
  def clearFailure(): Unit = Files.deleteIfExists(dir.resolve("fail"))

  /** One line per compile so far: the fake's pid and its arguments. */
  def compileLines: Seq[String] =
    if (Files.exists(compilesFile)) Files.readAllLines(compilesFile, UTF_8).asScala.toSeq else Seq.empty

  def compiles: Int = compileLines.size

  def settings(cacheDir: Path): CudaSettings =
    CudaSettings.fromEnvironment().withCacheDir(cacheDir).withNvcc(script.toString)

  def jit(cacheDir: Path): KernelJit = new KernelJit(settings(cacheDir))

  private def write(name: String, text: String): Unit = Files.writeString(dir.resolve(name), text, UTF_8)
}

object FakeNvcc {
  val CubinBytes = 4096

  private val Script =
    s"""#!/usr/bin/env bash
       |# padfree test: a fake nvcc steered by the files next to it (see FakeNvcc.scala).
       |set -euo pipefail
       |ctl=$$(cd "$$(dirname "$$0")" && pwd)
       |if [[ "$${1:-}" == "--version" ]]; then
       |  cat "$$ctl/version"
       |  exit 0
       |fi
       |out="" src=""
       |echo "$$$$ $$*" >> "$$ctl/compiles"
       |while (( $$# )); do
       |  case "$$1" in
       |    -o) out=$$2; shift 2 ;;
       |    *.cu) src=$$1; shift ;;
       |    *) shift ;;
       |  esac
       |done
       |n=$$(wc -l < "$$ctl/compiles")
       |if [[ -s "$$ctl/sleep" ]]; then sleep "$$(cat "$$ctl/sleep")"; fi
       |if [[ -f "$$ctl/fail" ]]; then
       |  cat "$$ctl/fail" >&2
       |  exit 3
       |fi
       |echo "fake ptxas info: compiled $$(basename "$$src") as number $$n"
       |body=$$(printf '%-${CubinBytes - 1}s' "fake-cubin $$(sha256sum "$$src" | cut -c1-64) compile $$n")
       |printf '%s' "$${body:0:${CubinBytes / 2}}" > "$$out"
       |if [[ -s "$$ctl/slow" ]]; then sleep "$$(cat "$$ctl/slow")"; fi
       |printf '%s\\n' "$${body:${CubinBytes / 2}}" >> "$$out"
       |""".stripMargin

  /** A fresh fake in its own folder under `parent`, reporting `version`. */
  def create(parent: Path, version: String): FakeNvcc = {
    val dir = Files.createDirectories(parent.resolve("fake-nvcc"))
    val fake = new FakeNvcc(dir)
    Files.writeString(fake.script, Script, UTF_8)
    Files.setPosixFilePermissions(fake.script, PosixFilePermissions.fromString("rwxr-xr-x"))
    fake.version(version)
    fake
  }
}
