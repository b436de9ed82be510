package org.padfree.report

import scala.jdk.CollectionConverters._

import org.padfree.evaluate.{BatchResult, ResultSchema}
import org.scalatest.funsuite.AnyFunSuite

class RecordColumnsSuite extends AnyFunSuite {

  test("summary column names follow the results.parquet rule for every component") {
    for (c <- classOf[BatchResult].getRecordComponents ++ classOf[GroupSummary].getRecordComponents
        ++ classOf[RunInfo].getRecordComponents) {
      assert(RecordColumns.snakeCase(c.getName) == ResultSchema.columnName(c.getName), c.getName)
    }
  }

  test("columns carry the component values in declaration order") {
    val columns = RecordColumns.of(ResultAggregator.total(java.util.List.of())).asScala
    assert(columns.take(4).map(c => (c.name, c.value)) ==
      Seq(("model", "*"), ("gemm", "*"), ("distribution", "*"), ("batches", 0L)))
    assert(columns.map(_.name) == RecordColumns.names(classOf[GroupSummary]).asScala)
  }
}
