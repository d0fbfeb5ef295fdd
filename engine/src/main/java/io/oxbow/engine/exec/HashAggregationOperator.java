package io.oxbow.engine.exec;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Hash aggregation: assigns each input row a group id from a hash table of group keys, then updates
 * each aggregate's per-group state column by column. Emits all groups when the input finishes.
 */
final class HashAggregationOperator implements Operator {
  private static final int BATCH = 4096;

  private final AggregateNode node;
  private final BufferAllocator allocator;
  private final Map<GroupKey, Integer> groups = new HashMap<>();
  private final List<Object[]> keys = new ArrayList<>();
  private final Accumulator[] accumulators;
  private boolean finishing;
  private int emitted;
  private boolean done;

  HashAggregationOperator(AggregateNode node, BufferAllocator allocator) {
    this.node = node;
    this.allocator = allocator;
    this.accumulators = new Accumulator[node.aggregates().size()];
    for (int i = 0; i < accumulators.length; i++) {
      AggregateCall call = node.aggregates().get(i);
      ArrowType argType =
          call.arguments().isEmpty()
              ? null
              : node.input().schema().getFields().get(call.arguments().get(0)).getType();
      accumulators[i] = new Accumulator(call, argType);
    }
    if (node.groupKeys().isEmpty()) {
      groupId(new GroupKey(new Object[0]));
    }
  }

  @Override
  public boolean needsInput() {
    return !finishing;
  }

  @Override
  public void addInput(Page page) {
    try {
      int n = page.count();
      int[] ids = new int[n];
      List<Integer> keyColumns = node.groupKeys();
      if (keyColumns.isEmpty()) {
        Arrays.fill(ids, 0);
      } else {
        FieldVector[] keyVectors = new FieldVector[keyColumns.size()];
        for (int k = 0; k < keyVectors.length; k++) {
          keyVectors[k] = page.root().getVector(keyColumns.get(k));
        }
        for (int i = 0; i < n; i++) {
          int pos = page.position(i);
          Object[] key = new Object[keyVectors.length];
          for (int k = 0; k < key.length; k++) {
            key[k] = Values.get(keyVectors[k], pos);
          }
          ids[i] = groupId(new GroupKey(key));
        }
      }
      for (int a = 0; a < accumulators.length; a++) {
        AggregateCall call = node.aggregates().get(a);
        FieldVector arg =
            call.arguments().isEmpty() ? null : page.root().getVector(call.arguments().get(0));
        BitVector filter =
            call.filterColumn() < 0 ? null : (BitVector) page.root().getVector(call.filterColumn());
        accumulators[a].add(page, ids, arg, filter, groups.size());
      }
    } finally {
      page.close();
    }
  }

  private int groupId(GroupKey key) {
    Integer id = groups.get(key);
    if (id == null) {
      id = groups.size();
      groups.put(key, id);
      keys.add(key.values);
    }
    return id;
  }

