package org.padfree.report

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite
import org.padfree.render.AxisScale

class AxisScaleSuite extends AnyFunSuite {

  test("nice steps are 1, 2 or 5 times a power of ten, not below the rough step") {
    assert(AxisScale.niceStep(0.06) == 0.1)
    assert(AxisScale.niceStep(0.13) == 0.2)
    assert(AxisScale.niceStep(3) == 5)
    assert(AxisScale.niceStep(7) == 10)
    assert(AxisScale.niceStep(20) == 20)
  }

  test("an axis covers the range with ends on multiples of the step") {
    val axis = AxisScale.covering(1.03, 2.91, 5, false)
    assert((axis.min, axis.max, axis.step) == (1.0, 3.0, 0.5))
    assert(axis.steps == 4)
    assert(axis.ticks.asScala.toSeq == Seq(1.0, 1.5, 2.0, 2.5, 3.0))
    assert(axis.ticks.asScala.map(axis.label(_)) == Seq("1.0", "1.5", "2.0", "2.5", "3.0"))
  }

  test("count axes step by whole numbers") {
    val axis = AxisScale.covering(0, 1, 5, true)
    assert((axis.min, axis.max, axis.step) == (0.0, 1.0, 1.0))
    assert(axis.label(1.0) == "1")
  }

  test("an empty range (one value) is widened upwards") {
    val one = AxisScale.covering(1.0, 1.0, 5, false)
    assert(one.min == 1.0 && one.max >= 2.0, one.toString)
    val zero = AxisScale.covering(0.0, 0.0, 5, false)
    assert(zero.min == 0.0 && zero.max >= 1.0, zero.toString)
  }

  test("ticks of fine steps do not drift and labels have the decimals the step needs") {
    val axis = AxisScale.covering(0.0, 0.0009, 9, false)
    assert(axis.step == 1e-4, axis.toString)
    assert(axis.label(axis.ticks.get(3)) == "0.0003")
    assert(axis.fraction(axis.max) == 1.0 && axis.fraction(axis.min) == 0.0)
  }
}
