package io.oxbow.engine.exec;

/** A stable merge sort of a {@code long[]} under a custom order, without boxing. */
final class LongSort {
  /** An order on longs. */
  interface LongComparator {
    int compare(long a, long b);
  }

  private static final int INSERTION = 32;

  private LongSort() {}

  static void sort(long[] values, LongComparator comparator) {
    if (values.length < 2) {
      return;
    }
    long[] buffer = values.clone();
    mergeSort(buffer, values, 0, values.length, comparator);
  }

  /** Sorts {@code src[from, to)} into {@code dst[from, to)}; both start with the same content. */
  private static void mergeSort(long[] src, long[] dst, int from, int to, LongComparator c) {
    int length = to - from;
    if (length <= INSERTION) {
      for (int i = from + 1; i < to; i++) {
        long v = dst[i];
        int j = i - 1;
        while (j >= from && c.compare(dst[j], v) > 0) {
          dst[j + 1] = dst[j];
          j--;
        }
        dst[j + 1] = v;
      }
      return;
    }
    int mid = (from + to) >>> 1;
    mergeSort(dst, src, from, mid, c);
    mergeSort(dst, src, mid, to, c);
    if (c.compare(src[mid - 1], src[mid]) <= 0) {
      System.arraycopy(src, from, dst, from, length);
      return;
    }
    int p = from;
    int q = mid;
    for (int i = from; i < to; i++) {
      if (q >= to || (p < mid && c.compare(src[p], src[q]) <= 0)) {
        dst[i] = src[p++];
      } else {
        dst[i] = src[q++];
      }
    }
  }
}
