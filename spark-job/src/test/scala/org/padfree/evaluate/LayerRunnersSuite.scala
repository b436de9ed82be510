package org.padfree.evaluate

import java.util.concurrent.atomic.AtomicInteger
import scala.collection.mutable.ArrayBuffer
import org.apache.spark.SparkConf
import org.padfree.backend.{BackendKind, CpuBackend, GroupedGemmBackend, GroupedGemmProblem, PathOutputs}
import org.scalatest.funsuite.AnyFunSuite

/**
 * Where the layer stage runs, without a GPU: the runner chosen per GEMM backend, the GPU executor's
 * per-device cache of layers and uploaded weights (with stand-ins for CudaMoeLayer and its weights),
 * and spark.padfree.layers.fused. The GPU run itself is LayerStageGpuSuite.
 */
class LayerRunnersSuite extends AnyFunSuite {

  private val settings = EvaluateOptions.parse(new SparkConf(false), "--dataset", "d", "--run-id", "r").settings

  test("a CPU GEMM backend gets the CPU layer, labelled cpu, with no GPU times") {
    val backend = new CpuBackend(2)
    try {
      val runner = LayerRunner.forBackend(backend, settings, 2)
      assert(runner.isInstanceOf[CpuLayerRunner] && runner.label == "cpu" && runner.device == "CPU: 2 threads")
    } finally backend.close()
  }

  test("a backend that is neither the CPU reference nor CudaBackend is refused, named") {
    val odd = new GroupedGemmBackend {
      override def kind(): BackendKind = BackendKind.CUDA
      override def device(): String = "a stand-in GPU"
      override def run(p: GroupedGemmProblem, repetitions: Int): PathOutputs = throw new UnsupportedOperationException
      override def close(): Unit = ()
    }
    val e = intercept[IllegalStateException](LayerRunner.forBackend(odd, settings, 1))
    assert(e.getMessage.contains("a stand-in GPU") && e.getMessage.contains("CudaBackend"), e.getMessage)
  }

  /** Stand-ins that record their lifecycle in one shared log. */
  private final class FakeLayer(val device: Int, log: ArrayBuffer[String]) extends AutoCloseable {
    override def close(): Unit = log += s"close layer $device"
  }
  private final class FakeWeights(val model: String, log: ArrayBuffer[String]) extends AutoCloseable {
    override def close(): Unit = log += s"close weights $model"
  }
  private def key(model: String) = new LayerRunner.WeightsKey(model, 256, 128, 8, 4, 2025L)

  test("one layer per device and one upload per model, kept between batches; closing frees weights, then the layer") {
    val log = ArrayBuffer[String]()
    val cache = new ResidentLayers[FakeLayer, FakeWeights]()
    val opened = new AtomicInteger
    val uploads = new AtomicInteger
    def batch(device: Int, model: String): String =
      cache.use(device, () => { opened.incrementAndGet(); new FakeLayer(device, log) }, key(model),
        (l: FakeLayer) => { uploads.incrementAndGet(); new FakeWeights(model, log) },
        (l: FakeLayer, w: FakeWeights) => s"${l.device}/${w.model}")
    assert(batch(0, "a") == "0/a" && batch(0, "a") == "0/a" && batch(0, "b") == "0/b" && batch(0, "a") == "0/a")
    assert(opened.get == 1 && uploads.get == 2 && cache.layers == 1 && cache.weightSets(0) == 2,
      "the second batch of a model reuses its layer and weights")
    assert(batch(1, "a") == "1/a" && opened.get == 2 && uploads.get == 3 && cache.weightSets(1) == 1,
      "another device has its own layer and weights")
    assert(log.isEmpty, "nothing is closed while the executor lives")
    cache.close()
    assert(log.toSet == Set("close weights a", "close weights b", "close layer 0", "close weights a", "close layer 1")
      && log.size == 5, log.toString)
    assert(log.indexOf("close layer 0") > log.indexOf("close weights b"), s"weights before their layer: $log")
    val e = intercept[IllegalStateException](batch(0, "a"))
    assert(e.getMessage.contains("closed") && e.getMessage.contains("device 0"))
  }

  test("an upload or open that fails leaves nothing behind: that batch fails, the next one tries again") {
    val log = ArrayBuffer[String]()
    val cache = new ResidentLayers[FakeLayer, FakeWeights]()
    var failUpload = true
    def batch(open: () => FakeLayer): String =
      cache.use(0, () => open(), key("m"), (l: FakeLayer) => {
        if (failUpload) throw new IllegalStateException("out of device memory uploading m")
        new FakeWeights("m", log)
      }, (l: FakeLayer, w: FakeWeights) => "ran")
    val broken = intercept[IllegalStateException](batch(() => throw new IllegalStateException("no context")))
    assert(broken.getMessage == "no context" && cache.layers == 0)
    assert(intercept[IllegalStateException](batch(() => new FakeLayer(0, log))).getMessage.contains("uploading m"))
    assert(cache.layers == 1 && cache.weightSets(0) == 0, "the failed upload is not cached")
    failUpload = false
    assert(batch(() => fail("the layer was opened already")) == "ran" && cache.weightSets(0) == 1)
    cache.close()
  }

  test("a batch that fails inside the work keeps the cache usable for the next batch") {
    val log = ArrayBuffer[String]()
    val cache = new ResidentLayers[FakeLayer, FakeWeights]()
    val open: java.util.function.Supplier[FakeLayer] = () => new FakeLayer(0, log)
    val upload: java.util.function.Function[FakeLayer, FakeWeights] = (l: FakeLayer) => new FakeWeights("m", log)
    intercept[RuntimeException](cache.use(0, open, key("m"), upload,
      (l: FakeLayer, w: FakeWeights) => throw new RuntimeException("CUDA_ERROR_ILLEGAL_ADDRESS in gate_up")))
    assert(cache.use(0, open, key("m"), upload, (l: FakeLayer, w: FakeWeights) => "next") == "next")
    assert(cache.weightSets(0) == 1 && log.isEmpty)
    cache.close()
  }

  test("spark.padfree.layers.fused: false by default, true from the conf, a bad value names the key and value") {
    assert(!settings.layersFused, "the fused epilogue costs a third timed layer run per batch, so it is opt-in")
    val on = EvaluateOptions.parse(new SparkConf(false).set("spark.padfree.layers.fused", "true"), "--dataset", "d")
    assert(on.settings.layersFused)
    val e = intercept[org.padfree.InvalidInputException](
      EvaluateOptions.parse(new SparkConf(false).set("spark.padfree.layers.fused", "sometimes"), "--dataset", "d"))
    assert(e.getMessage.contains("spark.padfree.layers.fused = sometimes"), e.getMessage)
    assert(PadfreeConf.ALL.contains(PadfreeConf.LAYERS_FUSED) && PadfreeConf.LAYERS_FUSED.defaultValue == "false")
  }

  test("layer runs on the GPU take the GEMM stage's repetitions (auto: 10 after a warm-up)") {
    assert(settings.repetitionsFor(BackendKind.CUDA) == 10)
    val three = EvaluateOptions.parse(new SparkConf(false).set("spark.padfree.repetitions", "3"), "--dataset", "d")
    assert(three.settings.repetitionsFor(BackendKind.CUDA) == 3)
  }
}
