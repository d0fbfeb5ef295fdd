package io.oxbow.engine.type;

import io.oxbow.spi.error.OxbowException;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The engine's classes of values. Each maps to one Java representation: BOOLEAN Boolean, INTEGER
 * Long (whatever the bit width), FLOATING Double, DECIMAL BigDecimal, STRING String, DATE Integer
 * days since the epoch, TIMESTAMP Long microseconds since the epoch, TIME Long microseconds since
 * midnight (0 to 86,399,999,999), INTERVAL_YEAR_MONTH Long months, INTERVAL_DAY_TIME Long
 * microseconds.
 *
 * <p>The Arrow types the engine produces for the new kinds are {@link #TIME_MICRO} ({@code
 * Time(MICROSECOND, 64)}), {@link #INTERVAL_MONTHS} ({@code Interval(YEAR_MONTH)}) and {@link
 * #INTERVAL_MICROS} ({@code Duration(MICROSECOND)}). A day-time interval is one exact count of
 * microseconds, like a TIMESTAMP difference, so {@code Duration} holds it with no loss and keeps
 * TIMESTAMP arithmetic in plain longs. {@code Interval(DAY_TIME)} stops at milliseconds, and {@code
 * Interval(MONTH_DAY_NANO)} would mix months and days that SQL's two interval families keep apart;
 * the Arrow Flight SQL JDBC driver reads {@code Duration} as a {@code java.time.Duration} and
 * {@code Interval(YEAR_MONTH)} as a {@code java.time.Period} (its accessors for MONTH_DAY_NANO
 * return a class of its shaded Arrow copy that client code cannot name). Other Arrow time units
 * (Time32/Time64 of any unit, Duration of any unit, Interval(DAY_TIME)) are read as these kinds.
 */
public enum Kind {
  BOOLEAN,
  INTEGER,
  FLOATING,
  DECIMAL,
  STRING,
  DATE,
  TIMESTAMP,
  TIME,
  INTERVAL_YEAR_MONTH,
  INTERVAL_DAY_TIME,
  NULL;

  /** The kind of an Arrow type, or a USER_ERROR for unsupported types. */
  public static Kind of(ArrowType type) {
    return switch (type.getTypeID()) {
      case Bool -> BOOLEAN;
      case Int -> INTEGER;
      case FloatingPoint -> FLOATING;
      case Decimal -> DECIMAL;
      case Utf8, LargeUtf8 -> STRING;
      case Date -> DATE;
      case Timestamp -> TIMESTAMP;
      case Time -> TIME;
      case Duration -> INTERVAL_DAY_TIME;
      case Interval ->
          switch (((ArrowType.Interval) type).getUnit()) {
            case YEAR_MONTH -> INTERVAL_YEAR_MONTH;
            case DAY_TIME -> INTERVAL_DAY_TIME;
            default -> throw OxbowException.userError("Type %s is not supported yet", type);
          };
      case Null -> NULL;
      default -> throw OxbowException.userError("Type %s is not supported yet", type);
    };
  }

  public boolean isNumeric() {
    return this == INTEGER || this == FLOATING || this == DECIMAL;
  }

  /** Whether values of this kind are intervals (year-month or day-time). */
  public boolean isInterval() {
    return this == INTERVAL_YEAR_MONTH || this == INTERVAL_DAY_TIME;
  }

  /** Common Arrow types, for tests and the planner. */
  public static final ArrowType BOOL = ArrowType.Bool.INSTANCE;

  public static final ArrowType INT32 = new ArrowType.Int(32, true);
  public static final ArrowType INT64 = new ArrowType.Int(64, true);
  public static final ArrowType FLOAT64 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
  public static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
  public static final ArrowType DATE_DAY =
      new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY);
  public static final ArrowType TIMESTAMP_MICRO =
      new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
  public static final ArrowType TIME_MICRO = new ArrowType.Time(TimeUnit.MICROSECOND, 64);
  public static final ArrowType INTERVAL_MONTHS = new ArrowType.Interval(IntervalUnit.YEAR_MONTH);
  public static final ArrowType INTERVAL_MICROS = new ArrowType.Duration(TimeUnit.MICROSECOND);

  public static ArrowType decimal(int precision, int scale) {
    return new ArrowType.Decimal(precision, scale, 128);
  }
}
