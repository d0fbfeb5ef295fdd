package io.oxbow.spi.connector;

import java.util.List;
import java.util.Objects;

/**
 * One conjunct of a scan's filter, offered to a connector for pushdown. Values are Java objects of
 * the column's type: {@code Long} (every integer type), {@code Double} (both floating-point types),
 * {@code java.math.BigDecimal}, {@code String}, {@code Boolean}, {@code java.time.LocalDate},
 * {@code java.time.LocalDateTime} (a timestamp's UTC wall-clock time, microsecond precision). No
 * value is null.
 *
 * @param column the column's name, as in the table's schema
 * @param op the comparison
 * @param values none for IS_NULL and IS_NOT_NULL, two for BETWEEN (low, high, both inclusive), one
 *     or more for IN, one otherwise
 */
public record ColumnPredicate(String column, Op op, List<Object> values) {
  /** The comparisons a connector may be offered. */
  public enum Op {
    EQ,
    NE,
    LT,
    LE,
    GT,
    GE,
    BETWEEN,
    IN,
    IS_NULL,
    IS_NOT_NULL
  }

  public ColumnPredicate {
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(op, "op");
    values = List.copyOf(values);
  }

  @Override
  public String toString() {
    return switch (op) {
      case IS_NULL -> column + " IS NULL";
      case IS_NOT_NULL -> column + " IS NOT NULL";
      case BETWEEN -> column + " BETWEEN " + values.get(0) + " AND " + values.get(1);
      case IN -> column + " IN " + values;
      default -> column + " " + op + " " + values.get(0);
    };
  }
}
