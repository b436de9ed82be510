package org.padfree.capacity

import scala.jdk.CollectionConverters._
import org.padfree.InvalidInputException
import org.padfree.sweep.{PointResult, SweepFixtures}
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.jobs.CapacityStudy

/** The capacity arithmetic against numbers worked out by hand (the README's worked example is the first case). */
class CapacityStudySuite extends AnyFunSuite {

  private val specYaml =
    """name: t
      |model: qwen3-30b-a3b
      |moe_layers: 10
      |backend: cuda
      |target_tokens_per_s: 1000000
      |headroom: 0.25
      |gpu_memory_gb: 141
      |price_per_gpu_hour: 2.0
      |tokens_per_batch: [1024, 2048, 16384]
      |distributions: [balanced]
      |""".stripMargin

  /** gate_up and down measured at 1024 and 4096 tokens (milliseconds per batch, peak bytes). */
  private val rows: Seq[PointResult] = Seq(
    SweepFixtures.point(tokens = 1024, gemm = "gate_up", paddingFreeMs = 1.0, paddedMs = 1.3, paddingFreePeak = 1000000000L, paddedPeak = 1600000000L),
    SweepFixtures.point(tokens = 1024, gemm = "down", paddingFreeMs = 0.5, paddedMs = 0.7, paddingFreePeak = 800000000L, paddedPeak = 1200000000L),
    SweepFixtures.point(tokens = 4096, gemm = "gate_up", paddingFreeMs = 3.0, paddedMs = 3.3, paddingFreePeak = 4000000000L, paddedPeak = 5000000000L),
    SweepFixtures.point(tokens = 4096, gemm = "down", paddingFreeMs = 1.0, paddedMs = 1.1, paddingFreePeak = 3000000000L, paddedPeak = 4000000000L),
    // a failed measurement and another distribution must not leak in
    SweepFixtures.point(tokens = 2048, gemm = "gate_up", failures = 1, paddingFreeMs = 99),
    SweepFixtures.point(tokens = 2048, gemm = "down", distribution = "zipf(s=1.2)", paddingFreeMs = 99))

  private def study(yaml: String = specYaml, points: Seq[PointResult] = rows) =
    CapacityStudy.study(CapacitySpec.parse(yaml, "t.yaml"), "t.yaml", "t-1", "2026-11-22T00:00:00Z", points.asJava, "test rows")

  private def near(a: Double, b: Double, what: String): Unit =
    assert(math.abs(a - b) <= 1e-9 * math.max(1, math.abs(b)), s"$what: $a, expected $b")

  test("at a measured token count: throughput, GPUs, memory and cost as worked out by hand") {
    val s = study().scenarios.asScala.find(_.tokensPerBatch == 1024).get
    // padding-free: 10 layers x (1.0 + 0.5) ms = 15 ms per 1024 tokens; padded: 10 x (1.3 + 0.7) = 20 ms
    near(s.paddingFreeTokensPerSecond, 1024 / 0.015, "padding-free tokens/s")
    near(s.paddedTokensPerSecond, 51200, "padded tokens/s")
    // usable at 75%: 51200 and 38400 tokens/s; 1e6 / 51200 = 19.53 -> 20, 1e6 / 38400 = 26.04 -> 27
    assert(s.paddingFreeGpus == 20 && s.paddedGpus == 27 && s.gpusSaved == 7)
    assert(!s.extrapolated && s.method == "measured at 1024")
    // peaks are the larger GEMM's: 1.0e9 and 1.6e9 bytes; 0.6e9 gained of 141e9
    near(s.paddingFreePeakBytes, 1.0e9, "padding-free peak")
    near(s.memoryGainedBytes, 0.6e9, "memory gained")
    near(s.memoryGainedFraction, 0.6 / 141, "fraction of GPU memory")
    near(s.paddingFreeCostPerHour, 40, "padding-free $/h")
    near(s.paddedCostPerHour, 54, "padded $/h")
    near(s.paddingFreeCostPerMillionTokens, 40.0 / 3600, "padding-free $/1M tokens")
    near(s.monthlySaving, 14 * 730, "monthly saving")
  }

