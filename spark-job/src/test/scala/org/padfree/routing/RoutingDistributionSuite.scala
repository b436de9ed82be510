package org.padfree.routing

import scala.jdk.CollectionConverters._

import org.padfree.InvalidInputException
import org.padfree.model.ModelCatalog
import org.scalacheck.Gen
import org.scalatest.funsuite.AnyFunSuite
import org.scalatestplus.scalacheck.ScalaCheckPropertyChecks

class RoutingDistributionSuite extends AnyFunSuite with ScalaCheckPropertyChecks {

  test("canonical texts parse and print back unchanged") {
    for (text <- Seq("balanced", "uniform30", "uniform0to2avg", "lognormal(sigma=1.0)", "zipf(s=1.2)",
      "lognormal(sigma=0.5,empty=8)", "balanced(empty=3)", "zipf(s=0.0,empty=1)")) {
      assert(RoutingDistribution.parse(text).toString == text, text)
    }
  }

  test("parsing builds the intended shape and empty count") {
    assert(RoutingDistribution.parse("lognormal(sigma=0.5,empty=8)") ==
      new RoutingDistribution(new ExpertWeights.LogNormal(0.5), 8))
    assert(RoutingDistribution.parse("zipf(s=1.2)") == RoutingDistribution.of(new ExpertWeights.Zipf(1.2)))
    assert(RoutingDistribution.parse("uniform0to2avg") ==
      RoutingDistribution.of(new ExpertWeights.UniformZeroToTwoAvg()))
  }

  test("case, spaces and parameter order do not matter") {
    assert(RoutingDistribution.parse(" LogNormal( empty = 8 , Sigma = 0.5 ) ").toString ==
      "lognormal(sigma=0.5,empty=8)")
    assert(RoutingDistribution.parse("ZIPF(s=2)").toString == "zipf(s=2.0)")
  }

  test("the standard set covers every shape and an empty-expert case") {
    val names = RoutingDistribution.standardSet().asScala
    assert(names.map(_.weights().name()).toSet ==
      Set("balanced", "uniform30", "uniform0to2avg", "lognormal", "zipf"))
    assert(names.exists(_.emptyExperts() > 0))
    // Every shipped model can take every standard distribution.
    for (model <- ModelCatalog.fromClasspath().all().asScala; d <- names)
      RoutingGenerator.requireFeasible(d, model.experts(), model.topK(), 4096)
  }

  private val distributions: Gen[RoutingDistribution] = for {
    weights <- Gen.oneOf[Gen[ExpertWeights]](
      Gen.const(new ExpertWeights.Balanced()),
      Gen.const(new ExpertWeights.Uniform30()),
      Gen.const(new ExpertWeights.UniformZeroToTwoAvg()),
      Gen.choose(0.0, 4.0).map(s => new ExpertWeights.LogNormal(s)),
      Gen.choose(0.0, 3.0).map(s => new ExpertWeights.Zipf(s))).flatMap(identity)
    empty <- Gen.frequency(2 -> Gen.const(0), 1 -> Gen.choose(1, 1000))
  } yield new RoutingDistribution(weights, empty)

  test("property: parse(toString) is the identity, doubles included") {
    forAll(distributions) { d =>
      assert(RoutingDistribution.parse(d.toString) == d, d.toString)
    }
  }

  private def rejected(text: String, reasonPart: String): Unit = {
    val e = intercept[InvalidInputException](RoutingDistribution.parse(text))
    assert(e.field() == "distribution" && e.value() == text, e.getMessage)
    assert(e.getMessage.contains(reasonPart), s"'$text': ${e.getMessage}")
  }

  test("bad texts are errors naming the text and what is wrong") {
    rejected("gaussian", "unknown distribution 'gaussian'")
    rejected("lognormal", "missing parameter sigma")
    rejected("zipf(empty=2)", "missing parameter s")
    rejected("lognormal(sigma=abc)", "sigma=abc is not a number")
    rejected("lognormal(sigma=-1)", "must be finite and >= 0")
    rejected("zipf(s=1e400)", "must be finite and >= 0")
    rejected("balanced(sigma=1.0)", "unknown parameter(s) [sigma]")
    rejected("zipf(s=1,s=2)", "given twice")
    rejected("balanced(empty=-2)", "must be >= 0")
    rejected("balanced(empty=2.5)", "not an integer")
    rejected("lognormal(sigma)", "not key=value")
    rejected("lognormal(sigma=1.0", "expected NAME")
    rejected("balanced()", "empty parentheses")
    rejected("", "expected NAME")
  }

  test("a null text and direct construction with bad values name their field") {
    assert(intercept[InvalidInputException](RoutingDistribution.parse(null)).field() == "distribution")
    assert(intercept[InvalidInputException](new ExpertWeights.LogNormal(-0.1)).field() == "sigma")
    assert(intercept[InvalidInputException](new ExpertWeights.Zipf(Double.PositiveInfinity)).field() == "s")
    val e = intercept[InvalidInputException](RoutingDistribution.of(new ExpertWeights.Balanced()).withEmptyExperts(-1))
    assert(e.field() == "empty" && e.value() == "-1")
  }
}
