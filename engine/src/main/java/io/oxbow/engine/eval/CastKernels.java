package io.oxbow.engine.eval;

import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Typed CAST loops for the common directions (integer, decimal, double, date, timestamp, and string
 * to date) and EXTRACT of date fields by civil-date arithmetic. A row the fast loop cannot convert
 * exactly (out of range, beyond 64 bits, text that is not a plain {@code yyyy-mm-dd}) is converted
 * by {@link Functions#cast}, so results and error messages are those of the generic path.
 */
final class CastKernels {
  private static final long MICROS_PER_DAY = 86_400_000_000L;
  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private CastKernels() {}

  /** Whether {@link #cast} has a loop for {@code from} to {@code to}. */
  static boolean supports(ArrowType from, ArrowType to) {
    Kind f = Kind.of(from);
    if (!writable(to)) {
      return false;
    }
    Kind t = Kind.of(to);
    return switch (f) {
      case INTEGER -> t == Kind.INTEGER || t == Kind.DECIMAL || t == Kind.FLOATING;
      case DECIMAL ->
          ((ArrowType.Decimal) from).getBitWidth() == 128
              && (t == Kind.INTEGER || t == Kind.DECIMAL || t == Kind.FLOATING);
      case DATE -> t == Kind.TIMESTAMP && ((ArrowType.Date) from).getUnit() == DateUnit.DAY;
      case TIMESTAMP ->
          t == Kind.DATE && ((ArrowType.Timestamp) from).getUnit() == TimeUnit.MICROSECOND;
      case STRING -> t == Kind.DATE && from.getTypeID() == ArrowType.ArrowTypeID.Utf8;
      default -> false;
    };
  }

  private static boolean writable(ArrowType to) {
    return switch (to.getTypeID()) {
      case Int -> ((ArrowType.Int) to).getIsSigned();
      case Decimal -> ((ArrowType.Decimal) to).getBitWidth() == 128;
      case FloatingPoint ->
          ((ArrowType.FloatingPoint) to).getPrecision() == FloatingPointPrecision.DOUBLE;
      case Date -> ((ArrowType.Date) to).getUnit() == DateUnit.DAY;
      case Timestamp ->
          ((ArrowType.Timestamp) to).getUnit() == TimeUnit.MICROSECOND
              && ((ArrowType.Timestamp) to).getTimezone() == null;
      default -> false;
    };
  }

  static FieldVector cast(
      Operand x, ArrowType from, ArrowType to, int n, BufferAllocator allocator) {
    FieldVector out = Values.newVector("CAST", to, allocator);
    try {
      out.setInitialCapacity(n);
      out.allocateNew();
      x.copyValidity(out.getValidityBuffer(), n);
      // slow[i]: convert row i through the generic path
      boolean[] slow = new boolean[n];
      long[] result = new long[n];
      Kind f = Kind.of(from);
      Kind t = Kind.of(to);
      switch (f) {
        case INTEGER -> {
          long[] v = PredicateKernels.longs(x, n);
          if (t == Kind.FLOATING) {
            ArrowBuf data = out.getDataBuffer();
            for (int i = 0; i < n; i++) {
              data.setDouble((long) i * 8, (double) v[i]);
            }
            out.setValueCount(n);
            return out;
          }
          if (t == Kind.DECIMAL) {
            ArrowType.Decimal d = (ArrowType.Decimal) to;
            toDecimal(v, 0, d, slow, result, n);
          } else {
            System.arraycopy(v, 0, result, 0, n);
          }
        }
        case DECIMAL -> {
          int scale = ((ArrowType.Decimal) from).getScale();
          ArrowBuf in = x.vector.getDataBuffer();
          long[] v = new long[n];
          for (int i = 0; i < n; i++) {
            long offset = (long) x.position(i) * DecimalVector.TYPE_WIDTH;
            long low = in.getLong(offset);
            v[i] = low;
            slow[i] = in.getLong(offset + 8) != (low >> 63);
          }
          if (t == Kind.FLOATING) {
            ArrowBuf data = out.getDataBuffer();
            boolean exact = scale <= 22;
            double divisor = Math.pow(10, scale);
            for (int i = 0; i < n; i++) {
              // both operands exact, so the quotient is correctly rounded like BigDecimal's
              if (!slow[i] && exact && Math.abs(v[i]) < (1L << 53)) {
                data.setDouble((long) i * 8, v[i] / divisor);
              } else {
                slow[i] = true;
              }
            }
            finishSlow(out, x, from, to, slow, n);
            out.setValueCount(n);
            return out;
          }
          if (t == Kind.DECIMAL) {
            toDecimal(v, scale, (ArrowType.Decimal) to, slow, result, n);
          } else {
            for (int i = 0; i < n; i++) {
              if (!slow[i]) {
                result[i] = scale < POW10.length ? Kernels.rescale(v[i], scale, 0) : 0;
                slow[i] = scale >= POW10.length;
              }
            }
          }
        }
        case DATE -> {
          long[] v = PredicateKernels.longs(x, n);
          for (int i = 0; i < n; i++) {
            result[i] = v[i] * MICROS_PER_DAY;
          }
        }
        case TIMESTAMP -> {
          long[] v = PredicateKernels.longs(x, n);
          for (int i = 0; i < n; i++) {
            result[i] = Math.floorDiv(v[i], MICROS_PER_DAY);
          }
        }
        case STRING -> parseDates((VarCharVector) x.vector, x, slow, result, n);
        default -> throw new IllegalArgumentException(f + " to " + t);
      }
      if (t == Kind.INTEGER) {
        int bits = ((ArrowType.Int) to).getBitWidth();
        long min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        for (int i = 0; i < n; i++) {
          slow[i] |= result[i] < min || result[i] > max;
        }
      }
      writeLongs(out, result, slow, n);
      finishSlow(out, x, from, to, slow, n);
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** Unscaled values at {@code scale} to unscaled values of {@code to}, rounding half up. */
  private static void toDecimal(
      long[] v, int scale, ArrowType.Decimal to, boolean[] slow, long[] result, int n) {
    int precision = to.getPrecision();
    int target = to.getScale();
    if (precision > 18 || Math.abs(target - scale) >= POW10.length) {
      // results may not fit a long or the scale step is out of the table: no fast rows
      java.util.Arrays.fill(slow, true);
      return;
    }
    long limit = POW10[precision];
    for (int i = 0; i < n; i++) {
      if (slow[i]) {
        continue;
      }
      try {
        long r = Kernels.rescale(v[i], scale, target);
        if (r >= limit || r <= -limit) {
          slow[i] = true; // the generic path reports the overflow
        } else {
          result[i] = r;
        }
      } catch (ArithmeticException overflow) {
        slow[i] = true;
      }
    }
  }

  private static void writeLongs(FieldVector out, long[] r, boolean[] slow, int n) {
    ArrowBuf data = out.getDataBuffer();
    if (out instanceof BigIntVector || out instanceof TimeStampMicroVector) {
      for (int i = 0; i < n; i++) {
        data.setLong((long) i * 8, r[i]);
      }
    } else if (out instanceof IntVector || out instanceof DateDayVector) {
      for (int i = 0; i < n; i++) {
        data.setInt((long) i * 4, (int) r[i]);
      }
    } else if (out instanceof SmallIntVector) {
      for (int i = 0; i < n; i++) {
        data.setShort((long) i * 2, (short) r[i]);
      }
    } else if (out instanceof TinyIntVector) {
      for (int i = 0; i < n; i++) {
        data.setByte(i, (byte) r[i]);
      }
    } else if (out instanceof DecimalVector) {
      for (int i = 0; i < n; i++) {
        data.setLong((long) i * 16, r[i]);
        data.setLong((long) i * 16 + 8, r[i] >> 63);
      }
    } else {
      throw new IllegalArgumentException(out.getField().toString());
    }
  }

  /** Converts the rows marked slow (and not null) through the generic path. */
  private static void finishSlow(
      FieldVector out, Operand x, ArrowType from, ArrowType to, boolean[] slow, int n) {
    for (int i = 0; i < n; i++) {
      if (slow[i] && !x.isNull(i)) {
        Object value = Values.get(x.vector, x.position(i));
        Values.set(out, i, Functions.cast(value, from, to));
      }
    }
  }

  /** Plain {@code yyyy-mm-dd} text as days; anything else is left to the generic path. */
  private static void parseDates(
      VarCharVector in, Operand x, boolean[] slow, long[] result, int n) {
    ArrowBuf offsets = in.getOffsetBuffer();
    ArrowBuf data = in.getDataBuffer();
    for (int i = 0; i < n; i++) {
      int p = x.position(i);
      int s = offsets.getInt((long) p * 4);
      int e = offsets.getInt((long) p * 4 + 4);
      long days = e - s == 10 ? parseDate(data, s) : Long.MIN_VALUE;
      if (days == Long.MIN_VALUE) {
        slow[i] = true;
      } else {
        result[i] = days;
      }
    }
  }

  private static long parseDate(ArrowBuf data, int s) {
    if (data.getByte(s + 4) != '-' || data.getByte(s + 7) != '-') {
      return Long.MIN_VALUE;
    }
    int year = digits(data, s, 4);
    int month = digits(data, s + 5, 2);
    int day = digits(data, s + 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return Long.MIN_VALUE;
    }
    return daysFromCivil(year, month, day);
  }

  private static int digits(ArrowBuf data, int at, int count) {
    int v = 0;
    for (int k = 0; k < count; k++) {
      int c = data.getByte(at + k) - '0';
      if (c < 0 || c > 9) {
        return -1;
      }
      v = v * 10 + c;
    }
    return v;
  }

  private static int daysInMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date. */
  static long daysFromCivil(long year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }

  /** Field codes for {@link #extract}. */
  static final int YEAR = 0;

  static final int QUARTER = 1;
  static final int MONTH = 2;
  static final int DAY = 3;

  /** The code of an EXTRACT field {@link #extract} handles, or -1. */
  static int field(String name) {
    return switch (name.toUpperCase(java.util.Locale.ROOT)) {
      case "YEAR" -> YEAR;
      case "QUARTER" -> QUARTER;
      case "MONTH" -> MONTH;
      case "DAY" -> DAY;
      default -> -1;
    };
  }

  /**
   * EXTRACT of a civil-date field from days since the epoch (or microseconds when {@code micros}),
   * per row; null slots hold an unspecified value.
   */
  static long[] extract(Operand x, int field, boolean micros, int n) {
    long[] v = PredicateKernels.longs(x, n);
    for (int i = 0; i < n; i++) {
      long days = micros ? Math.floorDiv(v[i], MICROS_PER_DAY) : v[i];
      // civil from days (proleptic Gregorian), eras of 400 years starting on March 1st
      long z = days + 719468;
      long era = Math.floorDiv(z, 146097);
      long doe = z - era * 146097;
      long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
      long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
      long mp = (5 * doy + 2) / 153;
      long day = doy - (153 * mp + 2) / 5 + 1;
      long month = mp < 10 ? mp + 3 : mp - 9;
      long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
      v[i] =
          switch (field) {
            case YEAR -> year;
            case QUARTER -> (month - 1) / 3 + 1;
            case MONTH -> month;
            default -> day;
          };
    }
    return v;
  }

  /** A new integer vector of {@code type} (Int 64 or 32) with {@code values} and x's validity. */
  static FieldVector integers(
      String name, ArrowType type, long[] values, Operand x, int n, BufferAllocator allocator) {
    FieldVector out = Values.newVector(name, type, allocator);
    try {
      out.setInitialCapacity(n);
      out.allocateNew();
      x.copyValidity(out.getValidityBuffer(), n);
      writeLongs(out, values, new boolean[n], n);
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }
}
