package org.padfree.cuda.jit

import java.io.{BufferedReader, InputStreamReader}
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Paths}
import java.util.concurrent.TimeUnit
import scala.jdk.CollectionConverters._
import org.padfree.cuda.CudaSettings
import org.scalatest.funsuite.AnyFunSuite

/** padfree.cuda.* settings: system property, else PADFREE_CUDA_* environment variable, else the default. */
class CudaSettingsSuite extends AnyFunSuite with TempFolders {
  private val names = Seq("cacheDir", "nvcc", "ptxasVerbose", "keepIntermediates", "nativeDir")

  /** Runs `body` with these padfree.cuda.* properties set, restoring every one afterwards. */
  private def withProperties[T](values: (String, String)*)(body: => T): T = {
    val saved = names.map(n => n -> Option(System.getProperty(CudaSettings.PREFIX + n)))
    try {
      names.foreach(n => System.clearProperty(CudaSettings.PREFIX + n))
      values.foreach { case (k, v) => System.setProperty(CudaSettings.PREFIX + k, v) }
      body
    } finally saved.foreach {
      case (n, Some(v)) => System.setProperty(CudaSettings.PREFIX + n, v)
      case (n, None) => System.clearProperty(CudaSettings.PREFIX + n)
    }
  }

  private def env(name: String): Option[String] = Option(System.getenv(name)).filter(!_.isBlank).map(_.trim)

  test("system properties override the defaults") {
    val s = withProperties("cacheDir" -> "/prop/cache", "nvcc" -> "/prop/nvcc", "ptxasVerbose" -> "true",
      "keepIntermediates" -> "true", "nativeDir" -> "/prop/native")(CudaSettings.fromEnvironment())
    assert(s == new CudaSettings(Paths.get("/prop/cache"), "/prop/nvcc", true, true, Paths.get("/prop/native")), s)
  }

  test("property values are trimmed, and a blank property counts as unset") {
    val (trimmed, blank, unset) = withProperties("nvcc" -> "  /prop/nvcc \t", "cacheDir" -> "   ") {
      val s = CudaSettings.fromEnvironment()
      System.clearProperty(CudaSettings.PREFIX + "cacheDir")
      (s.nvcc(), s.cacheDir(), CudaSettings.fromEnvironment().cacheDir())
    }
    assert(trimmed == "/prop/nvcc")
    assert(blank == unset, "a blank padfree.cuda.cacheDir must fall back like an unset one")
  }

  test("without properties (or environment variables) the documented defaults apply") {
    val s = withProperties()(CudaSettings.fromEnvironment())
    val home = System.getProperty("user.home")
    val defaultNvcc = (Option(System.getenv("CUDA_HOME")).map(_ + "/bin/nvcc").toSeq :+ "/usr/local/cuda/bin/nvcc")
      .find(p => Files.isExecutable(Paths.get(p))).getOrElse("nvcc")
    val defaultNative = Paths.get(System.getProperty("java.io.tmpdir"), "padfree-" + System.getProperty("user.name", "user"))
    val defaultCache = Paths.get(home, ".cache", "padfree", "kernels")
    assert(s.cacheDir() == env("PADFREE_CUDA_CACHE_DIR").map(Paths.get(_)).getOrElse(defaultCache))
    assert(s.nvcc() == env("PADFREE_CUDA_NVCC").getOrElse(defaultNvcc))
    assert(s.ptxasVerbose() == env("PADFREE_CUDA_PTXAS_VERBOSE").exists(_.toBoolean))
    assert(s.keepIntermediates() == env("PADFREE_CUDA_KEEP_INTERMEDIATES").exists(_.toBoolean))
    assert(s.nativeDir() == env("PADFREE_CUDA_NATIVE_DIR").map(Paths.get(_)).getOrElse(defaultNative))
  }

  test("in a fresh JVM: a property beats its environment variable, an environment variable beats the default") {
    val stderr = newTempDir("settings").resolve("probe.stderr")
    val p = ChildJvm.start(CudaSettingsProbe.getClass.getName.stripSuffix("$"), Seq.empty, stderr,
      properties = Map("padfree.cuda.nvcc" -> "/prop/nvcc"),
      env = Map("PADFREE_CUDA_NVCC" -> "/env/nvcc", "PADFREE_CUDA_CACHE_DIR" -> "/env/cache",
        "PADFREE_CUDA_PTXAS_VERBOSE" -> "true", "PADFREE_CUDA_KEEP_INTERMEDIATES" -> "true"))
    val printed = try {
      val lines = new BufferedReader(new InputStreamReader(p.getInputStream, UTF_8)).lines().iterator().asScala.toSeq
      assert(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, s"the probe failed:\n${Files.readString(stderr)}")
      lines.map(_.split("=", 2)).map(kv => kv(0) -> kv(1)).toMap
    } finally p.destroyForcibly()
    assert(printed("nvcc") == "/prop/nvcc", "property over environment")
    assert(printed("cacheDir") == "/env/cache", "environment over default")
    assert(printed("ptxasVerbose") == "true", "PADFREE_CUDA_PTXAS_VERBOSE (camel case becomes upper snake case)")
    assert(printed("keepIntermediates") == "true", "PADFREE_CUDA_KEEP_INTERMEDIATES")
    assert(printed("nativeDir").startsWith(System.getProperty("java.io.tmpdir")), "nativeDir keeps its default")
  }

  test("withCacheDir and withNvcc change one field and keep the others") {
    val base = new CudaSettings(Paths.get("/a"), "/b/nvcc", true, false, Paths.get("/n"))
    assert(base.withCacheDir(Paths.get("/c")) == new CudaSettings(Paths.get("/c"), "/b/nvcc", true, false, Paths.get("/n")))
    assert(base.withNvcc("/d/nvcc") == new CudaSettings(Paths.get("/a"), "/d/nvcc", true, false, Paths.get("/n")))
    assert(base.cacheDir() == Paths.get("/a") && base.nvcc() == "/b/nvcc", "the original must not change")
  }
}
