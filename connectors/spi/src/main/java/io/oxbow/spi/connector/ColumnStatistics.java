package io.oxbow.spi.connector;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What a connector knows cheaply about one column, for the optimiser's estimates. Either part may
 * be unknown; estimates may be approximate, never a promise about the data.
 *
 * @param nullCount the number of nulls
 * @param distinctValues an estimate of the number of distinct non-null values
 */
public record ColumnStatistics(OptionalLong nullCount, OptionalDouble distinctValues) {
  public static final ColumnStatistics UNKNOWN =
      new ColumnStatistics(OptionalLong.empty(), OptionalDouble.empty());
}
