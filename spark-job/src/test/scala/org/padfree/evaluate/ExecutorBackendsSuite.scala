package org.padfree.evaluate

import java.util.Optional
import scala.jdk.CollectionConverters._
import org.padfree.evaluate.EvaluateSettings.Backend
import org.scalatest.funsuite.AnyFunSuite

/** The backend choice of a task, as a pure function of the request, the task's GPUs and CUDA's state. */
class ExecutorBackendsSuite extends AnyFunSuite {
  private val noDriver = Optional.of("CUDA is not available: libcuda.so.1: cannot open shared object file")
  private val works = Optional.empty[String]()
  private def gpus(a: String*) = a.toList.asJava

  test("cpu is always the CPU, whatever the task holds") {
    val d = ExecutorBackends.decide(Backend.CPU, gpus("0"), works)
    assert(!d.cuda && d.note.isEmpty)
  }

  test("cuda with a GPU assigned runs on the task's first address") {
    val d = ExecutorBackends.decide(Backend.CUDA, gpus("1", "2"), works)
    assert(d.cuda && d.address == "1" && d.note.isEmpty)
  }

  test("cuda with CUDA present but no GPU assigned uses device 0 and says so") {
    val d = ExecutorBackends.decide(Backend.CUDA, gpus(), works)
    assert(d.cuda && d.address == null && d.note.contains("no GPU resource was assigned") && d.note.contains("device 0"))
  }

  test("cuda without CUDA fails with a message naming what is missing") {
    val unassigned = intercept[ExecutorBackends.BackendUnavailable](ExecutorBackends.decide(Backend.CUDA, gpus(), noDriver))
    assert(unassigned.getMessage.contains("no GPU resource was assigned") && unassigned.getMessage.contains("libcuda.so.1")
      && unassigned.getMessage.contains("spark.task.resource.gpu.amount"), unassigned.getMessage)
    val assigned = intercept[ExecutorBackends.BackendUnavailable](ExecutorBackends.decide(Backend.CUDA, gpus("3"), noDriver))
    assert(assigned.getMessage.contains("assigned GPU [3]") && assigned.getMessage.contains("libcuda.so.1"), assigned.getMessage)
  }

  test("auto is cuda where CUDA works and the CPU with the reason where it does not") {
    assert(ExecutorBackends.decide(Backend.AUTO, gpus("0"), works).cuda)
    val fallback = ExecutorBackends.decide(Backend.AUTO, gpus(), noDriver)
    assert(!fallback.cuda && fallback.note.startsWith("auto fell back to cpu: ") && fallback.note.contains("libcuda.so.1"))
  }

  test("in a task on this machine (no GPU): cuda is refused, auto falls back, cpu has no note") {
    val settings = EvaluateOptions.parse(new org.apache.spark.SparkConf(false), "--dataset", "d").settings
    assume(org.padfree.cuda.Cuda.unavailableReason().isPresent, "this test is for machines without a GPU")
    val cuda = new EvaluateSettings(settings.runId, Backend.CUDA, settings.gemms, -1, 0, true, -1, 1L, 1, null, false)
    intercept[ExecutorBackends.BackendUnavailable](ExecutorBackends.forTask(cuda))
    val auto = ExecutorBackends.forTask(new EvaluateSettings(settings.runId, Backend.AUTO, settings.gemms, -1, 0, true, -1, 1L, 1, null, false))
    assert(auto.backend.name == "cpu" && auto.gpuUuid.isEmpty && auto.note.startsWith(ExecutorBackends.FALLBACK))
    val cpu = ExecutorBackends.forTask(new EvaluateSettings(settings.runId, Backend.CPU, settings.gemms, -1, 0, true, -1, 1L, 1, null, false))
    assert(cpu.backend.name == "cpu" && cpu.note.isEmpty)
  }

  test("the CPU fallback is one short INFO line per executor JVM, not a warning with a stack trace per task") {
    assume(org.padfree.cuda.Cuda.unavailableReason().isPresent, "this test is for machines without a GPU")
    import org.apache.logging.log4j.{Level, LogManager}
    import org.apache.logging.log4j.core.{LogEvent, Logger, LoggerContext}
    import org.apache.logging.log4j.core.appender.AbstractAppender
    import org.apache.logging.log4j.core.config.Property
    val events = new java.util.concurrent.ConcurrentLinkedQueue[LogEvent]()
    val appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
      override def append(e: LogEvent): Unit = events.add(e.toImmutable)
    }
    appender.start()
    val context = LogManager.getContext(false).asInstanceOf[LoggerContext]
    val logger = context.getLogger(classOf[ExecutorBackends].getName).asInstanceOf[Logger]
    val level = logger.getLevel
    logger.addAppender(appender)
    logger.setLevel(Level.INFO)
    try {
      ExecutorBackends.forgetLoggedNotes()
      val settings = EvaluateOptions.parse(new org.apache.spark.SparkConf(false), "--dataset", "d").settings
      val auto = new EvaluateSettings(settings.runId, Backend.AUTO, settings.gemms, -1, 0, true, -1, 1L, 1, null, false)
      for (_ <- 1 to 4) assert(ExecutorBackends.forTask(auto).backend.name == "cpu")
    } finally {
      logger.removeAppender(appender)
      logger.setLevel(level)
    }
    val seen = events.toArray(Array.empty[LogEvent]).toSeq
    assert(seen.size == 1, s"one line for four tasks: ${seen.map(_.getMessage.getFormattedMessage)}")
    val e = seen.head
    assert(e.getLevel == Level.INFO && e.getThrown == null, s"${e.getLevel}: ${e.getMessage.getFormattedMessage}")
    assert(e.getMessage.getFormattedMessage.length < 160, e.getMessage.getFormattedMessage)
  }
}
