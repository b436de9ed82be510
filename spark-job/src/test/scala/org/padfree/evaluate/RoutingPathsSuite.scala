package org.padfree.evaluate

import java.util.Optional
import scala.jdk.CollectionConverters._
import org.apache.spark.SparkConf
import org.padfree.InvalidInputException
import org.padfree.backend.{BackendKind, CpuBackend}
import org.padfree.dataset.DatasetSchema
import org.padfree.results.BatchResult
import org.padfree.table.RecordFields
import org.scalatest.funsuite.AnyFunSuite

/**
 * spark.padfree.routing and spark.padfree.cudf.poolBytes without a GPU: parsing and its errors, the
 * choice between the host and cuDF (the CPU path never touches cuDF), the messages when cudf is
 * required and cannot run, and the result rows' routing_path column.
 */
class RoutingPathsSuite extends AnyFunSuite {
  private val missing = Optional.of("the cuDF jar (cudf-26.08.1-cuda13.jar, ai.rapids:cudf:26.08.1, classifier cuda13)"
    + " is not on the executor's classpath; pass it beside the job jar: spark-submit --jars /path/to/cudf-26.08.1-cuda13.jar")

  private def settings(routing: EvaluateSettings.Routing) = new EvaluateSettings("routing", EvaluateSettings.Backend.CPU,
    java.util.List.of("down"), 1, 2, true, 1, 1L, 1, EvaluateFixtures.root.resolve("conf/models").toString, false, false,
    routing, 1L << 30)

  test("the keys parse from the Spark conf, with defaults auto and 1 GiB, and bad values name the key and the value") {
    val defaults = EvaluateOptions.parse(new SparkConf(false), "--dataset", "x.parquet").settings
    assert(defaults.routing == EvaluateSettings.Routing.AUTO && defaults.cudfPoolBytes == (1L << 30))
    val set = new SparkConf(false).set("spark.padfree.routing", "CUDF").set("spark.padfree.cudf.poolBytes", "512m")
    val parsed = EvaluateOptions.parse(set, "--dataset", "x.parquet").settings
    assert(parsed.routing == EvaluateSettings.Routing.CUDF && parsed.cudfPoolBytes == (512L << 20))
    val badRouting = intercept[InvalidInputException](
      EvaluateOptions.parse(new SparkConf(false).set("spark.padfree.routing", "gpu"), "--dataset", "x.parquet"))
    assert(badRouting.getMessage == "invalid spark.padfree.routing = gpu: expected auto, host or cudf", badRouting.getMessage)
    val badPool = intercept[InvalidInputException](
      EvaluateOptions.parse(new SparkConf(false).set("spark.padfree.cudf.poolBytes", "2x"), "--dataset", "x.parquet"))
    assert(badPool.getMessage.startsWith("invalid spark.padfree.cudf.poolBytes = 2x: expected a byte count"), badPool.getMessage)
    assert(ByteSizes.parse("k", "0") == 0 && ByteSizes.parse("k", "3G") == (3L << 30) && ByteSizes.parse("k", "1024kb") == (1L << 20))
    assert(PadfreeConf.ALL.asScala.map(_.name).toSet.contains("spark.padfree.routing")
      && PadfreeConf.ALL.asScala.map(_.name).toSet.contains("spark.padfree.cudf.poolBytes"))
  }

  test("auto uses cuDF only on the CUDA backend with cuDF ready; host never does") {
    import EvaluateSettings.Routing._
    assert(RoutingPaths.useCudf(AUTO, BackendKind.CUDA, Optional.empty()))
    assert(!RoutingPaths.useCudf(AUTO, BackendKind.CUDA, missing), "the jar missing: the host builds")
    assert(!RoutingPaths.useCudf(AUTO, BackendKind.CPU, Optional.empty()), "the CPU backend: the host builds")
    assert(!RoutingPaths.useCudf(HOST, BackendKind.CUDA, Optional.empty()))
    assert(RoutingPaths.useCudf(CUDF, BackendKind.CUDA, Optional.empty()))
  }

  test("cudf required without the jar, or on the CPU backend, is refused naming the setting, the jar and what to do") {
    import EvaluateSettings.Routing._
    val noJar = intercept[RoutingPaths.RoutingUnavailable](RoutingPaths.useCudf(CUDF, BackendKind.CUDA, missing))
    assert(noJar.getMessage.startsWith("spark.padfree.routing = cudf, but the cuDF jar (cudf-26.08.1-cuda13.jar"), noJar.getMessage)
    assert(noJar.getMessage.contains("--jars") && noJar.getMessage.contains("spark.padfree.routing=auto or host"))
    val onCpu = intercept[RoutingPaths.RoutingUnavailable](RoutingPaths.useCudf(CUDF, BackendKind.CPU, Optional.empty()))
    assert(onCpu.getMessage.contains("spark.padfree.routing = cudf") && onCpu.getMessage.contains("cpu backend")
      && onCpu.getMessage.contains("spark.padfree.backend=cuda"), onCpu.getMessage)
  }

  test("a CPU task: auto and host choose the host without starting cuDF; cudf is refused") {
    val cpu = new CpuBackend(1)
    try {
      assert(RoutingPaths.forTask(settings(EvaluateSettings.Routing.AUTO), cpu).path == "host")
      assert(RoutingPaths.forTask(settings(EvaluateSettings.Routing.HOST), cpu).path == "host")
      intercept[RoutingPaths.RoutingUnavailable](RoutingPaths.forTask(settings(EvaluateSettings.Routing.CUDF), cpu))
      val loaded = classOf[RoutingPathsSuite].getClassLoader
      val method = classOf[ClassLoader].getDeclaredMethod("findLoadedClass", classOf[String])
      method.setAccessible(true)
      // cuDF's memory manager and native loader (which extracts a 528 MB library) are never touched.
      for (c <- Seq("ai.rapids.cudf.Rmm", "ai.rapids.cudf.NativeDepsLoader"))
        assert(method.invoke(loaded, c) == null, s"the CPU path loaded $c")
    } finally cpu.close()
  }

  test("result rows carry routing_path (host here) and routing_ms; results.parquet has both columns") {
    val s = settings(EvaluateSettings.Routing.AUTO)
    val cpu = new CpuBackend(1)
    try {
      val evaluator = new BatchEvaluator(s, cpu, ExecutorBackends.catalog(s.modelsDir), "",
        RoutingPaths.forTask(s, cpu))
      val Seq(b) = EvaluateFixtures.qwenBatches(1, 16, 3L)
      val rows = evaluator.evaluate(EvalInput.of(0, "test", DatasetSchema.toRow(b)), ExecutorInfo.current()).asScala
      assert(rows.nonEmpty && rows.forall(r => r.routingPath == "host" && r.routingMs >= 0), rows.map(r => (r.routingPath, r.routingMs)))
      val failed = evaluator.evaluate(EvalInput.failed(1, "test", "gone", "unreadable"), ExecutorInfo.current()).asScala
      assert(failed.forall(r => r.routingPath == "host" && r.routingMs.isNaN))
    } finally cpu.close()
    val names = RecordFields.names(classOf[BatchResult]).asScala
    assert(names.contains("routing_path") && names.contains("routing_ms"), names)
  }
}
