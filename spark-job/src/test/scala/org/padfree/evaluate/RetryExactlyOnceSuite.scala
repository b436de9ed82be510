package org.padfree.evaluate

import org.padfree.LocalSparkSuite
import org.scalatest.funsuite.AnyFunSuite
import EvaluateFixtures._
import org.padfree.jobs.EvaluateJob

/** Task retries must not duplicate or lose results: every task's first attempt fails after real work. */
class RetryExactlyOnceSuite extends AnyFunSuite with LocalSparkSuite {
  override protected def master: String = "local[2,3]" // two threads, up to 3 attempts per task

  test("every batch appears exactly once although every task failed once after evaluating a batch") {
    val dir = tempDir("retry")
    val path = writeDataset(spark, dir, "retry", qwenBatches(8, 16, 11L))
    val run = evaluate(spark, dir.resolve("out"), "retry", Seq("--dataset", path, "--gemms", "down", "--partitions", "3"),
      Map(PadfreeConf.FAIL_FIRST_ATTEMPT.name -> "true"))
    assert(run.exitCode == EvaluateJob.EXIT_OK)
    val results = run.results
    assert(results.size == 8)
    assert(results.map(_.batchId).toSet.size == 8)
    assert(results.forall(_.taskAttempt == 1), "every row comes from the retried attempt")
    assert(results.forall(_.isOk))
  }
}