  test("between measured counts: linear in log2(tokens), bytes via bytes per token") {
    val s = study().scenarios.asScala.find(_.tokensPerBatch == 2048).get
    // 2048 is halfway between 1024 and 4096 in log2; at 4096: 10 x 4.0 ms and 10 x 4.4 ms per 4096 tokens
    near(s.paddingFreeTokensPerSecond, (1024 / 0.015 + 4096 / 0.040) / 2, "interpolated padding-free")
    near(s.paddedTokensPerSecond, (51200 + 4096 / 0.044) / 2, "interpolated padded")
    // usable 64000 -> 15.6 -> 16 GPUs; padded usable 54109.1 -> 18.5 -> 19
    assert(s.paddingFreeGpus == 16 && s.paddedGpus == 19)
    assert(!s.extrapolated && s.method.contains("interpolated between 1024 and 4096"))
    // bytes per token: padding-free 976562.5 at both ends; padded 1562500 and 1220703.125
    near(s.paddingFreePeakBytes, 2.0e9, "padding-free peak")
    near(s.paddedPeakBytes, (1562500 + 1220703.125) / 2 * 2048, "padded peak")
  }

  test("beyond the measured counts: held at the nearest, flagged, and warned about") {
    val result = study()
    val s = result.scenarios.asScala.find(_.tokensPerBatch == 16384).get
    assert(s.extrapolated && s.method.contains("held at 4096") && s.method.contains("measured 1024..4096"))
    near(s.paddingFreeTokensPerSecond, 102400, "held value")
    assert(s.paddingFreeGpus == 14) // 1e6 / 76800 = 13.02
    assert(result.warnings.asScala.exists(w => w.contains("16384") && w.contains("extrapolation")))
    assert(result.warnings.size == 1)
    assert(CapacityReportWriter.html(result).contains("needs extrapolation"))
  }

  /** Whole-layer rows at the GEMM rows' token counts: the layer takes longer than its two GEMMs (ms per batch, peak bytes). */
  private val layerRows: Seq[PointResult] = Seq(
    SweepFixtures.layerPoint(tokens = 1024, paddingFreeMs = 2.0, paddedMs = 3.0, paddingFreePeak = 1200000000L, paddedPeak = 2000000000L),
    SweepFixtures.layerPoint(tokens = 4096, paddingFreeMs = 6.0, paddedMs = 8.0, paddingFreePeak = 4800000000L, paddedPeak = 6400000000L),
    // a failed layer at 2048 tokens must not become a measurement
    SweepFixtures.layerPoint(tokens = 2048, failures = 1, failure = "mismatch: padded and padding-free layer outputs differ",
      paddingFreeMs = 0.01))

  test("with layer rows the figures use layer time per token and the layer's peaks, and the report says so") {
    val result = study(points = rows ++ layerRows)
    assert(result.basis == TimeBasis.LAYER)
    val s = result.scenarios.asScala.find(_.tokensPerBatch == 1024).get
    // padding-free: 10 layers x 2.0 ms = 20 ms per 1024 tokens = 51200 tokens/s; padded 10 x 3.0 ms: 34133.3
    near(s.paddingFreeTokensPerSecond, 51200, "padding-free tokens/s")
    near(s.paddedTokensPerSecond, 1024 / 0.030, "padded tokens/s")
    // usable at 75%: 38400 -> 26.04 -> 27 GPUs; padded 25600 -> 39.06 -> 40
    assert(s.paddingFreeGpus == 27 && s.paddedGpus == 40 && s.gpusSaved == 13)
    near(s.paddingFreePeakBytes, 1.2e9, "the layer's padding-free peak")
    near(s.memoryGainedBytes, 0.8e9, "the layer's padded - padding-free peak")
    val between = result.scenarios.asScala.find(_.tokensPerBatch == 2048).get
    assert(between.method.contains("interpolated between 1024 and 4096"), "the failed 2048-token layer is not measured")
    near(between.paddingFreeTokensPerSecond, (51200 + 4096 / 0.060) / 2, "interpolated from the layer rows")
    assert(result.notes.asScala.exists(n => n.contains("the whole MoE layer") && n.contains("10 layers")), result.notes)
    val html = CapacityReportWriter.html(result)
    assert(html.contains("time per token") && html.contains("layer time per batch") && html.contains("whole MoE layers"))
    assert(CapacityReportWriter.json(result).contains("\"time_basis\" : \"layer\""))
    assert(CapacityReportWriter.csv(result).linesIterator.drop(1).forall(_.endsWith(",layer")))
  }

