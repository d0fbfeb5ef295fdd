package io.oxbow.engine.eval;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.util.function.LongBinaryOperator;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
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
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Type-specialised loops over whole vectors: comparisons and arithmetic read primitive arrays (or
 * Arrow buffers directly for strings and decimals) instead of boxing each value. Inputs are dense
 * vectors of {@code n} values; outputs are new vectors owned by the caller.
 */
final class Kernels {
  private static final long MICROS_PER_DAY = 86_400_000_000L;
  static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private Kernels() {}

  // ---------------------------------------------------------------- readers

  /**
   * The values of an integer-like vector (ints of any width, dates, timestamps, booleans) as longs;
   * null slots hold an unspecified value. Dates are converted to microseconds when {@code
   * datesAsMicros}.
   */
  static long[] longs(FieldVector v, int n, boolean datesAsMicros) {
    long[] out = new long[n];
    if (v instanceof BigIntVector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getLong((long) i * 8);
      }
    } else if (v instanceof IntVector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getInt((long) i * 4);
      }
    } else if (v instanceof SmallIntVector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getShort((long) i * 2);
      }
    } else if (v instanceof TinyIntVector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getByte(i);
      }
    } else if (v instanceof DateDayVector b) {
      long factor = datesAsMicros ? MICROS_PER_DAY : 1;
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getInt((long) i * 4) * factor;
      }
    } else if (v instanceof DateMilliVector b) {
      for (int i = 0; i < n; i++) {
        long days = Math.floorDiv(b.getDataBuffer().getLong((long) i * 8), 86_400_000L);
        out[i] = datesAsMicros ? days * MICROS_PER_DAY : days;
      }
    } else if (v instanceof TimeStampVector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getLong((long) i * 8);
      }
    } else if (v instanceof BitVector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.isNull(i) ? 0 : b.get(i);
      }
    } else if (v instanceof TimeMicroVector
        || v instanceof DurationVector d && d.getUnit() == TimeUnit.MICROSECOND) {
      for (int i = 0; i < n; i++) {
        out[i] = v.getDataBuffer().getLong((long) i * 8);
      }
    } else if (Kind.of(v.getField().getType()) == Kind.TIME
        || Kind.of(v.getField().getType()).isInterval()) {
      // other time units and interval vectors: through the shared value representation
      for (int i = 0; i < n; i++) {
        out[i] = v.isNull(i) ? 0 : ((Number) Values.get(v, i)).longValue();
      }
    } else {
      throw new IllegalArgumentException("Not an integer-like vector: " + v.getField());
    }
    return out;
  }

  /** The values of a numeric vector as doubles; null slots hold an unspecified value. */
  static double[] doubles(FieldVector v, int n) {
    double[] out = new double[n];
    if (v instanceof Float8Vector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getDouble((long) i * 8);
      }
    } else if (v instanceof Float4Vector b) {
      for (int i = 0; i < n; i++) {
        out[i] = b.getDataBuffer().getFloat((long) i * 4);
      }
    } else if (v instanceof DecimalVector d) {
      for (int i = 0; i < n; i++) {
        out[i] = d.isNull(i) ? 0 : d.getObject(i).doubleValue();
      }
    } else {
      long[] longs = longs(v, n, false);
      for (int i = 0; i < n; i++) {
        out[i] = longs[i];
      }
    }
    return out;
  }

  static boolean[] nulls(FieldVector v, int n) {
    boolean[] out = new boolean[n];
    if (v.getNullCount() == 0) {
      return out;
    }
    for (int i = 0; i < n; i++) {
      out[i] = v.isNull(i);
    }
    return out;
  }

  /** Whether the 128-bit decimal at {@code i} fits a long. */
  static boolean fitsLong(DecimalVector v, int i) {
    long low = v.getDataBuffer().getLong((long) i * DecimalVector.TYPE_WIDTH);
    long high = v.getDataBuffer().getLong((long) i * DecimalVector.TYPE_WIDTH + 8);
    return high == (low >> 63);
  }

  /** The low 64 bits of the unscaled decimal at {@code i} (its value when {@link #fitsLong}). */
  static long low(DecimalVector v, int i) {
    return v.getDataBuffer().getLong((long) i * DecimalVector.TYPE_WIDTH);
  }

  // ---------------------------------------------------------------- comparisons

  /**
   * Compares {@code a} and {@code b} row by row. For {@link ScalarFunction#IS_DISTINCT_FROM} and
   * {@link ScalarFunction#IS_NOT_DISTINCT_FROM} NULLs compare as values; otherwise a NULL operand
   * gives NULL.
   */
  static BitVector compare(
      ScalarFunction fn, FieldVector a, FieldVector b, int n, BufferAllocator allocator) {
    int[] cmp = new int[n];
    boolean[] an = nulls(a, n);
    boolean[] bn = nulls(b, n);
    compareValues(a, b, n, an, bn, cmp);
    BitVector out = new BitVector(fn.name(), allocator);
    try {
      out.allocateNew(n);
      boolean distinctFn =
          fn == ScalarFunction.IS_DISTINCT_FROM || fn == ScalarFunction.IS_NOT_DISTINCT_FROM;
      for (int i = 0; i < n; i++) {
        if (an[i] || bn[i]) {
          if (distinctFn) {
            boolean same = an[i] && bn[i];
            out.set(i, (fn == ScalarFunction.IS_NOT_DISTINCT_FROM) == same ? 1 : 0);
          } else {
            out.setNull(i);
          }
          continue;
        }
        int c = cmp[i];
        boolean r =
            switch (fn) {
              case EQUAL, IS_NOT_DISTINCT_FROM -> c == 0;
              case NOT_EQUAL, IS_DISTINCT_FROM -> c != 0;
              case LESS_THAN -> c < 0;
              case LESS_THAN_OR_EQUAL -> c <= 0;
              case GREATER_THAN -> c > 0;
              case GREATER_THAN_OR_EQUAL -> c >= 0;
              default -> throw new IllegalArgumentException(fn.name());
            };
        out.set(i, r ? 1 : 0);
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** Fills {@code cmp[i]} with the sign of a[i] - b[i] for rows where neither is null. */
  static void compareValues(
      FieldVector a, FieldVector b, int n, boolean[] an, boolean[] bn, int[] cmp) {
    Kind ka = Kind.of(a.getField().getType());
    Kind kb = Kind.of(b.getField().getType());
    if (ka == Kind.STRING
        && kb == Kind.STRING
        && a instanceof VarCharVector sa
        && b instanceof VarCharVector sb) {
      for (int i = 0; i < n; i++) {
        if (!an[i] && !bn[i]) {
          cmp[i] =
              ByteFunctionHelpers.compare(
                  sa.getDataBuffer(),
                  sa.getStartOffset(i),
                  sa.getEndOffset(i),
                  sb.getDataBuffer(),
                  sb.getStartOffset(i),
                  sb.getEndOffset(i));
        }
      }
      return;
    }
    if (longLike(ka) && longLike(kb)) {
      boolean micros = ka == Kind.TIMESTAMP || kb == Kind.TIMESTAMP;
      long[] x = longs(a, n, micros);
      long[] y = longs(b, n, micros);
      for (int i = 0; i < n; i++) {
        cmp[i] = Long.compare(x[i], y[i]);
      }
      return;
    }
    if ((ka == Kind.FLOATING || kb == Kind.FLOATING) && ka.isNumeric() && kb.isNumeric()) {
      double[] x = doubles(a, n);
      double[] y = doubles(b, n);
      for (int i = 0; i < n; i++) {
        cmp[i] = Double.compare(x[i], y[i]);
      }
      return;
    }
    if ((ka == Kind.DECIMAL || ka == Kind.INTEGER) && (kb == Kind.DECIMAL || kb == Kind.INTEGER)) {
      compareDecimals(a, b, n, an, bn, cmp);
      return;
    }
    for (int i = 0; i < n; i++) {
      if (!an[i] && !bn[i]) {
        cmp[i] = Values.compare(Values.get(a, i), Values.get(b, i));
      }
    }
  }

  private static boolean longLike(Kind k) {
    return k == Kind.INTEGER
        || k == Kind.DATE
        || k == Kind.TIMESTAMP
        || k == Kind.BOOLEAN
        || k == Kind.TIME
        || k.isInterval();
  }

  private static int scaleOf(FieldVector v) {
    return v instanceof DecimalVector d ? d.getScale() : 0;
  }

  /** Decimal (or integer) comparison at a common scale, exact; long fast path per row. */
  private static void compareDecimals(
      FieldVector a, FieldVector b, int n, boolean[] an, boolean[] bn, int[] cmp) {
    int sa = scaleOf(a);
    int sb = scaleOf(b);
    int s = Math.max(sa, sb);
    long[] xa = a instanceof DecimalVector ? null : longs(a, n, false);
    long[] xb = b instanceof DecimalVector ? null : longs(b, n, false);
    for (int i = 0; i < n; i++) {
      if (an[i] || bn[i]) {
        continue;
      }
      boolean fast = true;
      long x = 0;
      long y = 0;
      if (xa != null) {
        x = xa[i];
      } else if (fitsLong((DecimalVector) a, i)) {
        x = low((DecimalVector) a, i);
      } else {
        fast = false;
      }
      if (xb != null) {
        y = xb[i];
      } else if (fitsLong((DecimalVector) b, i)) {
        y = low((DecimalVector) b, i);
      } else {
        fast = false;
      }
      if (fast && s - sa < POW10.length && s - sb < POW10.length) {
        try {
          cmp[i] =
              Long.compare(
                  Math.multiplyExact(x, POW10[s - sa]), Math.multiplyExact(y, POW10[s - sb]));
          continue;
        } catch (ArithmeticException overflow) {
          // exact comparison below
        }
      }
      cmp[i] = decimalAt(a, xa, i).compareTo(decimalAt(b, xb, i));
    }
  }

  private static BigDecimal decimalAt(FieldVector v, long[] longs, int i) {
    return longs != null ? BigDecimal.valueOf(longs[i]) : ((DecimalVector) v).getObject(i);
  }

  // ---------------------------------------------------------------- arithmetic

  /** Integer arithmetic, exact: overflow and division by zero are user errors. */
  static FieldVector integerArithmetic(
      ScalarFunction fn,
      FieldVector a,
      FieldVector b,
      ArrowType.Int type,
      int n,
      BufferAllocator allocator) {
    long[] x = longs(a, n, false);
    long[] y = longs(b, n, false);
    boolean[] an = nulls(a, n);
    boolean[] bn = nulls(b, n);
    long[] r = new long[n];
    boolean[] rn = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (an[i] || bn[i]) {
        rn[i] = true;
        continue;
      }
      try {
        r[i] =
            switch (fn) {
              case ADD -> Math.addExact(x[i], y[i]);
              case SUBTRACT -> Math.subtractExact(x[i], y[i]);
              case MULTIPLY -> Math.multiplyExact(x[i], y[i]);
              case DIVIDE -> {
                if (y[i] == 0) {
                  throw divisionByZero();
                }
                if (x[i] == Long.MIN_VALUE && y[i] == -1) {
                  throw new ArithmeticException("overflow");
                }
                yield x[i] / y[i];
              }
              case MOD -> {
                if (y[i] == 0) {
                  throw divisionByZero();
                }
                yield y[i] == -1 ? 0 : x[i] % y[i];
              }
              default -> throw new IllegalArgumentException(fn.name());
            };
      } catch (ArithmeticException e) {
        throw integerOverflow(fn, x[i], y[i], type);
      }
    }
    return writeLongs(fn.name(), r, rn, type, n, allocator, fn, x, y);
  }

  private static FieldVector writeLongs(
      String name,
      long[] r,
      boolean[] rn,
      ArrowType.Int type,
      int n,
      BufferAllocator allocator,
      ScalarFunction fn,
      long[] x,
      long[] y) {
    FieldVector out = Values.newVector(name, type, allocator);
    try {
      out.setInitialCapacity(n);
      out.allocateNew();
      int bits = type.getBitWidth();
      long min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
      long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
      for (int i = 0; i < n; i++) {
        if (rn[i]) {
          Values.setNull(out, i);
          continue;
        }
        long v = r[i];
        if (v < min || v > max) {
          throw integerOverflow(fn, x[i], y[i], type);
        }
        switch (bits) {
          case 8 -> ((TinyIntVector) out).set(i, (byte) v);
          case 16 -> ((SmallIntVector) out).set(i, (short) v);
          case 32 -> ((IntVector) out).set(i, (int) v);
          default -> ((BigIntVector) out).set(i, v);
        }
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private static OxbowException integerOverflow(ScalarFunction fn, long x, long y, ArrowType type) {
    return OxbowException.userError(
        "Integer overflow: %s(%d, %d) does not fit %s", fn.name(), x, y, Functions.sqlName(type));
  }

  static OxbowException divisionByZero() {
    return OxbowException.userError("Division by zero");
  }

  /** Floating point arithmetic; division (and MOD) by zero is a user error as for exact types. */
  static FieldVector floatingArithmetic(
      ScalarFunction fn,
      FieldVector a,
      FieldVector b,
      ArrowType.FloatingPoint type,
      int n,
      BufferAllocator allocator) {
    double[] x = doubles(a, n);
    double[] y = doubles(b, n);
    boolean[] an = nulls(a, n);
    boolean[] bn = nulls(b, n);
    FieldVector out = Values.newVector(fn.name(), type, allocator);
    try {
      out.setInitialCapacity(n);
      out.allocateNew();
      for (int i = 0; i < n; i++) {
        if (an[i] || bn[i]) {
          Values.setNull(out, i);
          continue;
        }
        double r =
            switch (fn) {
              case ADD -> x[i] + y[i];
              case SUBTRACT -> x[i] - y[i];
              case MULTIPLY -> x[i] * y[i];
              case DIVIDE -> {
                if (y[i] == 0) {
                  throw divisionByZero();
                }
                yield x[i] / y[i];
              }
              case MOD -> {
                if (y[i] == 0) {
                  throw divisionByZero();
                }
                yield x[i] % y[i];
              }
              default -> throw new IllegalArgumentException(fn.name());
            };
        if (out instanceof Float8Vector f) {
          f.set(i, r);
        } else {
          ((Float4Vector) out).set(i, (float) r);
        }
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * Exact decimal arithmetic producing exactly {@code type}: the exact result is rounded half up to
   * the result scale, and a value that does not fit the result precision is a user error. Each row
   * takes a 64-bit path when its operands and intermediate values fit, else BigDecimal. Operands
   * may be decimals of any precision and scale, or integers (scale 0).
   */
  static FieldVector decimalArithmetic(
      ScalarFunction fn,
      FieldVector a,
      FieldVector b,
      ArrowType.Decimal type,
      int n,
      BufferAllocator allocator) {
    FieldVector whole = decimalArithmetic64(fn, a, b, type, n, allocator);
    if (whole != null) {
      return whole;
    }
    int sa = scaleOf(a);
    int sb = scaleOf(b);
    int rs = type.getScale();
    int rp = type.getPrecision();
    long[] xa = a instanceof DecimalVector ? null : longs(a, n, false);
    long[] xb = b instanceof DecimalVector ? null : longs(b, n, false);
    boolean[] an = nulls(a, n);
    boolean[] bn = nulls(b, n);
    DecimalVector out = new DecimalVector(fn.name(), allocator, rp, rs);
    try {
      out.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (an[i] || bn[i]) {
          out.setNull(i);
          continue;
        }
        boolean fast = true;
        long x = 0;
        long y = 0;
        if (xa != null) {
          x = xa[i];
        } else if (fitsLong((DecimalVector) a, i)) {
          x = low((DecimalVector) a, i);
        } else {
          fast = false;
        }
        if (xb != null) {
          y = xb[i];
        } else if (fitsLong((DecimalVector) b, i)) {
          y = low((DecimalVector) b, i);
        } else {
          fast = false;
        }
        if (fast && fn != ScalarFunction.MOD) {
          try {
            long r = longDecimal(fn, x, sa, y, sb, rs);
            if (rp < 19 && (r >= POW10[rp] || r <= -POW10[rp])) {
              throw decimalOverflow(fn, BigDecimal.valueOf(r, rs), type);
            }
            out.set(i, r);
            continue;
          } catch (ArithmeticException slow) {
            // exact path below
          }
        }
        BigDecimal dx = decimalAt(a, xa, i).setScale(sa);
        BigDecimal dy = decimalAt(b, xb, i).setScale(sb);
        out.setSafe(i, Functions.fitDecimal(Functions.decimalOp(fn, dx, dy, rs), type));
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * {@link #decimalArithmetic64} with one operand a constant: {@code x op c} (or {@code c op x}
   * when {@code constantFirst}), {@code c} the unscaled value of a literal of scale {@code
   * constantScale} (TPC-H's {@code 1 - l_discount}). The constant is neither materialized as a
   * vector nor unpacked per row. Returns null, having allocated nothing that stays, where {@link
   * #decimalArithmetic64} would; the caller then takes the general path.
   */
  static FieldVector decimalArithmeticConstant(
      ScalarFunction fn,
      FieldVector x,
      long c,
      int constantScale,
      boolean constantFirst,
      ArrowType.Decimal type,
      int n,
      BufferAllocator allocator) {
    int sx = scaleOf(x);
    int rs = type.getScale();
    long fx;
    long cc;
    try {
      switch (fn) {
        case ADD, SUBTRACT -> {
          if (rs != Math.max(sx, constantScale)) {
            return null;
          }
          fx = POW10[rs - sx];
          cc = Math.multiplyExact(c, POW10[rs - constantScale]);
        }
        case MULTIPLY -> {
          if (rs != sx + constantScale) {
            return null;
          }
          fx = 1;
          cc = c;
        }
        default -> {
          return null;
        }
      }
    } catch (ArithmeticException overflow) {
      return null;
    }
    long[] r = unscaled64(x, n);
    if (r == null) {
      return null;
    }
    try {
      switch (fn) {
        case ADD -> {
          for (int i = 0; i < n; i++) {
            r[i] = Math.addExact(Math.multiplyExact(r[i], fx), cc);
          }
        }
        case SUBTRACT -> {
          if (constantFirst) {
            for (int i = 0; i < n; i++) {
              r[i] = Math.subtractExact(cc, Math.multiplyExact(r[i], fx));
            }
          } else {
            for (int i = 0; i < n; i++) {
              r[i] = Math.subtractExact(Math.multiplyExact(r[i], fx), cc);
            }
          }
        }
        default -> {
          for (int i = 0; i < n; i++) {
            r[i] = Math.multiplyExact(r[i], cc);
          }
        }
      }
    } catch (ArithmeticException overflow) {
      return null;
    }
    return decimalResult(fn, r, x, null, type, n, allocator);
  }

  /**
   * The 128-bit result vector of a 64-bit decimal kernel: {@code r} as unscaled values, NULL where
   * {@code a} or {@code b} (null for none) is; null when a value leaves the result precision (an
   * overflow error, or a NULL slot's garbage: the exact path decides).
   */
  private static FieldVector decimalResult(
      ScalarFunction fn,
      long[] r,
      FieldVector a,
      FieldVector b,
      ArrowType.Decimal type,
      int n,
      BufferAllocator allocator) {
    int rp = type.getPrecision();
    if (rp < 19) {
      long limit = POW10[rp];
      for (int i = 0; i < n; i++) {
        if (r[i] >= limit || r[i] <= -limit) {
          return null;
        }
      }
    }
    return decimalVector(fn.name(), r, type, n, allocator, a, b);
  }

  /**
   * A new decimal vector of {@code type} holding the unscaled values {@code r} (sign-extended to
   * 128 bits), NULL where any of {@code inputs} (null entries ignored) is NULL.
   */
  static DecimalVector decimalVector(
      String name,
      long[] r,
      ArrowType.Decimal type,
      int n,
      BufferAllocator allocator,
      FieldVector... inputs) {
    DecimalVector out = new DecimalVector(name, allocator, type.getPrecision(), type.getScale());
    try {
      out.allocateNew(n);
      ArrowBuf data = out.getDataBuffer();
      for (int i = 0; i < n; i++) {
        long v = r[i];
        data.setLong((long) i << 4, v);
        data.setLong(((long) i << 4) + 8, v >> 63);
      }
      ArrowBuf validity = out.getValidityBuffer();
      int bytes = (n + 7) >>> 3;
      validity.setOne(0, bytes);
      for (FieldVector input : inputs) {
        if (input != null && input.getNullCount() > 0) {
          ArrowBuf valid = input.getValidityBuffer();
          for (int i = 0; i < bytes; i++) {
            validity.setByte(i, validity.getByte(i) & valid.getByte(i));
          }
        }
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * The whole-batch 64-bit path of {@link #decimalArithmetic} for ADD, SUBTRACT and MULTIPLY of two
   * decimals of at most 18 digits (whose unscaled values are the low 64 bits), when the result
   * needs no rounding: reads the operands straight from their buffers and writes the 128-bit result
   * without per-row calls. Returns null, having allocated nothing that stays, when it does not
   * apply or any row (a NULL slot's garbage included) leaves 64 bits or the result precision; the
   * caller then takes the exact path.
   */
  private static FieldVector decimalArithmetic64(
      ScalarFunction fn,
      FieldVector a,
      FieldVector b,
      ArrowType.Decimal type,
      int n,
      BufferAllocator allocator) {
    long[] xa = unscaled64(a, n);
    long[] xb = xa == null ? null : unscaled64(b, n);
    if (xb == null) {
      return null;
    }
    int sa = scaleOf(a);
    int sb = scaleOf(b);
    int rs = type.getScale();
    long fa;
    long fb;
    switch (fn) {
      case ADD, SUBTRACT -> {
        if (rs != Math.max(sa, sb)) {
          return null;
        }
        fa = POW10[rs - sa];
        fb = POW10[rs - sb];
      }
      case MULTIPLY -> {
        if (rs != sa + sb) {
          return null;
        }
        fa = 1;
        fb = 1;
      }
      default -> {
        return null;
      }
    }
    long[] r = xa;
    try {
      switch (fn) {
        case ADD -> {
          for (int i = 0; i < n; i++) {
            r[i] = Math.addExact(Math.multiplyExact(xa[i], fa), Math.multiplyExact(xb[i], fb));
          }
        }
        case SUBTRACT -> {
          for (int i = 0; i < n; i++) {
            r[i] = Math.subtractExact(Math.multiplyExact(xa[i], fa), Math.multiplyExact(xb[i], fb));
          }
        }
        default -> {
          for (int i = 0; i < n; i++) {
            r[i] = Math.multiplyExact(xa[i], xb[i]);
          }
        }
      }
    } catch (ArithmeticException overflow) {
      return null;
    }
    return decimalResult(fn, r, a, b, type, n, allocator);
  }

  /**
   * The unscaled values of a decimal or of an integer vector (scale 0) as longs, NULL slots
   * unspecified; null for other vectors and for a decimal with a value that needs more than 64
   * bits.
   */
  static long[] unscaled64(FieldVector v, int n) {
    if (v instanceof DecimalVector d) {
      long[] out = new long[n];
      ArrowBuf data = d.getDataBuffer();
      for (int i = 0; i < n; i++) {
        out[i] = data.getLong((long) i << 4);
      }
      if (d.getPrecision() > 18) {
        // wide decimals take this path when every value (NULL slots' too) fits 64 bits
        for (int i = 0; i < n; i++) {
          if (data.getLong(((long) i << 4) + 8) != out[i] >> 63) {
            return null;
          }
        }
      }
      return out;
    }
    if (v instanceof BigIntVector
        || v instanceof IntVector
        || v instanceof SmallIntVector
        || v instanceof TinyIntVector) {
      return longs(v, n, false);
    }
    return null;
  }

  static OxbowException decimalOverflow(ScalarFunction fn, BigDecimal value, ArrowType type) {
    return OxbowException.userError(
        "Decimal overflow: %s result %s does not fit %s",
        fn.name(), value.toPlainString(), Functions.sqlName(type));
  }

  /**
   * The unscaled result at scale {@code rs} of {@code x op y} (unscaled, scales {@code sx}, {@code
   * sy}), rounded half up; throws ArithmeticException when 64 bits do not suffice.
   */
  private static long longDecimal(ScalarFunction fn, long x, int sx, long y, int sy, int rs) {
    switch (fn) {
      case ADD, SUBTRACT -> {
        int s = Math.max(sx, sy);
        long xs = Math.multiplyExact(x, pow10(s - sx));
        long ys = Math.multiplyExact(y, pow10(s - sy));
        long r = fn == ScalarFunction.ADD ? Math.addExact(xs, ys) : Math.subtractExact(xs, ys);
        return rescale(r, s, rs);
      }
      case MULTIPLY -> {
        return rescale(Math.multiplyExact(x, y), sx + sy, rs);
      }
      case DIVIDE -> {
        if (y == 0) {
          throw divisionByZero();
        }
        // x/10^sx / (y/10^sy) * 10^rs = x * 10^(rs - sx + sy) / y
        int e = rs - sx + sy;
        long num = e >= 0 ? Math.multiplyExact(x, pow10(e)) : x;
        long den = e >= 0 ? y : Math.multiplyExact(y, pow10(-e));
        return divideHalfUp(num, den);
      }
      default -> throw new ArithmeticException("no fast path");
    }
  }

  private static long pow10(int e) {
    if (e < 0 || e >= POW10.length) {
      throw new ArithmeticException("scale");
    }
    return POW10[e];
  }

  /** {@code value} (unscaled at {@code from}) at scale {@code to}, rounding half up. */
  static long rescale(long value, int from, int to) {
    if (to >= from) {
      return Math.multiplyExact(value, pow10(to - from));
    }
    return divideHalfUp(value, pow10(from - to));
  }

  private static long divideHalfUp(long num, long den) {
    if (num == Long.MIN_VALUE || den == Long.MIN_VALUE) {
      throw new ArithmeticException("overflow");
    }
    long q = num / den;
    long rem = Math.abs(num % den);
    long absDen = Math.abs(den);
    if (rem >= absDen - rem) {
      q += (num < 0) == (den < 0) ? 1 : -1;
    }
    return q;
  }

  /**
   * Datetime and interval arithmetic: {@code op} applied to the two operands read as longs (DATE as
   * days, or as microseconds when the other operand is a TIMESTAMP). Overflow is a user error.
   */
  static FieldVector temporalArithmetic(
      ScalarFunction fn,
      FieldVector a,
      FieldVector b,
      LongBinaryOperator op,
      ArrowType type,
      int n,
      BufferAllocator allocator) {
    Kind ka = Kind.of(a.getField().getType());
    Kind kb = Kind.of(b.getField().getType());
    boolean micros =
        ka == Kind.DATE && kb == Kind.TIMESTAMP || ka == Kind.TIMESTAMP && kb == Kind.DATE;
    long[] x = longs(a, n, micros);
    long[] y = longs(b, n, micros);
    boolean[] an = nulls(a, n);
    boolean[] bn = nulls(b, n);
    FieldVector out = Values.newVector(fn.name(), type, allocator);
    try {
      out.setInitialCapacity(n);
      out.allocateNew();
      for (int i = 0; i < n; i++) {
        if (an[i] || bn[i]) {
          Values.setNull(out, i);
          continue;
        }
        long r;
        try {
          r = op.applyAsLong(x[i], y[i]);
          if (out instanceof DateDayVector) {
            r = Math.toIntExact(r);
          }
        } catch (ArithmeticException | java.time.DateTimeException e) {
          throw OxbowException.userError(
              "Datetime overflow: %s of %s and %s is out of range",
              fn.name(),
              Functions.text(Values.get(a, i), ka),
              Functions.text(Values.get(b, i), kb));
        }
        if (out instanceof DateDayVector d) {
          d.set(i, (int) r);
        } else {
          Values.set(out, i, r);
        }
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- logic and null tests

  /** NOT with NULL propagation. */
  static BitVector not(BitVector a, int n, BufferAllocator allocator) {
    BitVector out = new BitVector("not", allocator);
    out.allocateNew(n);
    for (int i = 0; i < n; i++) {
      if (a.isNull(i)) {
        out.setNull(i);
      } else {
        out.set(i, a.get(i) ^ 1);
      }
    }
    out.setValueCount(n);
    return out;
  }

  /** IS [NOT] NULL / TRUE / FALSE; never NULL. */
  static BitVector test(ScalarFunction fn, FieldVector a, int n, BufferAllocator allocator) {
    BitVector out = new BitVector(fn.name(), allocator);
    out.allocateNew(n);
    BitVector bits = a instanceof BitVector b ? b : null;
    for (int i = 0; i < n; i++) {
      boolean isNull = a.isNull(i);
      boolean isTrue = !isNull && bits != null && bits.get(i) != 0;
      boolean isFalse = !isNull && bits != null && bits.get(i) == 0;
      boolean r =
          switch (fn) {
            case IS_NULL -> isNull;
            case IS_NOT_NULL -> !isNull;
            case IS_TRUE -> isTrue;
            case IS_NOT_TRUE -> !isTrue;
            case IS_FALSE -> isFalse;
            case IS_NOT_FALSE -> !isFalse;
            default -> throw new IllegalArgumentException(fn.name());
          };
      out.set(i, r ? 1 : 0);
    }
    out.setValueCount(n);
    return out;
  }
}
