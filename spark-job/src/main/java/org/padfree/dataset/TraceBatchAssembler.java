package org.padfree.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.padfree.InvalidInputException;
import org.padfree.model.ModelShape;
import org.padfree.routing.RoutedBatch;

/**
 * Builds routed batches from a trace's rows grouped by batch (driver side, after
 * {@link TraceReader} has checked ids, ranges and signs). Token ids need not be dense: tokens are
 * renumbered 0.. in ascending id order, and each token's experts are listed in ascending order, so
 * the result does not depend on the order Spark happened to return the rows in.
 */
final class TraceBatchAssembler {
  private TraceBatchAssembler() {}

  /**
   * @param grouped rows of (batch_id, pairs) sorted by batch_id; pairs are (token: long, expert: int)
   *     for the tokens form and (expert: int, count: int) for the counts form
   */
  static List<TraceBatch> assemble(List<Row> grouped, TraceReader.Form form, ModelShape model, long seed) {
    SplittableRandom seeds = new SplittableRandom(seed);
    List<TraceBatch> batches = new ArrayList<>(grouped.size());
    for (Row row : grouped) {
      String batchId = row.getString(0);
      List<Row> pairs = row.getList(1);
      long batchSeed = seeds.nextLong();
      try {
        batches.add(TraceBatch.ok(form == TraceReader.Form.TOKENS
            ? fromTokens(batchId, pairs, model, batchSeed)
            : fromCounts(batchId, pairs, model, batchSeed)));
      } catch (InvalidInputException e) {
        batches.add(TraceBatch.failed(batchId, e)); // one bad batch must not cost the others
      }
    }
    return batches;
  }

  private static RoutedBatch fromTokens(String batchId, List<Row> pairs, ModelShape model, long seed) {
    long[][] sorted = new long[pairs.size()][];
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] = new long[] {pairs.get(i).getLong(0), pairs.get(i).getInt(1)};
    }
    Arrays.sort(sorted, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    int topK = rowsOfToken(sorted, 0);
    int[] expertIds = new int[sorted.length];
    for (int start = 0; start < sorted.length; start += topK) {
      int rows = rowsOfToken(sorted, start);
      if (rows != topK) {
        throw new InvalidInputException("top_k", rows, "token " + sorted[start][0] + " has " + rows
            + " routed experts but token " + sorted[0][0] + " has " + topK
            + "; every token of a batch needs the same number (batch " + batchId + ")");
      }
      for (int j = 0; j < topK; j++) {
        long expert = sorted[start + j][1];
        if (j > 0 && expert == sorted[start + j - 1][1]) {
          throw new InvalidInputException(TraceReader.EXPERT, expert, "token " + sorted[start][0]
              + " lists this expert twice (batch " + batchId + ")");
        }
        expertIds[start + j] = (int) expert;
      }
    }
    int numTokens = sorted.length / topK;
    return new RoutedBatch(batchId, model.name(), TraceReader.TRACE_DISTRIBUTION, model.experts(), topK,
        numTokens, expertIds, seed);
  }

  /** Rows that share the token id of row {@code start}. */
  private static int rowsOfToken(long[][] sorted, int start) {
    int end = start;
    while (end < sorted.length && sorted[end][0] == sorted[start][0]) {
      end++;
    }
    return end - start;
  }

  private static RoutedBatch fromCounts(String batchId, List<Row> pairs, ModelShape model, long seed) {
    int[] counts = new int[model.experts()];
    boolean[] seen = new boolean[model.experts()];
    for (Row pair : pairs) {
      int expert = pair.getInt(0);
      if (seen[expert]) {
        throw new InvalidInputException(TraceReader.EXPERT, expert,
            "listed twice in the counts of batch " + batchId);
      }
      seen[expert] = true;
      counts[expert] = pair.getInt(1);
    }
    return RoutedBatch.fromCounts(batchId, model.name(), TraceReader.TRACE_DISTRIBUTION, model.topK(), counts, seed);
  }
}
