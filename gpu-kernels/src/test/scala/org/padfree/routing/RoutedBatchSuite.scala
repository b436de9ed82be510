package org.padfree.routing

import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

class RoutedBatchSuite extends AnyFunSuite {
  private def rejects(expected: String)(f: => Any): Unit = {
    val e = intercept[InvalidInputException](f)
    assert(e.getMessage.contains(expected), s"message '${e.getMessage}' lacks '$expected'")
  }

  test("counts and routed rows") {
    val b = new RoutedBatch("b1", "m", "d", 4, 2, 3, Array(0, 1, 1, 3, 3, 0), 9L)
    assert(b.expertCounts.toSeq == Seq(2, 2, 0, 2))
    assert(b.routedRows == 6)
  }

  test("fromCounts deals ids so every token has top_k distinct experts and counts are exact") {
    val counts = Array(5, 0, 3, 5, 1, 1)
    val b = RoutedBatch.fromCounts("c", "m", "trace", 3, counts, 1L)
    assert(b.numTokens == 5 && b.expertCounts.toSeq == counts.toSeq)
    for (t <- 0 until 5) assert(b.expertIds.slice(t * 3, t * 3 + 3).distinct.length == 3, s"token $t")
  }

  test("bad batches name the field and value") {
    rejects("batch_id = ")(new RoutedBatch(" ", "m", "d", 4, 1, 1, Array(0), 1L))
    rejects("num_experts = 0")(new RoutedBatch("b", "m", "d", 0, 1, 1, Array(0), 1L))
    rejects("top_k = 5")(new RoutedBatch("b", "m", "d", 4, 5, 1, Array(0, 1, 2, 3, 0), 1L))
    rejects("num_tokens = -1")(new RoutedBatch("b", "m", "d", 4, 1, -1, Array(), 1L))
    rejects("expert_ids.length = 3")(new RoutedBatch("b", "m", "d", 4, 2, 2, Array(0, 1, 2), 1L))
    rejects("expert_ids[3] = 4")(new RoutedBatch("b", "m", "d", 4, 2, 2, Array(0, 1, 2, 4), 1L))
    rejects("expert_ids[1] = -1")(new RoutedBatch("b", "m", "d", 4, 2, 2, Array(0, -1, 2, 3), 1L))
    rejects("token 1 is routed to expert 2 twice")(new RoutedBatch("b", "m", "d", 4, 2, 2, Array(0, 1, 2, 2), 1L))
    rejects("expert_counts[1] = -2")(RoutedBatch.fromCounts("b", "m", "d", 1, Array(3, -2), 1L))
    rejects("sum of counts must be a multiple of top_k=2")(RoutedBatch.fromCounts("b", "m", "d", 2, Array(3, 2, 2), 1L))
    rejects("expert_counts[0] = 5")(RoutedBatch.fromCounts("b", "m", "d", 2, Array(5, 1, 0), 1L))
  }

  test("a batch with its ids elsewhere (on a GPU) keeps its checked shape and refuses host counts, saying why") {
    val b = RoutedBatch.idsElsewhere("b", "m", "d", 4, 2, 3, 7L)
    assert(!b.hasHostIds && b.routedRows == 6 && b.numTokens == 3 && b.seed == 7L)
    assert(new RoutedBatch("b", "m", "d", 4, 2, 1, Array(0, 1), 7L).hasHostIds)
    val e = intercept[IllegalStateException](b.expertCounts())
    assert(e.getMessage.contains("batch b") && e.getMessage.contains("device routing"), e.getMessage)
    rejects("top_k = 5")(RoutedBatch.idsElsewhere("b", "m", "d", 4, 5, 1, 1L))
    rejects("num_tokens = -1")(RoutedBatch.idsElsewhere("b", "m", "d", 4, 1, -1, 1L))
  }
}
