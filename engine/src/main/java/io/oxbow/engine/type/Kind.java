package io.oxbow.engine.type;

import io.oxbow.spi.error.OxbowException;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The engine's classes of values. Each maps to one Java representation: BOOLEAN Boolean, INTEGER
 * Long (whatever the bit width), FLOATING Double, DECIMAL BigDecimal, STRING String, DATE Integer
 * days since the epoch, TIMESTAMP Long microseconds since the epoch.
 */
public enum Kind {
  BOOLEAN,
  INTEGER,
  FLOATING,
  DECIMAL,
  STRING,
  DATE,
  TIMESTAMP,
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
      case Null -> NULL;
      default -> throw OxbowException.userError("Type %s is not supported yet", type);
    };
  }

  public boolean isNumeric() {
    return this == INTEGER || this == FLOATING || this == DECIMAL;
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

  public static ArrowType decimal(int precision, int scale) {
    return new ArrowType.Decimal(precision, scale, 128);
  }
}
