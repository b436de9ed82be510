package org.padfree.dataset

import java.io.{ByteArrayOutputStream, PrintStream}

import scala.jdk.CollectionConverters._

import org.padfree.{InvalidInputException, LocalSparkSuite}
import org.padfree.model.ModelCatalog
import org.padfree.routing.RoutingDistribution
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.jobs.GenerateDataset

class GenerateDatasetSuite extends AnyFunSuite with LocalSparkSuite {

  private def options(args: String*) = GenerateDatasetOptions.parse(args: _*)

  test("options: defaults, comma lists, repeats, --name=value") {
    val o = options("--model", "Qwen3-30B-A3B,deepseek-v3", "--model=qwen3-30b-a3b", "--out", "/tmp/x")
    assert(o.models().asScala == Seq("qwen3-30b-a3b", "deepseek-v3"))
    assert(o.distributions() == RoutingDistribution.standardSet())
    assert(o.batches() == 1 && o.tokens().toString == "4096" && o.seed() == 0 && o.partitions() == 0)
    assert(!o.overwrite() && !o.help() && o.confDir() == null)
    val p = options("--model", "mixtral-8x7b", "--out=/o", "--distribution", "balanced,zipf(s=1.2,empty=2)",
      "--distribution", "lognormal(sigma=0.5)", "--distribution", "balanced", "--batches", "3",
      "--tokens", "256:4096", "--seed", "-7", "--partitions", "2", "--overwrite", "--conf-dir", "conf/models")
    assert(p.distributions().asScala.map(_.toString) == Seq("balanced", "zipf(s=1.2,empty=2)", "lognormal(sigma=0.5)"))
    assert(p.batches() == 3 && p.tokens().min() == 256 && p.tokens().max() == 4096 && p.seed() == -7)
    assert(p.partitions() == 2 && p.overwrite() && p.confDir() == "conf/models")
    assert(options("--help").help())
  }

  private def badOption(field: String, args: String*): InvalidInputException = {
    val e = intercept[InvalidInputException](options(args: _*))
    assert(e.field() == field, e.getMessage)
    e
  }

  test("options: every bad command line names the option") {
    val base = Seq("--model", "deepseek-v3", "--out", "/o")
    badOption("--model", "--out", "/o")
    badOption("--out", "--model", "deepseek-v3")
    badOption("argument", base :+ "--colour" :+ "red": _*)
    badOption("argument", base :+ "stray": _*)
    badOption("--seed", base :+ "--seed": _*)
    badOption("--seed", base :+ "--seed" :+ "x": _*)
    badOption("--batches", base :+ "--batches" :+ "0": _*)
    badOption("--partitions", base :+ "--partitions" :+ "-1": _*)
    badOption("tokens", base :+ "--tokens" :+ "512:64": _*)
    badOption("tokens", base :+ "--tokens" :+ "1:2:3": _*)
    badOption("tokens", base :+ "--tokens" :+ "many": _*)
    badOption("--overwrite", base :+ "--overwrite=yes": _*)
    val e = badOption("distribution", base :+ "--distribution" :+ "balanced,gaussian": _*)
    assert(e.value() == "gaussian")
  }

  test("distribution lists split only outside parentheses") {
    assert(GenerateDatasetOptions.splitOutsideParentheses("a,b(c=1,d=2),e").asScala == Seq("a", "b(c=1,d=2)", "e"))
  }

  private val catalog = ModelCatalog.fromClasspath()

