package io.oxbow.engine.type;

import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.IntervalDayVector;
import org.apache.arrow.vector.IntervalYearVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/** Reads and writes single vector slots using the Java values documented on {@link Kind}. */
public final class Values {
  private Values() {}

  /** A new empty nullable vector of {@code type}. */
  public static FieldVector newVector(String name, ArrowType type, BufferAllocator allocator) {
    Field field = new Field(name, FieldType.nullable(type), null);
    return field.createVector(allocator);
  }

  /** The value at {@code index}, or null. */
  public static Object get(ValueVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    if (vector instanceof BigIntVector v) {
      return v.get(index);
    }
    if (vector instanceof IntVector v) {
      return (long) v.get(index);
    }
    if (vector instanceof SmallIntVector v) {
      return (long) v.get(index);
    }
    if (vector instanceof TinyIntVector v) {
      return (long) v.get(index);
    }
    if (vector instanceof Float8Vector v) {
      return v.get(index);
    }
    if (vector instanceof Float4Vector v) {
      return (double) v.get(index);
    }
    if (vector instanceof DecimalVector v) {
      return v.getObject(index);
    }
    if (vector instanceof VarCharVector v) {
      return new String(v.get(index), StandardCharsets.UTF_8);
    }
    if (vector instanceof DateDayVector v) {
      return v.get(index);
    }
    if (vector instanceof DateMilliVector v) {
      return (int) Math.floorDiv(v.get(index), 86_400_000L);
    }
    if (vector instanceof TimeStampVector v) {
      return v.get(index);
    }
    if (vector instanceof BitVector v) {
      return v.get(index) != 0;
    }
    if (vector instanceof TimeMicroVector v) {
      return v.get(index);
    }
    if (vector instanceof DurationVector v) {
      return toMicros(DurationVector.get(v.getDataBuffer(), index), v.getUnit());
    }
    if (vector instanceof IntervalYearVector v) {
      return (long) v.get(index);
    }
    if (vector instanceof TimeMilliVector v) {
      return v.get(index) * 1_000L;
    }
    if (vector instanceof TimeSecVector v) {
      return v.get(index) * 1_000_000L;
    }
    if (vector instanceof TimeNanoVector v) {
      return Math.floorDiv(v.get(index), 1_000L);
    }
    if (vector instanceof IntervalDayVector v) {
      return IntervalDayVector.getDays(v.getDataBuffer(), index) * DateTimes.MICROS_PER_DAY
          + IntervalDayVector.getMilliseconds(v.getDataBuffer(), index) * 1_000L;
    }
    if (vector instanceof NullVector) {
      return null;
    }
    throw OxbowException.userError("Type %s is not supported yet", vector.getField().getType());
  }

  /** Writes {@code value} (a Java value of the vector's kind, or null) at {@code index}. */
  public static void set(ValueVector vector, int index, Object value) {
    if (value == null) {
      setNull(vector, index);
      return;
    }
    if (vector instanceof BigIntVector v) {
      v.setSafe(index, ((Number) value).longValue());
    } else if (vector instanceof IntVector v) {
      v.setSafe(index, Math.toIntExact(((Number) value).longValue()));
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(index, (short) ((Number) value).longValue());
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(index, (byte) ((Number) value).longValue());
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(index, ((Number) value).doubleValue());
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(index, ((Number) value).floatValue());
    } else if (vector instanceof DecimalVector v) {
      BigDecimal decimal = (BigDecimal) value;
      BigDecimal scaled = decimal.setScale(v.getScale(), RoundingMode.HALF_UP);
      if (scaled.precision() > v.getPrecision() && scaled.signum() != 0) {
        throw OxbowException.userError(
            "Decimal overflow: %s does not fit DECIMAL(%d, %d)",
            decimal.toPlainString(), v.getPrecision(), v.getScale());
      }
      v.setSafe(index, scaled);
    } else if (vector instanceof VarCharVector v) {
      v.setSafe(index, value.toString().getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(index, ((Number) value).intValue());
    } else if (vector instanceof TimeStampVector v) {
      v.setSafe(index, ((Number) value).longValue());
    } else if (vector instanceof BitVector v) {
      v.setSafe(index, ((Boolean) value) ? 1 : 0);
    } else if (vector instanceof TimeMicroVector v) {
      v.setSafe(index, ((Number) value).longValue());
    } else if (vector instanceof DurationVector v) {
      v.setSafe(index, fromMicros(((Number) value).longValue(), v.getUnit()));
    } else if (vector instanceof IntervalYearVector v) {
      v.setSafe(index, Math.toIntExact(((Number) value).longValue()));
    } else if (vector instanceof TimeMilliVector v) {
      v.setSafe(index, (int) Math.floorDiv(((Number) value).longValue(), 1_000L));
    } else if (vector instanceof TimeSecVector v) {
      v.setSafe(index, (int) Math.floorDiv(((Number) value).longValue(), 1_000_000L));
    } else if (vector instanceof TimeNanoVector v) {
      v.setSafe(index, Math.multiplyExact(((Number) value).longValue(), 1_000L));
    } else if (vector instanceof IntervalDayVector v) {
      long micros = ((Number) value).longValue();
      v.setSafe(
          index,
          Math.toIntExact(micros / DateTimes.MICROS_PER_DAY),
          Math.toIntExact(micros % DateTimes.MICROS_PER_DAY / 1_000L));
    } else {
      throw OxbowException.userError("Type %s is not supported yet", vector.getField().getType());
    }
  }

  /**
   * {@code value} in {@code unit} as microseconds (nanoseconds round towards negative infinity).
   */
  public static long toMicros(long value, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> Math.multiplyExact(value, 1_000_000L);
      case MILLISECOND -> Math.multiplyExact(value, 1_000L);
      case MICROSECOND -> value;
      case NANOSECOND -> Math.floorDiv(value, 1_000L);
    };
  }

  /** Microseconds as a count of {@code unit} (coarser units round towards negative infinity). */
  public static long fromMicros(long micros, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> Math.floorDiv(micros, 1_000_000L);
      case MILLISECOND -> Math.floorDiv(micros, 1_000L);
      case MICROSECOND -> micros;
      case NANOSECOND -> Math.multiplyExact(micros, 1_000L);
    };
  }

  /** Marks {@code index} null, growing the vector if needed. */
  public static void setNull(ValueVector vector, int index) {
    if (vector instanceof BaseFixedWidthVector v) {
      v.setNull(index);
      if (index >= v.getValueCapacity()) {
        v.setNull(index);
      }
    } else if (vector instanceof VarCharVector v) {
      v.setNull(index);
    } else if (!(vector instanceof NullVector)) {
      throw OxbowException.userError("Type %s is not supported yet", vector.getField().getType());
    }
  }

  /** Compares two non-null values of the same kind. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static int compare(Object a, Object b) {
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (a instanceof Number x && b instanceof Number y && !(a instanceof BigDecimal)) {
      if (b instanceof BigDecimal) {
        return new BigDecimal(x.toString()).compareTo((BigDecimal) b);
      }
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof BigDecimal x && b instanceof Number y) {
      return x.compareTo(y instanceof BigDecimal d ? d : new BigDecimal(y.toString()));
    }
    return ((Comparable) a).compareTo(b);
  }
}
