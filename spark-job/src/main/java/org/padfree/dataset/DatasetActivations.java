package org.padfree.dataset;

import java.util.List;
import org.apache.spark.sql.Row;
import org.padfree.InvalidInputException;
import org.padfree.numerics.Fp8E4M3;
import org.padfree.quant.QuantizedActivations;
import org.padfree.quant.ScaleBlocks;

/**
 * A batch's real activations from a dataset row ({@link DatasetSchema#ACTIVATIONS_FP8} and
 * {@link DatasetSchema#ACTIVATION_SCALES}), checked against the batch and the model before any GEMM
 * uses them: a wrong length, a NaN code or a scale that is not a positive finite number is an error
 * naming the column, the batch and what was expected. Planning never reads these columns.
 */
public final class DatasetActivations {
  private DatasetActivations() {}

  /**
   * The row's activations for a model of hidden size {@code k}, or null when the row carries none (the
   * dataset has no such columns, or both are null for this batch: it uses synthetic ones).
   */
  public static QuantizedActivations of(Row row, int numTokens, int k, String batchId) {
    java.util.Set<String> names = java.util.Set.of(row.schema().fieldNames());
    if (!names.contains(DatasetSchema.ACTIVATIONS_FP8) && !names.contains(DatasetSchema.ACTIVATION_SCALES)) {
      return null;
    }
    Object values = names.contains(DatasetSchema.ACTIVATIONS_FP8) ? row.get(row.fieldIndex(DatasetSchema.ACTIVATIONS_FP8)) : null;
    Object scales = names.contains(DatasetSchema.ACTIVATION_SCALES) ? row.get(row.fieldIndex(DatasetSchema.ACTIVATION_SCALES)) : null;
    return of(values, scales, numTokens, k, batchId);
  }

  /** As {@link #of(Row, int, int, String)}, from the two columns' values. */
  public static QuantizedActivations of(Object values, Object scales, int numTokens, int k, String batchId) {
    String context = " (batch " + batchId + ")";
    if (values == null && scales == null) {
      return null;
    }
    if (values == null || scales == null) {
      throw new InvalidInputException(values == null ? DatasetSchema.ACTIVATIONS_FP8 : DatasetSchema.ACTIVATION_SCALES,
          null, "is null while " + (values == null ? DatasetSchema.ACTIVATION_SCALES : DatasetSchema.ACTIVATIONS_FP8)
              + " is not; a batch has both activations columns or neither" + context);
    }
    if (!(values instanceof byte[] codes)) {
      throw new InvalidInputException(DatasetSchema.ACTIVATIONS_FP8, values.getClass().getSimpleName(),
          "must be binary (FP8 E4M3 codes)" + context);
    }
    float[] s = floats(scales, context);
    long expectedValues = (long) numTokens * k;
    long expectedScales = (long) numTokens * ScaleBlocks.blocks(k);
    check(codes, s, expectedValues, expectedScales, numTokens, k, batchId);
    return new QuantizedActivations(numTokens, k, codes, s);
  }

  /** The lengths, codes and scales of a batch's activations; errors name the column and the batch. */
  public static void check(byte[] codes, float[] scales, long expectedValues, long expectedScales, int numTokens, int k,
      String batchId) {
    String context = " (batch " + batchId + ")";
    if (codes.length != expectedValues) {
      throw new InvalidInputException(DatasetSchema.ACTIVATIONS_FP8, codes.length + " bytes", "expected num_tokens="
          + numTokens + " x hidden=" + k + " = " + expectedValues + " (the model's gate_up K)" + context);
    }
    if (scales.length != expectedScales) {
      throw new InvalidInputException(DatasetSchema.ACTIVATION_SCALES, scales.length + " floats", "expected num_tokens="
          + numTokens + " x ceil(hidden=" + k + " / 128) = " + expectedScales + context);
    }
    for (int i = 0; i < codes.length; i++) {
      if (Fp8E4M3.isNaN(codes[i])) {
        throw new InvalidInputException(DatasetSchema.ACTIVATIONS_FP8 + "[" + i + "]", codes[i] & 0xFF,
            "is an FP8 NaN code (token " + i / k + ")" + context);
      }
    }
    for (int i = 0; i < scales.length; i++) {
      if (!(scales[i] > 0) || !Float.isFinite(scales[i])) {
        throw new InvalidInputException(DatasetSchema.ACTIVATION_SCALES + "[" + i + "]", scales[i],
            "a scale must be a positive finite number" + context);
      }
    }
  }

  private static float[] floats(Object scales, String context) {
    if (scales instanceof float[] f) {
      return f;
    }
    List<?> boxed;
    if (scales instanceof List<?> list) {
      boxed = list;
    } else if (scales instanceof scala.collection.Seq<?> seq) {
      boxed = scala.jdk.javaapi.CollectionConverters.asJava(seq);
    } else {
      throw new InvalidInputException(DatasetSchema.ACTIVATION_SCALES, scales.getClass().getSimpleName(),
          "must be an array of float" + context);
    }
    float[] out = new float[boxed.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(boxed.get(i) instanceof Float f)) {
        throw new InvalidInputException(DatasetSchema.ACTIVATION_SCALES + "[" + i + "]", boxed.get(i), "must be a float" + context);
      }
      out[i] = f;
    }
    return out;
  }
}
