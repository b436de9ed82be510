package org.padfree.routing

import org.padfree.InvalidInputException
import org.scalacheck.Gen
import org.scalatest.funsuite.AnyFunSuite
import org.scalatestplus.scalacheck.ScalaCheckPropertyChecks

class RoutingGeneratorSuite extends AnyFunSuite with ScalaCheckPropertyChecks {

  private def dist(text: String) = RoutingDistribution.parse(text)

  private def counts(text: String, experts: Int, topK: Int, tokens: Int, seed: Long): Seq[Int] =
    RoutingGenerator.expertCounts(dist(text), experts, topK, tokens, seed).toSeq

  private def batch(text: String, experts: Int, topK: Int, tokens: Int, seed: Long): RoutedBatch =
    RoutingGenerator.generate(s"b-$seed", "toy", dist(text), experts, topK, tokens, seed)

  private val allShapes = Seq("balanced", "uniform30", "uniform0to2avg", "lognormal(sigma=1.0)",
    "lognormal(sigma=3.0)", "zipf(s=1.2)", "zipf(s=3.0)")

  test("counts sum to tokens x top_k and never exceed tokens, for every shape") {
    for (text <- allShapes; (e, k, t) <- Seq((128, 8, 4096), (256, 8, 64), (8, 2, 1000), (8, 8, 5), (1, 1, 7))) {
      val c = counts(text, e, k, t, seed = 42)
      assert(c.size == e && c.sum == t * k, s"$text E=$e k=$k T=$t")
      assert(c.forall(n => n >= 0 && n <= t), s"$text E=$e k=$k T=$t max=${c.max}")
    }
  }

  test("top_k = num_experts sends every token to every expert") {
    for (text <- allShapes) assert(counts(text, 8, 8, 33, seed = 1) == Seq.fill(8)(33), text)
  }

  test("zero tokens give an empty batch") {
    val b = batch("zipf(s=1.2,empty=3)", 16, 4, 0, seed = 5)
    assert(b.numTokens() == 0 && b.expertIds().isEmpty && b.expertCounts().forall(_ == 0))
  }

  test("balanced counts differ by at most 1, with or without empty experts") {
    for ((e, k, t) <- Seq((128, 8, 4095), (256, 8, 100), (7, 3, 11)); seed <- 0L until 5L) {
      val c = counts("balanced", e, k, t, seed)
      assert(c.max - c.min <= 1, s"E=$e k=$k T=$t seed=$seed")
      val withEmpty = counts("balanced(empty=4)", e, k, t, seed).filter(_ > 0)
      assert(withEmpty.size == e - 4 && withEmpty.max - withEmpty.min <= 1, s"E=$e k=$k T=$t seed=$seed")
    }
  }

  test("forced-empty experts get exactly 0 and differ between seeds") {
    val zeros = (0L until 4L).map { seed =>
      val c = counts("lognormal(sigma=0.5,empty=8)", 128, 8, 4096, seed)
      assert(c.count(_ == 0) == 8, s"seed=$seed")
      c.indices.filter(c(_) == 0).toSet
    }
    assert(zeros.distinct.size > 1, "empty experts should be chosen at random")
  }

  test("uniform30 keeps every expert within +-30% of the average, up to normalisation and rounding") {
    for (seed <- 0L until 10L) {
      val c = counts("uniform30", 128, 8, 4096, seed)
      val avg = 4096.0 * 8 / 128
      // Normalising by the drawn mean (close to 1 for 128 experts) widens the band slightly.
      assert(c.min >= 0.6 * avg && c.max <= 1.4 * avg, s"seed=$seed min=${c.min} max=${c.max}")
      assert(c.max <= (1.3 / 0.7) * (c.min + 1), s"seed=$seed min=${c.min} max=${c.max}")
    }
  }

  test("uniform0to2avg stays below about twice the average") {
    for (seed <- 0L until 10L) {
      val c = counts("uniform0to2avg", 128, 8, 4096, seed)
      assert(c.max <= 2.4 * (4096.0 * 8 / 128), s"seed=$seed max=${c.max}")
    }
  }

  private def coefficientOfVariation(c: Seq[Int]): Double = {
    val mean = c.sum.toDouble / c.size
    math.sqrt(c.map(n => (n - mean) * (n - mean)).sum / c.size) / mean
  }

  test("a larger log-normal sigma gives a larger coefficient of variation on average") {
    def meanCv(sigma: Double) =
      (0L until 20L).map(s => coefficientOfVariation(counts(s"lognormal(sigma=$sigma)", 128, 8, 4096, s))).sum / 20
    val (low, mid, high) = (meanCv(0.25), meanCv(0.5), meanCv(1.0))
    assert(low < mid && mid < high, s"cv: 0.25 -> $low, 0.5 -> $mid, 1.0 -> $high")
    assert(meanCv(0.0) < 0.01)
  }

