package org.padfree.columnar

import java.util.SplittableRandom
import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

/**
 * A file's LIST column cut into its rows by the list offsets (the cuDF read of a dataset file's
 * expert_ids), on host columns: every row's slice is exactly that row's list, and the errors name the
 * column, the batch and the file.
 */
class ListColumnSlicesSuite extends AnyFunSuite {
  private val ops = new HostColumnOps

  /** Random lists (some empty), flattened as Parquet stores them: offsets and one child column. */
  private def lists(seed: Long, rows: Int): (Seq[Array[Int]], Array[Int], Array[Int]) = {
    val random = new SplittableRandom(seed)
    val rowsOf = Seq.fill(rows)(Array.fill(random.nextInt(0, 40))(random.nextInt(0, 256)))
    val offsets = rowsOf.scanLeft(0)(_ + _.length).toArray
    (rowsOf, offsets, rowsOf.flatten.toArray)
  }

  test("every row's slice is that row's list, in any order and again (the file is read once)") {
    for (seed <- 1L to 5L) {
      val (rowsOf, offsets, child) = lists(seed, 17)
      val slices = new ListColumnSlices(ops, "expert_ids", "f.parquet", offsets, child)
      assert(slices.rows == 17)
      for (r <- (0 until 17).reverse ++ (0 until 17)) {
        val got = slices.slice(r.toLong, rowsOf(r).length.toLong, s"b$r")
        assert(got.sameElements(rowsOf(r)), s"seed $seed row $r")
      }
    }
  }

  test("a row past the file's end says the file changed since planning, naming file and batch") {
    val (_, offsets, child) = lists(9L, 3)
    val e = intercept[InvalidInputException](new ListColumnSlices(ops, "expert_ids", "f.parquet", offsets, child)
      .slice(3L, 0L, "m:x:00007"))
    assert(e.getMessage.contains("dataset file = f.parquet") && e.getMessage.contains("m:x:00007")
      && e.getMessage.contains("changed since planning"), e.getMessage)
  }

  test("a list of the wrong length names the column, its length, the expected length, batch and file") {
    val offsets = Array(0, 4, 10)
    val slices = new ListColumnSlices(ops, "expert_ids", "f.parquet", offsets, Array.range(0, 10))
    val e = intercept[InvalidInputException](slices.slice(1L, 8L, "b1"))
    assert(e.getMessage.contains("expert_ids = 6 values") && e.getMessage.contains("expected 8")
      && e.getMessage.contains("batch b1") && e.getMessage.contains("f.parquet"), e.getMessage)
  }

  test("offsets that decrease, start below 0 or point past the values are refused naming the column and file") {
    val child = Array.range(0, 5)
    for (bad <- Seq(Array(0, 3, 2), Array(-1, 2), Array(0, 6), Array.emptyIntArray)) {
      val e = intercept[InvalidInputException](new ListColumnSlices(ops, "expert_ids", "g.parquet", bad, child))
      assert(e.getMessage.contains("expert_ids") && e.getMessage.contains("g.parquet"), bad.mkString(","))
    }
  }

  test("byte ranges (a binary column's rows, taken by address) are the offsets of the row") {
    val offsets = new ListColumnSlices.Offsets("activations_fp8", "f", Array(0, 256, 256, 1280), 1280L)
    assert(offsets.range(0L, 256L, "a").toSeq == Seq(0L, 256L))
    assert(offsets.range(1L, 0L, "b").toSeq == Seq(256L, 256L))
    assert(offsets.range(2L, 1024L, "c").toSeq == Seq(256L, 1280L))
  }
}
