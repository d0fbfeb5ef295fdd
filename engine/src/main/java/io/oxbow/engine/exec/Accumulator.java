package io.oxbow.engine.exec;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Per-group state of one aggregate of {@link HashAggregationOperator}, held in primitive arrays
 * indexed by group id and updated in typed loops over a page. {@link #create} picks the typed
 * implementation in {@link Accumulators} for the function and argument type.
 */
abstract class Accumulator {
  static final long[] POWERS_OF_TEN = new long[19];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  final AggregateCall call;

  Accumulator(AggregateCall call) {
    this.call = call;
  }

  /** Makes room for groups {@code [0, groups)}. */
  abstract void ensureCapacity(int groups);

  /**
   * Adds rows {@code positions[0..n)} of {@code arg} (null for COUNT(*)) to groups {@code
   * groups[0..n)}; the caller has applied the FILTER column already.
   */
  abstract void add(FieldVector arg, int[] groups, int[] positions, int n);

  /**
   * {@link #add} when every row goes to group {@code group} ({@code groups} holds that id {@code n}
   * times): an aggregation without keys. Accumulators override it to keep the state in locals.
   */
  void addToOne(FieldVector arg, int group, int[] groups, int[] positions, int n) {
    add(arg, groups, positions, n);
  }

  /**
   * {@link #add} for rows sorted by group: run {@code r} holds the rows {@code
   * positions[starts[r]..starts[r + 1])} of group {@code runGroups[r]} ({@code groups} holds each
   * row's group, {@code starts[runs]} rows in all). Accumulators override it to add a run in
   * locals.
   */
  void addRuns(
      FieldVector arg, int[] runGroups, int[] starts, int runs, int[] groups, int[] positions) {
    add(arg, groups, positions, starts[runs]);
  }

  /**
   * Folds the state of {@code other} (built for the same call) into this one; its group {@code g}
   * is this accumulator's group {@code map[g]}, or is left out when {@code map[g]} is negative (a
   * merge of one partition of the groups).
   */
  abstract void mergeFrom(Accumulator other, int[] map);

  /** Called once before the first {@link #write}, with the final number of groups. */
  void prepareOutput(int groups) {}

  /** Writes the results of groups {@code [first, first + n)} into slots 0.. of {@code out}. */
  abstract void write(FieldVector out, int first, int n);

  /** Estimated bytes of heap held. */
  abstract long retainedBytes();

  /** The accumulator for {@code call} over an argument of {@code argType} (null for none). */
  static Accumulator create(AggregateCall call, ArrowType argType, BufferAllocator allocator) {
    AggregateFunction fn = call.function();
    if (fn == AggregateFunction.COUNT_STAR) {
      return new Accumulators.Count(call, true);
    }
    if (fn == AggregateFunction.SINGLE_VALUE) {
      return new Accumulators.Generic(call, argType);
    }
    if (call.distinct()) {
      return new Accumulators.Distinct(call, argType, plain(call, argType), allocator);
    }
    return plain(call, argType);
  }

  private static Accumulator plain(AggregateCall call, ArrowType argType) {
    if (call.function() == AggregateFunction.COUNT) {
      return new Accumulators.Count(call, false);
    }
    Kind kind = Kind.of(argType);
    KeyLayout layout = KeyLayout.of(argType);
    switch (call.function()) {
      case SUM, AVG -> {
        if (kind == Kind.INTEGER) {
          return new Accumulators.Sum(call, layout, 0, false, true);
        }
        if (kind == Kind.DECIMAL) {
          ArrowType.Decimal d = (ArrowType.Decimal) argType;
          return new Accumulators.Sum(call, layout, d.getScale(), d.getPrecision() > 18, false);
        }
        if (kind == Kind.FLOATING) {
          return new Accumulators.DoubleSum(call, layout);
        }
        return new Accumulators.Generic(call, argType);
      }
      case MIN, MAX -> {
        boolean min = call.function() == AggregateFunction.MIN;
        if (!argType.equals(call.type())) {
          return new Accumulators.Generic(call, argType);
        }
        switch (kind) {
          case INTEGER, BOOLEAN, DATE, TIMESTAMP, TIME, INTERVAL_YEAR_MONTH -> {
            return new Accumulators.MinMaxLong(call, layout, min);
          }
          case INTERVAL_DAY_TIME -> {
            // Duration slots order like their values; Interval(DAY_TIME) slots do not
            return argType instanceof ArrowType.Duration
                ? new Accumulators.MinMaxLong(call, layout, min)
                : new Accumulators.Generic(call, argType);
          }
          case FLOATING -> {
            return new Accumulators.MinMaxDouble(call, layout, min);
          }
          case DECIMAL -> {
            return new Accumulators.MinMaxDecimal(call, min);
          }
          case STRING -> {
            return argType instanceof ArrowType.Utf8
                ? new Accumulators.MinMaxString(call, min)
                : new Accumulators.Generic(call, argType);
          }
          default -> {
            return new Accumulators.Generic(call, argType);
          }
        }
      }
      default -> throw new IllegalStateException(call.function().name());
    }
  }

  static int grow(int length, int groups) {
    return Math.max(groups, Math.max(16, length * 2));
  }

  /**
   * The SUM result of an exact sum (Long, Double or BigDecimal), as {@link Values#set} takes it.
   */
  static Object castSum(Object sum, ArrowType resultType) {
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
        throw OxbowException.userError("SUM overflows BIGINT");
      }
    }
    return sum;
  }

  /** The AVG result of an exact sum (Long, Double or BigDecimal) over {@code count} values. */
  static Object average(Object sum, long count, ArrowType resultType) {
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
