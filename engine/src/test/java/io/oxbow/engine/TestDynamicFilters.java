package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.DynamicFilter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Dynamic filters: the build side of INNER, SEMI and RIGHT hash joins is offered to the probe
 * side's scan (range, and key set when small), nothing to LEFT, FULL and ANTI joins; results equal
 * those with dynamic filters off and brute-force answers, on one thread and on several.
 */
class TestDynamicFilters extends EngineTesting {
  /** Probe table: id, k (INT), k2 (BIGINT), d (DATE), v (BIGINT). */
  private static final Schema TABLE =
      schema(
          "id", Kind.INT64, "k", Kind.INT32, "k2", Kind.INT64, "d", Kind.DATE_DAY, "v", Kind.INT64);

  /** Build side: bk (BIGINT), bk2 (BIGINT), bd (DATE), payload (VARCHAR). */
  private static final Schema BUILD =
      schema("bk", Kind.INT64, "bk2", Kind.INT64, "bd", Kind.DATE_DAY, "payload", Kind.UTF8);

  /**
   * Records the dynamic filters offered with each split and applies them as a connector would:
   * drops every row whose filtered column is NULL or cannot match.
   */
  private static final class FilteringConnector extends MemoryConnector {
    final ConcurrentLinkedQueue<List<DynamicFilter>> offered = new ConcurrentLinkedQueue<>();
    final AtomicInteger rowsDropped = new AtomicInteger();

    FilteringConnector(List<ConnectorSplit> splits) {
      super(TABLE, splits);
    }

    @Override
    public ConnectorPageSource createPageSource(
        ConnectorTableHandle table,
        ConnectorSplit split,
        List<String> columns,
        BufferAllocator allocator,
        List<DynamicFilter> dynamicFilters) {
      offered.add(List.copyOf(dynamicFilters));
      List<List<List<Object>>> kept = new ArrayList<>();
      for (List<List<Object>> batch : ((MemorySplit) split).batches()) {
        List<List<Object>> rows = new ArrayList<>();
        for (List<Object> row : batch) {
          if (matches(row, dynamicFilters)) {
            rows.add(row);
          } else {
            rowsDropped.incrementAndGet();
          }
        }
        kept.add(rows);
      }
      return super.createPageSource(table, new MemorySplit(kept), columns, allocator);
    }

    private boolean matches(List<Object> row, List<DynamicFilter> filters) {
      for (DynamicFilter f : filters) {
        Object value = row.get(TABLE.getFields().indexOf(TABLE.findField(f.column())));
        if (value == null || !f.mightMatch(((Number) value).longValue())) {
          return false;
        }
      }
      return true;
    }
  }

