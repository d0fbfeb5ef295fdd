package io.oxbow.engine.exec;

import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.NullVector;

/**
 * Typed bulk copies between Arrow vectors for the hash join: gathers (one output value per row
 * index, reading the source buffers directly) and concatenation. Fixed-width values are copied as
 * longs/ints/shorts/bytes, variable-width values as byte ranges, validity bits a byte at a time;
 * other vector types fall back to Arrow's per-value copy.
 */
final class ColumnGather {
  private ColumnGather() {}

  /**
   * Fills the empty vector {@code dst} with {@code n} values: value {@code i} is {@code src} at
   * {@code rows[from + i]}. {@code srcHasNulls} may be true even when {@code src} has no NULLs (it
   * only enables a faster path when false).
   */
  static void gather(
      FieldVector src, boolean srcHasNulls, int[] rows, int from, int n, FieldVector dst) {
    if (dst instanceof NullVector) {
      dst.setValueCount(n);
      return;
    }
    if (src instanceof BitVector s && dst instanceof BitVector d) {
      d.allocateNew(n);
      gatherBits(s.getDataBuffer(), rows, from, n, d.getDataBuffer());
      gatherValidity(s.getValidityBuffer(), srcHasNulls, rows, from, n, d.getValidityBuffer());
      d.setValueCount(n);
      return;
    }
    if (src instanceof BaseFixedWidthVector s && dst instanceof BaseFixedWidthVector d) {
      d.setInitialCapacity(n);
      d.allocateNew();
      ArrowBuf sd = s.getDataBuffer();
      ArrowBuf dd = d.getDataBuffer();
      assert inRange(rows, from, n, s.getValueCount());
      switch (s.getTypeWidth()) {
        case 8 -> {
          // raw addresses: the row numbers are checked above (with assertions on) and the target
          // was just allocated for n values
          long sa = sd.memoryAddress();
          long da = dd.memoryAddress();
          for (int i = 0; i < n; i++) {
            MemoryUtil.putLong(
                da + ((long) i << 3), MemoryUtil.getLong(sa + ((long) rows[from + i] << 3)));
          }
        }
        case 4 -> {
          long sa = sd.memoryAddress();
          long da = dd.memoryAddress();
          for (int i = 0; i < n; i++) {
            MemoryUtil.putInt(
                da + ((long) i << 2), MemoryUtil.getInt(sa + ((long) rows[from + i] << 2)));
          }
        }
        case 16 -> {
          for (int i = 0; i < n; i++) {
            int r = rows[from + i];
            long at = (long) r << 4;
            dd.setLong((long) i << 4, sd.getLong(at));
            dd.setLong(((long) i << 4) + 8, sd.getLong(at + 8));
          }
        }
        case 2 -> {
          for (int i = 0; i < n; i++) {
            int r = rows[from + i];
            dd.setShort((long) i << 1, sd.getShort((long) r << 1));
          }
        }
        case 1 -> {
          for (int i = 0; i < n; i++) {
            int r = rows[from + i];
            dd.setByte(i, sd.getByte(r));
          }
        }
        default -> {
          int w = s.getTypeWidth();
          for (int i = 0; i < n; i++) {
            int r = rows[from + i];
            dd.setBytes((long) i * w, sd, (long) r * w, w);
          }
        }
      }
      gatherValidity(s.getValidityBuffer(), srcHasNulls, rows, from, n, d.getValidityBuffer());
      d.setValueCount(n);
      return;
    }
    if (src instanceof BaseVariableWidthVector s && dst instanceof BaseVariableWidthVector d) {
      ArrowBuf so = s.getOffsetBuffer();
      long total = 0;
      for (int i = 0; i < n; i++) {
        int r = rows[from + i];
        total += so.getInt(((long) r + 1) << 2) - so.getInt((long) r << 2);
      }
      d.allocateNew(Math.max(total, 1), n);
      ArrowBuf sd = s.getDataBuffer();
      ArrowBuf dd = d.getDataBuffer();
      ArrowBuf dof = d.getOffsetBuffer();
      int end = 0;
      dof.setInt(0, 0);
      for (int i = 0; i < n; i++) {
        int r = rows[from + i];
        int start = so.getInt((long) r << 2);
        int length = so.getInt(((long) r + 1) << 2) - start;
        dd.setBytes(end, sd, start, length);
        end += length;
        dof.setInt(((long) i + 1) << 2, end);
      }
      gatherValidity(s.getValidityBuffer(), srcHasNulls, rows, from, n, d.getValidityBuffer());
      d.setLastSet(n - 1);
      d.setValueCount(n);
      return;
    }
    dst.setInitialCapacity(n);
    dst.allocateNew();
    for (int i = 0; i < n; i++) {
      dst.copyFromSafe(rows[from + i], i, src);
    }
    dst.setValueCount(n);
  }

