package io.oxbow.engine.expr;

import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A constant. The Java value depends on the type: {@code null} for SQL NULL; Boolean for Bool;
 * Byte/Short/Integer/Long for Int(8/16/32/64); Float/Double for FloatingPoint; {@link
 * java.math.BigDecimal} with the type's scale for Decimal; String for Utf8; Integer days since
 * 1970-01-01 for Date(DAY); Long microseconds since the epoch for Timestamp(MICROSECOND).
 */
public record Literal(Object value, ArrowType type) implements Expr {
  @Override
  public String toString() {
    return value == null
        ? "null:" + type
        : value instanceof String s ? "'" + s + "'" : value.toString();
  }
}
