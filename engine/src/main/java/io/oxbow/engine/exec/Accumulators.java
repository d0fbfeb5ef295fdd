package io.oxbow.engine.exec;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** The typed {@link Accumulator} implementations. */
final class Accumulators {
  private Accumulators() {}

  private static void writeDecimal(FieldVector out, int i, long lo, long hi) {
    ArrowBuf data = out.getDataBuffer();
    data.setLong((long) i << 4, lo);
    data.setLong(((long) i << 4) + 8, hi);
    BitVectorHelper.setBit(out.getValidityBuffer(), i);
  }

  private static BigInteger toBigInteger(long lo, long hi) {
    return BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
  }

  /** COUNT(*) and COUNT(x). */
  static final class Count extends Accumulator {
    private final boolean star;
    private long[] counts = new long[0];

    Count(AggregateCall call, boolean star) {
      super(call);
      this.star = star;
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > counts.length) {
        counts = Arrays.copyOf(counts, grow(counts.length, groups));
      }
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      long[] c = counts;
      if (star || !KeyLayout.mayHaveNulls(arg)) {
        for (int i = 0; i < n; i++) {
          c[groups[i]]++;
        }
      } else {
        ArrowBuf validity = arg.getValidityBuffer();
        for (int i = 0; i < n; i++) {
          if (KeyLayout.isSet(validity, positions[i])) {
            c[groups[i]]++;
          }
        }
      }
    }

    @Override
    void addToOne(FieldVector arg, int group, int[] groups, int[] positions, int n) {
      counts[group] += counted(arg, positions, 0, n);
    }

    @Override
    void addRuns(
        FieldVector arg, int[] runGroups, int[] starts, int runs, int[] groups, int[] positions) {
      for (int r = 0; r < runs; r++) {
        counts[runGroups[r]] += counted(arg, positions, starts[r], starts[r + 1]);
      }
    }

