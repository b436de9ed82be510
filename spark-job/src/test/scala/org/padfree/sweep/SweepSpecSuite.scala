package org.padfree.sweep

import java.nio.file.Paths
import scala.jdk.CollectionConverters._
import org.padfree.InvalidInputException
import org.padfree.evaluate.EvaluateSettings
import org.padfree.model.ModelCatalog
import org.scalatest.funsuite.AnyFunSuite

class SweepSpecSuite extends AnyFunSuite {
  private val root = Paths.get("..").toAbsolutePath.normalize
  private val catalog = ModelCatalog.fromDirectory(root.resolve("conf/models"))

  private def parse(yaml: String): SweepSpec = SweepSpec.parse(yaml, "test.yaml")

  private def error(yaml: String): InvalidInputException = {
    intercept[InvalidInputException](SweepGrid.expand(parse(yaml), catalog))
  }

  test("the committed specs parse, and the nightly CPU grid is small") {
    val nightly = SweepSpec.load(root.resolve("conf/sweeps/nightly-cpu.yaml"))
    assert(nightly.name == "nightly-cpu" && nightly.backends.asScala == Seq(EvaluateSettings.Backend.CPU))
    val points = SweepGrid.expand(nightly, catalog)
    assert(points.size == 9, points)
    assert(nightly.regression.cpuMetrics.asScala == Seq(RegressionPolicy.MEMORY_SAVED))
    val gpu = SweepSpec.load(root.resolve("conf/sweeps/gpu-deepseek-qwen.yaml"))
    assert(SweepGrid.expand(gpu, catalog).size == 2 * 2 * 2 * 4 * 6)
    assert(gpu.layers && !nightly.layers, "the GPU sweep asks for layer rows, the nightly CPU sweep does not")
    assert(gpu.regression.metrics.asScala.toSet == RegressionPolicy.METRICS.asScala.toSet, "every metric gates GPU runs")
  }

  test("evaluation.layers: true or false, default false; another value names the field") {
    val base = "name: l\ngrid:\n  models: [qwen3-30b-a3b]\n"
    assert(!parse(base).layers)
    assert(parse(base + "evaluation:\n  layers: true\n").layers)
    assert(!parse(base + "evaluation:\n  layers: \"FALSE\"\n").layers)
    val e = intercept[org.padfree.InvalidInputException](parse(base + "evaluation:\n  layers: 1\n"))
    assert(e.field == "evaluation.layers" && e.value == "1" && e.getMessage.contains("true or false"), e.getMessage)
  }

  test("grid expansion: the full product in nesting order, variants named model@eEkK, defaults filled in") {
    val spec = parse(
      """name: g
        |grid:
        |  models: [qwen3-30b-a3b, mixtral-8x7b]
        |  experts: [model, 64]
        |  top_k: [model, 2]
        |  tokens: [16, 64]
        |  distributions: [balanced, "zipf(s=1.2)"]
        |  repetitions: [auto, 3]
        |  backends: [cpu, auto]
        |""".stripMargin)
    val points = SweepGrid.expand(spec, catalog).asScala
    // Mixtral's own top-k is 2, so its top_k axis [model, 2] is one value: 32 points, not 64
    assert(points.size == 2 * 2 * 2 * 2 * 2 * 2 + 2 * 1 * 2 * 2 * 2 * 2)
    assert(points.map(p => p.key("down")).distinct.size == points.size, "every point has its own key")
    val first = points.head
    assert(first.model == "qwen3-30b-a3b" && first.experts == 128 && first.topK == 8 && first.tokens == 16 &&
      first.distribution == "balanced" && first.repetitions == -1 && first.backend == EvaluateSettings.Backend.CPU)
    assert(points(1).backend == EvaluateSettings.Backend.AUTO, "backends vary fastest")
    assert(points.exists(p => p.model == "qwen3-30b-a3b@e64k2" && p.experts == 64 && p.topK == 2))
    assert(points.count(p => p.model == "mixtral-8x7b") == 16 && points.count(_.model == "mixtral-8x7b@e64k2") == 16)
    // a variant resolves in the catalog with the base model's GEMM shapes
    val v = catalog.byName("qwen3-30b-a3b@e64k2")
    assert(v.experts == 64 && v.topK == 2 && v.gateUp == catalog.byName("qwen3-30b-a3b").gateUp)
    assert(spec.gemms.asScala == Seq("gate_up", "down") && spec.batchesPerPoint == 1 && spec.weightBank == -1)
    assert(spec.history == "reports/sweeps/history" && spec.baseline == null)
  }

  test("the same point generates the same batches in every run, and other points' batches differ") {
    val spec = parse("name: g\ngrid:\n  models: [qwen3-30b-a3b]\n  tokens: [8, 9]\n  distributions: [uniform30]\n")
    val points = SweepGrid.expand(spec, catalog).asScala
    val a = SweepGrid.batches(points.head, 2, 7L).asScala
    val b = SweepGrid.batches(points.head, 2, 7L).asScala
    assert(a == b && a.size == 2 && a.head.batchId != a(1).batchId)
    assert(a.head.seed != SweepGrid.batches(points(1), 1, 7L).get(0).seed)
    assert(a.forall(x => x.numTokens == 8 && x.numExperts == 128 && x.topK == 8))
  }

  test("bad specs give errors naming the field and the value") {
    def check(yaml: String, field: String, value: String): Unit = {
      val e = error(yaml)
      assert(e.field == field, s"${e.getMessage} (expected field $field)")
      assert(e.value == value, s"${e.getMessage} (expected value $value)")
    }
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\n  tokens: [16, -4]\n", "grid.tokens[1]", "-4")
    assert(error("name: x\ngrid:\n  models: [qwen3-30b-a3b]\n  tokens: [16, -4]\n").getMessage.contains("test.yaml"),
      "spec errors name the file")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\n  tokenz: [16]\n", "grid.tokenz", "tokenz")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\n  distributions: [balanced, \"zipf(q=1)\"]\n",
      "grid.distributions[1]", "zipf(q=1)")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\n  backends: [tpu]\n", "grid.backends[0]", "tpu")
    check("name: x\ngrid:\n  tokens: [16]\n", "grid.models", "<missing>")
    check("name: x\ngrid:\n  models: [no-such-model]\n", "grid.models[0]", "no-such-model")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\n  tokens: [16, 16]\n", "grid.tokens[1]", "16")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\nregression:\n  threshold: 1.5\n", "regression.threshold", "1.5")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\nregression:\n  cpu_metrics: [latency]\n",
      "regression.cpu_metrics[0]", "latency")
    check("name: a/b\ngrid:\n  models: [qwen3-30b-a3b]\n", "name", "a/b")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\nbatches_per_point: 0\n", "batches_per_point", "0")
    check("name: x\ngrid:\n  models: [qwen3-30b-a3b]\n  top_k: [model, 200]\n", "grid.top_k", "200")
    check("name: x\ngrid:\n  models: [mixtral-8x7b]\n  distributions: [\"balanced(empty=7)\"]\n", "grid.distributions", "7")
    val yamlError = intercept[InvalidInputException](parse("name: [unclosed\n"))
    assert(yamlError.field == "spec" && yamlError.getMessage.contains("not valid YAML"))
    val notMap = intercept[InvalidInputException](parse("- a\n- b\n"))
    assert(notMap.getMessage.contains("must be a YAML mapping"))
  }
}
