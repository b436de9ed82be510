package org.padfree.report

import java.util.List

import org.scalatest.funsuite.AnyFunSuite
import org.padfree.render.HumanFormat

class HumanFormatSuite extends AnyFunSuite {

  test("missing figures print as n/a in every format") {
    for (v <- Seq(Double.NaN, Double.PositiveInfinity)) {
      assert(Seq(HumanFormat.decimal(v, 2), HumanFormat.significant(v, 3), HumanFormat.ratio(v),
        HumanFormat.percent(v), HumanFormat.bytes(v), HumanFormat.seconds(v)).forall(_ == "n/a"))
    }
  }

  test("numbers use a point and no exponent whatever the locale") {
    val saved = java.util.Locale.getDefault
    java.util.Locale.setDefault(java.util.Locale.GERMANY)
    try {
      assert(HumanFormat.ratio(1.234) == "1.23x")
      assert(HumanFormat.percent(0.1234) == "12.3%")
      assert(HumanFormat.significant(0.0761234, 3) == "0.0761")
      assert(HumanFormat.significant(4567.8, 3) == "4568")
      assert(HumanFormat.significant(0, 3) == "0")
      assert(HumanFormat.count(1234567) == "1,234,567")
      assert(HumanFormat.seconds(12.34) == "12.3 s")
    } finally java.util.Locale.setDefault(saved)
  }

  test("bytes in binary units") {
    assert(HumanFormat.bytes(512) == "512 B")
    assert(HumanFormat.bytes(1536) == "1.50 KiB")
    assert(HumanFormat.bytes(3.5 * 1024 * 1024 * 1024) == "3.50 GiB")
  }

  test("lists") {
    assert(HumanFormat.list(List.of()) == "none")
    assert(HumanFormat.list(List.of("a", "b")) == "a, b")
  }
}
