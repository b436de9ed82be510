package org.padfree.sweep

import java.nio.file.{Files, Path}
import scala.jdk.CollectionConverters._
import com.fasterxml.jackson.databind.ObjectMapper
import org.padfree.LocalSparkSuite
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.jobs.SweepJob
import org.padfree.table.RecordCsv

/** SweepJob end to end on the CPU backend: history, comparison with the previous run and a baseline, exit codes. */
class SweepJobSuite extends AnyFunSuite with LocalSparkSuite {

  private def writeSpec(dir: Path, extra: String = ""): Path = {
    val spec = dir.resolve("tiny.yaml")
    Files.writeString(spec,
      s"""name: tiny
         |grid:
         |  models: [qwen3-30b-a3b]
         |  gemms: [down]
         |  experts: [model, 32]
         |  tokens: [8, 16]
         |  distributions: [balanced]
         |  backends: [cpu]
         |history: ${dir.resolve("history")}
         |out: ${dir.resolve("out")}
         |$extra""".stripMargin)
    spec
  }

  private def sweep(spec: Path, args: String*): Int =
    SweepJob.run(spark, SweepOptions.parse((Seq("--spec", spec.toString, "--git-revision", "test") ++ args): _*))

  test("two runs: both pass, the second is compared with the first, history holds each run once; a re-run replaces") {
    val dir = tempDir("sweep")
    val spec = writeSpec(dir)
    assert(sweep(spec, "--run-id", "one") == SweepJob.EXIT_OK)
    assert(sweep(spec, "--run-id", "two") == SweepJob.EXIT_OK)
    val history = new HistoryTable(dir.resolve("history"))
    assert(history.runs.asScala.map(_.runId) == Seq("one", "two"))
    val two = history.run("two").rows.asScala
    assert(two.size == 4, "2 expert counts x 2 token counts x 1 GEMM")
    assert(two.forall(p => p.failures == 0 && p.batches == 1 && p.backend == "cpu" && p.gitRevision == "test"))
    assert(two.exists(_.model == "qwen3-30b-a3b@e32k8") && two.exists(_.model == "qwen3-30b-a3b"))
    assert(two.forall(p => p.savedFraction > 0 && p.paddingFreeGemmMs > 0 && p.n == 2048 && p.k == 768))
    val report = new ObjectMapper().readTree(dir.resolve("out/two/trend.json").toFile)
    assert(report.path("previous_run").asText() == "one" && report.path("exit_status").asInt() == 0)
    assert(report.path("findings").size() >= 4 * 3, "every metric of every point compared with run one")
    assert(report.path("points").size() == 4)
    val html = Files.readString(dir.resolve("out/two/index.html"))
    for (chart <- Seq("change", "speedup-vs-tokens", "saving-vs-tokens", "trend-tflops", "trend-speedup"))
      assert(html.contains(s"""data-chart="$chart""""), chart)
    assert(html.contains("previous run one") && html.contains("CPU timings are wall times"))
    assert(Files.readString(dir.resolve("out/two/report.md")).contains("| qwen3-30b-a3b@e32k8 |"))
    // memory figures are deterministic: identical between the runs
    val one = history.run("one").rows.asScala.map(p => p.pointKey -> p.savedBytes).toMap
    assert(two.forall(p => one(p.pointKey) == p.savedBytes))

    assert(sweep(spec, "--run-id", "one") == SweepJob.EXIT_OK, "re-running run one")
    assert(history.runs.asScala.map(_.runId).sorted == Seq("one", "two"))
    assert(history.runs.asScala.flatMap(_.rows.asScala).size == 8, "no duplicated rows")
    assert(Files.list(dir.resolve("out")).iterator().asScala.map(_.getFileName.toString).filter(_.startsWith(".")).toSet
      == Set(org.padfree.output.RunFolder.LOCKS), "no staging folder left, only the run locks")
  }

  test("a baseline better than this run is a regression: exit 3, flagged in the report; a failed batch exits 1") {
    val dir = tempDir("baseline")
    val spec = writeSpec(dir)
    assert(sweep(spec, "--run-id", "base") == SweepJob.EXIT_OK)
    // a synthetic baseline that saved 10 points more memory at every point
    val rows = SweepReportWriter.readPointsCsv(dir.resolve("out/base/points.csv")).asScala
      .map(p => SweepFixtures.copy(p, "savedFraction" -> (p.savedFraction + 0.10)))
    val baseline = dir.resolve("better.csv")
    Files.writeString(baseline, new RecordCsv(classOf[PointResult]).write(rows.asJava))
    assert(sweep(spec, "--run-id", "vs-base", "--baseline", baseline.toString) == SweepJob.EXIT_REGRESSION)
    val report = new ObjectMapper().readTree(dir.resolve("out/vs-base/trend.json").toFile)
    val regressions = report.path("regressions").elements().asScala.toSeq
    assert(regressions.size == 4 && regressions.forall(r => r.path("metric").asText() == "memory_saved" &&
      r.path("against").asText() == "baseline"))
    assert(Files.readString(dir.resolve("out/vs-base/index.html")).contains("REGRESSION"))
    // run:<id> baselines too; the same run as baseline is no regression
    assert(sweep(spec, "--run-id", "vs-run", "--baseline", "run:base") == SweepJob.EXIT_OK)

    // the cuda backend is not available here: every batch errors, which is a failed check (exit 1)
    assert(sweep(spec, "--run-id", "cuda", "--backend", "cuda") == SweepJob.EXIT_FAILED_CHECKS)
    val failed = new HistoryTable(dir.resolve("history")).run("cuda").rows.asScala
    assert(failed.forall(p => p.failures == 1 && p.failure.startsWith("error")))
  }

  test("with evaluation.layers a layer row per point: times, peaks and checks recorded, reported, regression-checked") {
    val dir = tempDir("layers")
    // a previous run of the same sweep written before layer columns existed: GEMM rows only, older schema
    val old = Seq(8, 16).map(t => SweepFixtures.point(runId = "old", sweep = "tiny", startedAt = "2026-11-01T02:00:00Z",
      experts = 128, tokens = t, backend = "cpu", saved = 0.0))
    SweepFixtures.writeOldParquet(old, PointResult.ADDED_LATER.asScala.toSet,
      dir.resolve("history/date=2026-11-01/run=old/points.parquet"))
    val spec = writeSpec(dir, "evaluation:\n  layers: true\n").toString
    Files.writeString(Path.of(spec), Files.readString(Path.of(spec)).replace("experts: [model, 32]", "experts: [model]"))
    assert(sweep(Path.of(spec), "--run-id", "l1") == SweepJob.EXIT_OK)

    val history = new HistoryTable(dir.resolve("history"))
    val rows = history.run("l1").rows.asScala
    assert(rows.map(_.gemm) == Seq("down", "layer", "down", "layer"), "each point's GEMM row, then its layer row")
    val (layers, gemms) = rows.partition(_.isLayer)
    for (l <- layers) {
      val case_ = s"${l.pointKey}: ${l.failure}"
      assert(l.pointKey.endsWith("/cpu/layer") && l.batches == 1 && l.failures == 0 && l.backend == "cpu", case_)
      assert(l.paddedLayerMs > 0 && l.paddingFreeLayerMs > 0 && l.layerSpeedup == l.paddedLayerMs / l.paddingFreeLayerMs, case_)
      assert(l.paddedLayerPeakBytes > l.paddingFreeLayerPeakBytes && l.paddingFreeLayerPeakBytes > 0, case_)
      assert(math.abs(l.layerSavedFraction - (1 - l.paddingFreeLayerPeakBytes.toDouble / l.paddedLayerPeakBytes)) < 1e-12, case_)
      assert(l.layerBitIdentical == 1 && l.layerErrorPassed == 1, case_)
      assert(l.layerErrorMax > 0 && l.layerErrorMax < org.padfree.moe.LayerReference.RELATIVE_ERROR_BOUND, case_)
      assert(l.paddingFreeTflops.isNaN && l.speedup.isNaN && l.n == 0, s"$case_: a layer row has no GEMM figures")
    }
    assert(layers.map(_.tokens) == Seq(8, 16) && layers.head.paddedLayerPeakBytes < layers.last.paddedLayerPeakBytes)
    assert(gemms.forall(g => g.layerSpeedup.isNaN && g.layerBitIdentical == 0 && g.savedFraction > 0))

    val report = new ObjectMapper().readTree(dir.resolve("out/l1/trend.json").toFile)
    assert(report.path("previous_run").asText() == "old", "the old-schema run loads and is the previous run")
    val findings = report.path("findings").elements().asScala.toSeq
    assert(findings.count(f => f.path("point_key").asText().endsWith("/layer")
      && f.path("note").asText() == "new point: not in the previous run") == 2)
    assert(findings.count(f => f.path("against").asText() == "previous" && f.path("metric").asText() == "memory_saved") == 2)
    val html = Files.readString(dir.resolve("out/l1/index.html"))
    for (chart <- Seq("layer-speedup-vs-tokens", "trend-layer-speedup"))
      assert(html.contains(s"""data-chart="$chart""""), chart)
    assert(html.contains("<h2>MoE layers</h2>") && html.contains("1 of 1"))
    assert(html.contains("The MoE layer rows ran on the CPU reference") || html.contains("CPU timings are wall times"))
    val md = Files.readString(dir.resolve("out/l1/report.md"))
    assert(md.contains("## MoE layers") && md.contains("| layer speedup |"))

    // a baseline whose layers were 100x as fast relative to padded: with layer_speedup gating on the CPU,
    // exit 3. (100x, not a small factor: CPU layer speedups of identical runs move by up to +-77% on
    // 2 cores, so a rerun's speedup must never come within the 50% threshold of the baseline's.)
    val better = SweepReportWriter.readPointsCsv(dir.resolve("out/l1/points.csv")).asScala
      .map(p => if (p.isLayer) SweepFixtures.copy(p, "layerSpeedup" -> 100 * p.layerSpeedup) else p)
    assert(better.count(_.isLayer) == 2, "points.csv carries the layer rows")
    val baseline = dir.resolve("better.csv")
    Files.writeString(baseline, new RecordCsv(classOf[PointResult]).write(better.asJava))
    Files.writeString(Path.of(spec), Files.readString(Path.of(spec))
      + "regression:\n  cpu_metrics: [memory_saved, layer_memory_saved, layer_speedup]\n")
    assert(sweep(Path.of(spec), "--run-id", "l2", "--baseline", baseline.toString) == SweepJob.EXIT_REGRESSION)
    val l2 = new ObjectMapper().readTree(dir.resolve("out/l2/trend.json").toFile)
    val vsBaseline = l2.path("regressions").elements().asScala.toSeq.filter(_.path("against").asText() == "baseline")
    assert(vsBaseline.size == 2 && vsBaseline.forall(r => r.path("metric").asText() == "layer_speedup"
      && r.path("point_key").asText().endsWith("/layer")), vsBaseline.mkString("\n"))

    // --layers false overrides the spec: no layer rows, and the previous run's layer points are noted as dropped
    assert(sweep(Path.of(spec), "--run-id", "l3", "--layers", "false") == SweepJob.EXIT_OK)
    assert(!history.run("l3").rows.asScala.exists(_.isLayer))
    val l3 = new ObjectMapper().readTree(dir.resolve("out/l3/trend.json").toFile)
    assert(l3.path("findings").elements().asScala.count(_.path("note").asText().startsWith("dropped")) == 2)
    val bad = intercept[org.padfree.InvalidInputException](sweep(writeSpec(dir, "evaluation:\n  layers: yes please\n")))
    assert(bad.field == "evaluation.layers" && bad.value == "yes please", bad.getMessage)
  }

  test("usage and spec errors exit 2 with the field named") {
    val dir = tempDir("usage")
    assert(SweepJob.run("--help") == SweepJob.EXIT_OK)
    assert(SweepJob.run() == SweepJob.EXIT_USAGE)
    assert(SweepJob.run("--spec", "x.yaml", "--threshold", "2") == SweepJob.EXIT_USAGE)
    val bad = writeSpec(dir, "regression:\n  metrics: [latency]\n")
    val e = intercept[org.padfree.InvalidInputException](sweep(bad))
    assert(e.field == "regression.metrics[0]" && e.value == "latency")
    val missing = intercept[org.padfree.InvalidInputException](sweep(writeSpec(dir), "--baseline", "run:nope"))
    assert(missing.field == "baseline")
  }

  test("--run-id . and .. and non-local --out/--history are refused before Spark work; reports/ is untouched") {
    val dir = tempDir("dots")
    val spec = writeSpec(dir)
    Files.createDirectories(dir.resolve("out/examples"))
    Files.writeString(dir.resolve("out/keep.txt"), "an earlier report")
    for (id <- Seq("..", ".")) assert(SweepJob.run("--spec", spec.toString, "--run-id", id) == SweepJob.EXIT_USAGE, id)
    assert(SweepJob.run("--spec", spec.toString, "--out", "hdfs:///tmp/x") == SweepJob.EXIT_USAGE)
    assert(SweepJob.run("--spec", spec.toString, "--history", "hdfs:///tmp/h") == SweepJob.EXIT_USAGE)
    val e = intercept[org.padfree.InvalidInputException](sweep(spec, "--out", "s3a://bucket/r"))
    assert(e.field == "--out", e.getMessage)
    val left = Files.list(dir.resolve("out")).iterator().asScala.map(_.getFileName.toString).toSet
    assert(left == Set("examples", "keep.txt") && !Files.exists(dir.resolve("history")), left)
    assert(!Files.exists(java.nio.file.Paths.get("hdfs:")))
  }
}