  test("without layer rows, or with time_basis: gemm, the GEMM times as before, and the report says which") {
    val plain = study()
    assert(plain.basis == TimeBasis.GEMM)
    assert(plain.notes.asScala.exists(n => n.contains("grouped GEMMs") && n.contains("no passing layer rows on cuda")))
    assert(CapacityReportWriter.html(plain).contains("gate_up + down time per batch"))
    val forced = study(specYaml + "time_basis: gemm\n", rows ++ layerRows)
    assert(forced.basis == TimeBasis.GEMM && forced.notes.asScala.exists(_.contains("time_basis: gemm")))
    assert(forced.scenarios.asScala.map(_.paddingFreeGpus) == plain.scenarios.asScala.map(_.paddingFreeGpus))
    near(forced.scenarios.get(0).paddingFreeTokensPerSecond, 1024 / 0.015, "GEMM time as in the worked example")
  }

  test("layer rows on another backend than the GEMM rows' (a GPU sweep's CPU layers) are not mixed in") {
    val cpuLayers = layerRows.map(p => SweepFixtures.copy(p, "backend" -> "cpu"))
    val auto = study(specYaml.replace("backend: cuda\n", ""), rows ++ cpuLayers)
    assert(auto.backend == "cuda" && auto.basis == TimeBasis.GEMM, "the backend is the GEMM rows'; their GEMM times are used")
    val e = intercept[InvalidInputException](study(specYaml + "time_basis: layer\n", rows ++ cpuLayers))
    assert(e.field == "time_basis" && e.getMessage.contains("no passing layer rows on cuda") && e.getMessage.contains("cpu"),
      e.getMessage)
    val bad = intercept[InvalidInputException](study(specYaml + "time_basis: tokens\n"))
    assert(bad.field == "time_basis" && bad.value == "tokens" && bad.getMessage.contains("auto, layer or gemm"))
  }

  test("GPU counts round up, but not past an exact fit") {
    assert(CapacityCalculator.gpusNeeded(1e6, 62500, 0.2) == 20)
    assert(CapacityCalculator.gpusNeeded(1e6, 62499, 0.2) == 21)
    assert(CapacityCalculator.gpusNeeded(1, 1e9, 0.0) == 1)
    near(CapacityCalculator.throughput(4096, 58, 2.0), 4096 / (58 * 0.002), "tokens/s")
  }

  test("bad specs and results give errors naming the field") {
    def field(yaml: String, points: Seq[PointResult] = rows): InvalidInputException =
      intercept[InvalidInputException](study(yaml, points))
    assert(field(specYaml.replace("target_tokens_per_s: 1000000\n", "")).field == "target_tokens_per_s")
    val headroom = field(specYaml.replace("headroom: 0.25", "headroom: 1.0"))
    assert(headroom.field == "headroom" && headroom.value == "1.0" && headroom.getMessage.contains("t.yaml"))
    val tokens = field(specYaml.replace("[1024, 2048, 16384]", "[1024, lots]"))
    assert(tokens.field == "tokens_per_batch[1]" && tokens.value == "lots")
    assert(field(specYaml.replace("price_per_gpu_hour", "price_per_gpu_hr")).field == "price_per_gpu_hr")
    val dist = field(specYaml.replace("[balanced]", "[uniform30]"))
    assert(dist.field == "distributions[0]" && dist.getMessage.contains("balanced"), dist.getMessage)
    val model = field(specYaml.replace("qwen3-30b-a3b", "deepseek-v3"))
    assert(model.field == "model" && model.getMessage.contains("qwen3-30b-a3b"), model.getMessage)
    assert(field(specYaml.replace("backend: cuda", "backend: cpu")).field == "backend")
    assert(field(specYaml.replace("model: qwen3-30b-a3b", "model: nope")).field == "model")
  }

  test("--run-id . and .. and a non-local --out are usage errors; the folders around OUT are untouched") {
    val dir = java.nio.file.Files.createTempDirectory("capacity-dots")
    val spec = java.nio.file.Files.writeString(dir.resolve("t.yaml"), specYaml)
    val out = java.nio.file.Files.createDirectories(dir.resolve("reports/capacity"))
    java.nio.file.Files.writeString(dir.resolve("reports/keep.txt"), "x")
    for (id <- Seq("..", "."))
      assert(CapacityStudy.run("--spec", spec.toString, "--out", out.toString, "--run-id", id) == CapacityStudy.EXIT_USAGE)
    assert(CapacityStudy.run("--spec", spec.toString, "--out", "hdfs:///tmp/c", "--run-id", "r") == CapacityStudy.EXIT_USAGE)
    assert(java.nio.file.Files.exists(dir.resolve("reports/keep.txt")) && java.nio.file.Files.isDirectory(out))
    assert(java.nio.file.Files.list(out).count() == 0)
  }
}
