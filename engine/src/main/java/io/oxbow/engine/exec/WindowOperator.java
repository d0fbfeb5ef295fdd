package io.oxbow.engine.exec;

import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.WindowNode;
import io.oxbow.engine.plan.WindowNode.Bound;
import io.oxbow.engine.plan.WindowNode.BoundType;
import io.oxbow.engine.plan.WindowNode.WindowCall;
import io.oxbow.engine.plan.WindowNode.WindowFunction;
import io.oxbow.engine.plan.WindowNode.WindowGroup;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Window functions. Collects the whole input, then for each window group orders the rows by
 * partition and order keys, walks each partition and computes every call per row (aggregates over
 * frames that start at the partition's first row are accumulated incrementally). Emits the input
 * rows in their original order with the computed columns appended.
 */
final class WindowOperator implements Operator {
  private static final int BATCH = 4096;

  private final WindowNode node;
  private final BufferAllocator allocator;
  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  private final int inputColumns;
  private int[] batchOf;
  private int[] rowOf;
  private Object[][] computed;
  private int emitted;
  private boolean finishing;
  private boolean done;

  WindowOperator(WindowNode node, BufferAllocator allocator) {
    this.node = node;
    this.allocator = allocator;
    this.inputColumns = node.input().schema().getFields().size();
  }

  @Override
  public boolean needsInput() {
    return !finishing;
  }

  @Override
  public void addInput(Page page) {
    batches.add(page.compact(allocator));
  }

  @Override
  public void finish() {
    if (finishing) {
      return;
    }
    finishing = true;
    int total = 0;
    for (VectorSchemaRoot b : batches) {
      total += b.getRowCount();
    }
    batchOf = new int[total];
    rowOf = new int[total];
    int n = 0;
    for (int b = 0; b < batches.size(); b++) {
      for (int r = 0; r < batches.get(b).getRowCount(); r++) {
        batchOf[n] = b;
        rowOf[n++] = r;
      }
    }
    int calls = node.groups().stream().mapToInt(g -> g.calls().size()).sum();
    computed = new Object[calls][total];
    int column = 0;
    for (WindowGroup group : node.groups()) {
      compute(group, column, total);
      column += group.calls().size();
    }
  }

  private Object value(int column, int row) {
    return Values.get(batches.get(batchOf[row]).getVector(column), rowOf[row]);
  }

  private void compute(WindowGroup group, int firstColumn, int total) {
    Integer[] order = new Integer[total];
    for (int i = 0; i < total; i++) {
      order[i] = i;
    }
    Comparator<Integer> partition = keysComparator(group.partitionKeys(), null);
    Comparator<Integer> ordering = keysComparator(null, group.orderKeys());
    Arrays.sort(order, partition.thenComparing(ordering));
    int start = 0;
    while (start < total) {
      int end = start + 1;
      while (end < total && partition.compare(order[start], order[end]) == 0) {
        end++;
      }
      for (int c = 0; c < group.calls().size(); c++) {
        computePartition(
            group, group.calls().get(c), computed[firstColumn + c], order, start, end, ordering);
      }
      start = end;
    }
  }

  private Comparator<Integer> keysComparator(List<Integer> columns, List<SortKey> sortKeys) {
    List<SortKey> keys = new ArrayList<>();
    if (columns != null) {
      for (int c : columns) {
        keys.add(new SortKey(c, true, true));
      }
    } else {
      keys.addAll(sortKeys);
    }
    return (x, y) -> {
      for (SortKey key : keys) {
        Object a = value(key.column(), x);
        Object b = value(key.column(), y);
        if (a == null || b == null) {
          if (a == b) {
            continue;
          }
          return (a == null) == key.nullsFirst() ? -1 : 1;
        }
        int c = Values.compare(a, b);
        if (c != 0) {
          return key.ascending() ? c : -c;
        }
      }
      return 0;
    };
  }

  private void computePartition(
      WindowGroup group,
      WindowCall call,
      Object[] out,
      Integer[] order,
      int start,
      int end,
      Comparator<Integer> ordering) {
    WindowFunction fn = call.function();
    switch (fn) {
      case ROW_NUMBER -> {
        for (int i = start; i < end; i++) {
          out[order[i]] = (long) (i - start + 1);
        }
      }
      case RANK, DENSE_RANK -> {
        long rank = 0;
        long dense = 0;
        for (int i = start; i < end; i++) {
          if (i == start || ordering.compare(order[i - 1], order[i]) != 0) {
            rank = i - start + 1;
            dense++;
          }
          out[order[i]] = fn == WindowFunction.RANK ? rank : dense;
        }
      }
      case NTILE -> {
        long buckets = ((Number) call.constants().get(0)).longValue();
        if (buckets <= 0) {
          throw OxbowException.userError("NTILE needs a positive number of buckets");
        }
        long size = end - start;
        long small = size / buckets;
        long large = size % buckets;
        long row = 0;
        for (long bucket = 1; bucket <= buckets && row < size; bucket++) {
          long count = small + (bucket <= large ? 1 : 0);
          for (long k = 0; k < count; k++) {
            out[order[(int) (start + row++)]] = bucket;
          }
        }
      }
      case LAG, LEAD -> {
        long offset =
            call.constants().isEmpty() ? 1 : ((Number) call.constants().get(0)).longValue();
        Object fallback = call.constants().size() > 1 ? call.constants().get(1) : null;
        for (int i = start; i < end; i++) {
          long j = fn == WindowFunction.LAG ? i - offset : i + offset;
          out[order[i]] =
              j >= start && j < end ? value(call.arguments().get(0), order[(int) j]) : fallback;
        }
      }
      default -> computeFramed(group, call, out, order, start, end, ordering);
    }
  }

  private void computeFramed(
      WindowGroup group,
      WindowCall call,
      Object[] out,
      Integer[] order,
      int start,
      int end,
      Comparator<Integer> ordering) {
    boolean running = group.lower().type() == BoundType.UNBOUNDED_PRECEDING && !call.distinct();
    Accumulator acc = new Accumulator(call);
    int added = start - 1;
    for (int i = start; i < end; i++) {
      int lo = bound(group, group.lower(), true, order, start, end, i, ordering);
      int hi = bound(group, group.upper(), false, order, start, end, i, ordering);
      if (!running) {
        acc = new Accumulator(call);
        added = lo - 1;
      }
      while (added < hi) {
        added++;
        acc.add(order[added], this);
      }
      out[order[i]] = lo > hi ? acc.empty() : acc.result(lo, hi, order, this);
    }
  }

  /** The first (lower) or last (upper) position of row {@code i}'s frame within [start, end). */
  private int bound(
      WindowGroup group,
      Bound bound,
      boolean lower,
      Integer[] order,
      int start,
      int end,
      int i,
      Comparator<Integer> ordering) {
    switch (bound.type()) {
      case UNBOUNDED_PRECEDING:
        return start;
      case UNBOUNDED_FOLLOWING:
        return end - 1;
      case CURRENT_ROW:
        if (group.rows()) {
          return i;
        }
        int j = i;
        if (lower) {
          while (j > start && ordering.compare(order[j - 1], order[i]) == 0) {
            j--;
          }
        } else {
          while (j < end - 1 && ordering.compare(order[j + 1], order[i]) == 0) {
            j++;
          }
        }
        return j;
      default:
        break;
    }
    boolean preceding = bound.type() == BoundType.PRECEDING;
    if (group.rows()) {
      long offset = ((Number) bound.offset()).longValue();
      long position = preceding ? i - offset : i + offset;
      // a lower bound past the partition's end, or an upper bound before its start, is an empty
      // frame (lower > upper)
      return lower
          ? (int) Math.max(start, Math.min(end, position))
          : (int) Math.max(start - 1, Math.min(end - 1, position));
    }
    // RANGE with an offset: by value of the single order key
    if (group.orderKeys().size() != 1) {
      throw OxbowException.userError("RANGE with an offset needs exactly one ORDER BY key");
    }
    SortKey key = group.orderKeys().get(0);
    Object current = value(key.column(), order[i]);
    if (current == null) {
      return i;
    }
    BigDecimal offset = new BigDecimal(bound.offset().toString());
    BigDecimal here = new BigDecimal(current.toString());
    boolean towardsSmaller = preceding == key.ascending();
    BigDecimal limit = towardsSmaller ? here.subtract(offset) : here.add(offset);
    if (lower) {
      int j = start;
      while (j < end && !inRange(value(key.column(), order[j]), limit, key.ascending(), true)) {
        j++;
      }
      return j;
    }
    int j = end - 1;
    while (j >= start && !inRange(value(key.column(), order[j]), limit, key.ascending(), false)) {
      j--;
    }
    return j;
  }

  private static boolean inRange(Object value, BigDecimal limit, boolean ascending, boolean lower) {
    if (value == null) {
      return false;
    }
    int c = new BigDecimal(value.toString()).compareTo(limit);
    return lower == ascending ? c >= 0 : c <= 0;
  }

  /** Aggregate state over a frame; FIRST_VALUE and LAST_VALUE read the frame's ends. */
  private static final class Accumulator {
    private final WindowCall call;
    private long count;
    private Object sum;
    private Object extreme;
    private final Set<Object> seen = new HashSet<>();

    Accumulator(WindowCall call) {
      this.call = call;
    }

    void add(int row, WindowOperator op) {
      if (call.function() == WindowFunction.COUNT_STAR) {
        count++;
        return;
      }
      if (call.arguments().isEmpty()) {
        return;
      }
      Object v = op.value(call.arguments().get(0), row);
      if (v == null || (call.distinct() && !seen.add(v))) {
        return;
      }
      count++;
      switch (call.function()) {
        case SUM, AVG -> sum = sum == null ? v : plus(sum, v);
        case MIN -> extreme = extreme == null || Values.compare(v, extreme) < 0 ? v : extreme;
        case MAX -> extreme = extreme == null || Values.compare(v, extreme) > 0 ? v : extreme;
        default -> {}
      }
    }

    Object empty() {
      return call.function() == WindowFunction.COUNT || call.function() == WindowFunction.COUNT_STAR
          ? (Object) 0L
          : null;
    }

    Object result(int lo, int hi, Integer[] order, WindowOperator op) {
      return switch (call.function()) {
        case COUNT, COUNT_STAR -> count;
        case SUM -> sum == null ? null : cast(sum, call.type());
        case AVG -> count == 0 ? null : average(sum, count, call.type());
        case MIN, MAX -> extreme;
        case FIRST_VALUE -> op.value(call.arguments().get(0), order[lo]);
        case LAST_VALUE -> op.value(call.arguments().get(0), order[hi]);
        default -> throw new IllegalStateException(call.function().name());
      };
    }

    private static Object plus(Object a, Object b) {
      if (a instanceof Long x && b instanceof Long y) {
        try {
          return Math.addExact(x, y);
        } catch (ArithmeticException e) {
          return BigDecimal.valueOf(x).add(BigDecimal.valueOf(y));
        }
      }
      if (a instanceof Double || b instanceof Double) {
        return ((Number) a).doubleValue() + ((Number) b).doubleValue();
      }
      return new BigDecimal(a.toString()).add(new BigDecimal(b.toString()));
    }

    private static Object cast(Object sum, ArrowType type) {
      return switch (Kind.of(type)) {
        case DECIMAL -> new BigDecimal(sum.toString());
        case FLOATING -> ((Number) sum).doubleValue();
        default -> sum instanceof BigDecimal d ? d.longValueExact() : sum;
      };
    }

    private static Object average(Object sum, long count, ArrowType type) {
      if (Kind.of(type) == Kind.DECIMAL) {
        return new BigDecimal(sum.toString())
            .divide(
                BigDecimal.valueOf(count),
                ((ArrowType.Decimal) type).getScale(),
                RoundingMode.HALF_UP);
      }
      return ((Number) sum).doubleValue() / count;
    }
  }

  @Override
  public Page getOutput() {
    if (!finishing || done) {
      return null;
    }
    int total = batchOf.length;
    int n = Math.min(BATCH, total - emitted);
    if (n <= 0) {
      done = true;
      return null;
    }
    VectorSchemaRoot out = VectorSchemaRoot.create(node.schema(), allocator);
    try {
      for (int c = 0; c < out.getFieldVectors().size(); c++) {
        FieldVector to = out.getVector(c);
        to.setInitialCapacity(n);
        to.allocateNew();
        for (int i = 0; i < n; i++) {
          int row = emitted + i;
          if (c < inputColumns) {
            to.copyFromSafe(rowOf[row], i, batches.get(batchOf[row]).getVector(c));
          } else {
            Values.set(to, i, computed[c - inputColumns][row]);
          }
        }
        to.setValueCount(n);
      }
      out.setRowCount(n);
      emitted += n;
      if (emitted >= total) {
        done = true;
      }
      return Page.of(out);
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  @Override
  public boolean isFinished() {
    return done;
  }

  @Override
  public void close() {
    batches.forEach(VectorSchemaRoot::close);
    batches.clear();
    computed = null;
  }
}
