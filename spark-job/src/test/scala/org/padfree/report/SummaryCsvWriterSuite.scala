package org.padfree.report

import java.nio.file.Files

import scala.collection.mutable.ArrayBuffer
import scala.jdk.CollectionConverters._

import org.padfree.report.ReportFixtures.{errorRow, filesIn, row, tempDir}
import org.scalatest.funsuite.AnyFunSuite

class SummaryCsvWriterSuite extends AnyFunSuite {

  private val awkwardModel = "toy, \"quoted\" model"
  private val rows = Seq(row(model = awkwardModel, batchId = "b,1"), errorRow(gemm = "gate_up"))

  private lazy val (text, dir) = {
    val dir = tempDir("summary-csv")
    val path = SummaryCsvWriter.write(dir, ResultAggregator.summarize(rows.asJava))
    (Files.readString(path), dir)
  }

  /** Splits RFC 4180 text into records of fields, so the test checks what a CSV reader would see. */
  private def parse(csv: String): Seq[Seq[String]] = {
    val records = ArrayBuffer(ArrayBuffer(new StringBuilder))
    var quoted = false
    var i = 0
    while (i < csv.length) {
      if (quoted && csv.startsWith("\"\"", i)) {
        records.last.last.append('"')
        i += 2
      } else if (!quoted && csv.startsWith("\r\n", i)) {
        records += ArrayBuffer(new StringBuilder)
        i += 2
      } else {
        csv.charAt(i) match {
          case '"' => quoted = !quoted
          case ',' if !quoted => records.last += new StringBuilder
          case c => records.last.last.append(c)
        }
        i += 1
      }
    }
    records.map(_.map(_.toString).toSeq).toSeq.filterNot(_ == Seq(""))
  }

  test("header: GroupSummary's snake_case components") {
    assert(text.startsWith("model,gemm,distribution,batches,errors,mismatches,failures,bit_identical_rate," +
      "speedup_p50,speedup_p90,speedup_min,saving_p50,saving_max,saved_bytes_p50,mean_load_imbalance," +
      "useful_tflops,padded_path_tflops\r\n"), text)
  }

  test("one CRLF-terminated line per group and the total row, every line as wide as the header") {
    val records = parse(text)
    assert(records.size == 1 + 3, records)
    assert(records.forall(_.size == records.head.size), records)
    assert(text.endsWith("\r\n") && !text.replace("\r\n", "").contains("\n"))
    assert(records.last.take(4) == Seq("*", "*", "*", "2"))
    assert(filesIn(dir) == Seq("summary.csv"))
  }

  test("a field with a comma and quotes is quoted, its quotes doubled, and reads back intact") {
    assert(text.contains("\"toy, \"\"quoted\"\" model\",down,balanced,1,"), text)
    assert(parse(text).exists(_.head == awkwardModel))
  }

  test("NaN is the empty field; numbers keep full precision") {
    val errorGroup = parse(text).find(_(1) == "gate_up").get
    assert(errorGroup(7) == "" && errorGroup(8) == "", errorGroup)
    val measured = parse(text).find(_.head == awkwardModel).get
    assert(measured(8) == "1.5" && measured(7) == "1.0", measured)
  }
}