  /**
   * Fills the empty vector {@code dst} with {@code size} values, NULL except at {@code
   * positions[0..m)} (ascending, below {@code size}): the value at {@code positions[j]} is {@code
   * src} at {@code rows[j]}. Lets a join add build columns to a probe page whose own columns are
   * kept as they are (the live rows then being selected by {@code positions}).
   */
  static void scatter(
      FieldVector src,
      boolean srcHasNulls,
      int[] rows,
      int[] positions,
      int m,
      FieldVector dst,
      int size) {
    if (m == size) {
      // every position, so positions[j] == j
      gather(src, srcHasNulls, rows, 0, m, dst);
      return;
    }
    if (dst instanceof NullVector) {
      dst.setValueCount(size);
      return;
    }
    if (src instanceof BitVector s && dst instanceof BitVector d) {
      d.allocateNew(size);
      ArrowBuf dd = d.getDataBuffer();
      dd.setZero(0, dd.capacity());
      scatterBits(s.getDataBuffer(), true, rows, positions, m, dd);
      scatterValidity(s.getValidityBuffer(), srcHasNulls, rows, positions, m, d);
      d.setValueCount(size);
      return;
    }
    if (src instanceof BaseFixedWidthVector s && dst instanceof BaseFixedWidthVector d) {
      d.setInitialCapacity(size);
      d.allocateNew();
      ArrowBuf sd = s.getDataBuffer();
      ArrowBuf dd = d.getDataBuffer();
      assert inRange(rows, 0, m, s.getValueCount()) && inRange(positions, 0, m, size);
      switch (s.getTypeWidth()) {
        case 8 -> {
          long sa = sd.memoryAddress();
          long da = dd.memoryAddress();
          for (int j = 0; j < m; j++) {
            MemoryUtil.putLong(
                da + ((long) positions[j] << 3), MemoryUtil.getLong(sa + ((long) rows[j] << 3)));
          }
        }
        case 4 -> {
          long sa = sd.memoryAddress();
          long da = dd.memoryAddress();
          for (int j = 0; j < m; j++) {
            MemoryUtil.putInt(
                da + ((long) positions[j] << 2), MemoryUtil.getInt(sa + ((long) rows[j] << 2)));
          }
        }
        case 16 -> {
          for (int j = 0; j < m; j++) {
            long to = (long) positions[j] << 4;
            long at = (long) rows[j] << 4;
            dd.setLong(to, sd.getLong(at));
            dd.setLong(to + 8, sd.getLong(at + 8));
          }
        }
        case 2 -> {
          for (int j = 0; j < m; j++) {
            dd.setShort((long) positions[j] << 1, sd.getShort((long) rows[j] << 1));
          }
        }
        case 1 -> {
          for (int j = 0; j < m; j++) {
            dd.setByte(positions[j], sd.getByte(rows[j]));
          }
        }
        default -> {
          int w = s.getTypeWidth();
          for (int j = 0; j < m; j++) {
            dd.setBytes((long) positions[j] * w, sd, (long) rows[j] * w, w);
          }
        }
      }
      scatterValidity(s.getValidityBuffer(), srcHasNulls, rows, positions, m, d);
      d.setValueCount(size);
      return;
    }
    if (src instanceof BaseVariableWidthVector s && dst instanceof BaseVariableWidthVector d) {
      ArrowBuf so = s.getOffsetBuffer();
      long total = 0;
      for (int j = 0; j < m; j++) {
        int r = rows[j];
        total += so.getInt(((long) r + 1) << 2) - so.getInt((long) r << 2);
      }
      d.allocateNew(Math.max(total, 1), size);
      ArrowBuf sd = s.getDataBuffer();
      ArrowBuf dd = d.getDataBuffer();
      ArrowBuf dof = d.getOffsetBuffer();
      int end = 0;
      int filled = 0;
      dof.setInt(0, 0);
      for (int j = 0; j < m; j++) {
        int p = positions[j];
        for (; filled < p; filled++) {
          dof.setInt(((long) filled + 1) << 2, end);
        }
        int r = rows[j];
        int start = so.getInt((long) r << 2);
        int length = so.getInt(((long) r + 1) << 2) - start;
        dd.setBytes(end, sd, start, length);
        end += length;
        dof.setInt(((long) p + 1) << 2, end);
        filled = p + 1;
      }
      for (; filled < size; filled++) {
        dof.setInt(((long) filled + 1) << 2, end);
      }
      scatterValidity(s.getValidityBuffer(), srcHasNulls, rows, positions, m, d);
      d.setLastSet(size - 1);
      d.setValueCount(size);
      return;
    }
    dst.setInitialCapacity(size);
    dst.allocateNew();
    for (int j = 0; j < m; j++) {
      dst.copyFromSafe(rows[j], positions[j], src);
    }
    dst.setValueCount(size);
  }

