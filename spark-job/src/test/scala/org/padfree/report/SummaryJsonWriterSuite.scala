package org.padfree.report

import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Paths}

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.ObjectMapper
import org.padfree.results.EvaluationTimings
import org.padfree.report.ReportFixtures.{errorRow, filesIn, row, runInfo, tempDir}
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.results.RunInfo
import org.padfree.table.RecordFields

class SummaryJsonWriterSuite extends AnyFunSuite {

  private val rows = Seq(row(batchId = "b1"), errorRow(batchId = "b2", gemm = "gate_up"))

  private lazy val (json, dir) = {
    val dir = tempDir("summary-json")
    val path = SummaryJsonWriter.write(dir, runInfo(rows), ResultAggregator.summarize(rows.asJava))
    assert(path == dir.resolve("summary.json"))
    (new ObjectMapper().readTree(Files.readString(path, StandardCharsets.UTF_8)), dir)
  }

  test("it parses back with Jackson and holds run, groups, throughput, executors and memory_accounting") {
    assert(json.fieldNames().asScala.toSeq == Seq("run", "groups", "throughput", "executors", "memory_accounting"))
    assert(filesIn(dir) == Seq("summary.json"), "no temporary file is left")
  }

  test("run: every RunInfo component under its snake_case name, lists as arrays") {
    val run = json.get("run")
    assert(run.fieldNames().asScala.toSeq == RecordFields.names(classOf[RunInfo]).asScala)
    assert(run.get("run_id").asText == "run-1")
    assert(run.get("started_at").asText == "2025-06-01T12:00:00Z")
    assert(run.get("wall_seconds").asDouble == 12.5)
    assert(run.get("requested_backend").asText == "auto")
    assert(run.get("executors").isArray && run.get("executors").size == 2)
    assert(run.get("input_batches").asLong == 2 && run.get("errors").asLong == 1)
    assert(run.get("notes").size == RunInfo.cpuCaveats().size)
  }

  test("groups: every GroupSummary component, the total row last") {
    val groups = json.get("groups")
    assert(groups.size == 3, groups.toString)
    for (g <- groups.asScala) {
      assert(g.fieldNames().asScala.toSeq == RecordFields.names(classOf[GroupSummary]).asScala)
    }
    val total = groups.get(2)
    assert(total.get("model").asText == "*" && total.get("batches").asLong == 2 && total.get("failures").asLong == 1)
    assert(groups.get(0).get("speedup_p50").asDouble == 1.5)
  }

  test("NaN is written as JSON null, never as a NaN token or a string") {
    val errorGroup = json.get("groups").get(1)
    assert(errorGroup.get("gemm").asText == "gate_up")
    for (field <- Seq("bit_identical_rate", "speedup_p50", "saving_max", "useful_tflops")) {
      assert(errorGroup.get(field).isNull, s"$field: ${errorGroup.get(field)}")
    }
    val text = Files.readString(dir.resolve("summary.json"))
    assert(!text.contains("NaN") && !text.contains("Infinity"), text)
  }

  test("throughput: the evaluation stage's seconds and tokens per second next to the wall time; task span per executor") {
    val timings = new EvaluationTimings(2.0, 0.5, 9.0, 1.0,
      java.util.List.of(new EvaluationTimings.ExecutorSpan("1", 3, 1, 0.25, 8.75, 7.5)))
    val measured = new ObjectMapper().readTree(
      SummaryJsonWriter.toJson(runInfo(rows, timings = timings), ResultAggregator.summarize(rows.asJava), rows.asJava))
    val t = measured.get("throughput")
    val wall = t.get("wall_seconds").asDouble
    assert(t.get("evaluation_seconds").asDouble == 9.0 && t.get("planning_seconds").asDouble == 2.0, t)
    assert(t.get("placing_seconds").asDouble == 0.5 && t.get("collect_seconds").asDouble == 1.0, t)
    assert(t.get("evaluation_seconds").asDouble <= wall, t)
    val phases = Seq("planning_seconds", "placing_seconds", "evaluation_seconds", "collect_seconds").map(t.get(_).asDouble)
    assert(math.abs(phases.sum - wall) < 1e-9, s"the phases add up to the wall time: $t")
    assert(t.get("tokens").asLong == 64 && t.get("tokens_per_evaluation_second").asDouble == 64 / 9.0, t)
    assert(t.get("tokens_per_evaluation_second").asDouble >= t.get("tokens_per_second").asDouble, t)
    val executor = measured.get("executors").get(0)
    assert(executor.get("executor_id").asText == "1" && executor.get("task_span_seconds").asDouble == 8.5, executor)
    assert(executor.get("spark_task_seconds").asDouble == 7.5, executor)
    val span = measured.get("run").get("timings").get("executors").get(0)
    assert(span.get("executor_id").asText == "1" && span.get("tasks").asInt == 3 && span.get("failed_tasks").asInt == 1, span)
    assert(span.get("first_launch_seconds").asDouble == 0.25 && span.get("last_finish_seconds").asDouble == 8.75, span)
  }

  test("a run without measured phases writes them as null, and its executors' spans too") {
    val unmeasured = new ObjectMapper().readTree(
      SummaryJsonWriter.toJson(runInfo(rows), ResultAggregator.summarize(rows.asJava), rows.asJava))
    val t = unmeasured.get("throughput")
    for (field <- Seq("planning_seconds", "placing_seconds", "evaluation_seconds", "collect_seconds",
        "tokens_per_evaluation_second")) {
      assert(t.get(field).isNull, s"$field: ${t.get(field)}")
    }
    assert(unmeasured.get("executors").get(0).get("task_span_seconds").isNull)
    val spans = unmeasured.get("run").get("timings").get("executors")
    assert(spans.isArray && spans.isEmpty, spans)
  }

  test("memory_accounting is the README's definition, formula included") {
    assert(json.get("memory_accounting").asText == MemoryAccountingText.plainText())
    assert(json.get("memory_accounting").asText.contains("+ group index 4*Mpad + D 2*Mpad*N"))
  }

  test("the memory accounting text matches README.md's Memory accounting section") {
    val readme = Files.readString(Paths.get("..", "README.md"))
    val section = readme.split("\n## ").find(_.startsWith("Memory accounting\n"))
      .getOrElse(fail("README.md has no 'Memory accounting' section"))
    assert(section.contains("```\n" + MemoryAccountingText.FORMULA + "\n```"), "formula block")
    val prose = section.split("```").toSeq
    def words(s: String) = s.split("\\s+").filter(_.nonEmpty).toSeq
    assert(words(prose(0).stripPrefix("Memory accounting")) == words(MemoryAccountingText.LEAD))
    assert(words(prose(2)) == words(MemoryAccountingText.DIFFERENCE))
  }
}
