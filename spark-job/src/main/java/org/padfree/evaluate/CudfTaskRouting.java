package org.padfree.evaluate;

import org.padfree.backend.DeviceRouting;
import org.padfree.cuda.CudaDevice;
import org.padfree.cudf.CudfRouting;
import org.padfree.cudf.CudfRuntime;
import org.padfree.routing.RoutedBatch;

/**
 * The executor's calls into cuDF, kept in this one class so that nothing else in the job links a cuDF
 * class: it is loaded only once {@link RoutingPaths} has found the cuDF jar.
 */
final class CudfTaskRouting {
  private CudfTaskRouting() {}

  static void initialize(CudaDevice device, long poolBytes) {
    CudfRuntime.initialize(device, poolBytes);
  }

  /**
   * The batch's layouts built on {@code device}. The expert ids come from the row Spark decoded (one
   * copy of numTokens x topK ints up); everything else is built and stays on the GPU.
   */
  static DeviceRouting build(CudaDevice device, RoutedBatch batch) {
    return CudfRouting.build(device, batch.expertIds(), batch.numExperts(), batch.topK(), batch.batchId());
  }
}
