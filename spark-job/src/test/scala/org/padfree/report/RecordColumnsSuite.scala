package org.padfree.report

import scala.jdk.CollectionConverters._

import org.padfree.results.BatchResult
import org.padfree.table.ResultSchema
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.table.RecordColumns

class RecordColumnsSuite extends AnyFunSuite {

  test("camelCase components become snake_case columns, in results.parquet and the summaries alike") {
    assert(RecordColumns.snakeCase("paddedGemmMs") == "padded_gemm_ms")
    assert(RecordColumns.snakeCase("speedupP50") == "speedup_p50")
    assert(RecordColumns.snakeCase("runId") == "run_id" && RecordColumns.snakeCase("n") == "n")
    assert(ResultSchema.columnNames.contains("padding_free_gemm_ms") && ResultSchema.columnNames.contains("saved_d_bytes"))
    for (c <- classOf[BatchResult].getRecordComponents) {
      val column = ResultSchema.columnName(c.getName)
      assert(column.matches("[a-z0-9_]+") && column.replace("_", "").equalsIgnoreCase(c.getName), c.getName)
    }
  }

  test("columns carry the component values in declaration order") {
    val columns = RecordColumns.of(ResultAggregator.total(java.util.List.of())).asScala
    assert(columns.take(4).map(c => (c.name, c.value)) ==
      Seq(("model", "*"), ("gemm", "*"), ("distribution", "*"), ("batches", 0L)))
    assert(columns.map(_.name) == RecordColumns.names(classOf[GroupSummary]).asScala)
  }
}
