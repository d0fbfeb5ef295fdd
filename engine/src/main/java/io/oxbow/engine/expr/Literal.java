package io.oxbow.engine.expr;

import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A constant. The Java value depends on the type: {@code null} for SQL NULL; Boolean for Bool;
 * Byte/Short/Integer/Long for Int(8/16/32/64); Float/Double for FloatingPoint; {@link
 * java.math.BigDecimal} with the type's scale for Decimal; String for Utf8; Integer days since
 * 1970-01-01 for Date(DAY); Long microseconds since the epoch for Timestamp(MICROSECOND).
 */
public record Literal(Object value, ArrowType type) implements Expr {
  /** SQL-like text for plans: strings quoted, dates as {@code date 'yyyy-mm-dd'}. */
  @Override
  public String toString() {
    if (value == null) {
      return "null:" + type;
    }
    if (value instanceof String s) {
      return "'" + s.replace("'", "''") + "'";
    }
    if (type instanceof ArrowType.Date && value instanceof Number days) {
      return "date '" + java.time.LocalDate.ofEpochDay(days.longValue()) + "'";
    }
    return value.toString();
  }
}
