package io.oxbow.engine.exec;

import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import java.math.BigDecimal;
import java.util.List;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Compares rows of one sort key across several batches (a column per batch), honouring the key's
 * direction and null placement. Values are read into primitive arrays once per batch where the type
 * allows; strings are compared as UTF-8 bytes (code point order) in place.
 */
abstract class SortKeyComparator {
  private final boolean[][] nulls;
  private final boolean ascending;
  private final boolean nullsFirst;

  SortKeyComparator(List<FieldVector> column, SortKey key) {
    this.ascending = key.ascending();
    this.nullsFirst = key.nullsFirst();
    this.nulls = new boolean[column.size()][];
    for (int b = 0; b < column.size(); b++) {
      FieldVector v = column.get(b);
      boolean[] n = new boolean[v.getValueCount()];
      if (v.getNullCount() > 0) {
        for (int r = 0; r < n.length; r++) {
          n[r] = v.isNull(r);
        }
      }
      nulls[b] = n;
    }
  }

  /** The comparator suited to the column's type. */
  static SortKeyComparator create(List<FieldVector> column, SortKey key) {
    Kind kind = column.isEmpty() ? Kind.NULL : Kind.of(column.get(0).getField().getType());
    return switch (kind) {
      case INTEGER, DATE, TIMESTAMP, BOOLEAN, TIME, INTERVAL_YEAR_MONTH, INTERVAL_DAY_TIME ->
          new Longs(column, key);
      case FLOATING -> new Doubles(column, key);
      case STRING ->
          column.get(0) instanceof VarCharVector ? new Strings(column, key) : generic(column, key);
      case DECIMAL -> new Decimals(column, key);
      default -> generic(column, key);
    };
  }

  private static SortKeyComparator generic(List<FieldVector> column, SortKey key) {
    return new SortKeyComparator(column, key) {
      @Override
      int compareValues(int ba, int ra, int bb, int rb) {
        return Values.compare(Values.get(column.get(ba), ra), Values.get(column.get(bb), rb));
      }
    };
  }

  /** Compares row {@code ra} of batch {@code ba} with row {@code rb} of batch {@code bb}. */
  final int compare(int ba, int ra, int bb, int rb) {
    boolean na = nulls[ba][ra];
    boolean nb = nulls[bb][rb];
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

  private static final class Longs extends SortKeyComparator {
    private final long[][] values;

    Longs(List<FieldVector> column, SortKey key) {
      super(column, key);
      values = new long[column.size()][];
      for (int b = 0; b < column.size(); b++) {
        FieldVector v = column.get(b);
        long[] out = new long[v.getValueCount()];
        for (int r = 0; r < out.length; r++) {
          if (!v.isNull(r)) {
            out[r] =
                v instanceof BitVector bits ? bits.get(r) : ((Number) Values.get(v, r)).longValue();
          }
        }
        values[b] = out;
      }
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      return Long.compare(values[ba][ra], values[bb][rb]);
    }
  }

  private static final class Doubles extends SortKeyComparator {
    private final double[][] values;

    Doubles(List<FieldVector> column, SortKey key) {
      super(column, key);
      values = new double[column.size()][];
      for (int b = 0; b < column.size(); b++) {
        FloatingPointVector v = (FloatingPointVector) column.get(b);
        double[] out = new double[v.getValueCount()];
        for (int r = 0; r < out.length; r++) {
          if (!v.isNull(r)) {
            out[r] = v.getValueAsDouble(r);
          }
        }
        values[b] = out;
      }
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      return Double.compare(values[ba][ra], values[bb][rb]);
    }
  }

  private static final class Decimals extends SortKeyComparator {
    private final BigDecimal[][] values;

    Decimals(List<FieldVector> column, SortKey key) {
      super(column, key);
      values = new BigDecimal[column.size()][];
      for (int b = 0; b < column.size(); b++) {
        DecimalVector v = (DecimalVector) column.get(b);
        BigDecimal[] out = new BigDecimal[v.getValueCount()];
        for (int r = 0; r < out.length; r++) {
          if (!v.isNull(r)) {
            out[r] = v.getObject(r);
          }
        }
        values[b] = out;
      }
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
      return values[ba][ra].compareTo(values[bb][rb]);
    }
  }

  private static final class Strings extends SortKeyComparator {
    private final VarCharVector[] vectors;

    Strings(List<FieldVector> column, SortKey key) {
      super(column, key);
      vectors = column.toArray(new VarCharVector[0]);
    }

    @Override
    int compareValues(int ba, int ra, int bb, int rb) {
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