  /** Sets the validity of {@code dst}: valid exactly at the positions whose source row is. */
  private static void scatterValidity(
      ArrowBuf src, boolean srcHasNulls, int[] rows, int[] positions, int m, FieldVector dst) {
    ArrowBuf validity = dst.getValidityBuffer();
    validity.setZero(0, validity.capacity());
    scatterBits(src, srcHasNulls, rows, positions, m, validity);
  }

  /**
   * Sets bit {@code positions[j]} (ascending) of the zeroed {@code dst} to bit {@code rows[j]} of
   * {@code src}, or to 1 when {@code copy} is false.
   */
  private static void scatterBits(
      ArrowBuf src, boolean copy, int[] rows, int[] positions, int m, ArrowBuf dst) {
    int current = -1;
    int acc = 0;
    for (int j = 0; j < m; j++) {
      int p = positions[j];
      int bit = 1;
      if (copy) {
        int r = rows[j];
        bit = (src.getByte(r >>> 3) >>> (r & 7)) & 1;
      }
      int at = p >>> 3;
      if (at != current) {
        if (current >= 0) {
          dst.setByte(current, acc);
        }
        current = at;
        acc = 0;
      }
      acc |= bit << (p & 7);
    }
    if (current >= 0) {
      dst.setByte(current, acc);
    }
  }

  /** Whether {@code rows[from, from + n)} are all in {@code [0, count)} (for assertions). */
  private static boolean inRange(int[] rows, int from, int n, int count) {
    for (int i = 0; i < n; i++) {
      if (rows[from + i] < 0 || rows[from + i] >= count) {
        return false;
      }
    }
    return true;
  }

  /** Fills the empty vector {@code dst} with {@code n} NULLs. */
  static void nulls(FieldVector dst, int n) {
    if (dst instanceof NullVector) {
      dst.setValueCount(n);
      return;
    }
    dst.setInitialCapacity(n);
    dst.allocateNew();
    ArrowBuf validity = dst.getValidityBuffer();
    validity.setZero(0, validity.capacity());
    if (dst instanceof BaseVariableWidthVector d) {
      d.getOffsetBuffer().setZero(0, ((long) n + 1) << 2);
      d.setLastSet(n - 1);
    }
    dst.setValueCount(n);
  }

  private static void gatherValidity(
      ArrowBuf src, boolean srcHasNulls, int[] rows, int from, int n, ArrowBuf dst) {
    if (!srcHasNulls) {
      int full = n >>> 3;
      dst.setOne(0, full);
      if ((n & 7) != 0) {
        dst.setByte(full, (1 << (n & 7)) - 1);
      }
      return;
    }
    int acc = 0;
    for (int i = 0; i < n; i++) {
      int r = rows[from + i];
      acc |= ((src.getByte(r >>> 3) >>> (r & 7)) & 1) << (i & 7);
      if ((i & 7) == 7) {
        dst.setByte(i >>> 3, acc);
        acc = 0;
      }
    }
    if ((n & 7) != 0) {
      dst.setByte(n >>> 3, acc);
    }
  }

