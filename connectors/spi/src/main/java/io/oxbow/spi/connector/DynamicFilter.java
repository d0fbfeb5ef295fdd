package io.oxbow.spi.connector;

import java.util.Objects;

/**
 * A filter on one integer-like column of a scan that the engine learns while the query runs: the
 * keys of a hash join's build side, offered to the probe side's scan before it opens its splits. A
 * connector may use it to skip data (files, row groups, pages by {@code [min, max]}; rows by {@link
 * KeySet#contains}); it never has to, because the join still drops every row without a match. It
 * applies to columns whose values a connector reads as Java {@code long}s: the integer types and
 * {@code DATE} as days since the epoch.
 *
 * @param column the probe column's name, as in the table's schema
 * @param min the smallest build key
 * @param max the largest build key
 * @param keys the exact set of build keys, or null when the engine offers only the range
 */
public record DynamicFilter(String column, long min, long max, KeySet keys) {
  /** Membership in a join's build keys; thread-safe, immutable. */
  public interface KeySet {
    /** Whether {@code key} is one of the build keys. */
    boolean contains(long key);

    /** The number of distinct keys in the set. */
    long size();

    /**
     * Clears {@code keep[i]} for each {@code i < n} whose {@code values[i]} is not in the set (a
     * cleared flag stays cleared): {@link #contains} over a batch, which an implementation may do
     * faster than one call per value.
     */
    default void retain(long[] values, int n, boolean[] keep) {
      for (int i = 0; i < n; i++) {
        if (keep[i] && !contains(values[i])) {
          keep[i] = false;
        }
      }
    }
  }

  public DynamicFilter {
    Objects.requireNonNull(column, "column");
    if (min > max) {
      throw new IllegalArgumentException("min " + min + " > max " + max);
    }
  }

  /** Whether a value may match: inside the range and, when the set is known, in the set. */
  public boolean mightMatch(long value) {
    return value >= min && value <= max && (keys == null || keys.contains(value));
  }

  /** The range as a pushdown predicate, for connectors that skip by statistics. */
  public ColumnPredicate range() {
    return new ColumnPredicate(column, ColumnPredicate.Op.BETWEEN, java.util.List.of(min, max));
  }

  @Override
  public String toString() {
    return column
        + " BETWEEN "
        + min
        + " AND "
        + max
        + (keys == null ? "" : " IN " + keys.size() + " keys");
  }
}