    /** How many of the rows {@code positions[from..to)} count. */
    private long counted(FieldVector arg, int[] positions, int from, int to) {
      if (star || !KeyLayout.mayHaveNulls(arg)) {
        return to - from;
      }
      ArrowBuf validity = arg.getValidityBuffer();
      long c = 0;
      for (int i = from; i < to; i++) {
        if (KeyLayout.isSet(validity, positions[i])) {
          c++;
        }
      }
      return c;
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      long[] o = ((Count) other).counts;
      for (int g = 0; g < map.length; g++) {
        if (map[g] >= 0) {
          counts[map[g]] += o[g];
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      if (out instanceof BigIntVector) {
        ArrowBuf data = out.getDataBuffer();
        ArrowBuf validity = out.getValidityBuffer();
        for (int i = 0; i < n; i++) {
          data.setLong((long) i << 3, counts[first + i]);
          BitVectorHelper.setBit(validity, i);
        }
      } else {
        for (int i = 0; i < n; i++) {
          Values.set(out, i, counts[first + i]);
        }
      }
    }

    @Override
    long retainedBytes() {
      return 8L * counts.length;
    }
  }

  /**
   * SUM and AVG over integers and decimals: exact 128-bit sums of unscaled values (decimals keep
   * the argument's scale), plus a BigDecimal only when a sum of wide decimals leaves 128 bits.
   */
  static final class Sum extends Accumulator {
    private final KeyLayout layout;
    private final int scale;
    private final boolean wide;
    private final boolean integerArg;
    private final boolean avg;
    private long[] lo = new long[0];
    private long[] hi = new long[0];
    private long[] counts = new long[0];
    private BigDecimal[] overflow;
    private long[] values = new long[0];

    Sum(AggregateCall call, KeyLayout layout, int scale, boolean wide, boolean integerArg) {
      super(call);
      this.layout = layout;
      this.scale = scale;
      this.wide = wide;
      this.integerArg = integerArg;
      this.avg = call.function() == AggregateFunction.AVG;
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > counts.length) {
        int size = grow(counts.length, groups);
        lo = Arrays.copyOf(lo, size);
        hi = Arrays.copyOf(hi, size);
        counts = Arrays.copyOf(counts, size);
        if (overflow != null) {
          overflow = Arrays.copyOf(overflow, size);
        }
      }
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      if (wide) {
        addWide(arg, groups, positions, n);
        return;
      }
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      ArrowBuf data = arg.getDataBuffer();
      // the common layouts read straight from the buffer; the rest go through a scratch array
      int shift = layout == KeyLayout.INT64 ? 3 : layout == KeyLayout.DECIMAL ? 4 : -1;
      long[] v = null;
      if (shift < 0) {
        if (values.length < n) {
          values = new long[Math.max(n, 1024)];
        }
        v = values;
        layout.gatherLongs(arg, positions, n, v);
      }
      long[] l = lo;
      long[] h = hi;
      long[] c = counts;
      for (int i = 0; i < n; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        int g = groups[i];
        long x = shift < 0 ? v[i] : data.getLong((long) pos << shift);
        long s = l[g];
        long r = s + x;
        l[g] = r;
        long carry = (x >> 63) + (Long.compareUnsigned(r, s) < 0 ? 1 : 0);
        if (carry != 0) {
          h[g] += carry;
        }
        c[g]++;
      }
    }

    @Override
    void addToOne(FieldVector arg, int group, int[] groups, int[] positions, int n) {
      int shift = layout == KeyLayout.INT64 ? 3 : layout == KeyLayout.DECIMAL ? 4 : -1;
      if (wide) {
        addWideRun(arg, group, positions, 0, n);
      } else if (shift < 0) {
        add(arg, groups, positions, n);
      } else {
        addRun(arg, shift, group, positions, 0, n);
      }
    }

    @Override
    void addRuns(
        FieldVector arg, int[] runGroups, int[] starts, int runs, int[] groups, int[] positions) {
      int shift = layout == KeyLayout.INT64 ? 3 : layout == KeyLayout.DECIMAL ? 4 : -1;
      if (!wide && shift < 0) {
        add(arg, groups, positions, starts[runs]);
        return;
      }
      for (int r = 0; r < runs; r++) {
        if (wide) {
          addWideRun(arg, runGroups[r], positions, starts[r], starts[r + 1]);
        } else {
          addRun(arg, shift, runGroups[r], positions, starts[r], starts[r + 1]);
        }
      }
    }

    /**
     * Adds the rows {@code positions[from..to)} of a 64-bit argument to {@code group}, the sum in
     * locals: no store and reload of the group's state per row.
     */
    private void addRun(FieldVector arg, int shift, int group, int[] positions, int from, int to) {
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      ArrowBuf data = arg.getDataBuffer();
      long sumLo = lo[group];
      long sumHi = hi[group];
      long count = 0;
      for (int i = from; i < to; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        long x = data.getLong((long) pos << shift);
        long r = sumLo + x;
        sumHi += (x >> 63) + (Long.compareUnsigned(r, sumLo) < 0 ? 1 : 0);
        sumLo = r;
        count++;
      }
      lo[group] = sumLo;
      hi[group] = sumHi;
      counts[group] += count;
    }

    /**
     * {@link #addRun} for a 128-bit argument; when the sum would leave 128 bits, the rest of the
     * run goes row by row through {@link #add128}, which moves it to a BigDecimal.
     */
    private void addWideRun(FieldVector arg, int group, int[] positions, int from, int to) {
      ArrowBuf data = arg.getDataBuffer();
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      long sumLo = lo[group];
      long sumHi = hi[group];
      long count = 0;
      for (int i = from; i < to; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        long xlo = data.getLong((long) pos << 4);
        long xhi = data.getLong(((long) pos << 4) + 8);
        long r = sumLo + xlo;
        long carry = Long.compareUnsigned(r, sumLo) < 0 ? 1 : 0;
        long t = sumHi + xhi;
        long sum = t + carry;
        if (((sumHi ^ t) & (xhi ^ t)) < 0 || ((t ^ sum) & (carry ^ sum)) < 0) {
          lo[group] = sumLo;
          hi[group] = sumHi;
          counts[group] += count;
          for (int j = i; j < to; j++) {
            int p = positions[j];
            if (nulls && !KeyLayout.isSet(validity, p)) {
              continue;
            }
            add128(group, data.getLong((long) p << 4), data.getLong(((long) p << 4) + 8));
            counts[group]++;
          }
          return;
        }
        sumLo = r;
        sumHi = sum;
        count++;
      }
      lo[group] = sumLo;
      hi[group] = sumHi;
      counts[group] += count;
    }

    private void addWide(FieldVector arg, int[] groups, int[] positions, int n) {
      ArrowBuf data = arg.getDataBuffer();
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      for (int i = 0; i < n; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        int g = groups[i];
        add128(g, data.getLong((long) pos << 4), data.getLong(((long) pos << 4) + 8));
        counts[g]++;
      }
    }

    /** Adds a 128-bit value, moving the sum to a BigDecimal if it would leave 128 bits. */
    private void add128(int g, long xlo, long xhi) {
      long s = lo[g];
      long r = s + xlo;
      long carry = Long.compareUnsigned(r, s) < 0 ? 1 : 0;
      long h = hi[g];
      long t = h + xhi;
      long sum = t + carry;
      boolean overflowed = ((h ^ t) & (xhi ^ t)) < 0 || ((t ^ sum) & (carry ^ sum)) < 0;
      if (overflowed) {
        if (overflow == null) {
          overflow = new BigDecimal[counts.length];
        }
        BigDecimal total =
            new BigDecimal(toBigInteger(s, h), scale)
                .add(new BigDecimal(toBigInteger(xlo, xhi), scale));
        overflow[g] = overflow[g] == null ? total : overflow[g].add(total);
        lo[g] = 0;
        hi[g] = 0;
        return;
      }
      lo[g] = r;
      hi[g] = sum;
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      Sum o = (Sum) other;
      for (int g = 0; g < map.length; g++) {
        int t = map[g];
        if (t < 0) {
          continue;
        }
        add128(t, o.lo[g], o.hi[g]);
        counts[t] += o.counts[g];
        if (o.overflow != null && o.overflow[g] != null) {
          if (overflow == null) {
            overflow = new BigDecimal[counts.length];
          }
          overflow[t] = overflow[t] == null ? o.overflow[g] : overflow[t].add(o.overflow[g]);
        }
      }
    }

    private boolean fitsLong(int g) {
      return (overflow == null || overflow[g] == null) && hi[g] == lo[g] >> 63;
    }

    /** The exact sum as the result helpers take it: a Long for integers, else a BigDecimal. */
    private Object exact(int g) {
      if (integerArg && fitsLong(g)) {
        return lo[g];
      }
      BigDecimal d = new BigDecimal(toBigInteger(lo[g], hi[g]), scale);
      if (overflow != null && overflow[g] != null) {
        d = d.add(overflow[g]);
      }
      return d;
    }

    @Override
    void write(FieldVector out, int first, int n) {
      ArrowType type = call.type();
      ArrowType outType = out.getField().getType();
      int outScale = outType instanceof ArrowType.Decimal d ? d.getScale() : -1;
      int outPrecision = outType instanceof ArrowType.Decimal d ? d.getPrecision() : -1;
      boolean decimalOut = out instanceof DecimalVector && outScale >= scale;
      long factor = decimalOut && outScale - scale < 19 ? POWERS_OF_TEN[outScale - scale] : 0;
      boolean bigintOut = out instanceof BigIntVector && scale == 0;
      boolean doubleOut = out instanceof Float8Vector && scale == 0;
      for (int i = 0; i < n; i++) {
        int g = first + i;
        long c = counts[g];
        if (c == 0) {
          continue; // slots start null
        }
        if (fitsLong(g)) {
          long v = lo[g];
          if (factor != 0) {
            long hiProduct = Math.multiplyHigh(v, factor);
            long scaled = v * factor;
            if (hiProduct == scaled >> 63) {
              long result = scaled;
              if (avg) {
                long q = scaled / c;
                long r = Math.abs(scaled % c);
                if (r >= c - r) {
                  q += scaled < 0 ? -1 : 1;
                }
                result = q;
              }
              if (outPrecision >= 19
                  || (result < POWERS_OF_TEN[outPrecision]
                      && result > -POWERS_OF_TEN[outPrecision])) {
                writeDecimal(out, i, result, result >> 63);
                continue;
              }
            }
          } else if (bigintOut && !avg) {
            KeyLayout.INT64.writeLong(out, i, v);
            continue;
          } else if (doubleOut) {
            double d = avg ? (double) v / c : (double) v;
            KeyLayout.FLOAT64.writeLong(out, i, Double.doubleToRawLongBits(d));
            continue;
          }
        }
        Object exact = exact(g);
        Values.set(out, i, avg ? average(exact, c, type) : castSum(exact, type));
      }
    }

    @Override
    long retainedBytes() {
      return 24L * counts.length + 8L * values.length + (overflow == null ? 0 : 8L * counts.length);
    }
  }

