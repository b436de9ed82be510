package org.padfree.sweep

import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite
import SweepFixtures._

class TrendCheckSuite extends AnyFunSuite {
  private val policy = RegressionPolicy.DEFAULT // 10% on GPUs, 50% on the CPU, 1 point of memory; CPU gates memory only

  private def check(now: Seq[PointResult], previous: Seq[PointResult] = null, baseline: Seq[PointResult] = null,
      p: RegressionPolicy = policy): Seq[Finding] =
    TrendCheck.check(now.asJava, Option(previous).map(_.asJava).orNull, Option(baseline).map(_.asJava).orNull, p).asScala.toSeq

  private def regressions(fs: Seq[Finding]): Seq[(String, String)] =
    fs.filter(_.regression).map(f => (f.against, f.metric))

  test("a GPU throughput drop beyond the threshold is a regression; within it, or a gain, is not") {
    val prev = Seq(point(tflops = 500, speedup = 1.20))
    assert(regressions(check(Seq(point(tflops = 460, speedup = 1.19)), prev)).isEmpty, "8% down, under 10%")
    assert(regressions(check(Seq(point(tflops = 700, speedup = 1.5)), prev)).isEmpty, "faster")
    val fs = check(Seq(point(tflops = 440, speedup = 1.20)), prev)
    assert(regressions(fs) == Seq(("previous", "padding_free_tflops")))
    val f = fs.find(_.regression).get
    assert(math.abs(f.change - (-0.12)) < 1e-12 && f.limit == -0.10 && f.now == 440 && f.reference == 500)
    assert(f.note.contains("fell 12.0%"), f.note)
  }

  test("previous run and baseline are both checked, each finding says which") {
    val prev = Seq(point(tflops = 450))
    val base = Seq(point(tflops = 600))
    val fs = check(Seq(point(tflops = 450)), prev, base)
    assert(regressions(fs) == Seq(("baseline", "padding_free_tflops")), "level with the previous run, 25% under the baseline")
  }

  test("memory saving is compared as an absolute drop of the saved fraction") {
    val prev = Seq(point(saved = 0.300))
    assert(regressions(check(Seq(point(saved = 0.295)), prev)).isEmpty, "half a point")
    assert(regressions(check(Seq(point(saved = 0.280)), prev)) == Seq(("previous", "memory_saved")))
  }

  test("on the CPU, timing drops are reported for information and memory still gates; cpu_metrics can make timings gate") {
    val prev = Seq(point(backend = "cpu", tflops = 0.05, speedup = 1.1))
    val slower = Seq(point(backend = "cpu", tflops = 0.01, speedup = 1.1))
    val fs = check(slower, prev)
    assert(regressions(fs).isEmpty)
    val info = fs.find(f => f.metric == "padding_free_tflops" && f.note.nonEmpty).get
    assert(info.note.contains("fell 80.0%") && info.note.contains("for information only"), info.note)
    assert(regressions(check(Seq(point(backend = "cpu", saved = 0.1)), Seq(point(backend = "cpu", saved = 0.3))))
      == Seq(("previous", "memory_saved")))
    val strict = new RegressionPolicy(0.1, 0.5, 0.01, RegressionPolicy.METRICS, RegressionPolicy.METRICS)
    assert(regressions(check(slower, prev, p = strict)) == Seq(("previous", "padding_free_tflops")))
    assert(regressions(check(Seq(point(backend = "cpu", tflops = 0.03)), prev, p = strict)).isEmpty, "40% is under 50%")
  }

  test("a failed check is always a regression, with or without a reference, and is not compared further") {
    val failed = Seq(point(failures = 1, failure = "mismatch: 3 elements differ", tflops = 900))
    val alone = check(failed)
    assert(regressions(alone) == Seq(("correctness", "correctness")))
    assert(alone.head.note.contains("3 elements differ"))
    assert(TrendCheck.hasCorrectnessFailure(alone.asJava))
    assert(regressions(check(failed, Seq(point()))) == Seq(("correctness", "correctness")))
  }

  test("new, dropped, failed-before and other-backend points are noted, not compared") {
    val now = Seq(point(tokens = 512), point(tokens = 256, backend = "cpu"), point(tokens = 1024))
    val prev = Seq(point(tokens = 128), copy(point(tokens = 256, backend = "cuda"), "pointKey" -> now(1).pointKey),
      point(tokens = 1024, failures = 2, failure = "error: x"))
    val fs = check(now, prev)
    assert(regressions(fs).isEmpty)
    val notes = fs.map(_.note)
    assert(notes.exists(_.startsWith("new point")))
    assert(notes.exists(_.startsWith("dropped")))
    assert(notes.exists(_.contains("ran on cpu, the previous run on cuda")))
    assert(notes.exists(_.contains("the previous run failed here")))
  }

