package io.oxbow.engine.exec;

import io.oxbow.engine.type.DateTimes;
import io.oxbow.spi.error.OxbowException;
import java.math.BigInteger;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * How a hash join compares its keys without boxing. Values are normalised as the engine's {@code
 * Values.get} reads them, and two key columns are comparable only when their value classes are (as
 * with the boxed keys before): integers, dates, timestamps, times and intervals are compared as
 * longs (an INT 5 equals a BIGINT 5), booleans as 0/1, floating-point numbers by their {@code
 * Double.equals} bits, decimals by value (rescaled to the larger scale of the two sides), strings
 * by their UTF-8 bytes. A key column whose two sides are not comparable never matches.
 *
 * <p>Every column of a key is either <em>long-encoded</em> (one long per value: all of the above
 * except strings and decimals that do not fit 18 digits at the common scale) or
 * <em>byte-encoded</em>. Keys of one or two long-encoded columns take the join table's fast paths;
 * all other keys are serialised to bytes (8 bytes per long-encoded column, a length and the UTF-8
 * bytes per string, 16 bytes per wide decimal).
 */
final class JoinKeys {
  /** The index layout a key needs. */
  enum Mode {
    /** No key columns: every build row is a candidate for every probe row. */
    NONE,
    /** Some key column can never match (incomparable types or the NULL type). */
    NEVER,
    /** One long-encoded column. */
    LONG1,
    /** Two long-encoded columns. */
    LONG2,
    /** Anything else: keys serialised to bytes. */
    BYTES
  }

  private static final int INT8 = 0;
  private static final int INT16 = 1;
  private static final int INT32 = 2;
  private static final int INT64 = 3;
  private static final int DATE_MILLI = 4;
  private static final int TIME_SEC = 5;
  private static final int TIME_MILLI = 6;
  private static final int TIME_NANO = 7;
  private static final int DURATION = 8;
  private static final int INTERVAL_DAY = 9;
  private static final int BOOL = 10;
  private static final int FLOAT4 = 11;
  private static final int FLOAT8 = 12;
  private static final int DECIMAL64 = 13;
  private static final int STRING = 14;
  private static final int DECIMAL128 = 15;

  final Mode mode;
  final Side left;
  final Side right;

  private JoinKeys(Mode mode, Side left, Side right) {
    this.mode = mode;
    this.left = left;
    this.right = right;
  }

  /** The key layout for joining {@code leftKeys} of {@code left} with {@code rightKeys}. */
  static JoinKeys of(Schema left, List<Integer> leftKeys, Schema right, List<Integer> rightKeys) {
    int k = leftKeys.size();
    Column[] l = new Column[k];
    Column[] r = new Column[k];
    boolean never = false;
    boolean allLong = true;
    for (int i = 0; i < k; i++) {
      ArrowType lt = left.getFields().get(leftKeys.get(i)).getType();
      ArrowType rt = right.getFields().get(rightKeys.get(i)).getType();
      int lc = valueClass(lt);
      int rc = valueClass(rt);
      if (lc != rc || lc == CLASS_NULL) {
        never = true;
        l[i] = new Column(leftKeys.get(i), INT64, 1, null);
        r[i] = new Column(rightKeys.get(i), INT64, 1, null);
        continue;
      }
      if (lc == CLASS_DECIMAL) {
        ArrowType.Decimal ld = (ArrowType.Decimal) lt;
        ArrowType.Decimal rd = (ArrowType.Decimal) rt;
        int scale = Math.max(ld.getScale(), rd.getScale());
        int lUp = scale - ld.getScale();
        int rUp = scale - rd.getScale();
        if (ld.getPrecision() + lUp <= 18 && rd.getPrecision() + rUp <= 18) {
          l[i] = new Column(leftKeys.get(i), DECIMAL64, pow10(lUp), null);
          r[i] = new Column(rightKeys.get(i), DECIMAL64, pow10(rUp), null);
        } else {
          l[i] = new Column(leftKeys.get(i), DECIMAL128, 1, BigInteger.TEN.pow(lUp));
          r[i] = new Column(rightKeys.get(i), DECIMAL128, 1, BigInteger.TEN.pow(rUp));
          allLong = false;
        }
        continue;
      }
      l[i] = new Column(leftKeys.get(i), readerType(lt), 1, null);
      r[i] = new Column(rightKeys.get(i), readerType(rt), 1, null);
      allLong &= l[i].type != STRING;
    }
    Mode mode;
    if (k == 0) {
      mode = Mode.NONE;
    } else if (never) {
      mode = Mode.NEVER;
    } else if (allLong && k == 1) {
      mode = Mode.LONG1;
    } else if (allLong && k == 2) {
      mode = Mode.LONG2;
    } else {
      mode = Mode.BYTES;
    }
    return new JoinKeys(mode, new Side(l), new Side(r));
  }

  /** Whether a single-column key holds integer-like values (for key ranges). */
  boolean integerLike() {
    return mode == Mode.LONG1 && right.columns[0].type <= INTERVAL_DAY;
  }

