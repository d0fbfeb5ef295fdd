package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * Pipelines whose scan has several splits run on several worker threads: same rows as on one
 * thread, failures and cancellation surface in the caller, nothing leaks.
 */
class TestParallelExecution extends EngineTesting {
  /** Records which threads opened page sources. */
  private static final class ThreadRecordingConnector extends MemoryConnector {
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    ThreadRecordingConnector(List<ConnectorSplit> splits) {
      super(schema("id", Kind.INT64, "name", Kind.UTF8, "amount", Kind.FLOAT64), splits);
    }

    @Override
    public ConnectorPageSource createPageSource(
        ConnectorTableHandle table,
        ConnectorSplit split,
        List<String> columns,
        BufferAllocator allocator) {
      String name = Thread.currentThread().getName();
      threads.add(name);
      if (name.startsWith("oxbow-worker-")) {
        awaitSecondWorker();
      }
      return super.createPageSource(table, split, columns, allocator);
    }

    /**
     * Holds a worker's first splits until a second worker has opened one (at most 10 s), so that on
     * a busy machine one worker cannot take every split before the others start.
     */
    private synchronized void awaitSecondWorker() {
      notifyAll();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (threads.stream().filter(t -> t.startsWith("oxbow-worker-")).count() < 2) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static ThreadRecordingConnector table(int splits, int batchesPerSplit, int rowsPerBatch) {
    Random random = new Random(splits * 31L + rowsPerBatch);
    List<ConnectorSplit> list = new ArrayList<>();
    long id = 0;
    for (int s = 0; s < splits; s++) {
      List<List<List<Object>>> batches = new ArrayList<>();
      for (int b = 0; b < batchesPerSplit; b++) {
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < rowsPerBatch; r++) {
          rows.add(
              row(
                  id++,
                  random.nextInt(10) == 0 ? null : "n" + random.nextInt(50),
                  random.nextInt(20) == 0 ? null : random.nextInt(10_000) / 100.0));
        }
        batches.add(rows);
      }
      list.add(new MemorySplit(batches));
    }
    return new ThreadRecordingConnector(list);
  }

