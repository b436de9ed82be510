package org.padfree.evaluate

import java.io.{ByteArrayOutputStream, PrintStream}
import java.nio.file.{Files, Path, Paths}
import scala.jdk.CollectionConverters._
import org.padfree.LocalSparkSuite
import org.padfree.output.RunFolder
import org.padfree.jobs.SweepJob
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._
import org.padfree.jobs.EvaluateJob
import org.padfree.results.BatchResult

/**
 * Bad input and impossible sizes lose nothing: each is refused before any work (exit 2 naming the
 * option) or becomes error rows naming the file or batch, while every other batch still runs and the
 * run ends with a complete report. One test per bug of the "nothing lost" issue.
 */
class BadInputSuite extends AnyFunSuite with LocalSparkSuite {

  /** Runs EvaluateJob's command line (as spark-submit would) and returns its exit status and stderr. */
  private def job(args: String*): (Int, String) = {
    val err = new ByteArrayOutputStream()
    val saved = System.err
    System.setErr(new PrintStream(err, true))
    try {
      spark // the job finds this suite's session active, as it would find spark-submit's
      (EvaluateJob.run(args: _*), err.toString)
    } finally System.setErr(saved)
  }

  private def names(dir: Path): Set[String] = Files.list(dir).iterator().asScala.map(_.getFileName.toString).toSet

  test("--run-id . and .. are usage errors; OUT, its parent and their neighbours are untouched") {
    val top = tempDir("dots")
    val out = Files.createDirectories(top.resolve("reports"))
    Files.writeString(top.resolve("unrelated.txt"), "keep")
    Files.createDirectories(out.resolve("examples"))
    for (id <- Seq("..", ".")) {
      val (rc, err) = job("--dataset", sampleDataset, "--out", out.toString, "--run-id", id, "--overwrite")
      assert(rc == EvaluateJob.EXIT_USAGE && err.contains(s"--run-id = $id"), err)
    }
    assert(names(top) == Set("reports", "unrelated.txt") && names(out) == Set("examples"))
  }

  test("an unwritable or non-local --out is refused before any work, naming --out; no scheme-named folder") {
    val file = Files.writeString(tempDir("out-file").resolve("not-a-folder"), "x")
    val (rc, err) = job("--dataset", "/nonexistent/never-read", "--out", file.toString, "--run-id", "r")
    assert(rc == EvaluateJob.EXIT_USAGE && err.contains("--out = ") && err.contains("is a file"), err)
    val (rc2, err2) = job("--dataset", "/nonexistent/never-read", "--out", "hdfs:///tmp/x", "--run-id", "r")
    assert(rc2 == EvaluateJob.EXIT_USAGE && err2.contains("--out = hdfs:///tmp/x") && err2.contains("URI"), err2)
    assert(!Files.exists(Paths.get("hdfs:")) && !Files.exists(Paths.get("hdfs:").toAbsolutePath))
  }

  test("a run id being written by another run is refused at once; the other run's folder is untouched") {
    val out = tempDir("busy")
    val other = RunFolder.claim("--out", out.toString, "--run-id", "nightly", false)
    try {
      val (rc, err) = job("--dataset", sampleDataset, "--out", out.toString, "--run-id", "nightly", "--overwrite")
      assert(rc == EvaluateJob.EXIT_USAGE && err.contains("another run is writing"), err)
      assert(!Files.exists(out.resolve("nightly")))
    } finally other.close()
  }

  test("unreadable datasets and files become error rows naming them; every readable batch still runs") {
    val dir = tempDir("unreadable")
    val good = writeDataset(spark, dir, "good", qwenBatches(2, 16, 41L))
    val zeroByte = Files.write(dir.resolve("zero.parquet"), Array.emptyByteArray).toString
    val text = Files.writeString(dir.resolve("text.parquet"), "batch_id,expert\nnot parquet at all\n").toString
    // a folder whose part files are good but one: the good one's batches must still be evaluated
    val mixed = writeDataset(spark, dir, "mixed", qwenBatches(2, 16, 51L))
    val badPart = Files.writeString(Paths.get(mixed).resolve("part-99999-corrupt.parquet"), "garbage").toString
    val out = dir.resolve("out")
    val run = evaluate(spark, out, "u", Seq("--dataset", good, "--dataset", zeroByte, "--dataset", text,
      "--dataset", mixed, "--gemms", "down"))
    assert(run.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    val rows = run.results
    val ok = rows.filter(_.isOk)
    assert(ok.map(_.batchId).toSet == Set("q41-000", "q41-001", "q51-000", "q51-001"), rows.map(r => r.batchId -> r.error))
    val errors = rows.filterNot(_.isOk).map(_.error)
    assert(errors.size == 3, errors)
    assert(errors.exists(e => e.contains(s"dataset = $zeroByte") && e.contains("cannot be read")), errors)
    assert(errors.exists(e => e.contains(s"dataset = $text") && e.contains("cannot be read")), errors)
    assert(errors.exists(e => e.contains("dataset file = ") && e.contains("part-99999-corrupt.parquet")), errors)
    assert(Files.isRegularFile(run.dir.resolve("index.html")), "the run still ends with its report")
    assert(Files.exists(Paths.get(badPart)), "inputs are never modified")
  }

  test("a file whose expert_ids cannot be decoded fails its own batches when they are placed, naming it; the rest run") {
    val dir = tempDir("damaged")
    val dataset = writeDataset(spark, dir, "d", qwenBatches(2, 16, 71L))
    val damaged = addOneFile(spark, dir, dataset, qwenBatches(2, 16, 81L)) // one file holding both batches
    // Planning reads the footer and the scalar columns only; the damage is found when the rows are read
    // to be placed.
    damageExpertIds(damaged)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "64m") // one file per partition
    spark.conf.set("spark.sql.files.openCostInBytes", "64m")
    val run = try evaluate(spark, dir.resolve("out"), "d", Seq("--dataset", dataset, "--gemms", "down"))
      finally { spark.conf.unset("spark.sql.files.maxPartitionBytes"); spark.conf.unset("spark.sql.files.openCostInBytes") }
    assert(run.exitCode == EvaluateJob.EXIT_FAILED_CHECKS)
    val rows = run.results
    assert(rows.filter(_.isOk).map(_.batchId).toSet == Set("q71-000", "q71-001"), rows.map(r => r.batchId -> r.error))
    val failed = rows.filterNot(_.isOk)
    assert(failed.map(_.batchId).toSet == Set("q81-000", "q81-001"), "each batch of the damaged file fails by its id")
    for (r <- failed) assert(r.error.contains("invalid dataset file = ") && r.error.contains(damaged.getFileName.toString)
      && r.error.contains("cannot be read") && r.error.contains(s"(in dataset $dataset)"), r.error)
    assert(Files.isRegularFile(run.dir.resolve("index.html")), "the run still ends with its report")
  }