  private static final int CLASS_LONG = 0;
  private static final int CLASS_BOOL = 1;
  private static final int CLASS_DOUBLE = 2;
  private static final int CLASS_DECIMAL = 3;
  private static final int CLASS_STRING = 4;
  private static final int CLASS_NULL = 5;

  private static int valueClass(ArrowType type) {
    return switch (type.getTypeID()) {
      case Int, Date, Timestamp, Time, Duration, Interval -> CLASS_LONG;
      case Bool -> CLASS_BOOL;
      case FloatingPoint -> CLASS_DOUBLE;
      case Decimal -> CLASS_DECIMAL;
      case Utf8 -> CLASS_STRING;
      case Null -> CLASS_NULL;
      default -> throw OxbowException.userError("Type %s is not supported yet", type);
    };
  }

  private static int readerType(ArrowType type) {
    switch (type.getTypeID()) {
      case Int:
        return switch (((ArrowType.Int) type).getBitWidth()) {
          case 8 -> INT8;
          case 16 -> INT16;
          case 32 -> INT32;
          default -> INT64;
        };
      case Date:
        return ((ArrowType.Date) type).getUnit() == org.apache.arrow.vector.types.DateUnit.DAY
            ? INT32
            : DATE_MILLI;
      case Timestamp:
        return INT64;
      case Time:
        return switch (((ArrowType.Time) type).getUnit()) {
          case SECOND -> TIME_SEC;
          case MILLISECOND -> TIME_MILLI;
          case MICROSECOND -> INT64;
          case NANOSECOND -> TIME_NANO;
        };
      case Duration:
        return DURATION;
      case Interval:
        return ((ArrowType.Interval) type).getUnit()
                == org.apache.arrow.vector.types.IntervalUnit.YEAR_MONTH
            ? INT32
            : INTERVAL_DAY;
      case Bool:
        return BOOL;
      case FloatingPoint:
        return ((ArrowType.FloatingPoint) type).getPrecision()
                == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE
            ? FLOAT4
            : FLOAT8;
      case Utf8:
        return STRING;
      default:
        throw OxbowException.userError("Type %s is not supported yet", type);
    }
  }

  private static long pow10(int n) {
    long p = 1;
    for (int i = 0; i < n; i++) {
      p *= 10;
    }
    return p;
  }

  /** One key column of one side and how to read it. */
  record Column(int index, int type, long multiplier, BigInteger wideMultiplier) {}

  /** The key columns of one side of the join, with readers over pages of that side. */
  static final class Side {
    final Column[] columns;

    Side(Column[] columns) {
      this.columns = columns;
    }

    /**
     * Reads long-encoded key column {@code k} at {@code positions[0..n)} of {@code vectors} into
     * {@code out}, setting {@code noMatch[i]} for NULL values (and values that cannot equal any
     * value of the other side). {@code noMatch} is only ever set, never cleared; when it is null,
     * NULLs are read as arbitrary values (see {@link #clearNulls}).
     */
    void readLongs(
        List<FieldVector> vectors, int k, int[] positions, int n, long[] out, boolean[] noMatch) {
      Column column = columns[k];
      FieldVector vector = vectors.get(column.index);
      ArrowBuf data = vector.getDataBuffer();
      switch (column.type) {
        case INT8 -> {
          for (int i = 0; i < n; i++) {
            out[i] = data.getByte(positions[i]);
          }
        }
        case INT16 -> {
          for (int i = 0; i < n; i++) {
            out[i] = data.getShort((long) positions[i] << 1);
          }
        }
        case INT32 -> {
          for (int i = 0; i < n; i++) {
            out[i] = data.getInt((long) positions[i] << 2);
          }
        }
        case INT64 -> {
          for (int i = 0; i < n; i++) {
            out[i] = data.getLong((long) positions[i] << 3);
          }
        }
        case DATE_MILLI -> {
          for (int i = 0; i < n; i++) {
            out[i] = Math.floorDiv(data.getLong((long) positions[i] << 3), 86_400_000L);
          }
        }
        case TIME_SEC -> {
          for (int i = 0; i < n; i++) {
            out[i] = data.getInt((long) positions[i] << 2) * 1_000_000L;
          }
        }
        case TIME_MILLI -> {
          for (int i = 0; i < n; i++) {
            out[i] = data.getInt((long) positions[i] << 2) * 1_000L;
          }
        }
        case TIME_NANO -> {
          for (int i = 0; i < n; i++) {
            out[i] = Math.floorDiv(data.getLong((long) positions[i] << 3), 1_000L);
          }
        }
        case DURATION -> {
          TimeUnit unit = ((ArrowType.Duration) vector.getField().getType()).getUnit();
          for (int i = 0; i < n; i++) {
            out[i] = durationMicros(data.getLong((long) positions[i] << 3), unit);
          }
        }
        case INTERVAL_DAY -> {
          for (int i = 0; i < n; i++) {
            long at = (long) positions[i] << 3;
            out[i] = data.getInt(at) * DateTimes.MICROS_PER_DAY + data.getInt(at + 4) * 1_000L;
          }
        }
        case BOOL -> {
          for (int i = 0; i < n; i++) {
            int p = positions[i];
            out[i] = (data.getByte(p >>> 3) >>> (p & 7)) & 1;
          }
        }
        case FLOAT4 -> {
          for (int i = 0; i < n; i++) {
            out[i] = Double.doubleToLongBits((double) data.getFloat((long) positions[i] << 2));
          }
        }
        case FLOAT8 -> {
          for (int i = 0; i < n; i++) {
            out[i] = Double.doubleToLongBits(data.getDouble((long) positions[i] << 3));
          }
        }
        case DECIMAL64 -> {
          // a decimal of at most 18 digits fits the low 64 bits of its 128-bit value
          long m = column.multiplier;
          for (int i = 0; i < n; i++) {
            out[i] = data.getLong((long) positions[i] << 4) * m;
          }
        }
        default -> throw new IllegalStateException("not a long-encoded key column");
      }
      if (noMatch != null) {
        markNulls(vector, positions, n, noMatch);
      }
    }