  private static void gatherBits(ArrowBuf src, int[] rows, int from, int n, ArrowBuf dst) {
    int acc = 0;
    for (int i = 0; i < n; i++) {
      int r = rows[from + i];
      int bit = (src.getByte(r >>> 3) >>> (r & 7)) & 1;
      acc |= bit << (i & 7);
      if ((i & 7) == 7) {
        dst.setByte(i >>> 3, acc);
        acc = 0;
      }
    }
    if ((n & 7) != 0) {
      dst.setByte(n >>> 3, acc);
    }
  }

  /** Fills the empty vector {@code dst} with the values of {@code sources}, one after another. */
  static void concat(List<FieldVector> sources, FieldVector dst) {
    int total = 0;
    for (FieldVector s : sources) {
      total += s.getValueCount();
    }
    if (dst instanceof NullVector) {
      dst.setValueCount(total);
      return;
    }
    if (dst instanceof BitVector d) {
      d.allocateNew(total);
      int at = 0;
      for (FieldVector s : sources) {
        int n = s.getValueCount();
        copyBits(s.getDataBuffer(), n, d.getDataBuffer(), at);
        copyBits(s.getValidityBuffer(), n, d.getValidityBuffer(), at);
        at += n;
      }
      d.setValueCount(total);
      return;
    }
    if (dst instanceof BaseFixedWidthVector d) {
      d.setInitialCapacity(total);
      d.allocateNew();
      long width = d.getTypeWidth();
      int at = 0;
      for (FieldVector s : sources) {
        int n = s.getValueCount();
        d.getDataBuffer().setBytes(at * width, s.getDataBuffer(), 0, n * width);
        copyBits(s.getValidityBuffer(), n, d.getValidityBuffer(), at);
        at += n;
      }
      d.setValueCount(total);
      return;
    }
    if (dst instanceof BaseVariableWidthVector d) {
      long bytes = 0;
      for (FieldVector s : sources) {
        BaseVariableWidthVector v = (BaseVariableWidthVector) s;
        bytes += v.getOffsetBuffer().getInt((long) v.getValueCount() << 2);
      }
      d.allocateNew(Math.max(bytes, 1), total);
      ArrowBuf dof = d.getOffsetBuffer();
      dof.setInt(0, 0);
      int at = 0;
      int base = 0;
      for (FieldVector s : sources) {
        BaseVariableWidthVector v = (BaseVariableWidthVector) s;
        int n = v.getValueCount();
        ArrowBuf so = v.getOffsetBuffer();
        int length = n == 0 ? 0 : so.getInt((long) n << 2);
        d.getDataBuffer().setBytes(base, v.getDataBuffer(), 0, length);
        for (int i = 1; i <= n; i++) {
          dof.setInt(((long) at + i) << 2, base + so.getInt((long) i << 2));
        }
        copyBits(v.getValidityBuffer(), n, d.getValidityBuffer(), at);
        at += n;
        base += length;
      }
      d.setLastSet(total - 1);
      d.setValueCount(total);
      return;
    }
    dst.setInitialCapacity(total);
    dst.allocateNew();
    int at = 0;
    for (FieldVector s : sources) {
      for (int i = 0; i < s.getValueCount(); i++) {
        dst.copyFromSafe(i, at + i, s);
      }
      at += s.getValueCount();
    }
    dst.setValueCount(total);
  }

  /** Copies {@code n} bits from the start of {@code src} to bit {@code at} of {@code dst}. */
  private static void copyBits(ArrowBuf src, int n, ArrowBuf dst, int at) {
    if ((at & 7) == 0) {
      dst.setBytes(at >>> 3, src, 0, (n + 7) >>> 3);
      return;
    }
    for (int i = 0; i < n; i++) {
      int target = at + i;
      int bit = (src.getByte(i >>> 3) >>> (i & 7)) & 1;
      int old = dst.getByte(target >>> 3);
      dst.setByte(target >>> 3, bit == 0 ? old & ~(1 << (target & 7)) : old | (1 << (target & 7)));
    }
  }
}
