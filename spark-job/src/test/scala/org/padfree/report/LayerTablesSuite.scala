package org.padfree.report

import scala.jdk.CollectionConverters._
import org.padfree.render.HumanFormat
import org.padfree.results.{BatchStatus, LayerResult}
import org.scalatest.funsuite.AnyFunSuite

/** The layer tables' fused columns: present only for runs that timed the fused epilogue, with the right figures. */
class LayerTablesSuite extends AnyFunSuite {

  private def layer(model: String, unfused: java.lang.Double, fused: java.lang.Double): LayerResult =
    new LayerResult("r", "d", 0, "b", model, "uniform30", 8, 2, 100, 256, 128, 200, 256, BatchStatus.OK, "",
      4.0, 3.0, 4.0 / 3, fused, unfused, 3000, 2000, 1000, 1.0 / 3, true, 4, 3e-4, 2e-3, true,
      2, 3, 0.01, 50, 0.1, 0.2, 0.1, 0.15, 0.09, 0.12, 0.08, 0.11, "cuda", "H200", "0", "h", 16, 10.0)

  test("fused columns: median of unfused / fused per batch, min and max; batches without a fused time do not count") {
    val rows = Seq(layer("m", 3.0, 2.0), layer("m", 3.0, 3.0), layer("m", 2.0, 4.0), layer("m", 3.0, null)).asJava
    val total = LayerSummary.of(rows).asScala.find(_.isRunTotal).get
    assert(total.fusedSpeedupP50 == 1.0 && total.fusedSpeedupMin == 0.5 && total.fusedSpeedupMax == 1.5, total)
    assert(total.fusedMsP50 == 3.0, total)
    val table = LayerTables.layerTables(rows).asScala.head
    val at = table.headers.asScala.indexOf("fused speedup p50 (min-max)")
    assert(at >= 0, table.headers)
    assert(table.rows.asScala.last.get(at) == s"${HumanFormat.ratio(1.0)} (${HumanFormat.ratio(0.5)}-${HumanFormat.ratio(1.5)})")
  }

  test("a run that timed no fused layer (CPU, or fused off) has no fused columns, and NaN fused figures") {
    val rows = Seq(layer("m", null, null), layer("m", 3.0, null)).asJava
    assert(!LayerTables.layerTables(rows).asScala.head.headers.asScala.exists(_.startsWith("fused")))
    val total = LayerSummary.of(rows).asScala.find(_.isRunTotal).get
    assert(total.fusedSpeedupP50.isNaN && total.fusedMsP50.isNaN)
  }
}
