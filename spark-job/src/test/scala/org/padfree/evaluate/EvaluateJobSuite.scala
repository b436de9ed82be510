package org.padfree.evaluate

import java.nio.file.Files
import scala.jdk.CollectionConverters._
import com.fasterxml.jackson.databind.ObjectMapper
import org.apache.spark.sql.Row
import org.padfree.LocalSparkSuite
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._
import org.padfree.jobs.EvaluateJob
import org.padfree.results.BatchResult

class EvaluateJobSuite extends AnyFunSuite with LocalSparkSuite {

  test("end to end on the committed sample dataset and trace: every batch once per GEMM, all checks pass, reports parse") {
    val out = tempDir("e2e")
    val run = evaluate(spark, out, "sample", Seq("--dataset", sampleDataset, "--trace", s"mixtral-8x7b=$sampleCountsTrace"))
    assert(run.exitCode == EvaluateJob.EXIT_OK)
    val results = run.results
    val inputs = spark.read.parquet(sampleDataset).count() + 2 // the trace holds two batches
    assert(results.size == inputs * 2, "one row per batch and GEMM")
    assert(results.map(r => (r.inputIndex, r.gemm)).distinct.size == results.size)
    assert(results.map(_.inputIndex).toSet == (0L until inputs).toSet)
    for (r <- results) {
      assert(r.status == BatchResult.OK, s"${r.batchId}/${r.gemm}: ${r.error}")
      assert(r.bitIdentical && r.paddedMismatches == 0 && r.maskedMismatches == 0, r.batchId)
      assert(r.referenceRows == 4 && r.referenceError < 1e-5 && r.boundViolations == 0, r.batchId)
      assert(r.paddingFreeGemmMs > 0 && r.padMs > 0 && r.usefulFlops == 2.0 * r.rows * r.n * r.k)
      assert(r.savedBytes > 0 && r.savedFraction > 0 && r.savedFraction < 1 && r.paddedRows >= r.rows)
      assert(r.backend == "cpu" && r.kernelConfig.nonEmpty && r.executorId.nonEmpty)
    }
    val ds = results.filter(r => r.model == "deepseek-v3" && r.gemm == "gate_up").head
    assert(ds.n == 4096 && ds.k == 7168 && ds.numExperts == 256 && ds.topK == 8)

    // the report files: JSON parses with run facts and groups, CSV has its header, HTML holds the charts
    val json = new ObjectMapper().readTree(run.dir.resolve("summary.json").toFile)
    assert(json.path("run").path("run_id").asText() == "sample" || json.path("run").path("runId").asText() == "sample")
    assert(json.path("groups").size() > 0)
    // the Spark application, so the report leads to the History Server: its id, master and event log
    assert(json.path("run").path("spark_application_id").asText() == spark.sparkContext.applicationId)
    assert(json.path("run").path("spark_master").asText() == spark.sparkContext.master)
    assert(json.path("run").has("spark_event_log_dir") && json.path("run").path("spark_event_log_dir").isNull,
      "event logging is off in the tests' session, and summary.json says so with null")
    val csv = Files.readAllLines(run.dir.resolve("summary.csv"))
    assert(csv.get(0).startsWith("model,gemm,distribution"), csv.get(0))
    val html = Files.readString(run.dir.resolve("index.html"))
    for (chart <- Seq("speedup", "saving-vs-imbalance", "throughput")) assert(html.contains(s"""data-chart="$chart""""), chart)
    assert(html.contains("CPU timings are wall times"), "the CPU caveat is in the report")
    assert(html.contains(spark.sparkContext.applicationId) && html.contains("spark.eventLog.enabled=true"),
      "the report names the application and how to keep its event log")
    assert(Files.readString(run.dir.resolve("report.md")).contains("deepseek-v3"))
    val hidden = (dir: java.nio.file.Path) => Files.list(dir).iterator().asScala.map(_.getFileName.toString)
      .filter(_.startsWith(".")).toSet
    assert(hidden(out) == Set(org.padfree.output.RunFolder.LOCKS), "no temporary folder left behind, only the run locks")
    assert(hidden(run.dir) == Set(org.padfree.output.RunFolder.MARKER), "no side files (checksums, temp files), only the marker")
    assert(Files.getPosixFilePermissions(run.dir).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ))
  }

  test("bad rows become error rows naming the field and value while the other batches still run; exit status 1") {
    val dir = tempDir("bad")
    val good = writeDataset(spark, dir, "good", qwenBatches(2, 32, 1L))
    val ids = Array.fill(32 * 8)(0).zipWithIndex.map { case (_, i) => i % 8 }
    ids(5) = 999 // expert id out of range
    val badRow = Row("bad-expert", "qwen3-30b-a3b", "hand", 128, 8, 32, 7L, ids)
    val unknownModel = Row("who", "no-such-model", "hand", 128, 8, 1, 7L, Array(0, 1, 2, 3, 4, 5, 6, 7))
    val mixed = writeRawRows(spark, dir, "mixed", Seq(badRow, unknownModel))
    val missing = dir.resolve("missing-columns").toString
    spark.range(3).toDF("batch_id").write.parquet(missing)
    val empty = writeDataset(spark, dir, "empty", Seq.empty)
    val counts = dir.resolve("negative.csv")
    Files.writeString(counts, "batch_id,expert,count\nt-ok,0,2\nt-ok,1,2\nt-neg,0,4\nt-neg,1,-3\n")

    val run = evaluate(spark, dir.resolve("out"), "bad", Seq("--dataset", good, "--dataset", mixed, "--dataset", missing,
      "--dataset", empty, "--trace", s"mixtral-8x7b=$counts", "--gemms", "down"))
    assert(run.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    val byId = run.results.groupBy(_.batchId)
    assert(run.results.count(_.isOk) == 3, "the two good dataset batches and the good trace batch ran")
    def errorOf(id: String) = { val rs = byId(id); assert(rs.size == 1 && rs.head.isError, id); rs.head.error }
    assert(errorOf("bad-expert").contains("expert_ids[5] = 999"))
    assert(errorOf("who").contains("no-such-model"))
    assert(errorOf("t-neg").contains("count = -3"))
    val fileErrors = run.results.filter(r => r.isError && r.batchId.isEmpty).map(r => r.dataset -> r.error).toMap
    assert(fileErrors(missing).contains("missing from the routed-batch dataset"), fileErrors(missing))
    assert(fileErrors(empty).contains("holds no batches"))
    assert(run.results.map(_.inputIndex).distinct.size == run.results.size, "every input exactly once")
    assert(Files.readString(run.dir.resolve("index.html")).contains("expert_ids[5] = 999"), "failures are in the report")
  }

  test("a check failure can be made non-fatal, but errors never are") {
    val dir = tempDir("flags")
    val good = writeDataset(spark, dir, "good", qwenBatches(1, 16, 3L))
    assert(evaluate(spark, dir.resolve("out"), "ok", Seq("--dataset", good, "--gemms", "down",
      "--fail-on-mismatch", "false")).exitCode == EvaluateJob.EXIT_OK)
    val cuda = evaluate(spark, dir.resolve("out"), "cuda", Seq("--dataset", good, "--gemms", "down", "--backend", "cuda"))
    assert(cuda.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    // this machine has no GPU: every row names what is missing (no GPU assigned, no driver)
    assert(cuda.results.nonEmpty && cuda.results.forall(r => r.isError && r.error.contains("backend cuda was requested")
      && r.error.contains("no GPU resource was assigned") && r.error.contains("CUDA is not available")), cuda.results.head.error)
  }

  test("auto without a usable GPU runs on the CPU and every row and the report say why") {
    val dir = tempDir("auto")
    val good = writeDataset(spark, dir, "good", qwenBatches(2, 16, 4L))
    val run = evaluate(spark, dir.resolve("out"), "auto", Seq("--dataset", good, "--gemms", "down", "--backend", "auto"))
    assert(run.exitCode == EvaluateJob.EXIT_OK)
    assert(run.results.size == 2)
    for (r <- run.results) {
      assert(r.isOk && r.backend == "cpu" && r.gpuUuid.isEmpty, r.toString)
      assert(r.backendNote.startsWith("auto fell back to cpu: ") && r.backendNote.contains("CUDA is not available"), r.backendNote)
      assert(r.gpuBusyMs.isNaN && r.busyFraction.isNaN, "no GPU busy time off the GPU")
      assert(r.taskMs > 0 && r.backendWallMs > 0 && r.taskMs >= r.backendWallMs, s"task ${r.taskMs} ms, backend ${r.backendWallMs} ms")
    }
    val md = Files.readString(run.dir.resolve("report.md"))
    assert(md.contains("Backend auto: auto fell back to cpu: "), "the fallback reason is a note of the report")
    assert(md.contains("## Throughput and executors") && md.contains("tokens/s"))
    val json = new ObjectMapper().readTree(run.dir.resolve("summary.json").toFile)
    assert(json.path("throughput").path("batches").asLong() == 2 && json.path("throughput").path("tokens").asLong() == 32)
    assert(json.path("executors").size() >= 1 && json.path("executors").get(0).path("busy_fraction").isNull)

    // where the wall time went: the phases add up to it, the evaluation stage is part of it
    val t = json.path("throughput")
    val wall = t.path("wall_seconds").asDouble
    val phases = Seq("planning_seconds", "placing_seconds", "evaluation_seconds", "collect_seconds").map { f =>
      assert(t.path(f).isNumber && t.path(f).asDouble >= 0, s"$f: $t"); t.path(f).asDouble
    }
    assert(t.path("evaluation_seconds").asDouble > 0 && t.path("evaluation_seconds").asDouble <= wall, t)
    assert(math.abs(phases.sum - wall) < 0.05, s"phases ${phases.sum} s against the wall's $wall s")
    assert(t.path("tokens_per_evaluation_second").asDouble >= t.path("tokens_per_second").asDouble, t)
    val executor = json.path("executors").get(0)
    assert(executor.path("task_span_seconds").isNumber, s"the executor's span is joined by its id: $executor")
    assert(executor.path("task_span_seconds").asDouble <= t.path("evaluation_seconds").asDouble + 1e-9, executor)
    assert(executor.path("spark_task_seconds").asDouble > 0, executor)
    assert(md.contains("the evaluation stage took") && md.contains("reading inputs and planning"))
  }

  test("duplicate batch ids within a dataset: the second is an error row, not a second result") {
    val dir = tempDir("dup")
    val b = qwenBatches(1, 16, 5L).head
    val path = writeDataset(spark, dir, "dup", Seq(b, b))
    val run = evaluate(spark, dir.resolve("out"), "dup", Seq("--dataset", path, "--gemms", "down"))
    assert(run.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    assert(run.results.count(_.isOk) == 1)
    assert(run.results.exists(r => r.isError && r.error.contains("appears more than once")))
  }

  test("usage errors: exit status 2 with the option named; an existing run folder is not overwritten silently") {
    assert(EvaluateJob.run("--backend", "tpu", "--dataset", "x") == EvaluateJob.EXIT_USAGE)
    assert(EvaluateJob.run("--datasett", "x") == EvaluateJob.EXIT_USAGE)
    assert(EvaluateJob.run() == EvaluateJob.EXIT_USAGE)
    assert(EvaluateJob.run("--help") == EvaluateJob.EXIT_OK)
    val dir = tempDir("exists")
    Files.createDirectories(dir.resolve("taken"))
    val options = EvaluateOptions.parse(spark.sparkContext.getConf, "--dataset", sampleDataset, "--out", dir.toString, "--run-id", "taken")
    val e = intercept[org.padfree.InvalidInputException](EvaluateJob.run(spark, options))
    assert(e.getMessage.contains("--run-id = taken") && e.getMessage.contains("--overwrite"))
  }
}
