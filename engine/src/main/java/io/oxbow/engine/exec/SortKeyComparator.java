package io.oxbow.engine.exec;

import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.type.Values;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Compares rows of one sort key across several batches (a column per batch, each in a numbered
 * slot), honouring the key's direction and null placement. A slot can be reloaded with another
 * batch's column (a merge moves on to a run's next batch). Values are read into primitive arrays
 * once per batch where the type allows (integers, dates, times and timestamps as longs, 128-bit
 * decimals as two longs); strings are compared as UTF-8 bytes (code point order) in place.
 */
abstract class SortKeyComparator {
  private static final boolean[] NO_NULLS = new boolean[0];

  private boolean[][] nulls;
  private boolean[] hasNulls;
  private final boolean ascending;
  private final boolean nullsFirst;

  SortKeyComparator(int slots, SortKey key) {
    this.ascending = key.ascending();
    this.nullsFirst = key.nullsFirst();
    this.nulls = new boolean[slots][];
    this.hasNulls = new boolean[slots];
  }

  /**
   * A comparator for {@code slots} batches of a column of {@code type}, loaded with {@link #load}.
   */
  static SortKeyComparator create(ArrowType type, int slots, SortKey key) {
    if (type instanceof ArrowType.FloatingPoint) {
      return new Doubles(slots, key);
    }
    if (type instanceof ArrowType.Utf8) {
      return new Strings(slots, key);
    }
    if (type instanceof ArrowType.Decimal d && d.getBitWidth() == 128) {
      return new Decimals(slots, key);
    }
    if (type instanceof ArrowType.Bool) {
      return new Longs(slots, key, -1);
    }
    int width = longWidth(type);
    return width > 0 ? new Longs(slots, key, width) : new Generic(slots, key);
  }

  /** The comparator for a column given as one vector per batch, loaded. */
  static SortKeyComparator create(List<FieldVector> column, SortKey key) {
    ArrowType type =
        column.isEmpty() ? ArrowType.Null.INSTANCE : column.get(0).getField().getType();
    SortKeyComparator comparator = create(type, column.size(), key);
    for (int b = 0; b < column.size(); b++) {
      comparator.load(b, column.get(b));
    }
    return comparator;
  }