  test("a synthetic history: the trend's medians per run, and the latest run compared with the one before") {
    val runs = (1 to 4).map { i =>
      val tflops = if (i == 4) 300.0 else 500.0 + i
      new HistoryTable.Run(s"n$i", s"2026-11-0$i", Seq(
        point(runId = s"n$i", startedAt = s"2026-11-0${i}T02:00:00Z", tflops = tflops),
        point(runId = s"n$i", startedAt = s"2026-11-0${i}T02:00:00Z", gemm = "gate_up", tflops = tflops + 10)).asJava)
    }
    val trend = RunTrend.of(runs.asJava, "s", 3).asScala
    assert(trend.map(_.runId) == Seq("n2", "n3", "n4"), "the last three")
    assert(trend.head.medianTflops == 507.0 && trend.last.medianTflops == 305.0)
    assert(regressions(check(runs(3).rows.asScala.toSeq, runs(2).rows.asScala.toSeq)).size == 2)
    assert(regressions(check(runs(2).rows.asScala.toSeq, runs(1).rows.asScala.toSeq)).isEmpty)
  }

  test("a layer speedup that drops beyond the threshold is a regression on GPUs, information on the CPU; layer memory gates both") {
    val prev = Seq(point(), layerPoint(paddedMs = 2.0, paddingFreeMs = 1.6)) // layer speedup 1.25
    val slower = Seq(point(), layerPoint(paddedMs = 2.0, paddingFreeMs = 1.9)) // 1.053: 15.8% down
    val fs = check(slower, prev)
    assert(regressions(fs) == Seq(("previous", "layer_speedup")))
    val f = fs.find(_.regression).get
    assert(f.pointKey.endsWith("/layer") && math.abs(f.change - (2.0 / 1.9 / 1.25 - 1)) < 1e-12 && f.limit == -0.10)
    assert(f.note.contains("fell 15.8%"), f.note)
    assert(regressions(check(Seq(point(), layerPoint(paddingFreeMs = 1.7)), prev)).isEmpty, "5.9% down, under 10%")
    // the layer row is compared on the layer metrics only, the GEMM row on the GEMM metrics only
    assert(fs.filter(_.pointKey.endsWith("/layer")).map(_.metric).toSet == Set("layer_speedup", "layer_memory_saved"))
    assert(fs.filter(_.pointKey.endsWith("/down")).map(_.metric).toSet == Set("padding_free_tflops", "speedup", "memory_saved"))

    // on the CPU backend a layer timing drop is shown but does not gate; the layer's memory saving does
    val cpuPrev = Seq(layerPoint(backend = "cpu", paddingFreeMs = 0.8)) // 2.5x; now 1.05x: 58% down, beyond 50%
    val cpuSlower = check(Seq(layerPoint(backend = "cpu", paddingFreeMs = 1.9)), cpuPrev)
    assert(regressions(cpuSlower).isEmpty)
    assert(cpuSlower.exists(x => x.metric == "layer_speedup" && x.note.contains("for information only")))
    val lessSaved = check(Seq(layerPoint(backend = "cpu", paddingFreePeak = 2100L)), Seq(layerPoint(backend = "cpu")))
    assert(regressions(lessSaved) == Seq(("previous", "layer_memory_saved")), "33.3% -> 30.0% saved: 3.3 points")
    // a layer row that failed its checks is a correctness regression like a GEMM row
    assert(regressions(check(Seq(layerPoint(failures = 1, failure = "mismatch: padded and padding-free layer outputs differ"))))
      == Seq(("correctness", "correctness")))
  }

  test("layer metrics are known to the policy: a spec may gate them or name a wrong one") {
    assert(RegressionPolicy.DEFAULT.gates("layer_speedup", "cuda") && !RegressionPolicy.DEFAULT.gates("layer_speedup", "cpu"))
    assert(RegressionPolicy.DEFAULT.gates("layer_memory_saved", "cpu"))
    val e = intercept[org.padfree.InvalidInputException](new RegressionPolicy(0.1, 0.5, 0.01,
      java.util.List.of("layer_latency"), java.util.List.of()))
    assert(e.field == "regression.metrics[0]" && e.value == "layer_latency" && e.getMessage.contains("layer_speedup"))
  }
}