  test("the plan: ids, models' shapes, tokens in range; each batch fixed by the seed and its id alone") {
    val o = options("--model", "deepseek-v3,mixtral-8x7b", "--distribution", "balanced", "--distribution",
      "zipf(s=1.2)", "--batches", "3", "--tokens", "64:512", "--seed", "11", "--out", "/o")
    val plan = GenerateDataset.plan(o, catalog).asScala
    assert(plan.size == 12 && plan.map(_.batchId()).distinct.size == 12)
    assert(plan.head.batchId() == "deepseek-v3:balanced:00000" && plan.last.batchId() == "mixtral-8x7b:zipf(s=1.2):00002")
    assert(plan.forall(p => p.numTokens() >= 64 && p.numTokens() <= 512))
    assert(plan.filter(_.model() == "mixtral-8x7b").forall(p => p.numExperts() == 8 && p.topK() == 2))
    assert(plan.map(_.numTokens()).distinct.size > 1 && plan.map(_.seed()).distinct.size == 12)
    assert(GenerateDataset.plan(o, catalog).asScala == plan)
    val smaller = options("--model", "mixtral-8x7b", "--distribution", "zipf(s=1.2)", "--batches", "1",
      "--tokens", "64:512", "--seed", "11", "--out", "/o")
    assert(GenerateDataset.plan(smaller, catalog).asScala == plan.filter(_.batchId() == "mixtral-8x7b:zipf(s=1.2):00000"))
    val reseeded = GenerateDataset.plan(options("--model", "deepseek-v3", "--seed", "12", "--out", "/o"), catalog)
    assert(reseeded.get(0).seed() != plan.head.seed())
  }

  private def runMain(args: String*): (Int, String, String) = {
    val (out, err) = (new ByteArrayOutputStream(), new ByteArrayOutputStream())
    val status = GenerateDataset.run(args.toArray, new PrintStream(out, true), new PrintStream(err, true))
    (status, out.toString, err.toString)
  }

  test("end to end: the same command writes the same batches; another seed other batches") {
    val dir = tempDir("generate")
    def generate(name: String, seed: Int) = {
      val out = dir.resolve(name).toString
      val (status, stdout, stderr) = runMain("--model", "qwen3-30b-a3b,mixtral-8x7b", "--distribution",
        "balanced,uniform30,uniform0to2avg,lognormal(sigma=1.0),zipf(s=1.2),lognormal(sigma=0.5,empty=6)",
        "--batches", "2", "--tokens", "16:48", "--seed", seed.toString, "--partitions", "3", "--out", out)
      assert(status == 0, stderr)
      assert(stdout.contains("wrote 24 batches"), stdout)
      DatasetIO.readBatches(spark, out).asScala
    }
    val first = generate("a.parquet", 1)
    assert(first.size == 24)
    assert(first.map(_.batchId()).distinct.size == 24)
    for (b <- first) {
      val distribution = RoutingDistribution.parse(b.distribution())
      assert(b.distribution() == distribution.toString && b.numTokens() >= 16 && b.numTokens() <= 48, b.toString)
      assert(b.expertCounts().count(_ == 0) >= distribution.emptyExperts(), b.toString)
    }
    assert(generate("b.parquet", 1) == first)
    val other = generate("c.parquet", 2)
    assert(other.map(_.batchId()) == first.map(_.batchId()) && other != first)
    assert(!spark.sparkContext.isStopped, "GenerateDataset must not stop a session it did not start")
  }

  test("command line: --help prints usage; bad input exits 2 with the message; existing output is refused") {
    val (helpStatus, usage, _) = runMain("--help")
    assert(helpStatus == 0 && usage.contains("--distribution TEXT"))
    val (badStatus, _, message) = runMain("--model", "gpt-moe", "--out", tempDir("g").resolve("x").toString)
    assert(badStatus == 2 && message.contains("invalid model = gpt-moe"), message)
    val (optionStatus, _, optionMessage) = runMain("--tokens", "x")
    assert(optionStatus == 2 && optionMessage.contains("tokens"), optionMessage)
    // Mixtral has 8 experts and top-2, so at most 6 can be empty: refused while planning, on the driver.
    val (emptyStatus, _, emptyMessage) = runMain("--model", "deepseek-v3,mixtral-8x7b", "--distribution",
      "balanced(empty=7)", "--tokens", "4", "--out", tempDir("g").resolve("x").toString)
    assert(emptyStatus == 2 && emptyMessage.contains("invalid empty = 7") && emptyMessage.contains("model mixtral-8x7b"),
      emptyMessage)
    val existing = tempDir("g").toString
    val (existsStatus, _, existsMessage) = runMain("--model", "mixtral-8x7b", "--tokens", "4", "--out", existing)
    assert(existsStatus == 2 && existsMessage.contains("already exists"), existsMessage)
  }
}
