package org.padfree.report

import java.nio.charset.StandardCharsets
import java.nio.file.{Files, Paths}

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.ObjectMapper
import org.padfree.report.ReportFixtures.{errorRow, filesIn, row, runInfo, tempDir}
import org.scalatest.funsuite.AnyFunSuite

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
    assert(run.fieldNames().asScala.toSeq == RecordColumns.names(classOf[RunInfo]).asScala)
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
      assert(g.fieldNames().asScala.toSeq == RecordColumns.names(classOf[GroupSummary]).asScala)
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