  test("Zipf: the hottest expert carries about 1/H(E, s) of the load, far above the next") {
    // E=8, s=1.2: H = sum r^-1.2 = 2.333, so the hottest gets ~43% of 2000 rows, under the cap of 1000.
    val harmonic = (1 to 8).map(r => math.pow(r, -1.2)).sum
    for (seed <- 0L until 10L) {
      val c = counts("zipf(s=1.2)", 8, 2, 1000, seed).sorted.reverse
      assert(math.abs(c.head - 2000 / harmonic) <= 1, s"seed=$seed counts=$c")
      assert(c.head > 2 * c(1), s"seed=$seed counts=$c")
    }
  }

  test("the same seed gives the same batch; another seed another batch") {
    for (text <- allShapes) {
      val a = batch(text, 128, 8, 256, seed = 7)
      assert(a == batch(text, 128, 8, 256, seed = 7), text)
      val b = RoutingGenerator.generate("b-7", "toy", dist(text), 128, 8, 256, 8)
      assert(!java.util.Arrays.equals(a.expertIds(), b.expertIds()), text)
    }
  }

  test("tokens and slots are shuffled, not left in the dealt order") {
    val b = batch("balanced", 16, 4, 64, seed = 3)
    val dealt = RoutedBatch.fromCounts("d", "toy", "balanced", 4, b.expertCounts(), 3)
    assert(!java.util.Arrays.equals(b.expertIds(), dealt.expertIds()))
    val slotsSorted = b.expertIds().grouped(4).forall(s => s.toSeq == s.sorted.toSeq)
    assert(!slotsSorted, "slot order within tokens should be random")
  }

  test("the batch records its id, model, canonical distribution text and seed") {
    val b = RoutingGenerator.generate("id-1", "qwen3-30b-a3b", dist("LogNormal(Sigma=2)"), 128, 8, 10, 99)
    assert(b.batchId() == "id-1" && b.model() == "qwen3-30b-a3b" && b.seed() == 99)
    assert(b.distribution() == "lognormal(sigma=2.0)" && b.numExperts() == 128 && b.topK() == 8)
  }

  private val batchCases = for {
    experts <- Gen.choose(1, 300)
    topK <- Gen.choose(1, math.min(experts, 16))
    tokens <- Gen.choose(0, 600)
    shape <- Gen.oneOf(allShapes ++ Seq("lognormal(sigma=0.0)", "zipf(s=0.0)"))
    empty <- Gen.choose(0, experts - topK)
    seed <- Gen.long
  } yield (new RoutingDistribution(dist(shape).weights(), empty), experts, topK, tokens, seed)

  test("property: every batch is valid and its counts are the generator's counts") {
    forAll(batchCases) { case (d, e, k, t, seed) =>
      val label = s"$d E=$e k=$k T=$t seed=$seed"
      val b = RoutingGenerator.generate("p", "toy", d, e, k, t, seed) // the RoutedBatch constructor validates ids
      val c = RoutingGenerator.expertCounts(d, e, k, t, seed).toSeq
      assert(b.expertCounts().toSeq == c, label)
      assert(c.sum == t * k && c.forall(_ <= t), label)
      assert(t == 0 || c.count(_ == 0) >= d.emptyExperts(), label)
    }
  }

  private def rejected(field: String)(call: => Any): InvalidInputException = {
    val e = intercept[InvalidInputException](call)
    assert(e.field() == field, e.getMessage)
    e
  }

  test("bad arguments are errors naming the field") {
    rejected("num_experts")(counts("balanced", 0, 1, 10, 1))
    rejected("top_k")(counts("balanced", 8, 9, 10, 1))
    rejected("top_k")(counts("balanced", 8, 0, 10, 1))
    rejected("num_tokens")(counts("balanced", 8, 2, -1, 1))
    val e = rejected("empty")(counts("zipf(s=1.0,empty=7)", 8, 2, 10, 1))
    assert(e.value() == "7" && e.getMessage.contains("num_experts - top_k = 6"), e.getMessage)
    rejected("empty")(counts("balanced(empty=8)", 8, 1, 10, 1))
    rejected("distribution")(RoutingGenerator.expertCounts(null, 8, 2, 10, 1))
    rejected("num_tokens x top_k")(counts("balanced", 64, 8, Int.MaxValue / 4, 1))
    rejected("batch_id")(RoutingGenerator.generate(" ", "toy", dist("balanced"), 8, 2, 4, 1))
  }
}
