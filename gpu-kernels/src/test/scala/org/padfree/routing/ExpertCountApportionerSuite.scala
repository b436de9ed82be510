package org.padfree.routing

import java.util.SplittableRandom

import org.padfree.InvalidInputException
import org.scalacheck.Gen
import org.scalatest.funsuite.AnyFunSuite
import org.scalatestplus.scalacheck.ScalaCheckPropertyChecks

class ExpertCountApportionerSuite extends AnyFunSuite with ScalaCheckPropertyChecks {

  private def apportion(weights: Seq[Double], total: Long, cap: Int, allowed: Seq[Boolean] = Nil): Seq[Int] = {
    val flags = if (allowed.isEmpty) Array.fill(weights.size)(true) else allowed.toArray
    ExpertCountApportioner.apportion(weights.toArray, flags, total, cap).toSeq
  }

  test("largest remainder: exact shares stay, leftovers go to the largest fractions, ties to lower ids") {
    assert(apportion(Seq(1, 1, 2), 8, 100) == Seq(2, 2, 4))
    assert(apportion(Seq(1, 1, 1), 10, 100) == Seq(4, 3, 3))
    assert(apportion(Seq(1, 2, 3), 10, 100) == Seq(2, 3, 5)) // quotas 1.67, 3.33, 5.0
  }

  test("load above the cap goes to the others in proportion to their weights") {
    // Uncapped quotas 60, 20, 20 with a cap of 40: 20 rows spill over, split 1:1.
    assert(apportion(Seq(6, 2, 2), 100, 40) == Seq(40, 30, 30))
    // Spilling can push the next expert over the cap too.
    assert(apportion(Seq(10, 5, 1), 60, 25) == Seq(25, 25, 10))
  }

  test("forced-empty experts get nothing, even when the others are full") {
    assert(apportion(Seq(1, 1, 1, 1), 6, 3, Seq(true, false, true, false)) == Seq(3, 0, 3, 0))
  }

  test("when every expert with room weighs 0 the rest is shared equally") {
    assert(apportion(Seq(5, 0, 0), 9, 5) == Seq(5, 2, 2))
    assert(apportion(Seq(0, 0, 0), 4, 5) == Seq(2, 1, 1))
  }

  test("a total that cannot fit under the cap is an error naming it") {
    val e = intercept[InvalidInputException](apportion(Seq(1, 1, 1), 7, 3, Seq(true, true, false)))
    assert(e.field() == "total" && e.value() == "7", e.getMessage)
    assert(intercept[InvalidInputException](apportion(Seq(1, -1), 2, 2)).field() == "weights[1]")
    assert(intercept[InvalidInputException](apportion(Seq(1, Double.NaN), 2, 2)).field() == "weights[1]")
  }

  private val cases = for {
    experts <- Gen.choose(1, 200)
    weights <- Gen.listOfN(experts, Gen.oneOf(Gen.choose(0.0, 10.0), Gen.choose(0.0, 1e-9), Gen.const(1.0)))
    allowed <- Gen.listOfN(experts, Gen.frequency(5 -> true, 1 -> false)).map(a => a.updated(0, true))
    cap <- Gen.choose(0, 5000)
    fill <- Gen.choose(0.0, 1.0)
  } yield (weights, allowed, (allowed.count(identity).toLong * cap * fill).toLong, cap)

  test("property: exact sum, cap respected, forced-empty at zero, monotone in weight") {
    forAll(cases) { case (weights, allowed, total, cap) =>
      val counts = apportion(weights, total, cap, allowed)
      val label = s"weights=${weights.take(8)}... total=$total cap=$cap"
      assert(counts.map(_.toLong).sum == total, label)
      assert(counts.forall(c => c >= 0 && c <= cap), label)
      assert(counts.indices.forall(e => allowed(e) || counts(e) == 0), label)
      // Among allowed experts a heavier one never gets fewer rows.
      val open = counts.indices.filter(allowed)
      for (a <- open; b <- open if weights(a) > weights(b)) assert(counts(a) >= counts(b), s"$label e=$a,$b")
    }
  }

  test("Zipf weights: the hottest expert gets the most rows") {
    for (seed <- 0L until 20L) {
      val weights = new ExpertWeights.Zipf(1.2).draw(64, new SplittableRandom(seed)).toSeq
      val counts = apportion(weights, 512L * 4, 512)
      val hottest = weights.indexOf(weights.max)
      assert(counts(hottest) == counts.max, s"seed=$seed")
    }
  }
}