  @Override
  public Page getOutput() {
    if (!finishing || done) {
      return null;
    }
    int total = keys.size();
    int n = Math.min(BATCH, total - emitted);
    if (n <= 0) {
      done = true;
      return null;
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(node.schema(), allocator);
    try {
      for (FieldVector v : root.getFieldVectors()) {
        v.setInitialCapacity(n);
        v.allocateNew();
      }
      int keyCount = node.groupKeys().size();
      for (int i = 0; i < n; i++) {
        int group = emitted + i;
        Object[] key = keys.get(group);
        for (int k = 0; k < keyCount; k++) {
          Values.set(root.getVector(k), i, key[k]);
        }
        for (int a = 0; a < accumulators.length; a++) {
          Values.set(root.getVector(keyCount + a), i, accumulators[a].result(group));
        }
      }
      root.setRowCount(n);
      emitted += n;
      if (emitted >= total) {
        done = true;
      }
      return Page.of(root);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** TEMPORARY placeholder until the unboxed aggregation lands. */
  void mergeFrom(HashAggregationOperator other) {
    throw new UnsupportedOperationException("merge");
  }

  @Override
  public void finish() {
    finishing = true;
  }

  @Override
  public boolean isFinished() {
    return done;
  }

  @Override
  public void close() {
    groups.clear();
    keys.clear();
  }

  private record GroupKey(Object[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof GroupKey other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }
  }

  /** Per-group state of one aggregate. */
  private static final class Accumulator {
    private final AggregateCall call;
    private final Kind argKind;
    private final ArrowType resultType;
    private final ArrowType argType;
    private long[] counts = new long[16];
    private long[] longSums = new long[16];
    private double[] doubleSums = new double[16];
    private BigDecimal[] bigSums = new BigDecimal[16];
    private Object[] extremes = new Object[16];
    private List<Set<Object>> distinct = new ArrayList<>();

    Accumulator(AggregateCall call, ArrowType argType) {
      this.call = call;
      this.argType = argType;
      this.argKind = argType == null ? null : Kind.of(argType);
      this.resultType = call.type();
    }

    private void ensure(int groups) {
      if (groups > counts.length) {
        int size = Math.max(groups, counts.length * 2);
        counts = Arrays.copyOf(counts, size);
        longSums = Arrays.copyOf(longSums, size);
        doubleSums = Arrays.copyOf(doubleSums, size);
        bigSums = Arrays.copyOf(bigSums, size);
        extremes = Arrays.copyOf(extremes, size);
      }
      while (call.distinct() && distinct.size() < groups) {
        distinct.add(new HashSet<>());
      }
    }

    void add(Page page, int[] ids, FieldVector arg, BitVector filter, int groups) {
      ensure(groups);
      int n = page.count();
      AggregateCall.AggregateFunction fn = call.function();
      for (int i = 0; i < n; i++) {
        int pos = page.position(i);
        if (filter != null && (filter.isNull(pos) || filter.get(pos) == 0)) {
          continue;
        }
        int g = ids[i];
        if (fn == AggregateCall.AggregateFunction.COUNT_STAR) {
          counts[g]++;
          continue;
        }
        if (fn == AggregateCall.AggregateFunction.SINGLE_VALUE) {
          if (counts[g]++ > 0) {
            throw io.oxbow.spi.error.OxbowException.userError(
                "A scalar subquery returned more than one row");
          }
          extremes[g] = Values.get(arg, pos);
          continue;
        }
        if (arg.isNull(pos)) {
          continue;
        }
        if (call.distinct()) {
          distinct.get(g).add(Values.get(arg, pos));
          continue;
        }
        accept(g, arg, pos);
      }
    }

    private void accept(int g, FieldVector arg, int pos) {
      switch (call.function()) {
        case COUNT -> counts[g]++;
        case SUM, AVG -> {
          counts[g]++;
          switch (argKind) {
            case INTEGER -> {
              long v = (Long) Values.get(arg, pos);
              try {
                longSums[g] = Math.addExact(longSums[g], v);
              } catch (ArithmeticException e) {
                bigSums[g] =
                    (bigSums[g] == null ? BigDecimal.ZERO : bigSums[g])
                        .add(BigDecimal.valueOf(longSums[g]))
                        .add(BigDecimal.valueOf(v));
                longSums[g] = 0;
              }
            }
            case DECIMAL -> {
              DecimalVector d = (DecimalVector) arg;
              long low = d.getDataBuffer().getLong((long) pos * DecimalVector.TYPE_WIDTH);
              long high = d.getDataBuffer().getLong((long) pos * DecimalVector.TYPE_WIDTH + 8);
              if (high == (low >> 63)) {
                try {
                  longSums[g] = Math.addExact(longSums[g], low);
                  return;
                } catch (ArithmeticException overflow) {
                  // fall through to the exact path
                }
              }
              BigDecimal value = d.getObject(pos);
              bigSums[g] =
                  (bigSums[g] == null ? BigDecimal.ZERO.setScale(d.getScale()) : bigSums[g])
                      .add(value);
            }
            default -> doubleSums[g] += ((Number) Values.get(arg, pos)).doubleValue();
          }
        }
        case MIN, MAX -> {
          Object v = Values.get(arg, pos);
          Object current = extremes[g];
          if (current == null) {
            extremes[g] = v;
          } else {
            int c = Values.compare(v, current);
            if (call.function() == AggregateCall.AggregateFunction.MIN ? c < 0 : c > 0) {
              extremes[g] = v;
            }
          }
        }
        default -> throw new IllegalStateException(call.function().name());
      }
    }

    Object result(int g) {
      if (call.distinct() && call.function() != AggregateCall.AggregateFunction.COUNT_STAR) {
        return distinctResult(g);
      }
      return switch (call.function()) {
        case COUNT_STAR, COUNT -> counts[g];
        case SUM -> counts[g] == 0 ? null : castSum(exactSum(g));
        case AVG -> counts[g] == 0 ? null : average(exactSum(g), counts[g]);
        case MIN, MAX, SINGLE_VALUE -> extremes[g];
      };
    }

    private Object distinctResult(int g) {
      Set<Object> values = g < distinct.size() ? distinct.get(g) : Set.of();
      if (call.function() == AggregateCall.AggregateFunction.COUNT) {
        return (long) values.size();
      }
      if (values.isEmpty()) {
        return null;
      }
      Object sum = null;
      Object extreme = null;
      for (Object v : values) {
        if (sum == null) {
          sum = v;
        } else if (call.function() == AggregateCall.AggregateFunction.SUM
            || call.function() == AggregateCall.AggregateFunction.AVG) {
          sum = add(sum, v);
        }
        if (extreme == null) {
          extreme = v;
        } else {
          int c = Values.compare(v, extreme);
          if (call.function() == AggregateCall.AggregateFunction.MIN ? c < 0 : c > 0) {
            extreme = v;
          }
        }
      }
      return switch (call.function()) {
        case SUM -> castSum(sum);
        case AVG -> average(sum, values.size());
        default -> extreme;
      };
    }

    private static Object add(Object a, Object b) {
      if (a instanceof Long x) {
        return Math.addExact(x, (Long) b);
      }
      if (a instanceof Double x) {
        return x + (Double) b;
      }
      return ((BigDecimal) a).add((BigDecimal) b);
    }

    private Object exactSum(int g) {
      return switch (argKind) {
        case INTEGER ->
            bigSums[g] == null
                ? (Object) longSums[g]
                : bigSums[g].add(BigDecimal.valueOf(longSums[g]));
        case DECIMAL -> {
          // longSums hold unscaled values at the argument's scale
          BigDecimal fromLongs = BigDecimal.valueOf(longSums[g], argScale());
          yield bigSums[g] == null ? fromLongs : bigSums[g].add(fromLongs);
        }
        default -> doubleSums[g];
      };
    }

    private int argScale() {
      return argType instanceof ArrowType.Decimal d ? d.getScale() : 0;
    }

    private Object castSum(Object sum) {
      Kind kind = Kind.of(resultType);
      if (kind == Kind.DECIMAL) {
        BigDecimal d = sum instanceof BigDecimal b ? b : new BigDecimal(sum.toString());
        return d.setScale(((ArrowType.Decimal) resultType).getScale(), RoundingMode.HALF_UP);
      }
      if (kind == Kind.FLOATING) {
        return ((Number) sum).doubleValue();
      }
      if (sum instanceof BigDecimal b) {
        try {
          return b.longValueExact();
        } catch (ArithmeticException e) {
          throw io.oxbow.spi.error.OxbowException.userError("SUM overflows BIGINT");
        }
      }
      return sum;
    }

    private Object average(Object sum, long count) {
      Kind kind = Kind.of(resultType);
      if (kind == Kind.DECIMAL) {
        BigDecimal d = sum instanceof BigDecimal b ? b : new BigDecimal(sum.toString());
        return d.divide(
            BigDecimal.valueOf(count),
            ((ArrowType.Decimal) resultType).getScale(),
            RoundingMode.HALF_UP);
      }
      if (kind == Kind.FLOATING) {
        if (sum instanceof BigDecimal b) {
          return b.doubleValue() / count;
        }
        return ((Number) sum).doubleValue() / count;
      }
      BigDecimal d = sum instanceof BigDecimal b ? b : new BigDecimal(sum.toString());
      return d.divide(BigDecimal.valueOf(count), 0, RoundingMode.DOWN).longValue();
    }
  }
}
