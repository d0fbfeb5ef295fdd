package io.oxbow.engine.eval;

import io.oxbow.engine.expr.ScalarFunction;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Predicates of one operand against constants, read in place through the operand's selection: a
 * comparison with a literal, IN with a list of literals, LIKE with a constant pattern. Each reads
 * the Arrow buffers with one loop per physical layout and writes the boolean result a byte at a
 * time; NULL semantics are those of the generic path.
 */
final class PredicateKernels {
  private PredicateKernels() {}

  /**
   * The comparison {@code fn} as a mask over the sign of {@code value - constant}: bit 0 is the
   * result when less, bit 1 when equal, bit 2 when greater.
   */
  static int mask(ScalarFunction fn) {
    return switch (fn) {
      case EQUAL, IS_NOT_DISTINCT_FROM -> 0b010;
      case NOT_EQUAL, IS_DISTINCT_FROM -> 0b101;
      case LESS_THAN -> 0b001;
      case LESS_THAN_OR_EQUAL -> 0b011;
      case GREATER_THAN -> 0b100;
      case GREATER_THAN_OR_EQUAL -> 0b110;
      default -> throw new IllegalArgumentException(fn.name());
    };
  }

  /** {@code fn} with its operands swapped ({@code 5 < x} is {@code x > 5}). */
  static ScalarFunction flip(ScalarFunction fn) {
    return switch (fn) {
      case LESS_THAN -> ScalarFunction.GREATER_THAN;
      case LESS_THAN_OR_EQUAL -> ScalarFunction.GREATER_THAN_OR_EQUAL;
      case GREATER_THAN -> ScalarFunction.LESS_THAN;
      case GREATER_THAN_OR_EQUAL -> ScalarFunction.LESS_THAN_OR_EQUAL;
      default -> fn;
    };
  }

  /** Whether {@code v} is a vector {@link #longs} reads. */
  static boolean isLongLayout(FieldVector v) {
    return v instanceof BigIntVector
        || v instanceof IntVector
        || v instanceof DateDayVector
        || v instanceof SmallIntVector
        || v instanceof TinyIntVector
        || v instanceof TimeStampVector;
  }

  /** The raw values of rows {@code 0..n)} of {@code x} (a {@link #isLongLayout} vector). */
  static long[] longs(Operand x, int n) {
    long[] out = new long[n];
    FieldVector v = x.vector;
    ArrowBuf data = v.getDataBuffer();
    int[] sel = x.selection;
    if (v instanceof BigIntVector || v instanceof TimeStampVector) {
      for (int i = 0; i < n; i++) {
        out[i] = data.getLong((long) (sel == null ? i : sel[i]) * 8);
      }
    } else if (v instanceof IntVector || v instanceof DateDayVector) {
      for (int i = 0; i < n; i++) {
        out[i] = data.getInt((long) (sel == null ? i : sel[i]) * 4);
      }
    } else if (v instanceof SmallIntVector) {
      for (int i = 0; i < n; i++) {
        out[i] = data.getShort((long) (sel == null ? i : sel[i]) * 2);
      }
    } else if (v instanceof TinyIntVector) {
      for (int i = 0; i < n; i++) {
        out[i] = data.getByte(sel == null ? i : sel[i]);
      }
    } else {
      throw new IllegalArgumentException("Not a long layout: " + v.getField());
    }
    return out;
  }