  /** SUM and AVG over floating point. */
  static final class DoubleSum extends Accumulator {
    private final KeyLayout layout;
    private final boolean avg;
    private double[] sums = new double[0];
    private long[] counts = new long[0];

    DoubleSum(AggregateCall call, KeyLayout layout) {
      super(call);
      this.layout = layout;
      this.avg = call.function() == AggregateFunction.AVG;
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > counts.length) {
        int size = grow(counts.length, groups);
        sums = Arrays.copyOf(sums, size);
        counts = Arrays.copyOf(counts, size);
      }
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      ArrowBuf data = arg.getDataBuffer();
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      double[] s = sums;
      long[] c = counts;
      boolean dbl = layout == KeyLayout.FLOAT64;
      for (int i = 0; i < n; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        int g = groups[i];
        s[g] += dbl ? data.getDouble((long) pos << 3) : data.getFloat((long) pos << 2);
        c[g]++;
      }
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      DoubleSum o = (DoubleSum) other;
      for (int g = 0; g < map.length; g++) {
        int t = map[g];
        if (t >= 0) {
          sums[t] += o.sums[g];
          counts[t] += o.counts[g];
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      boolean doubleOut = out instanceof Float8Vector;
      for (int i = 0; i < n; i++) {
        int g = first + i;
        long c = counts[g];
        if (c == 0) {
          continue;
        }
        if (doubleOut) {
          double d = avg ? sums[g] / c : sums[g];
          KeyLayout.FLOAT64.writeLong(out, i, Double.doubleToRawLongBits(d));
        } else {
          Object sum = sums[g];
          Values.set(out, i, avg ? average(sum, c, call.type()) : castSum(sum, call.type()));
        }
      }
    }

    @Override
    long retainedBytes() {
      return 16L * counts.length;
    }
  }

