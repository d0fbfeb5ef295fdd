package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * What runs in parallel after the first pipeline breaker: the merge of the workers' aggregation
 * tables (a partition of the groups per thread), the sort of many rows (a slice per thread), and a
 * top-N per worker. Results at parallelism 2, 3 and 4 are those of one thread (in order where the
 * order is defined), failures and cancellation in the parallel parts surface and nothing leaks.
 */
class TestParallelMerge extends EngineTesting {
  private static final Schema TABLE =
      schema("id", Kind.INT64, "k", Kind.INT64, "s", Kind.UTF8, "v", Kind.FLOAT64, "x", Kind.INT64);

  private static final int ID = 0;
  private static final int K = 1;
  private static final int S = 2;
  private static final int V = 3;
  private static final int X = 4;

  /**
   * {@code splits} splits of {@code batches} batches of {@code rows} rows: id 0, 1, 2, ..; k in [0,
   * keys) and s = "s" + [0, keys) with some NULLs; v with many ties and NULLs; x in [0, 50).
   */
  private static MemoryConnector table(int splits, int batches, int rows, int keys, long seed) {
    Random random = new Random(seed);
    List<ConnectorSplit> list = new ArrayList<>();
    long id = 0;
    for (int s = 0; s < splits; s++) {
      List<List<List<Object>>> split = new ArrayList<>();
      for (int b = 0; b < batches; b++) {
        List<List<Object>> batch = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          batch.add(
              row(
                  id++,
                  random.nextInt(50) == 0 ? null : (long) random.nextInt(keys),
                  random.nextInt(40) == 0 ? null : "s" + random.nextInt(keys),
                  random.nextInt(30) == 0 ? null : random.nextInt(200) / 4.0,
                  (long) random.nextInt(50)));
        }
        split.add(batch);
      }
      list.add(new MemorySplit(split));
    }
    return new MemoryConnector(TABLE, list);
  }

  private static PlanNode scan(MemoryConnector connector) {
    return connector.scan("id", "k", "s", "v", "x");
  }

  private static AggregateCall call(
      AggregateFunction fn,
      int column,
      boolean distinct,
      org.apache.arrow.vector.types.pojo.ArrowType type) {
    return new AggregateCall(fn, column < 0 ? List.of() : List.of(column), distinct, -1, type);
  }

  /** Every kind of accumulator over the table, grouped by {@code keys}. */
  private static PlanNode aggregate(PlanNode input, List<Integer> keys) {
    List<AggregateCall> calls =
        List.of(
            call(AggregateFunction.COUNT_STAR, -1, false, Kind.INT64),
            call(AggregateFunction.COUNT, S, false, Kind.INT64),
            call(AggregateFunction.SUM, X, false, Kind.INT64),
            call(AggregateFunction.AVG, X, false, Kind.FLOAT64),
            call(AggregateFunction.MIN, S, false, Kind.UTF8),
            call(AggregateFunction.MAX, V, false, Kind.FLOAT64),
            call(AggregateFunction.MIN, ID, false, Kind.INT64),
            call(AggregateFunction.COUNT, X, true, Kind.INT64),
            call(AggregateFunction.SUM, X, true, Kind.INT64),
            call(AggregateFunction.COUNT, S, true, Kind.INT64));
    List<Field> fields = new ArrayList<>();
    for (int k : keys) {
      fields.add(input.schema().getFields().get(k));
    }
    String[] names = {"n", "ns", "sx", "ax", "mins", "maxv", "minid", "dx", "sdx", "ds"};
    for (int a = 0; a < calls.size(); a++) {
      fields.add(Field.nullable(names[a], calls.get(a).type()));
    }
    return new AggregateNode(input, keys, calls, new Schema(fields));
  }

  /** Whether the current thread runs the parallel merge of aggregation tables. */
  private static boolean inFrame(String method) {
    for (StackTraceElement frame : Thread.currentThread().getStackTrace()) {
      if (frame.getMethodName().equals(method)) {
        return true;
      }
    }
    return false;
  }

  private List<List<Object>> run(PlanNode plan, int threads, BooleanSupplier cancelled) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext("q", query, cancelled, threads))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          rows.addAll(rows(batch));
        }
      }
    }
    return rows;
  }

  /** The rows as text, sorted: equal for the same rows in any order. */
  private static List<String> byText(List<List<Object>> rows) {
    List<String> text = new ArrayList<>();
    for (List<Object> row : rows) {
      text.add(row.toString());
    }
    text.sort(Comparator.naturalOrder());
    return text;
  }

  @Test
  void manyGroupsMergeInParallelToTheGroupsOfOneThread() {
    // long key; string key; long and string (two packed words); id, string and long (serialised)
    List<List<Integer>> keySets = List.of(List.of(K), List.of(S), List.of(K, S), List.of(ID, S, K));
    MemoryConnector connector = table(16, 2, 1200, 30_000, 7);
    for (List<Integer> keys : keySets) {
      PlanNode plan = aggregate(scan(connector), keys);
      List<String> expected = byText(run(plan, 1, () -> false));
      assertThat(expected).as("keys %s", keys).hasSizeGreaterThan(16_384);
      for (int threads = 2; threads <= 4; threads++) {
        AtomicBoolean merged = new AtomicBoolean();
        List<List<Object>> actual =
            run(
                plan,
                threads,
                () -> {
                  if (inFrame("runMergeStep")) {
                    merged.set(true);
                  }
                  return false;
                });
        assertThat(merged).as("keys %s, %d threads: merged in parallel", keys, threads).isTrue();
        assertThat(byText(actual)).as("keys %s, %d threads", keys, threads).isEqualTo(expected);
      }
    }
  }

  @Test
  void fewGroupsMergeOnOneThread() {
    AtomicBoolean merged = new AtomicBoolean();
    PlanNode plan = aggregate(scan(table(8, 2, 500, 300, 3)), List.of(K));
    List<List<Object>> actual =
        run(
            plan,
            3,
            () -> {
              if (inFrame("runMergeStep")) {
                merged.set(true);
              }
              return false;
            });
    assertThat(merged).isFalse();
    assertThat(byText(actual))
        .isEqualTo(
            byText(run(aggregate(scan(table(8, 2, 500, 300, 3)), List.of(K)), 1, () -> false)));
  }

  @Test
  void statisticsAddUpTheMergedPartitionsRows() {
    MemoryConnector connector = table(16, 2, 1500, 30_000, 7);
    long groups =
        run(aggregate(scan(table(16, 2, 1500, 30_000, 7)), List.of(K)), 1, () -> false).size();
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(
                aggregate(scan(connector), List.of(K)),
                new ExecutionContext("q", query, () -> false, 2))) {
      long rows = 0;
      for (VectorSchemaRoot batch = stream.next(); batch != null; batch = stream.next()) {
        rows += batch.getRowCount();
        batch.close();
      }
      assertThat(rows).isEqualTo(groups);
      List<OperatorStats> stats = stream.operatorStats();
      assertThat(stats)
          .extracting(OperatorStats::operator)
          .containsExactly("ScanOperator", "HashAggregationOperator");
      assertThat(stats.get(0).rows()).isEqualTo(16 * 2 * 1500);
      assertThat(stats.get(1).rows()).isEqualTo(groups);
      assertThat(stats.get(1).peakBytes()).isPositive();
    }
  }

  @Test
  void aFailureInTheParallelMergeFailsTheQueryAndReleasesEverything() {
    MemoryConnector connector = table(16, 2, 1500, 30_000, 7);
    assertThatThrownBy(
            () ->
                run(
                    aggregate(scan(connector), List.of(S, K)),
                    3,
                    () -> {
                      if (inFrame("runMergeStep")) {
                        throw new IllegalStateException("merge went wrong");
                      }
                      return false;
                    }))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("merge went wrong");
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get()).isEqualTo(16);
  }

  @Test
  void cancellationDuringTheParallelMergeStopsIt() {
    MemoryConnector connector = table(16, 2, 1500, 30_000, 7);
    assertThatThrownBy(
            () -> run(aggregate(scan(connector), List.of(K)), 2, () -> inFrame("runMergeStep")))
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED))
        .hasMessage("Query q was cancelled");
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  /** The values of {@code keys} of each row, in order. */
  private static List<List<Object>> keyValues(List<List<Object>> rows, List<SortKey> keys) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      List<Object> values = new ArrayList<>();
      for (SortKey key : keys) {
        values.add(row.get(key.column()));
      }
      out.add(values);
    }
    return out;
  }

  private static final List<List<SortKey>> SORTS =
      List.of(
          List.of(new SortKey(S, true, true), new SortKey(V, false, false)),
          List.of(new SortKey(V, false, true), new SortKey(K, true, false)),
          List.of(new SortKey(X, true, false)),
          List.of(new SortKey(K, false, false), new SortKey(S, false, true)));

  @Test
  void manyRowsSortInParallelInTheOrderOfOneThread() {
    for (List<SortKey> keys : SORTS) {
      // one split: the rows reach the sort in id order on the caller's thread, so that the order
      // of ties (stable: input order) is defined and must match exactly
      List<List<Object>> expected =
          run(new SortNode(scan(table(1, 30, 1500, 5000, 11)), keys), 1, () -> false);
      assertThat(expected).hasSize(45_000);
      assertThat(isSorted(expected, keys)).isTrue();
      for (int threads = 2; threads <= 4; threads++) {
        AtomicBoolean parallel = new AtomicBoolean();
        List<List<Object>> actual =
            run(
                new SortNode(scan(table(1, 30, 1500, 5000, 11)), keys),
                threads,
                () -> {
                  if (inFrame("sortInParallel")) {
                    parallel.set(true);
                  }
                  return false;
                });
        assertThat(parallel).as("%s, %d threads: sorted in parallel", keys, threads).isTrue();
        assertThat(actual).as("%s, %d threads", keys, threads).isEqualTo(expected);
      }
    }
  }

  @Test
  void rowsFromParallelWorkersSortToTheSameKeysInOrder() {
    for (List<SortKey> keys : SORTS) {
      List<List<Object>> expected =
          run(new SortNode(scan(table(12, 3, 1200, 5000, 13)), keys), 1, () -> false);
      for (int threads = 2; threads <= 4; threads++) {
        List<List<Object>> actual =
            run(new SortNode(scan(table(12, 3, 1200, 5000, 13)), keys), threads, () -> false);
        // workers deliver rows in any order: ties may differ, the keys' sequence may not
        assertThat(keyValues(actual, keys)).isEqualTo(keyValues(expected, keys));
        assertThat(byText(actual)).isEqualTo(byText(expected));
      }
    }
  }

  private static boolean isSorted(List<List<Object>> rows, List<SortKey> keys) {
    for (int i = 1; i < rows.size(); i++) {
      int c = compare(rows.get(i - 1), rows.get(i), keys);
      if (c > 0 || c == 0 && (Long) rows.get(i - 1).get(ID) > (Long) rows.get(i).get(ID)) {
        return false; // out of order, or ties not in input (id) order
      }
    }
    return true;
  }

  private static int compare(List<Object> a, List<Object> b, List<SortKey> keys) {
    for (SortKey key : keys) {
      Object x = a.get(key.column());
      Object y = b.get(key.column());
      int c;
      if (x == null || y == null) {
        c = x == null && y == null ? 0 : (x == null) == key.nullsFirst() ? -1 : 1;
      } else {
        c = Values.compare(x, y);
        c = key.ascending() ? c : -c;
      }
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  @Test
  void cancellationDuringTheParallelSortReleasesEverything() {
    MemoryConnector connector = table(1, 30, 1500, 5000, 11);
    assertThatThrownBy(
            () ->
                run(
                    new SortNode(scan(connector), SORTS.get(0)),
                    2,
                    () -> inFrame("sortInParallel")))
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  @Test
  void eachWorkerKeepsItsTopRowsBeforeTheFinalTopN() {
    List<SortKey> keys = List.of(new SortKey(V, false, false), new SortKey(ID, true, false));
    for (long offset : new long[] {0, 7}) {
      List<List<Object>> all =
          run(new SortNode(scan(table(12, 3, 800, 5000, 17)), keys), 1, () -> false);
      List<List<Object>> expected =
          all.subList((int) offset, (int) Math.min(all.size(), offset + 25));
      for (int threads = 2; threads <= 4; threads++) {
        MemoryConnector connector = table(12, 3, 800, 5000, 17);
        PlanNode plan = new LimitNode(new SortNode(scan(connector), keys), offset, 25);
        try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
            ResultStream stream =
                Executor.execute(plan, new ExecutionContext("q", query, () -> false, threads))) {
          List<List<Object>> rows = new ArrayList<>();
          for (VectorSchemaRoot batch = stream.next(); batch != null; batch = stream.next()) {
            rows.addAll(rows(batch));
            batch.close();
          }
          // (v, id) is unique: the order is defined
          assertThat(rows).as("offset %d, %d threads", offset, threads).isEqualTo(expected);
          List<OperatorStats> stats = stream.operatorStats();
          assertThat(stats)
              .extracting(OperatorStats::operator)
              .containsExactly("ScanOperator", "TopNOperator", "TopNOperator", "LimitOperator");
          assertThat(stats.get(0).rows()).isEqualTo(12 * 3 * 800);
          // each worker keeps at most offset + 25 rows
          assertThat(stats.get(1).rows()).isLessThanOrEqualTo(threads * (offset + 25));
        }
      }
    }
  }
}
