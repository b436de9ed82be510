package org.padfree.evaluate;

import org.padfree.backend.DeviceRouting;
import org.padfree.backend.DeviceTokens;
import org.padfree.cuda.CudaDevice;
import org.padfree.cudf.CudfDatasetFile;
import org.padfree.cudf.CudfRouting;
import org.padfree.cudf.CudfRuntime;
import org.padfree.dataset.DatasetSchema;
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
   * The batch's layouts built on {@code device} from ids the host holds (a row Spark decoded): one copy
   * of numTokens x topK ints up; everything else is built and stays on the GPU.
   */
  static DeviceRouting build(CudaDevice device, RoutedBatch batch) {
    return CudfRouting.build(device, batch.expertIds(), batch.numExperts(), batch.topK(), batch.batchId());
  }

  /**
   * The per-batch columns of dataset file {@code localPath} read straight onto {@code device} by cuDF's
   * Parquet reader: batch ids and expert_ids, and the activations columns when {@code activations}.
   */
  static DeviceBatchFile open(CudaDevice device, String localPath, boolean activations) {
    CudfDatasetFile file = CudfDatasetFile.read(device, localPath, DatasetSchema.BATCH_ID, DatasetSchema.EXPERT_IDS,
        activations ? DatasetSchema.ACTIVATIONS_FP8 : null, activations ? DatasetSchema.ACTIVATION_SCALES : null);
    return new DeviceBatchFile() {
      @Override
      public String[] batchIds() {
        return file.batchIds();
      }

      @Override
      public boolean hasActivations() {
        return file.hasActivations();
      }

      @Override
      public DeviceRouting routing(long row, RoutedBatch batch) {
        return file.routing(device, row, batch.batchId(), batch.numExperts(), batch.topK(), batch.numTokens());
      }

      @Override
      public Tokens tokens(long row, String batchId, int numTokens, int k) {
        CudfDatasetFile.Tokens lent = file.tokens(row, batchId, numTokens, k);
        if (lent == null) {
          return null;
        }
        return new Tokens() {
          @Override
          public DeviceTokens tokens() {
            return lent.tokens();
          }

          @Override
          public void close() {
            lent.close();
          }
        };
      }

      @Override
      public void close() {
        file.close();
      }
    };
  }
}
