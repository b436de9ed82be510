package org.padfree.report

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.table.RecordFields

class RecordFieldsSuite extends AnyFunSuite {

  test("camelCase components become snake_case columns, in results.parquet and the summaries alike") {
    assert(RecordFields.snakeCase("paddedGemmMs") == "padded_gemm_ms")
    assert(RecordFields.snakeCase("speedupP50") == "speedup_p50")
    assert(RecordFields.snakeCase("runId") == "run_id" && RecordFields.snakeCase("n") == "n")
    assert(RecordFields.names(classOf[BatchResult]).contains("padding_free_gemm_ms") && RecordFields.names(classOf[BatchResult]).contains("saved_d_bytes"))
    for (c <- classOf[BatchResult].getRecordComponents) {
      val column = RecordFields.snakeCase(c.getName)
      assert(column.matches("[a-z0-9_]+") && column.replace("_", "").equalsIgnoreCase(c.getName), c.getName)
    }
  }

  test("columns carry the component values in declaration order") {
    val columns = RecordFields.columns(ResultAggregator.total(java.util.List.of())).asScala
    assert(columns.take(4).map(c => (c.name, c.value)) ==
      Seq(("model", "*"), ("gemm", "*"), ("distribution", "*"), ("batches", 0L)))
    assert(columns.map(_.name) == RecordFields.names(classOf[GroupSummary]).asScala)
  }

  test("an enum column is its text in the files (results.parquet's status: ok, mismatch, error) and reads back; other text is an error naming the column") {
    val r = ReportFixtures.row(status = BatchResult.MISMATCH)
    val file = java.nio.file.Files.createTempDirectory("enum-column").resolve("results.parquet")
    org.padfree.jobs.EvaluateJob.RESULTS.write(java.util.List.of(r), file)
    val back = org.padfree.jobs.EvaluateJob.RESULTS.read(file).asScala
    assert(back == Seq(r) && back.head.status == BatchResult.MISMATCH)
    val fields = new RecordFields(classOf[BatchResult])
    val at = fields.names.indexOf("status")
    assert(fields.parse(at, "error", "at line 2") == BatchResult.ERROR)
    val e = intercept[org.padfree.InvalidInputException](fields.parse(at, "fine", "at line 2"))
    assert(e.getMessage.contains("status = fine") && e.getMessage.contains("[ok, mismatch, error]"), e.getMessage)
  }
}
