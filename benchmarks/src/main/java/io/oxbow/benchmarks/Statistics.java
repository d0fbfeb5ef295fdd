package io.oxbow.benchmarks;

import java.util.Arrays;
import java.util.List;

/** The few statistics the benchmarks report: medians of repetitions and geometric means. */
public final class Statistics {
  private Statistics() {}

  /** The median of {@code values} (the mean of the middle two for an even count). */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("median of no values");
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  /** The geometric mean of positive {@code values}, computed through logarithms. */
  public static double geometricMean(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("geometric mean of no values");
    }
    double logSum = 0;
    for (double value : values) {
      if (!(value > 0)) {
        throw new IllegalArgumentException("geometric mean needs positive values, not " + value);
      }
      logSum += Math.log(value);
    }
    return Math.exp(logSum / values.size());
  }
}