  /** MIN and MAX over values whose slots order like longs (integers, dates, times, booleans). */
  static final class MinMaxLong extends Accumulator {
    private final KeyLayout layout;
    private final boolean min;
    private long[] extremes = new long[0];
    private boolean[] seen = new boolean[0];
    private long[] values = new long[0];

    MinMaxLong(AggregateCall call, KeyLayout layout, boolean min) {
      super(call);
      this.layout = layout;
      this.min = min;
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > seen.length) {
        int size = grow(seen.length, groups);
        extremes = Arrays.copyOf(extremes, size);
        seen = Arrays.copyOf(seen, size);
      }
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      if (values.length < n) {
        values = new long[Math.max(n, 1024)];
      }
      long[] v = values;
      layout.gatherLongs(arg, positions, n, v);
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      for (int i = 0; i < n; i++) {
        if (nulls && !KeyLayout.isSet(validity, positions[i])) {
          continue;
        }
        accept(groups[i], v[i]);
      }
    }

    private void accept(int g, long x) {
      if (!seen[g]) {
        seen[g] = true;
        extremes[g] = x;
      } else if (min ? x < extremes[g] : x > extremes[g]) {
        extremes[g] = x;
      }
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      MinMaxLong o = (MinMaxLong) other;
      for (int g = 0; g < map.length; g++) {
        if (o.seen[g] && map[g] >= 0) {
          accept(map[g], o.extremes[g]);
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      for (int i = 0; i < n; i++) {
        if (seen[first + i]) {
          layout.writeLong(out, i, extremes[first + i]);
        }
      }
    }

    @Override
    long retainedBytes() {
      return 9L * seen.length + 8L * values.length;
    }
  }

  /** MIN and MAX over floating point, ordered like {@link Double#compare}. */
  static final class MinMaxDouble extends Accumulator {
    private final KeyLayout layout;
    private final boolean min;
    private double[] extremes = new double[0];
    private boolean[] seen = new boolean[0];

    MinMaxDouble(AggregateCall call, KeyLayout layout, boolean min) {
      super(call);
      this.layout = layout;
      this.min = min;
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > seen.length) {
        int size = grow(seen.length, groups);
        extremes = Arrays.copyOf(extremes, size);
        seen = Arrays.copyOf(seen, size);
      }
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      ArrowBuf data = arg.getDataBuffer();
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      boolean dbl = layout == KeyLayout.FLOAT64;
      for (int i = 0; i < n; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        accept(groups[i], dbl ? data.getDouble((long) pos << 3) : data.getFloat((long) pos << 2));
      }
    }

    private void accept(int g, double x) {
      if (!seen[g]) {
        seen[g] = true;
        extremes[g] = x;
      } else {
        int c = Double.compare(x, extremes[g]);
        if (min ? c < 0 : c > 0) {
          extremes[g] = x;
        }
      }
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      MinMaxDouble o = (MinMaxDouble) other;
      for (int g = 0; g < map.length; g++) {
        if (o.seen[g] && map[g] >= 0) {
          accept(map[g], o.extremes[g]);
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      for (int i = 0; i < n; i++) {
        if (seen[first + i]) {
          double d = extremes[first + i];
          long bits =
              layout == KeyLayout.FLOAT64
                  ? Double.doubleToRawLongBits(d)
                  : Float.floatToRawIntBits((float) d);
          layout.writeLong(out, i, bits);
        }
      }
    }

    @Override
    long retainedBytes() {
      return 9L * seen.length;
    }
  }

  /** MIN and MAX over decimals as signed 128-bit unscaled values. */
  static final class MinMaxDecimal extends Accumulator {
    private final boolean min;
    private long[] lo = new long[0];
    private long[] hi = new long[0];
    private boolean[] seen = new boolean[0];

    MinMaxDecimal(AggregateCall call, boolean min) {
      super(call);
      this.min = min;
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > seen.length) {
        int size = grow(seen.length, groups);
        lo = Arrays.copyOf(lo, size);
        hi = Arrays.copyOf(hi, size);
        seen = Arrays.copyOf(seen, size);
      }
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      ArrowBuf data = arg.getDataBuffer();
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      for (int i = 0; i < n; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        accept(groups[i], data.getLong((long) pos << 4), data.getLong(((long) pos << 4) + 8));
      }
    }

    private void accept(int g, long xlo, long xhi) {
      if (!seen[g]) {
        seen[g] = true;
        lo[g] = xlo;
        hi[g] = xhi;
        return;
      }
      int c = xhi != hi[g] ? Long.compare(xhi, hi[g]) : Long.compareUnsigned(xlo, lo[g]);
      if (min ? c < 0 : c > 0) {
        lo[g] = xlo;
        hi[g] = xhi;
      }
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      MinMaxDecimal o = (MinMaxDecimal) other;
      for (int g = 0; g < map.length; g++) {
        if (o.seen[g] && map[g] >= 0) {
          accept(map[g], o.lo[g], o.hi[g]);
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      for (int i = 0; i < n; i++) {
        int g = first + i;
        if (seen[g]) {
          writeDecimal(out, i, lo[g], hi[g]);
        }
      }
    }

    @Override
    long retainedBytes() {
      return 17L * seen.length;
    }
  }

  /** MIN and MAX over strings, kept as UTF-8 bytes and compared unsigned (code point order). */
  static final class MinMaxString extends Accumulator {
    private final boolean min;
    private byte[][] extremes = new byte[0][];
    private long bytes;

    MinMaxString(AggregateCall call, boolean min) {
      super(call);
      this.min = min;
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > extremes.length) {
        extremes = Arrays.copyOf(extremes, grow(extremes.length, groups));
      }
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      ArrowBuf data = arg.getDataBuffer();
      ArrowBuf offsets = arg.getOffsetBuffer();
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      for (int i = 0; i < n; i++) {
        int pos = positions[i];
        if (nulls && !KeyLayout.isSet(validity, pos)) {
          continue;
        }
        int start = offsets.getInt((long) pos * BaseVariableWidthVector.OFFSET_WIDTH);
        int end = offsets.getInt((long) (pos + 1) * BaseVariableWidthVector.OFFSET_WIDTH);
        int g = groups[i];
        byte[] current = extremes[g];
        if (current == null || better(compare(data, start, end - start, current))) {
          byte[] value = new byte[end - start];
          data.getBytes(start, value, 0, value.length);
          replace(g, value);
        }
      }
    }

    private boolean better(int c) {
      return min ? c < 0 : c > 0;
    }

    private void replace(int g, byte[] value) {
      bytes += value.length - (extremes[g] == null ? -16 : extremes[g].length);
      extremes[g] = value;
    }

    private static int compare(ArrowBuf data, long start, int len, byte[] b) {
      int common = Math.min(len, b.length);
      for (int j = 0; j < common; j++) {
        int x = data.getByte(start + j) & 0xff;
        int y = b[j] & 0xff;
        if (x != y) {
          return x - y;
        }
      }
      return len - b.length;
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      MinMaxString o = (MinMaxString) other;
      for (int g = 0; g < map.length; g++) {
        byte[] v = o.extremes[g];
        if (v == null || map[g] < 0) {
          continue;
        }
        byte[] current = extremes[map[g]];
        if (current == null || better(Arrays.compareUnsigned(v, current))) {
          replace(map[g], v);
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      VarCharVector v = (VarCharVector) out;
      for (int i = 0; i < n; i++) {
        byte[] value = extremes[first + i];
        if (value != null) {
          v.setSafe(i, value);
        }
      }
    }

    @Override
    long retainedBytes() {
      return 8L * extremes.length + bytes;
    }
  }

  /**
   * Boxed per-group values for what the typed accumulators do not cover: SINGLE_VALUE (at most one
   * row per group before it fails) and aggregates over rare types (intervals, NULL).
   */
  static final class Generic extends Accumulator {
    // SUM and AVG here are over intervals or NULL: summed as doubles like the Number they read as
    private long[] counts = new long[0];
    private double[] sums = new double[0];
    private Object[] values = new Object[0];

    Generic(AggregateCall call, ArrowType argType) {
      super(call);
    }

    @Override
    void ensureCapacity(int groups) {
      if (groups > counts.length) {
        int size = grow(counts.length, groups);
        counts = Arrays.copyOf(counts, size);
        sums = Arrays.copyOf(sums, size);
        values = Arrays.copyOf(values, size);
      }
    }

    private boolean single() {
      return call.function() == AggregateFunction.SINGLE_VALUE;
    }

    private static OxbowException tooManyRows() {
      return OxbowException.userError("A scalar subquery returned more than one row");
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      for (int i = 0; i < n; i++) {
        int g = groups[i];
        Object v = Values.get(arg, positions[i]);
        if (single()) {
          if (counts[g]++ > 0) {
            throw tooManyRows();
          }
          values[g] = v;
        } else if (v != null) {
          accept(g, v);
        }
      }
    }

    private void accept(int g, Object v) {
      switch (call.function()) {
        case SUM, AVG -> {
          counts[g]++;
          sums[g] += ((Number) v).doubleValue();
        }
        case MIN, MAX -> {
          counts[g]++;
          if (values[g] == null) {
            values[g] = v;
          } else {
            int c = Values.compare(v, values[g]);
            if (call.function() == AggregateFunction.MIN ? c < 0 : c > 0) {
              values[g] = v;
            }
          }
        }
        default -> throw new IllegalStateException(call.function().name());
      }
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      Generic o = (Generic) other;
      for (int g = 0; g < map.length; g++) {
        int t = map[g];
        if (o.counts[g] == 0 || t < 0) {
          continue;
        }
        switch (call.function()) {
          case SINGLE_VALUE -> {
            if (counts[t] > 0) {
              throw tooManyRows();
            }
            counts[t] = o.counts[g];
            values[t] = o.values[g];
          }
          case SUM, AVG -> {
            counts[t] += o.counts[g];
            sums[t] += o.sums[g];
          }
          default -> {
            long c = counts[t];
            accept(t, o.values[g]);
            counts[t] = c + o.counts[g];
          }
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      for (int i = 0; i < n; i++) {
        int g = first + i;
        Object result =
            switch (call.function()) {
              case SUM, AVG -> {
                if (counts[g] == 0) {
                  yield null;
                }
                Object sum = sums[g];
                yield call.function() == AggregateFunction.SUM
                    ? castSum(sum, call.type())
                    : average(sum, counts[g], call.type());
              }
              default -> values[g];
            };
        Values.set(out, i, result);
      }
    }

    @Override
    long retainedBytes() {
      return 48L * counts.length;
    }
  }

  /**
   * A DISTINCT aggregate: a set of (group id, value) rows in a {@link BytesGroupByHash}; when the
   * input ends the distinct values are decoded into vectors and fed to the plain accumulator.
   */
  static final class Distinct extends Accumulator {
    private final ArrowType argType;
    private final Accumulator inner;
    private final BufferAllocator allocator;
    private final BytesGroupByHash set;
    private final FieldVector[] columns = new FieldVector[1];
    private int[] live = new int[0];
    private int[] liveGroups = new int[0];
    private int[] ids = new int[0];
    private boolean prepared;

    Distinct(AggregateCall call, ArrowType argType, Accumulator inner, BufferAllocator allocator) {
      super(call);
      this.argType = argType;
      this.inner = inner;
      this.allocator = allocator;
      this.set = new BytesGroupByHash(List.of(argType), true);
    }

    @Override
    void ensureCapacity(int groups) {
      inner.ensureCapacity(groups);
    }

    @Override
    void add(FieldVector arg, int[] groups, int[] positions, int n) {
      if (live.length < n) {
        live = new int[n];
        liveGroups = new int[n];
        ids = new int[n];
      }
      int m = 0;
      boolean nulls = KeyLayout.mayHaveNulls(arg);
      ArrowBuf validity = arg.getValidityBuffer();
      for (int i = 0; i < n; i++) {
        if (!nulls || KeyLayout.isSet(validity, positions[i])) {
          live[m] = positions[i];
          liveGroups[m++] = groups[i];
        }
      }
      if (arg.getField().getType().getTypeID() == ArrowType.ArrowTypeID.Null) {
        m = 0;
      }
      columns[0] = arg;
      set.serialize(columns, live, m, liveGroups);
      set.probeRows(m, ids);
      columns[0] = null;
    }

    @Override
    void mergeFrom(Accumulator other, int[] map) {
      set.mergePrefixedFrom(((Distinct) other).set, map);
    }

    @Override
    void prepareOutput(int groups) {
      if (prepared) {
        return;
      }
      prepared = true;
      inner.ensureCapacity(groups);
      int batch = 4096;
      int[] identity = new int[batch];
      int[] groupIds = new int[batch];
      for (int i = 0; i < batch; i++) {
        identity[i] = i;
      }
      for (int first = 0; first < set.size(); first += batch) {
        int n = Math.min(batch, set.size() - first);
        try (FieldVector values = Values.newVector("v", argType, allocator)) {
          values.setInitialCapacity(n);
          values.allocateNew();
          set.writeKey(0, values, first, n);
          values.setValueCount(n);
          for (int i = 0; i < n; i++) {
            groupIds[i] = set.prefix(first + i);
          }
          inner.add(values, groupIds, identity, n);
        }
      }
    }

    @Override
    void write(FieldVector out, int first, int n) {
      inner.write(out, first, n);
    }

    @Override
    long retainedBytes() {
      return set.retainedBytes() + inner.retainedBytes() + 12L * live.length;
    }
  }
}