  private static List<List<Object>> probeRows(Random random, int rows, int keys) {
    List<List<Object>> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(
          row(
              (long) i,
              random.nextInt(8) == 0 ? null : (long) random.nextInt(keys),
              random.nextInt(8) == 0 ? null : (long) random.nextInt(4),
              random.nextInt(8) == 0 ? null : 18_000 + random.nextInt(keys),
              (long) random.nextInt(20)));
    }
    return out;
  }

  /** {@code rows} split into {@code splits} splits of batches of at most 7 rows. */
  private static FilteringConnector connector(List<List<Object>> rows, int splits) {
    List<ConnectorSplit> list = new ArrayList<>();
    int per = (rows.size() + splits - 1) / splits;
    for (int s = 0; s < splits; s++) {
      List<List<List<Object>>> batches = new ArrayList<>();
      for (int b = s * per; b < Math.min(rows.size(), (s + 1) * per); b += 7) {
        batches.add(
            new ArrayList<>(
                rows.subList(b, Math.min(Math.min(rows.size(), (s + 1) * per), b + 7))));
      }
      list.add(new MemorySplit(batches));
    }
    return new FilteringConnector(list);
  }

  private static List<List<Object>> buildRows(Random random, int rows, int keys) {
    List<List<Object>> out = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      out.add(
          row(
              random.nextInt(6) == 0 ? null : (long) (random.nextInt(keys) + random.nextInt(3)),
              random.nextInt(6) == 0 ? null : (long) random.nextInt(4),
              random.nextInt(6) == 0 ? null : 18_000 + random.nextInt(keys),
              "p" + i));
    }
    return out;
  }

  private static JoinNode join(
      PlanNode left,
      PlanNode right,
      JoinType type,
      List<Integer> leftKeys,
      List<Integer> rightKeys) {
    List<Field> fields = new ArrayList<>();
    if (!type.outputsBuildRows()) {
      fields.addAll(left.schema().getFields());
    }
    if (type != JoinType.SEMI && type != JoinType.ANTI) {
      fields.addAll(right.schema().getFields());
    }
    return new JoinNode(left, right, type, leftKeys, rightKeys, null, new Schema(fields));
  }

  private List<List<Object>> run(PlanNode plan, int threads, boolean dynamicFilters) {
    return run(plan, threads, dynamicFilters, null);
  }

  /** Runs {@code plan}; adds the operator statistics to {@code stats} if not null. */
  private List<List<Object>> run(
      PlanNode plan, int threads, boolean dynamicFilters, List<OperatorStats> stats) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(
                plan,
                new ExecutionContext("q", query, () -> false)
                    .withParallelism(threads)
                    .withDynamicFilters(dynamicFilters))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          rows.addAll(rows(batch));
        }
      }
      if (stats != null) {
        stats.addAll(stream.operatorStats());
      }
    }
    return rows;
  }

  private static List<String> sorted(List<List<Object>> rows) {
    List<String> out = new ArrayList<>();
    for (List<Object> r : rows) {
      out.add(r.toString());
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** The filters of the first split (all splits must have been offered the same). */
  private static List<DynamicFilter> offeredOnce(FilteringConnector connector) {
    assertThat(connector.offered).isNotEmpty();
    List<DynamicFilter> first = connector.offered.peek();
    for (List<DynamicFilter> f : connector.offered) {
      assertThat(f).isSameAs(first);
    }
    return first;
  }

  @Test
  void innerJoinOffersRangeAndKeySetToEverySplit() {
    Random random = new Random(1);
    List<List<Object>> probe = probeRows(random, 400, 100);
    List<List<Object>> build = new ArrayList<>();
    for (long key : new long[] {3, 7, 10, 7}) {
      build.add(row(key, 1L, 18_000, "b" + key));
    }
    build.add(row(null, 1L, 18_000, "null key"));
    for (int threads : new int[] {1, 2}) {
      FilteringConnector connector = connector(probe, 6);
      PlanNode plan =
          join(
              connector.scan("id", "k", "k2", "d", "v"),
              new ValuesNode(BUILD, build),
              JoinType.INNER,
              List.of(1),
              List.of(0));
      List<OperatorStats> stats = new ArrayList<>();
      List<List<Object>> rows = run(plan, threads, true, stats);

      assertThat(connector.offered).hasSize(6);
      List<DynamicFilter> filters = offeredOnce(connector);
      assertThat(filters).hasSize(1);
      DynamicFilter f = filters.get(0);
      assertThat(f.column()).isEqualTo("k");
      assertThat(f.min()).isEqualTo(3);
      assertThat(f.max()).isEqualTo(10);
      assertThat(f.keys()).isNotNull();
      assertThat(f.keys().size()).isEqualTo(3);
      for (long key = -5; key < 120; key++) {
        assertThat(f.keys().contains(key))
            .as("key %d", key)
            .isEqualTo(Set.of(3L, 7L, 10L).contains(key));
      }
      assertThat(connector.rowsDropped.get()).isGreaterThan(300);

      List<List<Object>> expected = new ArrayList<>();
      for (List<Object> p : probe) {
        for (List<Object> b : build) {
          if (p.get(1) != null && p.get(1).equals(b.get(0))) {
            List<Object> r = new ArrayList<>(p);
            r.addAll(b);
            expected.add(r);
          }
        }
      }
      assertThat(expected).isNotEmpty();
      assertThat(sorted(rows)).isEqualTo(sorted(expected));

      OperatorStats scan =
          stats.stream().filter(s -> s.operator().equals("ScanOperator")).findFirst().orElseThrow();
      assertThat(scan.details()).isEqualTo("dynamic filters: k BETWEEN 3 AND 10 IN 3 keys");
    }
  }

  @Test
  void outerAndAntiJoinsOfferNothing() {
    Random random = new Random(2);
    List<List<Object>> probe = probeRows(random, 200, 50);
    List<List<Object>> build = buildRows(random, 20, 50);
    for (JoinType type : List.of(JoinType.LEFT, JoinType.FULL, JoinType.ANTI)) {
      for (int threads : new int[] {1, 2}) {
        FilteringConnector connector = connector(probe, 4);
        PlanNode plan =
            join(
                connector.scan("id", "k", "k2", "d", "v"),
                new ValuesNode(BUILD, build),
                type,
                List.of(1),
                List.of(0));
        List<OperatorStats> stats = new ArrayList<>();
        List<List<Object>> rows = run(plan, threads, true, stats);
        assertThat(connector.offered).as("%s", type).isEmpty();
        assertThat(connector.opened.get()).isEqualTo(4);
        assertThat(sorted(rows)).isEqualTo(sorted(run(plan, threads, false)));
        assertThat(stats).allMatch(s -> s.details().isEmpty());
      }
    }
  }

  @Test
  void switchedOffOffersNothing() {
    Random random = new Random(3);
    List<List<Object>> probe = probeRows(random, 200, 50);
    List<List<Object>> build = buildRows(random, 5, 50);
    FilteringConnector connector = connector(probe, 4);
    PlanNode plan =
        join(
            connector.scan("id", "k", "k2", "d", "v"),
            new ValuesNode(BUILD, build),
            JoinType.SEMI,
            List.of(1),
            List.of(0));
    List<List<Object>> off = run(plan, 2, false);
    assertThat(connector.offered).isEmpty();
    List<List<Object>> on = run(plan, 2, true);
    assertThat(connector.offered).hasSize(4);
    assertThat(sorted(on)).isEqualTo(sorted(off));
  }

  @Test
  void emptyBuildSideReadsNothing() {
    Random random = new Random(4);
    List<List<Object>> probe = probeRows(random, 200, 50);
    List<List<Object>> onlyNullKeys =
        List.of(row(null, 1L, 18_000, "x"), row(null, 2L, 18_001, "y"));
    for (List<List<Object>> build : List.of(List.<List<Object>>of(), onlyNullKeys)) {
      for (JoinType type : List.of(JoinType.INNER, JoinType.SEMI, JoinType.RIGHT)) {
        for (int threads : new int[] {1, 2}) {
          FilteringConnector connector = connector(probe, 4);
          PlanNode plan =
              join(
                  connector.scan("id", "k", "k2", "d", "v"),
                  new ValuesNode(BUILD, build),
                  type,
                  List.of(1),
                  List.of(0));
          List<OperatorStats> stats = new ArrayList<>();
          List<List<Object>> rows = run(plan, threads, true, stats);
          assertThat(connector.opened.get()).as("%s %s", type, build).isZero();
          List<List<Object>> expected = new ArrayList<>();
          if (type == JoinType.RIGHT) {
            for (List<Object> b : build) {
              List<Object> r = new ArrayList<>(java.util.Collections.nCopies(5, null));
              r.addAll(b);
              expected.add(r);
            }
          }
          assertThat(sorted(rows)).isEqualTo(sorted(expected));
          assertThat(sorted(run(plan, threads, false))).isEqualTo(sorted(expected));
          assertThat(stats)
              .anyMatch(
                  s ->
                      s.details()
                          .equals("dynamic filters: a join's build side is empty, nothing read"));
        }
      }
    }
  }

  @Test
  void stackedJoinsEachFilterTheScan() {
    Random random = new Random(5);
    List<List<Object>> probe = probeRows(random, 300, 60);
    List<List<Object>> first = List.of(row(5L, 0L, 18_000, "a"), row(40L, 1L, 18_000, "b"));
    List<List<Object>> second = List.of(row(0L, 1L, 18_010, "c"), row(0L, 2L, 18_030, "d"));
    for (int threads : new int[] {1, 2}) {
      FilteringConnector connector = connector(probe, 4);
      // scan -> LEFT join on k (no filter) -> INNER join on k2 -> SEMI join on d
      PlanNode left =
          join(
              connector.scan("id", "k", "k2", "d", "v"),
              new ValuesNode(BUILD, first),
              JoinType.LEFT,
              List.of(1),
              List.of(0));
      PlanNode inner =
          join(left, new ValuesNode(BUILD, first), JoinType.INNER, List.of(2), List.of(1));
      PlanNode semi =
          join(inner, new ValuesNode(BUILD, second), JoinType.SEMI, List.of(3), List.of(2));
      List<List<Object>> rows = run(semi, threads, true);
      List<DynamicFilter> filters = offeredOnce(connector);
      assertThat(filters)
          .extracting(DynamicFilter::toString)
          .containsExactly("k2 BETWEEN 0 AND 1 IN 2 keys", "d BETWEEN 18010 AND 18030 IN 2 keys");
      assertThat(sorted(rows)).isEqualTo(sorted(run(semi, threads, false)));
      assertThat(rows).isNotEmpty();
    }
  }

  @Test
  void failingBuildSideOpensNoProbeSplitAndLeaksNothing() {
    Random random = new Random(6);
    FilteringConnector connector = connector(probeRows(random, 100, 20), 4);
    MemoryConnector failing =
        new MemoryConnector(BUILD, List.of(new MemorySplit(List.of(buildRows(random, 5, 20)))));
    failing.failOnBatch = new IllegalStateException("build side failed");
    failing.failAfter = 0;
    for (int threads : new int[] {1, 2}) {
      PlanNode plan =
          join(
              connector.scan("id", "k", "k2", "d", "v"),
              failing.scan("bk", "bk2", "bd", "payload"),
              JoinType.INNER,
              List.of(1),
              List.of(0));
      assertThatThrownBy(() -> run(plan, threads, true)).hasMessageContaining("build side failed");
      assertThat(connector.opened.get()).isZero();
    }
  }

  /**
   * Random joins of every type over one, two or computed keys, through filters and projections, on
   * one and two threads: same rows as with dynamic filters off and as a brute-force join, and the
   * scan is offered exactly the expected filters.
   */
  @Test
  void randomJoinsMatchUnfilteredAndBruteForce() {
    Random random = new Random(42);
    JoinType[] types = JoinType.values();
    int multiColumnSets = 0;
    for (int round = 0; round < 120; round++) {
      int keys = 5 + random.nextInt(60);
      List<List<Object>> probe = probeRows(random, random.nextInt(150), keys);
      List<List<Object>> build =
          random.nextInt(10) == 0 ? List.of() : buildRows(random, random.nextInt(30), keys);
      JoinType type = types[random.nextInt(types.length)];
      int threads = 1 + random.nextInt(2);
      boolean filter = random.nextBoolean();
      boolean project = random.nextBoolean();
      int keyChoice = random.nextInt(4); // 0: k, 1: d, 2: (k, k2), 3: computed k2 + 0
      FilteringConnector connector = connector(probe, 1 + random.nextInt(5));

      // the probe side: scan, then maybe v > 5, then maybe (v, d, k2, k, id, k2 + 0)
      PlanNode left = connector.scan("id", "k", "k2", "d", "v");
      List<List<Object>> leftRows = new ArrayList<>();
      for (List<Object> p : probe) {
        if (!filter || (Long) p.get(4) > 5) {
          leftRows.add(p);
        }
      }
      if (filter) {
        left =
            new FilterNode(
                left,
                call(
                    ScalarFunction.GREATER_THAN,
                    Kind.BOOL,
                    col(4, Kind.INT64),
                    lit(5L, Kind.INT64)));
      }
      int kCol = 1;
      int k2Col = 2;
      int dCol = 3;
      int computedCol = -1;
      if (project || keyChoice == 3) {
        List<Expr> exprs =
            List.of(
                col(4, Kind.INT64),
                col(3, Kind.DATE_DAY),
                col(2, Kind.INT64),
                col(1, Kind.INT32),
                col(0, Kind.INT64),
                call(ScalarFunction.ADD, Kind.INT64, col(2, Kind.INT64), lit(0L, Kind.INT64)));
        left =
            new ProjectNode(
                left,
                exprs,
                schema(
                    "v",
                    Kind.INT64,
                    "d",
                    Kind.DATE_DAY,
                    "k2",
                    Kind.INT64,
                    "k",
                    Kind.INT32,
                    "id",
                    Kind.INT64,
                    "c",
                    Kind.INT64));
        List<List<Object>> projected = new ArrayList<>();
        for (List<Object> p : leftRows) {
          projected.add(row(p.get(4), p.get(3), p.get(2), p.get(1), p.get(0), p.get(2)));
        }
        leftRows = projected;
        kCol = 3;
        k2Col = 2;
        dCol = 1;
        computedCol = 5;
      }
      List<Integer> leftKeys;
      List<Integer> rightKeys;
      switch (keyChoice) {
        case 0 -> {
          leftKeys = List.of(kCol);
          rightKeys = List.of(0);
        }
        case 1 -> {
          leftKeys = List.of(dCol);
          rightKeys = List.of(2);
        }
        case 2 -> {
          leftKeys = List.of(kCol, k2Col);
          rightKeys = List.of(0, 1);
        }
        default -> {
          leftKeys = List.of(computedCol);
          rightKeys = List.of(1);
        }
      }
      PlanNode plan = join(left, new ValuesNode(BUILD, build), type, leftKeys, rightKeys);
      String what =
          String.format(
              "round %d: %s keys %s threads %d filter %s project %s build %s",
              round, type, keyChoice, threads, filter, project, build);

      List<List<Object>> on = run(plan, threads, true);
      List<List<Object>> expected =
          bruteForce(leftRows, left.schema().getFields().size(), build, type, leftKeys, rightKeys);
      assertThat(sorted(on)).as(what).isEqualTo(sorted(expected));
      List<List<DynamicFilter>> offered = new ArrayList<>(connector.offered);
      int opened = connector.opened.get();
      assertThat(sorted(run(plan, threads, false))).as(what).isEqualTo(sorted(expected));

      // the filters the scan should have been offered
      boolean filtering =
          type == JoinType.INNER
              || type == JoinType.SEMI
              || type == JoinType.RIGHT
              || type.outputsBuildRows();
      boolean anyKey = false;
      for (List<Object> b : build) {
        boolean all = true;
        for (int rk : rightKeys) {
          all &= b.get(rk) != null;
        }
        anyKey |= all;
      }
      if (!filtering) {
        assertThat(offered).as(what).isEmpty();
        continue;
      }
      if (!anyKey) {
        assertThat(opened).as(what).isZero();
        continue;
      }
      Map<String, Integer> traced = new TreeMap<>();
      if (keyChoice == 0) {
        traced.put("k", 0);
      } else if (keyChoice == 1) {
        traced.put("d", 2);
      } else if (keyChoice == 2) {
        traced.put("k", 0);
        traced.put("k2", 1);
      }
      if (traced.isEmpty() || connector.splits.isEmpty()) {
        assertThat(offered).as(what).isEmpty();
        continue;
      }
      assertThat(offered).as(what).hasSize(connector.splits.size());
      for (DynamicFilter f : offered.get(0)) {
        int rk = traced.remove(f.column());
        TreeSet<Long> values = new TreeSet<>();
        for (List<Object> b : build) {
          if (b.get(rk) != null) {
            values.add(((Number) b.get(rk)).longValue());
          }
        }
        if (keyChoice == 2) {
          // a range per column over its non-NULL values, and their set when it leaves out at least
          // half of the range
          assertThat(f.min()).as(what).isEqualTo(values.first());
          assertThat(f.max()).as(what).isEqualTo(values.last());
          if (values.size() * 2L > values.last() - values.first() + 1) {
            assertThat(f.keys()).as(what).isNull();
          } else {
            multiColumnSets++;
            assertThat(f.keys()).as(what).isNotNull();
            assertThat(f.keys().size()).as(what).isEqualTo(values.size());
            for (long v = values.first() - 2; v <= values.last() + 2; v++) {
              assertThat(f.keys().contains(v)).as(what).isEqualTo(values.contains(v));
            }
          }
        } else {
          assertThat(f.min()).as(what).isEqualTo(values.first());
          assertThat(f.max()).as(what).isEqualTo(values.last());
          assertThat(f.keys()).as(what).isNotNull();
          assertThat(f.keys().size()).as(what).isEqualTo(values.size());
          for (long v = values.first() - 2; v <= values.last() + 2; v++) {
            assertThat(f.keys().contains(v)).as(what).isEqualTo(values.contains(v));
          }
        }
      }
      assertThat(traced).as(what).isEmpty();
    }
    // some rounds' two-column keys had a column whose values leave out most of their range
    assertThat(multiColumnSets).isPositive();
  }

  private static List<List<Object>> bruteForce(
      List<List<Object>> left,
      int leftWidth,
      List<List<Object>> right,
      JoinType type,
      List<Integer> leftKeys,
      List<Integer> rightKeys) {
    List<List<Object>> out = new ArrayList<>();
    boolean[] rightMatched = new boolean[right.size()];
    for (List<Object> l : left) {
      boolean matched = false;
      for (int r = 0; r < right.size(); r++) {
        if (keysEqual(l, right.get(r), leftKeys, rightKeys)) {
          matched = true;
          rightMatched[r] = true;
          if (type != JoinType.SEMI && type != JoinType.ANTI && !type.outputsBuildRows()) {
            List<Object> row = new ArrayList<>(l);
            row.addAll(right.get(r));
            out.add(row);
          }
        }
      }
      if ((type == JoinType.SEMI && matched) || (type == JoinType.ANTI && !matched)) {
        out.add(l);
      }
      if ((type == JoinType.LEFT || type == JoinType.FULL) && !matched) {
        List<Object> row = new ArrayList<>(l);
        row.addAll(java.util.Collections.nCopies(4, null));
        out.add(row);
      }
    }
    if (type.outputsBuildRows()) {
      for (int r = 0; r < right.size(); r++) {
        if (rightMatched[r] == (type == JoinType.RIGHT_SEMI)) {
          out.add(right.get(r));
        }
      }
    }
    if (type == JoinType.RIGHT || type == JoinType.FULL) {
      for (int r = 0; r < right.size(); r++) {
        if (!rightMatched[r]) {
          List<Object> row = new ArrayList<>(java.util.Collections.nCopies(leftWidth, null));
          row.addAll(right.get(r));
          out.add(row);
        }
      }
    }
    return out;
  }

  private static boolean keysEqual(
      List<Object> l, List<Object> r, List<Integer> leftKeys, List<Integer> rightKeys) {
    for (int k = 0; k < leftKeys.size(); k++) {
      Object a = l.get(leftKeys.get(k));
      Object b = r.get(rightKeys.get(k));
      if (a == null || b == null || ((Number) a).longValue() != ((Number) b).longValue()) {
        return false;
      }
    }
    return true;
  }
}
