package org.padfree

import java.util.Arrays.asList
import scala.jdk.CollectionConverters._
import org.scalatest.funsuite.AnyFunSuite

/** The CSV every report file is written as: what gets quoted, how empty fields look, the line ends. */
class CsvTextSuite extends AnyFunSuite {

  /** One field written as the second column, the way it appears between the commas. */
  private def field(text: String): String = {
    val csv = CsvText.write(asList("a", "b"), asList(asList("x", text)), CsvText.LF)
    csv.stripPrefix("a,b\nx,").stripSuffix("\n")
  }

  test("fields are quoted only when needed, with inner quotes doubled (RFC 4180)") {
    val cases = Seq(
      "plain" -> "plain",
      "1.5E-4" -> "1.5E-4",
      "a,b" -> "\"a,b\"",
      "say \"hi\"" -> "\"say \"\"hi\"\"\"",
      "two\nlines" -> "\"two\nlines\"",
      "cr\r" -> "\"cr\r\"",
      " padded" -> "\" padded\"",
      "padded " -> "\"padded \"")
    for ((text, written) <- cases) assert(field(text) == written, s"field ${text.replace("\n", "\\n")}")
  }

  test("null and empty cells are bare empty fields, also at the start of a record") {
    val rows = asList(asList[String](null, "x"), asList("", ""), asList("y", null))
    assert(CsvText.write(asList("a", "b"), rows, CsvText.LF) == "a,b\n,x\n,\ny,\n")
  }

  test("every line, the header's and the last included, ends with the line end asked for; others are refused") {
    val rows = asList(asList("1", "2"), asList("3", "4"))
    assert(CsvText.write(asList("a", "b"), rows, CsvText.LF) == "a,b\n1,2\n3,4\n")
    assert(CsvText.write(asList("a", "b"), rows, CsvText.CRLF) == "a,b\r\n1,2\r\n3,4\r\n")
    assert(CsvText.write(asList("a", "b"), List.empty[java.util.List[String]].asJava, CsvText.LF) == "a,b\n")
    val e = intercept[InvalidInputException](CsvText.write(asList("a"), rows, ";"))
    assert(e.field == "lineEnd" && e.value == ";", e.getMessage)
  }
}
