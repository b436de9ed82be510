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

  // Inputs read by their tasks from data files: indices 0.. in file order, `perFile` to a file.
  private def filed(files: Int, perFile: Int, cost: Int => Double = _ => 10.0) = {
    val n = files * perFile
    (Array.tabulate(n)(_.toLong), Array.tabulate(n)(cost), Array.tabulate(n)(i => s"part-${i / perFile}.parquet"))
  }

  private def filesOf(plan: PartitionPlan, indices: Array[Long], files: Array[String]) =
    indices.indices.groupBy(i => plan.partitionOf(indices(i))).view.mapValues(_.map(files).toSet).toMap

  test("read in the tasks: with as many files as tasks, each task reads one whole file") {
    val (indices, costs, files) = filed(8, 8)
    val plan = PartitionPlan.of(indices, costs, files, 8)
    val perTask = filesOf(plan, indices, files)
    assert(perTask.size == 8 && perTask.values.forall(_.size == 1), perTask)
    assert((0 until 8).forall(plan.inputsIn(_) == 8))
    assert(plan.mostFilesPerTask(indices, files) == 1)
    // Input by input, the same inputs spread every file over several tasks.
    val loose = PartitionPlan.of(indices, costs, 8)
    assert(loose.mostFilesPerTask(indices, files) > 1)
  }

  test("read in the tasks: a file larger than a task's share is cut into runs of consecutive batches") {
    val (indices, costs, files) = filed(2, 8)
    val plan = PartitionPlan.of(indices, costs, files, 8)
    assert(plan.mostFilesPerTask(indices, files) == 1)
    assert((0 until 8).forall(plan.inputsIn(_) == 2), "8 equal runs of 2 batches")
    for (p <- 0 until 8) {
      val mine = indices.filter(i => plan.partitionOf(i) == p).sorted
      assert(mine.length == 2 && mine(1) == mine(0) + 1, s"task $p holds a run of consecutive batches: ${mine.toSeq}")
    }
  }

  test("read in the tasks: runs cross file ends to keep the tasks balanced; else the input-by-input plan") {
    // 8 equal files on 12 tasks: whole files would leave 4 tasks idle; runs of 4 batches balance them
    val (indices, costs, files) = filed(8, 6)
    val plan = PartitionPlan.of(indices, costs, files, 12)
    val load = (0 until 12).map(p => indices.filter(i => plan.partitionOf(i) == p).map(i => costs(i.toInt)).sum)
    val byInput = PartitionPlan.of(indices, costs, 12)
    val loadByInput = (0 until 12).map(p => indices.filter(i => byInput.partitionOf(i) == p).map(i => costs(i.toInt)).sum)
    assert(load.max <= loadByInput.max * (1 + PartitionPlan.BALANCE_SLACK), s"$load against $loadByInput")
    assert(plan.mostFilesPerTask(indices, files) <= 2, filesOf(plan, indices, files))
    // Unequal batches inside files: the longest task stays within the slack of the input-by-input plan's
    // (batches of 4096-8192 tokens, as the default dataset's, 64 to a file)
    val (ui, uc, uf) = filed(6, 64, i => 4096.0 + (i * 2654435761L % 4096))
    val grouped = PartitionPlan.of(ui, uc, uf, 8)
    val loose = PartitionPlan.of(ui, uc, 8)
    def longest(p: PartitionPlan) = (0 until p.partitions).map(t => ui.filter(i => p.partitionOf(i) == t).map(i => uc(i.toInt)).sum).max
    assert(longest(grouped) <= longest(loose) * (1 + PartitionPlan.BALANCE_SLACK))
    assert(grouped.mostFilesPerTask(ui, uf) <= 2 && loose.mostFilesPerTask(ui, uf) == 6,
      (grouped.mostFilesPerTask(ui, uf), loose.mostFilesPerTask(ui, uf)))
  }

  test("inputs without a file, or mixed with filed ones, are placed one by one, as before") {
    val (indices, costs, _) = filed(3, 5)
    val byInput = PartitionPlan.of(indices, costs, 4)
    val none = PartitionPlan.of(indices, costs, Array.fill[String](indices.length)(null), 4)
    val mixed = PartitionPlan.of(indices, costs,
      Array.tabulate[String](indices.length)(i => if (i % 2 == 0) s"f${i / 6}" else null), 4)
    assert(indices.forall(i => none.partitionOf(i) == byInput.partitionOf(i) && mixed.partitionOf(i) == byInput.partitionOf(i)))
    // one huge batch in a file still gets a task to itself
    val (hi, hc, hf) = filed(2, 6, i => if (i == 3) 1000.0 else 10.0)
    val huge = PartitionPlan.of(hi, hc, hf, 4)
    assert(huge.inputsIn(huge.partitionOf(3)) == 1, "the huge batch has a task to itself")
  }

  test("bad plans are rejected with the field named") {
    def msg(f: => Any) = intercept[InvalidInputException](f).getMessage
    assert(msg(PartitionPlan.of(Array(1L), Array(1.0, 2.0), 2)).contains("costs.length = 2"))
    assert(msg(PartitionPlan.of(Array(1L), Array(-1.0), 2)).contains("costs[0] = -1.0"))
    assert(msg(PartitionPlan.of(Array(1L, 1L), Array(1.0, 1.0), 2)).contains("duplicate input index"))
    assert(msg(PartitionPlan.of(Array(1L), Array(1.0), 0)).contains("partitions = 0"))
    assert(msg(PartitionPlan.of(Array(1L), Array(1.0), 1).partitionOf(3)).contains("input_index = 3"))
    assert(msg(PartitionPlan.of(Array(1L), Array(1.0), Array[String](), 1)).contains("files.length = 0"))
    assert(msg(PartitionPlan.of(Array(1L, 1L), Array(1.0, 1.0), Array("f", "f"), 2)).contains("duplicate input index"))
  }
}
