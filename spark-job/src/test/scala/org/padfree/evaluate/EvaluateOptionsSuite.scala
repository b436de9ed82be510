package org.padfree.evaluate

import org.apache.spark.SparkConf
import org.padfree.InvalidInputException
import org.padfree.backend.BackendKind
import org.scalatest.funsuite.AnyFunSuite

class EvaluateOptionsSuite extends AnyFunSuite {
  private def parse(conf: SparkConf, args: String*) = EvaluateOptions.parse(conf, args: _*)
  private def msg(f: => Any) = intercept[InvalidInputException](f).getMessage

  test("defaults") {
    val o = parse(new SparkConf(false), "--dataset", "d")
    val s = o.settings
    assert(o.datasets == java.util.List.of("d") && o.out == "reports" && o.partitions == 0 && !o.overwrite)
    assert(s.backend == EvaluateSettings.Backend.AUTO && s.gemms == java.util.List.of("gate_up", "down"))
    assert(s.repetitionsFor(BackendKind.CPU) == 1 && s.repetitionsFor(BackendKind.CUDA) == 10)
    assert(s.weightBankFor(BackendKind.CPU) == 4 && s.weightBankFor(BackendKind.CUDA) == EvaluateSettings.GPU_WEIGHT_BANK && EvaluateSettings.GPU_WEIGHT_BANK == 16)
    assert(s.referenceRows == 4 && s.failOnMismatch && s.runId.startsWith("run-"))
    assert(!o.layers, "layers are off unless asked for")
  }

  test("--layers: true or false, from the command line over spark.padfree.layers; the last value wins") {
    val on = new SparkConf(false).set("spark.padfree.layers", "true")
    assert(parse(new SparkConf(false), "--dataset", "d", "--layers", "true").layers)
    assert(parse(on, "--dataset", "d").layers)
    assert(!parse(on, "--dataset", "d", "--layers=false").layers)
    assert(!parse(new SparkConf(false), "--dataset", "d", "--layers", "true", "--layers", "false").layers)
  }

  test("the command line wins over spark.padfree.* conf, which wins over the default") {
    val conf = new SparkConf(false).set("spark.padfree.backend", "cpu").set("spark.padfree.repetitions", "7")
      .set("spark.padfree.referenceRows", "2").set("spark.padfree.weightBank", "0")
    val fromConf = parse(conf, "--dataset", "d").settings
    assert(fromConf.backend == EvaluateSettings.Backend.CPU && fromConf.repetitionsFor(BackendKind.CPU) == 7)
    assert(fromConf.referenceRows == 2 && fromConf.weightBankFor(BackendKind.CPU) == 0)
    val fromArgs = parse(conf, "--dataset", "d", "--backend=cuda", "--repetitions", "3", "--gemms", "down").settings
    assert(fromArgs.backend == EvaluateSettings.Backend.CUDA && fromArgs.repetitionsFor(BackendKind.CPU) == 3)
    assert(fromArgs.gemms == java.util.List.of("down"))
  }

  test("every key in PadfreeConf has the prefix, and each option it names is accepted") {
    for (k <- scala.jdk.CollectionConverters.ListHasAsScala(PadfreeConf.ALL).asScala) {
      assert(k.name.startsWith("spark.padfree."))
      if (k.option.nonEmpty) {
        val value = if (k.option == "--fail-on-mismatch" || k.option == "--layers") "true" else if (k.option == "--backend") "cpu"
          else if (k.option == "--conf-dir") "x" else "1"
        parse(new SparkConf(false), "--dataset", "d", k.option, value)
        assert(EvaluateOptions.USAGE.contains(k.option), k.option)
      }
    }
  }

  test("bad values and unknown options name the field and value") {
    val c = new SparkConf(false)
    assert(msg(parse(c, "--dataset", "d", "--backend", "tpu")).contains("--backend = tpu"))
    assert(msg(parse(c, "--dataset", "d", "--repetitions", "many")).contains("--repetitions = many"))
    assert(msg(parse(c, "--dataset", "d", "--repetitions", "0")).contains("repetitions = 0"))
    assert(msg(parse(c, "--dataset", "d", "--gemms", "up")).contains("gemms = up"))
    assert(msg(parse(c, "--dataset", "d", "--run-id", "a/b")).contains("--run-id = a/b"))
    assert(msg(parse(c, "--dataset", "d", "--trace", "nomodel")).contains("--trace = nomodel"))
    assert(msg(parse(c, "--dataset", "d", "--partitions", "-1")).contains("--partitions = -1"))
    assert(msg(parse(c, "--dataset", "d", "--fail-on-mismatch", "maybe")).contains("--fail-on-mismatch = maybe"))
    assert(msg(parse(c, "--dataset", "d", "--layers", "maybe")) == "invalid --layers = maybe: expected true or false")
    assert(msg(parse(c, "--dataset", "d", "--layers")).contains("--layers = <none>: needs a value"))
    assert(msg(parse(c.clone().set("spark.padfree.layers", "sometimes"), "--dataset", "d"))
      .contains("--layers = sometimes: expected true or false"))
    assert(msg(parse(c, "--datset", "d")).contains("argument = --datset"))
    assert(msg(parse(c, "--dataset")).contains("needs a value"))
    assert(msg(parse(c)).contains("give at least one --dataset or --trace"))
    assert(msg(parse(c.clone().set("spark.padfree.backend", "gpu"), "--dataset", "d")).contains("--backend = gpu"))
    assert(parse(c, "--help").help)
    assert(msg(parse(c.clone().set("spark.padfree.test.failFirstAttempt", "sometimes"), "--dataset", "d"))
      .contains("spark.padfree.test.failFirstAttempt = sometimes"))
  }
}
