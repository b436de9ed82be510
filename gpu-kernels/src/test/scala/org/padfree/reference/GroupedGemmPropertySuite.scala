package org.padfree.reference

import org.scalacheck.Gen
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite
import org.scalatestplus.scalacheck.ScalaCheckPropertyChecks

/** Random shapes and group sizes: the layouts agree bit for bit and match the definition and the bound. */
class GroupedGemmPropertySuite extends AnyFunSuite with ScalaCheckPropertyChecks with BeforeAndAfterAll {
  private val gemm = new CpuGroupedGemm(2)
  override def afterAll(): Unit = gemm.close()

  // Group sizes favour the edge cases: empty, single rows, and sizes around the 128-row alignment.
  private val groupSize: Gen[Int] =
    Gen.frequency(3 -> Gen.const(0), 3 -> Gen.const(1), 2 -> Gen.choose(126, 130), 4 -> Gen.choose(2, 90))
  private val cases: Gen[(Array[Int], Int, Int, Long)] = for {
    experts <- Gen.choose(1, 10)
    counts <- Gen.listOfN(experts, groupSize)
    n <- Gen.oneOf(Gen.choose(1, 40), Gen.choose(120, 300))
    k <- Gen.oneOf(Gen.choose(1, 40), Gen.choose(120, 400))
    seed <- Gen.choose(0L, Long.MaxValue)
  } yield (counts.toArray, n, k, seed)

  test("padded == padding-free == masked on valid rows; sampled elements equal the definition and stay within the bound") {
    forAll(cases, minSuccessful(30)) { case (counts, n, k, seed) =>
      val f = GemmFixture.fromCounts(counts, n, k, seed)
      val free = gemm.paddingFreeContiguous(f.freeA, f.weights, f.free.offsets)
      val padded = gemm.paddedContiguous(f.paddedA, f.weights, f.padded.groupIndex)
      val masked = gemm.masked(f.maskedA, f.weights, f.masked.maxRows, f.masked.counts)
      val random = new java.util.SplittableRandom(seed)
      for (e <- counts.indices; i <- 0 until counts(e)) {
        val r = f.free.offsets()(e) + i
        assert(free.rowEquals(r, padded, f.padded.groupStarts()(e) + i), s"$f: expert $e row $i (padded)")
        assert(free.rowEquals(r, masked, e * f.masked.maxRows + i), s"$f: expert $e row $i (masked)")
        val col = random.nextInt(n)
        assert(free.bits()(r * n + col) == GemmFixture.definition(f.freeA, r, f.weights, e, col), s"$f: row $r col $col")
      }
      for (e <- counts.indices if counts(e) > 0) {
        val ref = DoubleReference.compute(f.freeA, f.free.offsets()(e), counts(e), f.weights, e)
        for (i <- 0 until counts(e); col <- 0 until n) {
          val err = math.abs(free.get(f.free.offsets()(e) + i, col) - ref.values()(i * n + col))
          assert(err <= ref.bound(i, col), s"$f: expert $e row $i col $col")
        }
      }
    }
  }
}
