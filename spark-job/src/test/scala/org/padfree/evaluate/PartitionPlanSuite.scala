package org.padfree.evaluate

import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite

class PartitionPlanSuite extends AnyFunSuite {

  test("one huge batch gets a task to itself; the small ones share the others evenly") {
    val indices = (0L until 21L).toArray
    val costs = Array.tabulate(21)(i => if (i == 7) 1000.0 else 10.0)
    val plan = PartitionPlan.of(indices, costs, 3)
    val huge = plan.partitionOf(7)
    assert(plan.inputsIn(huge) == 1, "the huge batch shares its task with nothing")
    val others = (0 until 3).filter(_ != huge).map(plan.inputsIn)
    assert(others.sum == 20 && others.forall(_ == 10))
  }

  test("LPT by hand: costs 7,5,4,3,1 over 2 partitions give {7,3} and {5,4,1}, 10 each") {
    val plan = PartitionPlan.of(Array(0L, 1L, 2L, 3L, 4L), Array(7.0, 5.0, 4.0, 3.0, 1.0), 2)
    // 7 -> p0; 5 -> p1; 4 -> p1 (5 < 7); 3 -> p0 (7 < 9); 1 -> p1 (9 < 10)
    assert(plan.partitionOf(0) == 0 && plan.partitionOf(1) == 1 && plan.partitionOf(2) == 1)
    assert(plan.partitionOf(3) == 0 && plan.partitionOf(4) == 1)
  }

  test("never more partitions than inputs; the partitioner follows the plan; deterministic") {
    val plan = PartitionPlan.of(Array(5L, 9L), Array(1.0, 1.0), 8)
    assert(plan.partitions == 2 && plan.partitioner.numPartitions == 2)
    assert(plan.partitioner.getPartition(java.lang.Long.valueOf(9L)) == plan.partitionOf(9))
    val again = PartitionPlan.of(Array(5L, 9L), Array(1.0, 1.0), 8)
    assert(again.partitionOf(5) == plan.partitionOf(5))
    assert(PartitionPlan.of(Array.emptyLongArray, Array.emptyDoubleArray, 4).partitions == 1)
  }

  test("bad plans are rejected with the field named") {
    def msg(f: => Any) = intercept[InvalidInputException](f).getMessage
    assert(msg(PartitionPlan.of(Array(1L), Array(1.0, 2.0), 2)).contains("costs.length = 2"))
    assert(msg(PartitionPlan.of(Array(1L), Array(-1.0), 2)).contains("costs[0] = -1.0"))
    assert(msg(PartitionPlan.of(Array(1L, 1L), Array(1.0, 1.0), 2)).contains("duplicate input index"))
    assert(msg(PartitionPlan.of(Array(1L), Array(1.0), 0)).contains("partitions = 0"))
    assert(msg(PartitionPlan.of(Array(1L), Array(1.0), 1).partitionOf(3)).contains("input_index = 3"))
  }
}
