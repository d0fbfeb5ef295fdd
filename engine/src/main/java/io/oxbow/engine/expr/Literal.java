package io.oxbow.engine.expr;

import io.oxbow.engine.type.DateTimes;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A constant. The Java value depends on the type: {@code null} for SQL NULL; Boolean for Bool;
 * Byte/Short/Integer/Long for Int(8/16/32/64); Float/Double for FloatingPoint; {@link
 * java.math.BigDecimal} with the type's scale for Decimal; String for Utf8; Integer days since
 * 1970-01-01 for Date(DAY); Long microseconds since the epoch for Timestamp(MICROSECOND); Long
 * microseconds since midnight for Time; Long months for Interval(YEAR_MONTH); Long microseconds for
 * Duration (day-time intervals).
 */
public record Literal(Object value, ArrowType type) implements Expr {
  /**
   * SQL-like text for plans: strings quoted, dates as {@code date 'yyyy-mm-dd'}, times as {@code
   * time 'hh:mm:ss'}, intervals as {@code interval '1 day 02:00:00'}.
   */
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
    if (type instanceof ArrowType.Time && value instanceof Number micros) {
      return "time '" + DateTimes.timeText(micros.longValue()) + "'";
    }
    if (type instanceof ArrowType.Duration && value instanceof Number micros) {
      return "interval '" + DateTimes.dayTimeText(micros.longValue()) + "'";
    }
    if (type instanceof ArrowType.Interval && value instanceof Number months) {
      return "interval '" + DateTimes.yearMonthText(months.longValue()) + "'";
    }
    return value.toString();
  }
}