  test("batches too large for the heap become error rows naming size and limit; the run finishes") {
    val dir = tempDir("oversized")
    // Mixtral gate_up at 144k routed rows: its three D matrices alone are 24 GiB
    val mixtral = dir.resolve("mixtral.csv")
    Files.writeString(mixtral, "batch_id,expert,count\n" + (0 until 8).map(e => s"huge,$e,18000").mkString("\n")
      + "\n" + (0 until 8).map(e => s"small,$e,4").mkString("\n") + "\n")
    // DeepSeek-V3 with one matrix per expert: 256 x 4096 x 7168 bytes of gate_up weights (7 GiB)
    val deepseek = dir.resolve("deepseek.csv")
    Files.writeString(deepseek, "batch_id,expert,count\n" + (0 until 8).map(e => s"tiny,$e,1").mkString("\n") + "\n")
    val run = evaluate(spark, dir.resolve("out"), "o", Seq("--trace", s"mixtral-8x7b=$mixtral", "--gemms", "gate_up"))
    val rows = run.results
    val huge = rows.find(_.batchId == "huge").get
    assert(huge.status == BatchResult.ERROR && huge.error.contains("needs about") && huge.error.contains("GiB")
      && huge.error.contains("144000 routed rows") && huge.error.contains("spark.executor.memory"), huge.error)
    assert(rows.find(_.batchId == "small").get.isOk, "the other batch still runs")
    val run2 = evaluate(spark, dir.resolve("out"), "w", Seq("--trace", s"deepseek-v3=$deepseek", "--gemms", "gate_up",
      "--weight-bank", "0"))
    val tiny = run2.results.head
    assert(tiny.status == BatchResult.ERROR && tiny.error.contains("256 distinct matrices")
      && tiny.error.contains("lower --weight-bank"), tiny.error)
    assert(Files.isRegularFile(run2.dir.resolve("report.md")))
  }

  test("trace counts beyond range are rejected at parse time and say so (not 'not an integer')") {
    val dir = tempDir("counts")
    val trace = dir.resolve("t.csv")
    Files.writeString(trace, "batch_id,expert,count\nbig,0,3000000000\nbig,1,1\n"
      + (0 until 8).map(e => s"sum,$e,10000000").mkString("\n") + "\nfine,0,1\nfine,1,1\n")
    val rows = evaluate(spark, dir.resolve("out"), "c", Seq("--trace", s"mixtral-8x7b=$trace", "--gemms", "down")).results
    val big = rows.find(_.batchId == "big").get.error
    assert(big.contains("count = 3000000000") && big.contains("out of range"), big)
    val sum = rows.find(_.batchId == "sum").get.error // 80M rows in all: refused before 80M ids are allocated
    assert(sum.contains("sum 80000000") && sum.contains("at most 16777216"), sum)
    assert(rows.find(_.batchId == "fine").get.isOk)
  }

  test("a sweep grid above the documented limit is refused before any batch is generated") {
    val dir = tempDir("grid")
    val spec = dir.resolve("huge.yaml")
    val tokens = (1 to 1000).mkString("[", ", ", "]")
    Files.writeString(spec, s"""name: huge
      |grid:
      |  models: [qwen3-30b-a3b]
      |  gemms: [down]
      |  experts: [model]
      |  top_k: [model]
      |  tokens: $tokens
      |  distributions: [balanced, "lognormal(sigma=1.0)", "zipf(s=1.2)"]
      |  repetitions: [1, 2, 3, 4, 5]
      |  backends: [cpu]
      |history: ${dir.resolve("history")}
      |out: ${dir.resolve("out")}
      |""".stripMargin)
    val err = new ByteArrayOutputStream()
    val saved = System.err
    System.setErr(new PrintStream(err, true))
    val t0 = System.nanoTime()
    val rc = try SweepJob.run("--spec", spec.toString) finally System.setErr(saved)
    assert(rc == SweepJob.EXIT_USAGE && err.toString.contains("15000 points") && err.toString.contains("limit"), err)
    assert((System.nanoTime() - t0) / 1e9 < 10, "refused in seconds")
    assert(!Files.exists(dir.resolve("out")) && !Files.exists(dir.resolve("history")))
  }
}