    /**
     * The data buffer of key column {@code k} when its values are read as they are stored (64-bit
     * integers and timestamps), else null.
     */
    ArrowBuf plainLongs(List<FieldVector> vectors, int k) {
      return columns[k].type == INT64 ? vectors.get(columns[k].index).getDataBuffer() : null;
    }

    /** Whether key column {@code k} of {@code vectors} holds a NULL. */
    boolean hasNulls(List<FieldVector> vectors, int k) {
      return vectors.get(columns[k].index).getNullCount() > 0;
    }

    /** Sets {@code heads[i]} to -1 where key column {@code k} is NULL at {@code positions[i]}. */
    void clearNulls(List<FieldVector> vectors, int k, int[] positions, int n, int[] heads) {
      ArrowBuf validity = vectors.get(columns[k].index).getValidityBuffer();
      for (int i = 0; i < n; i++) {
        int p = positions[i];
        if (((validity.getByte(p >>> 3) >>> (p & 7)) & 1) == 0) {
          heads[i] = -1;
        }
      }
    }

    /** Whether key column {@code k} is long-encoded (else a string or a wide decimal). */
    boolean isLong(int k) {
      return columns[k].type < STRING;
    }

    /**
     * Serialises the byte-encoded key column {@code k} of row {@code position} into {@code out} at
     * {@code at}; returns the new end, or -1 if {@code out} is too small. NULLs are handled by the
     * caller.
     */
    int writeBytes(List<FieldVector> vectors, int k, int position, byte[] out, int at) {
      Column column = columns[k];
      FieldVector vector = vectors.get(column.index);
      if (column.type == STRING) {
        BaseVariableWidthVector v = (VarCharVector) vector;
        ArrowBuf offsets = v.getOffsetBuffer();
        int start = offsets.getInt((long) position << 2);
        int length = offsets.getInt(((long) position + 1) << 2) - start;
        if (at + 4 + length > out.length) {
          return -1;
        }
        putInt(out, at, length);
        v.getDataBuffer().getBytes(start, out, at + 4, length);
        return at + 4 + length;
      }
      if (at + 16 > out.length) {
        return -1;
      }
      ArrowBuf data = vector.getDataBuffer();
      long lo = data.getLong((long) position << 4);
      long hi = data.getLong(((long) position << 4) + 8);
      if (!column.wideMultiplier.equals(BigInteger.ONE)) {
        BigInteger v =
            BigInteger.valueOf(hi)
                .shiftLeft(64)
                .or(BigInteger.valueOf(lo).and(UNSIGNED_64))
                .multiply(column.wideMultiplier);
        lo = v.longValue();
        hi = v.shiftRight(64).longValue();
      }
      putLong(out, at, lo);
      putLong(out, at + 8, hi);
      return at + 16;
    }

    /** Sets {@code noMatch[i]} where key column {@code k} is NULL. */
    void markNulls(List<FieldVector> vectors, int k, int[] positions, int n, boolean[] noMatch) {
      markNulls(vectors.get(columns[k].index), positions, n, noMatch);
    }

    private static void markNulls(FieldVector vector, int[] positions, int n, boolean[] noMatch) {
      if (vector.getNullCount() == 0) {
        return;
      }
      ArrowBuf validity = vector.getValidityBuffer();
      for (int i = 0; i < n; i++) {
        int p = positions[i];
        if (((validity.getByte(p >>> 3) >>> (p & 7)) & 1) == 0) {
          noMatch[i] = true;
        }
      }
    }
  }

  private static final BigInteger UNSIGNED_64 =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private static long durationMicros(long value, TimeUnit unit) {
    return switch (unit) {
      case SECOND -> value * 1_000_000L;
      case MILLISECOND -> value * 1_000L;
      case MICROSECOND -> value;
      case NANOSECOND -> Math.floorDiv(value, 1_000L);
    };
  }

  static void putLong(byte[] out, int at, long v) {
    for (int b = 0; b < 8; b++) {
      out[at + b] = (byte) (v >>> (b << 3));
    }
  }

  private static void putInt(byte[] out, int at, int v) {
    for (int b = 0; b < 4; b++) {
      out[at + b] = (byte) (v >>> (b << 3));
    }
  }
}