  /** A boolean vector of {@code n} zeros whose validity is that of {@code x}. */
  private static BitVector start(String name, Operand x, int n, BufferAllocator allocator) {
    BitVector out = new BitVector(name, allocator);
    try {
      out.allocateNew(n);
      x.copyValidity(out.getValidityBuffer(), n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /**
   * For IS [NOT] DISTINCT FROM a non-null constant: NULL rows become {@code nullResult} and every
   * row becomes valid.
   */
  private static BitVector finish(ScalarFunction fn, BitVector out, Operand x, int n) {
    if (fn == ScalarFunction.IS_DISTINCT_FROM || fn == ScalarFunction.IS_NOT_DISTINCT_FROM) {
      if (!x.noNulls()) {
        for (int i = 0; i < n; i++) {
          if (x.isNull(i)) {
            BitVectorHelper.setValidityBit(
                out.getDataBuffer(), i, fn == ScalarFunction.IS_DISTINCT_FROM ? 1 : 0);
          }
        }
      }
      out.getValidityBuffer().setOne(0L, (long) BitVectorHelper.getValidityBufferSize(n));
    }
    out.setValueCount(n);
    return out;
  }

  static BitVector compareLong(
      ScalarFunction fn, Operand x, long constant, int n, BufferAllocator allocator) {
    long[] values = longs(x, n);
    int mask = mask(fn);
    BitVector out = start(fn.name(), x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    for (int base = 0; base < n; base += 8) {
      int end = Math.min(8, n - base);
      int b = 0;
      for (int k = 0; k < end; k++) {
        b |= ((mask >>> (Long.compare(values[base + k], constant) + 1)) & 1) << k;
      }
      data.setByte(base >>> 3, b);
    }
    return finish(fn, out, x, n);
  }

  static BitVector compareDouble(
      ScalarFunction fn, Operand x, double constant, int n, BufferAllocator allocator) {
    Float8Vector v = (Float8Vector) x.vector;
    ArrowBuf values = v.getDataBuffer();
    int[] sel = x.selection;
    int mask = mask(fn);
    BitVector out = start(fn.name(), x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    for (int base = 0; base < n; base += 8) {
      int end = Math.min(8, n - base);
      int b = 0;
      for (int k = 0; k < end; k++) {
        int i = base + k;
        double d = values.getDouble((long) (sel == null ? i : sel[i]) * 8);
        b |= ((mask >>> (Integer.signum(Double.compare(d, constant)) + 1)) & 1) << k;
      }
      data.setByte(base >>> 3, b);
    }
    return finish(fn, out, x, n);
  }

  /** Compares unscaled decimals (at the vector's scale) with the unscaled {@code constant}. */
  static BitVector compareDecimal(
      ScalarFunction fn, Operand x, long constant, int n, BufferAllocator allocator) {
    ArrowBuf values = x.vector.getDataBuffer();
    int[] sel = x.selection;
    int mask = mask(fn);
    BitVector out = start(fn.name(), x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    for (int base = 0; base < n; base += 8) {
      int end = Math.min(8, n - base);
      int b = 0;
      for (int k = 0; k < end; k++) {
        int i = base + k;
        long offset = (long) (sel == null ? i : sel[i]) * DecimalVector.TYPE_WIDTH;
        long low = values.getLong(offset);
        long high = values.getLong(offset + 8);
        // a value that does not fit a long lies beyond every long: its sign decides
        int c = high == (low >> 63) ? Long.compare(low, constant) : (high < 0 ? -1 : 1);
        b |= ((mask >>> (c + 1)) & 1) << k;
      }
      data.setByte(base >>> 3, b);
    }
    return finish(fn, out, x, n);
  }

  static BitVector compareString(
      ScalarFunction fn, Operand x, byte[] constant, int n, BufferAllocator allocator) {
    VarCharVector v = (VarCharVector) x.vector;
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf values = v.getDataBuffer();
    int[] sel = x.selection;
    int mask = mask(fn);
    boolean equality =
        fn == ScalarFunction.EQUAL
            || fn == ScalarFunction.NOT_EQUAL
            || fn == ScalarFunction.IS_DISTINCT_FROM
            || fn == ScalarFunction.IS_NOT_DISTINCT_FROM;
    BitVector out = start(fn.name(), x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    for (int base = 0; base < n; base += 8) {
      int end = Math.min(8, n - base);
      int b = 0;
      for (int k = 0; k < end; k++) {
        int i = base + k;
        long p = sel == null ? i : sel[i];
        int start = offsets.getInt(p * 4);
        int stop = offsets.getInt(p * 4 + 4);
        int c;
        if (equality) {
          c = stop - start == constant.length && bytesEqual(values, start, constant) ? 0 : 1;
        } else {
          c = ByteFunctionHelpers.compare(values, start, stop, constant, 0, constant.length);
        }
        b |= ((mask >>> (Integer.signum(c) + 1)) & 1) << k;
      }
      data.setByte(base >>> 3, b);
    }
    return finish(fn, out, x, n);
  }

  /** Whether the bytes of {@code buf} from {@code start} equal all of {@code constant}. */
  static boolean bytesEqual(ArrowBuf buf, long start, byte[] constant) {
    int i = 0;
    for (; i + 8 <= constant.length; i += 8) {
      if (buf.getLong(start + i) != LongBytes.get(constant, i)) {
        return false;
      }
    }
    for (; i < constant.length; i++) {
      if (buf.getByte(start + i) != constant[i]) {
        return false;
      }
    }
    return true;
  }

  /** Reads little-endian longs from byte arrays, matching {@link ArrowBuf#getLong}. */
  static final class LongBytes {
    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.nativeOrder());

    private LongBytes() {}

    static long get(byte[] bytes, int offset) {
      return (long) LONGS.get(bytes, offset);
    }
  }

  // ---------------------------------------------------------------- IN

  /**
   * {@code x IN (constants)} for a long layout; {@code listHasNull} makes a non-match NULL. {@code
   * sorted} is sorted ascending.
   */
  static BitVector inLongs(
      Operand x, long[] sorted, boolean listHasNull, int n, BufferAllocator allocator) {
    long[] values = longs(x, n);
    BitVector out = start("IN", x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    for (int i = 0; i < n; i++) {
      long v = values[i];
      boolean found;
      if (sorted.length <= 8) {
        found = false;
        for (long c : sorted) {
          found |= c == v;
        }
      } else {
        found = java.util.Arrays.binarySearch(sorted, v) >= 0;
      }
      if (found) {
        BitVectorHelper.setBit(data, i);
      }
    }
    return finishIn(out, listHasNull, n);
  }

  /** Decimal IN: {@code sorted} are the unscaled constants at the vector's scale. */
  static BitVector inDecimals(
      Operand x, long[] sorted, boolean listHasNull, int n, BufferAllocator allocator) {
    ArrowBuf values = x.vector.getDataBuffer();
    int[] sel = x.selection;
    BitVector out = start("IN", x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    for (int i = 0; i < n; i++) {
      long offset = (long) (sel == null ? i : sel[i]) * DecimalVector.TYPE_WIDTH;
      long low = values.getLong(offset);
      long high = values.getLong(offset + 8);
      if (high == (low >> 63) && java.util.Arrays.binarySearch(sorted, low) >= 0) {
        BitVectorHelper.setBit(data, i);
      }
    }
    return finishIn(out, listHasNull, n);
  }

  static BitVector inStrings(
      Operand x, byte[][] constants, boolean listHasNull, int n, BufferAllocator allocator) {
    VarCharVector v = (VarCharVector) x.vector;
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf values = v.getDataBuffer();
    int[] sel = x.selection;
    BitVector out = start("IN", x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    if (constants.length > 16) {
      java.util.Set<java.nio.ByteBuffer> set = new java.util.HashSet<>();
      for (byte[] c : constants) {
        set.add(java.nio.ByteBuffer.wrap(c));
      }
      for (int i = 0; i < n; i++) {
        long p = sel == null ? i : sel[i];
        int start = offsets.getInt(p * 4);
        byte[] bytes = new byte[offsets.getInt(p * 4 + 4) - start];
        values.getBytes(start, bytes);
        if (set.contains(java.nio.ByteBuffer.wrap(bytes))) {
          BitVectorHelper.setBit(data, i);
        }
      }
      return finishIn(out, listHasNull, n);
    }
    for (int i = 0; i < n; i++) {
      long p = sel == null ? i : sel[i];
      int start = offsets.getInt(p * 4);
      int length = offsets.getInt(p * 4 + 4) - start;
      for (byte[] c : constants) {
        if (c.length == length && bytesEqual(values, start, c)) {
          BitVectorHelper.setBit(data, i);
          break;
        }
      }
    }
    return finishIn(out, listHasNull, n);
  }

  /** With a NULL in the list, rows that did not match are NULL rather than FALSE. */
  private static BitVector finishIn(BitVector out, boolean listHasNull, int n) {
    if (listHasNull) {
      ArrowBuf validity = out.getValidityBuffer();
      ArrowBuf data = out.getDataBuffer();
      for (int i = 0; i < n; i++) {
        if (BitVectorHelper.get(data, i) == 0) {
          BitVectorHelper.unsetBit(validity, i);
        }
      }
    }
    out.setValueCount(n);
    return out;
  }

  // ---------------------------------------------------------------- LIKE

  static BitVector like(Operand x, LikeMatcher matcher, int n, BufferAllocator allocator) {
    VarCharVector v = (VarCharVector) x.vector;
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf values = v.getDataBuffer();
    int[] sel = x.selection;
    BitVector out = start("LIKE", x, n, allocator);
    ArrowBuf data = out.getDataBuffer();
    for (int i = 0; i < n; i++) {
      long p = sel == null ? i : sel[i];
      if (matcher.matches(values, offsets.getInt(p * 4), offsets.getInt(p * 4 + 4))) {
        BitVectorHelper.setBit(data, i);
      }
    }
    out.setValueCount(n);
    return out;
  }
}
