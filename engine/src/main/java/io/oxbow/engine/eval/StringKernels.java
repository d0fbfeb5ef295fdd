package io.oxbow.engine.eval;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.VarCharVector;

/**
 * String functions on UTF-8 bytes: SUBSTRING with constant bounds counts code points by their lead
 * bytes, UPPER and LOWER map ASCII rows in place and decode only rows with other characters,
 * CHAR_LENGTH counts lead bytes. NULL in, NULL out.
 */
final class StringKernels {
  private StringKernels() {}

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /** SUBSTRING(x FROM start FOR length), 1-based, in code points; {@code length >= 0}. */
  static VarCharVector substring(
      Operand x, long start, long length, int n, BufferAllocator allocator) {
    VarCharVector in = (VarCharVector) x.vector;
    ArrowBuf offsets = in.getOffsetBuffer();
    ArrowBuf data = in.getDataBuffer();
    long from = Math.max(start, 1);
    long to = start + length; // exclusive, in code points (1-based), clamped to the string below
    Builder out = new Builder("SUBSTRING", n, 16L * n, allocator);
    try {
      for (int i = 0; i < n; i++) {
        int p = x.position(i);
        if (x.isNull(i)) {
          out.appendNull(i);
          continue;
        }
        int s = offsets.getInt((long) p * 4);
        int e = offsets.getInt((long) p * 4 + 4);
        if (to <= from) {
          out.append(i, data, s, 0);
          continue;
        }
        int b = skip(data, s, e, from - 1);
        int end = skip(data, b, e, to - from);
        out.append(i, data, b, end - b);
      }
      return out.finish(n);
    } catch (RuntimeException ex) {
      out.close();
      throw ex;
    }
  }

  /** The byte position after skipping {@code count} code points from {@code at} (at most to e). */
  private static int skip(ArrowBuf data, int at, int e, long count) {
    while (count > 0 && at < e) {
      at++;
      while (at < e && isContinuation(data.getByte(at))) {
        at++;
      }
      count--;
    }
    return at;
  }

  /** UPPER (or LOWER when {@code upper} is false), as {@link String#toUpperCase(Locale)} ROOT. */
  static VarCharVector changeCase(Operand x, boolean upper, int n, BufferAllocator allocator) {
    VarCharVector in = (VarCharVector) x.vector;
    ArrowBuf offsets = in.getOffsetBuffer();
    ArrowBuf data = in.getDataBuffer();
    Builder out = new Builder(upper ? "UPPER" : "LOWER", n, 16L * n, allocator);
    byte[] scratch = new byte[64];
    try {
      for (int i = 0; i < n; i++) {
        int p = x.position(i);
        if (x.isNull(i)) {
          out.appendNull(i);
          continue;
        }
        int s = offsets.getInt((long) p * 4);
        int e = offsets.getInt((long) p * 4 + 4);
        int len = e - s;
        if (scratch.length < len) {
          scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        data.getBytes(s, scratch, 0, len);
        boolean ascii = true;
        for (int k = 0; k < len; k++) {
          byte c = scratch[k];
          if (c < 0) {
            ascii = false;
            break;
          }
          if (upper ? c >= 'a' && c <= 'z' : c >= 'A' && c <= 'Z') {
            scratch[k] = (byte) (c ^ 0x20);
          }
        }
        if (ascii) {
          out.append(i, scratch, len);
        } else {
          String text = new String(scratch, 0, len, StandardCharsets.UTF_8);
          // the ASCII prefix was already changed; changing it again is harmless
          byte[] changed =
              (upper ? text.toUpperCase(Locale.ROOT) : text.toLowerCase(Locale.ROOT))
                  .getBytes(StandardCharsets.UTF_8);
          out.append(i, changed, changed.length);
        }
      }
      return out.finish(n);
    } catch (RuntimeException ex) {
      out.close();
      throw ex;
    }
  }

  /** The number of code points of each row (lead bytes); null slots hold 0. */
  static long[] charLengths(Operand x, int n) {
    VarCharVector in = (VarCharVector) x.vector;
    ArrowBuf offsets = in.getOffsetBuffer();
    ArrowBuf data = in.getDataBuffer();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      int p = x.position(i);
      int s = offsets.getInt((long) p * 4);
      int e = offsets.getInt((long) p * 4 + 4);
      long count = 0;
      for (int k = s; k < e; k++) {
        if (!isContinuation(data.getByte(k))) {
          count++;
        }
      }
      out[i] = count;
    }
    return out;
  }

  /** Appends rows in order to a new VarCharVector, growing its data buffer as needed. */
  static final class Builder implements AutoCloseable {
    private final VarCharVector out;
    private long used;

    Builder(String name, int n, long bytes, BufferAllocator allocator) {
      out = new VarCharVector(name, allocator);
      try {
        out.allocateNew(Math.max(bytes, 64), Math.max(n, 1));
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    }

    private void ensure(long need) {
      while (out.getDataBuffer().capacity() < need) {
        out.reallocDataBuffer();
      }
    }

    void appendNull(int i) {
      out.getOffsetBuffer().setInt((long) (i + 1) * 4, (int) used);
    }

    void append(int i, ArrowBuf from, long start, int length) {
      ensure(used + length);
      out.getDataBuffer().setBytes(used, from, start, length);
      used += length;
      BitVectorHelper.setBit(out.getValidityBuffer(), i);
      out.getOffsetBuffer().setInt((long) (i + 1) * 4, (int) used);
    }

    void append(int i, byte[] bytes, int length) {
      ensure(used + length);
      out.getDataBuffer().setBytes(used, bytes, 0, length);
      used += length;
      BitVectorHelper.setBit(out.getValidityBuffer(), i);
      out.getOffsetBuffer().setInt((long) (i + 1) * 4, (int) used);
    }

    VarCharVector finish(int n) {
      out.setLastSet(n - 1);
      out.setValueCount(n);
      return out;
    }

    @Override
    public void close() {
      out.close();
    }
  }
}
