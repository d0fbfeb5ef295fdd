package io.oxbow.engine.eval;

import io.oxbow.engine.exec.Page;
import io.oxbow.engine.type.Values;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Bulk vector building for the evaluators: column references that share the page's buffers or
 * gather the selected rows with one loop per layout, constants filled by copying one slot, and
 * boolean results written a byte at a time.
 */
final class Vectors {
  private Vectors() {}

  /**
   * Column {@code from} over the live rows of {@code page} as a new dense vector: when every row is
   * live the new vector shares the column's buffers (reference counted, nothing copied); otherwise
   * the selected rows are gathered.
   */
  static FieldVector reference(FieldVector from, Page page, BufferAllocator allocator) {
    int n = page.count();
    // BitVector's split slices stay accounted to the source allocator (a leak when that closes
    // first); other fixed and variable width vectors transfer the slices' ownership
    boolean plain =
        from instanceof BaseFixedWidthVector && !(from instanceof BitVector)
            || from instanceof BaseVariableWidthVector;
    // buffers can only be shared between allocators of one root
    boolean shareable = from.getAllocator().getRoot() == allocator.getRoot();
    if (page.selection() == null && plain && shareable && n > 0 && from.getValueCount() >= n) {
      TransferPair pair = from.getTransferPair(from.getField().getName(), allocator);
      pair.splitAndTransfer(0, n);
      return (FieldVector) pair.getTo();
    }
    return gather(from, page.selection(), n, allocator);
  }

