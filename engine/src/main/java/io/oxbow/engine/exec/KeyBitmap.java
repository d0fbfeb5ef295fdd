package io.oxbow.engine.exec;

import io.oxbow.spi.connector.DynamicFilter;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;

/**
 * A join's build keys as a bitmap over {@code [min, max]}, one bit per value: a dynamic filter's
 * key set that a scan tests with one load per row (TPC-H Q4's 57 thousand order keys spread over 6
 * million values: 750 KB), instead of a hash lookup in the join table. Used when the range has at
 * most {@link #MAX_BITS} values. Immutable once built.
 */
final class KeyBitmap implements DynamicFilter.KeySet {
  /** The widest range a bitmap covers: 2^26 values, 8 MiB. */
  static final long MAX_BITS = 1L << 26;

  private final long min;
  private final long[] words;
  private final long size;

  private KeyBitmap(long min, long[] words, long size) {
    this.min = min;
    this.words = words;
    this.size = size;
  }

  /**
   * The bitmap of the non-NULL values of {@code keys} (an integer or DATE column), all within
   * {@code [min, max]}; null when the column has another type, the range is too wide or a value
   * lies outside it.
   */
  static KeyBitmap of(FieldVector keys, long min, long max) {
    if (!integerLike(keys) || max - min >= MAX_BITS || max - min < 0) {
      return null;
    }
    BaseFixedWidthVector fixed = (BaseFixedWidthVector) keys;
    long[] words = new long[(int) ((max - min) >>> 6) + 1];
    int width = fixed.getTypeWidth();
    ArrowBuf data = fixed.getDataBuffer();
    boolean nulls = fixed.getNullCount() > 0;
    int n = fixed.getValueCount();
    long size = 0;
    for (int r = 0; r < n; r++) {
      if (nulls && fixed.isNull(r)) {
        continue;
      }
      long v = value(data, width, r);
      long bit = v - min;
      if (bit < 0 || v > max) {
        return null; // not the values the table's range describes: offer the table itself
      }
      int w = (int) (bit >>> 6);
      long mask = 1L << bit;
      if ((words[w] & mask) == 0) {
        words[w] |= mask;
        size++;
      }
    }
    return new KeyBitmap(min, words, size);
  }

  /** Whether {@code v} holds integers or days whose values a join compares as they are. */
  static boolean integerLike(FieldVector v) {
    return v instanceof BigIntVector
        || v instanceof IntVector
        || v instanceof SmallIntVector
        || v instanceof TinyIntVector
        || v instanceof DateDayVector;
  }

  /** Value {@code r} of a fixed-width integer buffer of {@code width} bytes per value. */
  static long value(ArrowBuf data, int width, int r) {
    return switch (width) {
      case 1 -> data.getByte(r);
      case 2 -> data.getShort(2L * r);
      case 4 -> data.getInt(4L * r);
      default -> data.getLong(8L * r);
    };
  }

  @Override
  public boolean contains(long key) {
    long bit = key - min;
    // keys below min wrap to huge unsigned values, past the last word
    return Long.compareUnsigned(bit, (long) words.length << 6) < 0
        && (words[(int) (bit >>> 6)] & (1L << bit)) != 0;
  }

  @Override
  public void retain(long[] values, int n, boolean[] keep) {
    long[] w = words;
    long limit = (long) w.length << 6;
    long base = min;
    // without branches on the outcome (which is as good as random when a key set is selective):
    // a key out of range reads word 0 and is masked off
    for (int i = 0; i < n; i++) {
      long bit = values[i] - base;
      boolean inRange = Long.compareUnsigned(bit, limit) < 0;
      long word = w[inRange ? (int) (bit >>> 6) : 0];
      keep[i] &= inRange & ((word >>> bit) & 1L) != 0;
    }
  }

  @Override
  public long size() {
    return size;
  }

  /** The bitmap's heap size in bytes. */
  long bytes() {
    return 8L * words.length;
  }
}
