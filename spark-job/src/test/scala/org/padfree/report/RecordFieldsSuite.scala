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
}