  /** Rows {@code selection[0..n)} (or {@code 0..n) when null) of {@code from} as a new vector. */
  static FieldVector gather(FieldVector from, int[] selection, int n, BufferAllocator allocator) {
    FieldVector out = from.getField().createVector(allocator);
    try {
      if (from instanceof BitVector bits) {
        BitVector to = (BitVector) out;
        to.allocateNew(n);
        gatherValidity(from, selection, n, to.getValidityBuffer());
        ArrowBuf src = bits.getDataBuffer();
        ArrowBuf dst = to.getDataBuffer();
        for (int i = 0; i < n; i++) {
          if (BitVectorHelper.get(src, selection == null ? i : selection[i]) != 0) {
            BitVectorHelper.setBit(dst, i);
          }
        }
      } else if (from instanceof BaseFixedWidthVector fixed) {
        BaseFixedWidthVector to = (BaseFixedWidthVector) out;
        to.allocateNew(n);
        gatherValidity(from, selection, n, to.getValidityBuffer());
        gatherFixed(fixed.getDataBuffer(), fixed.getTypeWidth(), selection, n, to.getDataBuffer());
      } else if (from instanceof VarCharVector strings) {
        gatherStrings(strings, selection, n, (VarCharVector) out);
      } else {
        out.setInitialCapacity(n);
        out.allocateNew();
        for (int i = 0; i < n; i++) {
          out.copyFromSafe(selection == null ? i : selection[i], i, from);
        }
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private static void gatherValidity(FieldVector from, int[] selection, int n, ArrowBuf to) {
    if (from.getNullCount() == 0) {
      to.setOne(0L, (long) BitVectorHelper.getValidityBufferSize(n));
      return;
    }
    ArrowBuf src = from.getValidityBuffer();
    for (int i = 0; i < n; i++) {
      if (BitVectorHelper.get(src, selection == null ? i : selection[i]) != 0) {
        BitVectorHelper.setBit(to, i);
      }
    }
  }

  private static void gatherFixed(ArrowBuf src, int width, int[] selection, int n, ArrowBuf dst) {
    switch (width) {
      case 8 -> {
        for (int i = 0; i < n; i++) {
          long p = selection == null ? i : selection[i];
          dst.setLong((long) i * 8, src.getLong(p * 8));
        }
      }
      case 4 -> {
        for (int i = 0; i < n; i++) {
          long p = selection == null ? i : selection[i];
          dst.setInt((long) i * 4, src.getInt(p * 4));
        }
      }
      case 16 -> {
        for (int i = 0; i < n; i++) {
          long p = selection == null ? i : selection[i];
          dst.setLong((long) i * 16, src.getLong(p * 16));
          dst.setLong((long) i * 16 + 8, src.getLong(p * 16 + 8));
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          long p = selection == null ? i : selection[i];
          dst.setBytes((long) i * width, src, p * width, width);
        }
      }
    }
  }

  private static void gatherStrings(VarCharVector from, int[] selection, int n, VarCharVector to) {
    ArrowBuf offsets = from.getOffsetBuffer();
    long total = 0;
    for (int i = 0; i < n; i++) {
      long p = selection == null ? i : selection[i];
      total += offsets.getInt((p + 1) * 4) - offsets.getInt(p * 4);
    }
    to.allocateNew(Math.max(total, 1), n);
    gatherValidity(from, selection, n, to.getValidityBuffer());
    ArrowBuf src = from.getDataBuffer();
    ArrowBuf dst = to.getDataBuffer();
    ArrowBuf dstOffsets = to.getOffsetBuffer();
    int end = 0;
    dstOffsets.setInt(0, 0);
    for (int i = 0; i < n; i++) {
      long p = selection == null ? i : selection[i];
      int start = offsets.getInt(p * 4);
      int length = offsets.getInt((p + 1) * 4) - start;
      dst.setBytes(end, src, start, length);
      end += length;
      dstOffsets.setInt((long) (i + 1) * 4, end);
    }
    to.setLastSet(n - 1);
  }

  /**
   * A vector of {@code n} copies of {@code value} (the engine representation, or null): the first
   * slot is written with {@link Values#set} (same conversions and errors as a row-by-row write),
   * the others are byte copies of it.
   */
  static FieldVector constant(
      String name, ArrowType type, Object value, int n, BufferAllocator allocator) {
    FieldVector out = Values.newVector(name, type, allocator);
    try {
      if (out instanceof BitVector bits) {
        bits.allocateNew(n);
        if (value != null && n > 0) {
          bits.getValidityBuffer().setOne(0L, (long) BitVectorHelper.getValidityBufferSize(n));
          if ((Boolean) value) {
            bits.getDataBuffer().setOne(0L, (long) BitVectorHelper.getValidityBufferSize(n));
          }
        }
      } else if (out instanceof BaseFixedWidthVector fixed) {
        fixed.allocateNew(n);
        if (value != null && n > 0) {
          Values.set(fixed, 0, value);
          fixed.getValidityBuffer().setOne(0L, (long) BitVectorHelper.getValidityBufferSize(n));
          int width = fixed.getTypeWidth();
          ArrowBuf data = fixed.getDataBuffer();
          // doubling copies: log2(n) bulk copies
          long filled = 1;
          while (filled < n) {
            long chunk = Math.min(filled, n - filled);
            data.setBytes(filled * width, data, 0, chunk * width);
            filled += chunk;
          }
        }
      } else if (out instanceof VarCharVector strings && n > 0) {
        byte[] bytes =
            value == null
                ? new byte[0]
                : value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        strings.allocateNew(Math.max(1L, (long) bytes.length * n), n);
        ArrowBuf data = strings.getDataBuffer();
        ArrowBuf offsets = strings.getOffsetBuffer();
        if (value != null) {
          strings.getValidityBuffer().setOne(0L, (long) BitVectorHelper.getValidityBufferSize(n));
          for (int i = 0; i < n; i++) {
            data.setBytes((long) i * bytes.length, bytes);
            offsets.setInt((long) (i + 1) * 4, (i + 1) * bytes.length);
          }
        }
        strings.setLastSet(n - 1);
      } else {
        out.setInitialCapacity(n);
        out.allocateNew();
        for (int i = 0; i < n; i++) {
          Values.set(out, i, value);
        }
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }
}