  /** Byte width of a fixed-width type whose values order as signed integers of that width, or 0. */
  private static int longWidth(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getIsSigned() ? i.getBitWidth() / 8 : 0;
    }
    if (type instanceof ArrowType.Date d) {
      return d.getUnit() == DateUnit.DAY ? 4 : 8;
    }
    if (type instanceof ArrowType.Timestamp || type instanceof ArrowType.Duration) {
      return 8;
    }
    if (type instanceof ArrowType.Time t) {
      return t.getBitWidth() / 8;
    }
    if (type instanceof ArrowType.Interval i && i.getUnit() == IntervalUnit.YEAR_MONTH) {
      return 4;
    }
    return 0;
  }

  /** Loads {@code vector} into slot {@code slot}, replacing what the slot held. */
  final void load(int slot, FieldVector vector) {
    if (slot >= nulls.length) {
      int size = Math.max(slot + 1, nulls.length * 2);
      nulls = Arrays.copyOf(nulls, size);
      hasNulls = Arrays.copyOf(hasNulls, size);
      grow(size);
    }
    int count = vector.getValueCount();
    if (vector.getNullCount() > 0) {
      boolean[] n = new boolean[count];
      for (int r = 0; r < count; r++) {
        n[r] = vector.isNull(r);
      }
      nulls[slot] = n;
      hasNulls[slot] = true;
    } else {
      nulls[slot] = NO_NULLS;
      hasNulls[slot] = false;
    }
    loadValues(slot, vector, count);
  }

  /** Grows the per-slot value arrays to {@code size} slots. */
  abstract void grow(int size);

  /** Reads the values of {@code vector} (non-null ones at least) into slot {@code slot}. */
  abstract void loadValues(int slot, FieldVector vector, int count);

  /** Compares row {@code ra} of slot {@code ba} with row {@code rb} of slot {@code bb}. */
  final int compare(int ba, int ra, int bb, int rb) {
    boolean na = hasNulls[ba] && nulls[ba][ra];
    boolean nb = hasNulls[bb] && nulls[bb][rb];
    if (na || nb) {
      if (na && nb) {
        return 0;
      }
      return na == nullsFirst ? -1 : 1;
    }
    int c = compareValues(ba, ra, bb, rb);
    return ascending ? c : -c;
  }

  /** Compares two non-null values in ascending order. */
  abstract int compareValues(int ba, int ra, int bb, int rb);

  private static final class Generic extends SortKeyComparator {
    private FieldVector[] vectors;

    Generic(int slots, SortKey key) {
      super(slots, key);
      vectors = new FieldVector[slots];
    }

    @Override
    void grow(int size) {
      vectors = Arrays.copyOf(vectors, size);
    }

    @Override
    void loadValues(int slot, FieldVector vector, int count) {
      vectors[slot] = vector;
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      return Values.compare(Values.get(vectors[ba], ra), Values.get(vectors[bb], rb));
    }
  }

  private static final class Longs extends SortKeyComparator {
    /** Byte width of a signed little-endian value, or -1 for a bit vector. */
    private final int width;

    private long[][] values;

    Longs(int slots, SortKey key, int width) {
      super(slots, key);
      this.width = width;
      values = new long[slots][];
    }

    @Override
    void grow(int size) {
      values = Arrays.copyOf(values, size);
    }

    @Override
    void loadValues(int slot, FieldVector v, int count) {
      long[] out = new long[count];
      if (width < 0) {
        BitVector bits = (BitVector) v;
        for (int r = 0; r < count; r++) {
          out[r] = bits.isNull(r) ? 0 : bits.get(r);
        }
      } else {
        ArrowBuf data = ((BaseFixedWidthVector) v).getDataBuffer();
        switch (width) {
          case 8 -> {
            for (int r = 0; r < count; r++) {
              out[r] = data.getLong((long) r << 3);
            }
          }
          case 4 -> {
            for (int r = 0; r < count; r++) {
              out[r] = data.getInt((long) r << 2);
            }
          }
          case 2 -> {
            for (int r = 0; r < count; r++) {
              out[r] = data.getShort((long) r << 1);
            }
          }
          default -> {
            for (int r = 0; r < count; r++) {
              out[r] = data.getByte(r);
            }
          }
        }
      }
      values[slot] = out;
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      return Long.compare(values[ba][ra], values[bb][rb]);
    }
  }

  private static final class Doubles extends SortKeyComparator {
    private double[][] values;

    Doubles(int slots, SortKey key) {
      super(slots, key);
      values = new double[slots][];
    }

    @Override
    void grow(int size) {
      values = Arrays.copyOf(values, size);
    }

    @Override
    void loadValues(int slot, FieldVector vector, int count) {
      FloatingPointVector v = (FloatingPointVector) vector;
      double[] out = new double[count];
      for (int r = 0; r < count; r++) {
        if (!vector.isNull(r)) {
          out[r] = v.getValueAsDouble(r);
        }
      }
      values[slot] = out;
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      return Double.compare(values[ba][ra], values[bb][rb]);
    }
  }

  /** 128-bit decimals of one scale: compared as signed high word, then unsigned low word. */
  private static final class Decimals extends SortKeyComparator {
    private long[][] high;
    private long[][] low;

    Decimals(int slots, SortKey key) {
      super(slots, key);
      high = new long[slots][];
      low = new long[slots][];
    }

    @Override
    void grow(int size) {
      high = Arrays.copyOf(high, size);
      low = Arrays.copyOf(low, size);
    }

    @Override
    void loadValues(int slot, FieldVector v, int count) {
      ArrowBuf data = ((BaseFixedWidthVector) v).getDataBuffer();
      long[] h = new long[count];
      long[] l = new long[count];
      for (int r = 0; r < count; r++) {
        long offset = (long) r << 4;
        l[r] = data.getLong(offset);
        h[r] = data.getLong(offset + 8);
      }
      high[slot] = h;
      low[slot] = l;
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      int c = Long.compare(high[ba][ra], high[bb][rb]);
      return c != 0 ? c : Long.compareUnsigned(low[ba][ra], low[bb][rb]);
    }
  }

  /**
   * UTF-8 strings in byte (code point) order: the first 8 bytes of each, big-endian in a long,
   * decide most comparisons; equal prefixes fall back to comparing the bytes in place.
   */
  private static final class Strings extends SortKeyComparator {
    private VarCharVector[] vectors;
    private long[][] prefixes;

    Strings(int slots, SortKey key) {
      super(slots, key);
      vectors = new VarCharVector[slots];
      prefixes = new long[slots][];
    }

    @Override
    void grow(int size) {
      vectors = Arrays.copyOf(vectors, size);
      prefixes = Arrays.copyOf(prefixes, size);
    }

    @Override
    void loadValues(int slot, FieldVector vector, int count) {
      VarCharVector v = (VarCharVector) vector;
      vectors[slot] = v;
      ArrowBuf offsets = v.getOffsetBuffer();
      ArrowBuf data = v.getDataBuffer();
      long[] out = new long[count];
      for (int r = 0; r < count; r++) {
        int start = offsets.getInt((long) r << 2);
        int length = offsets.getInt((long) (r + 1) << 2) - start;
        long prefix = 0;
        int n = Math.min(8, length);
        for (int i = 0; i < n; i++) {
          prefix |= (data.getByte(start + i) & 0xFFL) << (56 - 8 * i);
        }
        out[r] = prefix;
      }
      prefixes[slot] = out;
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      int c = Long.compareUnsigned(prefixes[ba][ra], prefixes[bb][rb]);
      if (c != 0) {
        return c;
      }
      VarCharVector a = vectors[ba];
      VarCharVector b = vectors[bb];
      return ByteFunctionHelpers.compare(
          a.getDataBuffer(),
          a.getStartOffset(ra),
          a.getEndOffset(ra),
          b.getDataBuffer(),
          b.getStartOffset(rb),
          b.getEndOffset(rb));
    }
  }
}