  private List<List<Object>> run(PlanNode plan, int threads) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(
                plan, new ExecutionContext("q", query, () -> false).withParallelism(threads))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          rows.addAll(rows(batch));
        }
      }
    }
    return rows;
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort(Comparator.comparing(r -> (Long) r.get(0)));
    return copy;
  }

  /** amount > 50 -> (id, name, amount * 2) */
  private static PlanNode filterProject(MemoryConnector connector) {
    PlanNode scan = connector.scan("id", "name", "amount");
    PlanNode filter =
        new FilterNode(
            scan,
            call(
                ScalarFunction.GREATER_THAN,
                Kind.BOOL,
                col(2, Kind.FLOAT64),
                lit(50.0, Kind.FLOAT64)));
    return new ProjectNode(
        filter,
        List.of(
            col(0, Kind.INT64),
            col(1, Kind.UTF8),
            call(
                ScalarFunction.MULTIPLY,
                Kind.FLOAT64,
                col(2, Kind.FLOAT64),
                lit(2.0, Kind.FLOAT64))),
        schema("id", Kind.INT64, "name", Kind.UTF8, "twice", Kind.FLOAT64));
  }

  @Test
  void scanFilterProjectOnSeveralThreadsReturnsTheSameRows() {
    ThreadRecordingConnector serial = table(12, 3, 700);
    ThreadRecordingConnector parallel = table(12, 3, 700);
    List<List<Object>> expected = run(filterProject(serial), 1);
    List<List<Object>> actual = run(filterProject(parallel), 4);
    assertThat(expected).hasSizeGreaterThan(10_000);
    assertThat(sorted(actual)).isEqualTo(sorted(expected));
    // one thread: the caller's; four workers: pool threads, more than one of them
    assertThat(serial.threads).hasSize(1).noneMatch(t -> t.startsWith("oxbow-worker-"));
    assertThat(parallel.threads).allMatch(t -> t.startsWith("oxbow-worker-"));
    assertThat(parallel.threads.size()).isGreaterThan(1);
    assertThat(parallel.closed.get()).isEqualTo(parallel.opened.get()).isEqualTo(12);
  }

  /** Probe: the 12-split table; build: a 3-split table whose ids are every 3rd probe id. */
  private static PlanNode join(
      MemoryConnector probe, MemoryConnector build, JoinNode.JoinType type) {
    PlanNode left = filterProject(probe);
    PlanNode right =
        new FilterNode(
            build.scan("id", "name"),
            call(
                ScalarFunction.EQUAL,
                Kind.BOOL,
                call(ScalarFunction.MOD, Kind.INT64, col(0, Kind.INT64), lit(3L, Kind.INT64)),
                lit(0L, Kind.INT64)));
    List<org.apache.arrow.vector.types.pojo.Field> fields =
        new ArrayList<>(left.schema().getFields());
    if (type != JoinNode.JoinType.SEMI && type != JoinNode.JoinType.ANTI) {
      fields.addAll(right.schema().getFields());
    }
    return new JoinNode(
        left,
        right,
        type,
        List.of(0),
        List.of(0),
        // residual: the build row's name differs from the probe row's, or either is NULL
        call(ScalarFunction.IS_DISTINCT_FROM, Kind.BOOL, col(1, Kind.UTF8), col(4, Kind.UTF8)),
        new org.apache.arrow.vector.types.pojo.Schema(fields));
  }

  @Test
  void joinProbesOnSeveralThreadsShareOneBuildTable() {
    for (JoinNode.JoinType type :
        List.of(
            JoinNode.JoinType.INNER,
            JoinNode.JoinType.LEFT,
            JoinNode.JoinType.SEMI,
            JoinNode.JoinType.ANTI)) {
      ThreadRecordingConnector build = table(3, 2, 1000);
      List<List<Object>> expected = run(join(table(12, 3, 700), table(3, 2, 1000), type), 1);
      ThreadRecordingConnector probe = table(12, 3, 700);
      List<List<Object>> actual = run(join(probe, build, type), 4);
      assertThat(expected).as("%s", type).isNotEmpty();
      assertThat(sorted(actual)).as("%s", type).isEqualTo(sorted(expected));
      assertThat(probe.threads).as("%s", type).allMatch(t -> t.startsWith("oxbow-worker-"));
      // built once, on the caller's thread, before the probe workers started
      assertThat(build.opened.get()).as("%s", type).isEqualTo(3);
      assertThat(build.closed.get()).isEqualTo(3);
    }
  }

  @Test
  void aFailingBuildSideFailsTheParallelProbe() {
    ThreadRecordingConnector build = table(3, 2, 100);
    build.failOnBatch = new OxbowException(ErrorCode.SOURCE_UNAVAILABLE, "build went away");
    build.failAfter = 2;
    ThreadRecordingConnector probe = table(8, 2, 100);
    assertThatThrownBy(() -> run(join(probe, build, JoinNode.JoinType.INNER), 3))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("build went away");
    assertThat(probe.closed.get()).isEqualTo(probe.opened.get());
    assertThat(build.closed.get()).isEqualTo(build.opened.get());
  }

  private static PlanNode aggregate(PlanNode input, List<Integer> keys) {
    List<io.oxbow.engine.plan.AggregateCall> calls =
        List.of(
            new io.oxbow.engine.plan.AggregateCall(
                io.oxbow.engine.plan.AggregateCall.AggregateFunction.COUNT_STAR,
                List.of(),
                false,
                -1,
                Kind.INT64),
            new io.oxbow.engine.plan.AggregateCall(
                io.oxbow.engine.plan.AggregateCall.AggregateFunction.SUM,
                List.of(0),
                false,
                -1,
                Kind.INT64),
            new io.oxbow.engine.plan.AggregateCall(
                io.oxbow.engine.plan.AggregateCall.AggregateFunction.MAX,
                List.of(1),
                false,
                -1,
                Kind.UTF8),
            new io.oxbow.engine.plan.AggregateCall(
                io.oxbow.engine.plan.AggregateCall.AggregateFunction.COUNT,
                List.of(1),
                true,
                -1,
                Kind.INT64));
    List<org.apache.arrow.vector.types.pojo.Field> fields = new ArrayList<>();
    for (int k : keys) {
      fields.add(input.schema().getFields().get(k));
    }
    fields.addAll(
        schema("n", Kind.INT64, "sum_id", Kind.INT64, "max_name", Kind.UTF8, "names", Kind.INT64)
            .getFields());
    return new io.oxbow.engine.plan.AggregateNode(
        input, keys, calls, new org.apache.arrow.vector.types.pojo.Schema(fields));
  }

  @Test
  void eachWorkerAggregatesAndTheTablesAreMerged() {
    for (List<Integer> keys : List.of(List.<Integer>of(), List.of(1), List.of(0))) {
      List<List<Object>> expected = run(aggregate(filterProject(table(12, 3, 700)), keys), 1);
      ThreadRecordingConnector connector = table(12, 3, 700);
      List<List<Object>> actual = run(aggregate(filterProject(connector), keys), 4);
      assertThat(expected).as("keys %s", keys).isNotEmpty();
      Comparator<List<Object>> byText = Comparator.comparing(Object::toString);
      List<List<Object>> a = new ArrayList<>(actual);
      List<List<Object>> e = new ArrayList<>(expected);
      a.sort(byText);
      e.sort(byText);
      assertThat(a).as("keys %s", keys).isEqualTo(e);
      assertThat(connector.threads).allMatch(t -> t.startsWith("oxbow-worker-"));
    }
  }

  @Test
  void statisticsOfAParallelPipelineNameTheOperatorsTheWorkersRan() {
    ThreadRecordingConnector build = table(3, 2, 1000);
    ThreadRecordingConnector probe = table(12, 3, 700);
    PlanNode plan = aggregate(join(probe, build, JoinNode.JoinType.INNER), List.of());
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext("q", query, () -> false, 2))) {
      long rows = 0;
      for (VectorSchemaRoot batch = stream.next(); batch != null; batch = stream.next()) {
        rows += batch.getRowCount();
        batch.close();
      }
      assertThat(rows).isEqualTo(1);
      List<OperatorStats> stats = stream.operatorStats();
      assertThat(stats)
          .extracting(OperatorStats::operator)
          .containsExactly(
              "ScanOperator",
              "FilterOperator",
              "ProjectOperator",
              "HashJoinOperator",
              "HashAggregationOperator");
      // rows of all workers added up: every probe row was scanned once
      assertThat(stats.get(0).rows()).isEqualTo(12 * 3 * 700);
      assertThat(stats.get(4).rows()).isEqualTo(1);
      // the build side, once
      assertThat(stats.get(3).pipelines()).hasSize(1);
      assertThat(stats.get(3).pipelines().get(0).get(0).rows()).isEqualTo(3 * 2 * 1000);
    }
  }

  @Test
  void aSingleSplitRunsOnTheCallersThreadInOrder() {
    ThreadRecordingConnector connector = table(1, 4, 100);
    List<List<Object>> rows = run(connector.scan("id", "name", "amount"), 4);
    assertThat(rows).hasSize(400);
    assertThat(rows).isEqualTo(sorted(rows));
    assertThat(connector.threads).noneMatch(t -> t.startsWith("oxbow-worker-"));
  }

  @Test
  void aSortAboveAParallelScanSeesEveryRow() {
    ThreadRecordingConnector connector = table(9, 2, 500);
    List<List<Object>> rows =
        run(
            new SortNode(
                connector.scan("id", "name", "amount"), List.of(new SortKey(0, false, false))),
            3);
    assertThat(rows).hasSize(9 * 2 * 500);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).get(0)).isEqualTo((long) (rows.size() - 1 - i));
    }
  }

  @Test
  void aFailingWorkerFailsTheQueryAndReleasesEverything() {
    ThreadRecordingConnector connector = table(10, 5, 200);
    connector.failOnBatch = new OxbowException(ErrorCode.SOURCE_UNAVAILABLE, "disk on fire");
    connector.failAfter = 7;
    assertThatThrownBy(() -> run(filterProject(connector), 3))
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_UNAVAILABLE))
        .hasMessageContaining("disk on fire");
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  @Test
  void cancellationStopsEveryWorker() {
    ThreadRecordingConnector connector = table(40, 5, 200);
    AtomicInteger checks = new AtomicInteger();
    try (BufferAllocator query = root.newChildAllocator("q", 0, Long.MAX_VALUE)) {
      ExecutionContext context =
          new ExecutionContext("q9", query, () -> checks.incrementAndGet() > 20).withParallelism(2);
      assertThatThrownBy(
              () -> {
                try (ResultStream stream = Executor.execute(filterProject(connector), context)) {
                  for (var batch = stream.next(); batch != null; batch = stream.next()) {
                    batch.close();
                  }
                }
              })
          .isInstanceOfSatisfying(
              OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED))
          .hasMessage("Query q9 was cancelled");
    }
    assertThat(connector.opened.get()).isLessThan(40);
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  @Test
  void closingEarlyStopsTheWorkersAndReleasesTheirPages() {
    ThreadRecordingConnector connector = table(30, 5, 300);
    try (BufferAllocator query = root.newChildAllocator("q", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(
                connector.scan("id", "name", "amount"),
                new ExecutionContext("q", query, () -> false).withParallelism(2))) {
      VectorSchemaRoot first = stream.next();
      // a split's five batches of 300 rows come out as one (small batches are coalesced)
      assertThat(first.getRowCount()).isEqualTo(1500);
      first.close();
    }
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }
}
