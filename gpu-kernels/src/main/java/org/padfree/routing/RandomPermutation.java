package org.padfree.routing;

import java.util.SplittableRandom;

/** Seeded Fisher-Yates shuffles; the only source of randomness is the generator passed in. */
final class RandomPermutation {
  private RandomPermutation() {}

  /** A uniformly random permutation of {@code 0 .. n-1}. */
  static int[] of(int n, SplittableRandom random) {
    int[] permutation = new int[n];
    for (int i = 0; i < n; i++) {
      permutation[i] = i;
    }
    shuffle(permutation, 0, n, random);
    return permutation;
  }

  /** Shuffles {@code values[from .. to-1]} in place. */
  static void shuffle(int[] values, int from, int to, SplittableRandom random) {
    for (int i = to - 1; i > from; i--) {
      int j = from + random.nextInt(i - from + 1);
      int swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
  }

  /** Shuffles the order of {@code rows} consecutive rows of {@code width} values each, in place. */
  static void shuffleRows(int[] values, int rows, int width, SplittableRandom random) {
    int[] swap = new int[width];
    for (int i = rows - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      if (j != i) {
        System.arraycopy(values, i * width, swap, 0, width);
        System.arraycopy(values, j * width, values, i * width, width);
        System.arraycopy(swap, 0, values, j * width, width);
      }
    }
  }
}
