package org.padfree.report

import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite
import org.padfree.render.Percentiles

class PercentilesSuite extends AnyFunSuite {

  private def near(actual: Double, expected: Double, what: String): Unit =
    assert(math.abs(actual - expected) <= 1e-12, s"$what: $actual != $expected")

  test("an empty sample has NaN statistics and count 0") {
    val p = Percentiles.of()
    assert(p.count() == 0)
    Seq(p.at(0), p.median(), p.at(100), p.min(), p.max(), p.mean()).foreach(v => assert(v.isNaN))
  }

  test("a single value is every percentile") {
    val p = Percentiles.of(5.0)
    Seq(0.0, 10.0, 50.0, 90.0, 100.0).foreach(q => assert(p.at(q) == 5.0, s"p$q"))
  }

  test("linear interpolation between closest ranks: 1 2 3 4") {
    val p = Percentiles.of(4.0, 1.0, 3.0, 2.0)
    near(p.at(0), 1.0, "p0")
    near(p.median(), 2.5, "p50 (mean of the middle two)")
    near(p.at(90), 3.7, "p90: h = 3 * 0.9 = 2.7, 3 + 0.7 * (4 - 3)")
    near(p.at(100), 4.0, "p100")
    near(p.at(25), 1.75, "p25: h = 0.75")
  }

  test("p90 of 1..10 is 9.1 (numpy's default)") {
    near(Percentiles.of((1 to 10).map(_.toDouble): _*).at(90), 9.1, "p90 of 1..10")
  }

  test("NaN and infinities are left out; the input array is not reordered") {
    val values = Array(3.0, Double.NaN, 1.0, Double.PositiveInfinity, 2.0, Double.NegativeInfinity)
    val p = Percentiles.of(values: _*)
    assert(p.count() == 3)
    near(p.median(), 2.0, "median")
    near(p.min(), 1.0, "min")
    near(p.max(), 3.0, "max")
    near(p.mean(), 2.0, "mean")
    assert(values(0) == 3.0 && values(2) == 1.0, "input untouched")
  }

  test("a percentile outside [0, 100] is an error naming it") {
    val e = intercept[InvalidInputException](Percentiles.of(1.0).at(101))
    assert(e.field() == "percentile", e.getMessage)
    intercept[InvalidInputException](Percentiles.of(1.0).at(-1))
  }
}
