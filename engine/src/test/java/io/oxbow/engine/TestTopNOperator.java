package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorSplit;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * ORDER BY .. LIMIT through the executor (which plans a top-N for a Limit over a Sort), checked
 * against a brute-force sort of the same random rows: the output's sort keys must equal the sorted
 * input's keys in the window [offset, offset + limit), and every output row must be an input row
 * (rows with equal keys may come out in any order, as SQL allows).
 */
class TestTopNOperator extends EngineTesting {
  private static final Schema SCHEMA =
      schema(
          "x",
          Kind.INT64,
          "s",
          Kind.UTF8,
          "d",
          Kind.decimal(12, 2),
          "f",
          Kind.FLOAT64,
          "id",
          Kind.INT64);

  @Test
  void smallLimitsOffsetsAndDirectionsMatchBruteForce() {
    Random random = new Random(7);
    List<List<Object>> rows = randomRows(random, 3_000);
    MemoryConnector connector = connector(rows, random);
    long[][] windows = {{0, 0}, {0, 1}, {0, 10}, {5, 10}, {0, 100}, {2_990, 20}, {0, 5_000}};
    for (int trial = 0; trial < 24; trial++) {
      List<SortKey> keys = randomKeys(random);
      long[] window = windows[trial % windows.length];
      check(connector, rows, keys, window[0], window[1]);
    }
  }

  @Test
  void limitOverSeveralMergesMatchesBruteForce() {
    Random random = new Random(11);
    List<List<Object>> rows = randomRows(random, 30_000);
    MemoryConnector connector = connector(rows, random);
    check(connector, rows, List.of(new SortKey(0, true, false)), 0, 5_000);
    check(connector, rows, List.of(new SortKey(4, false, true)), 100, 7_000);
    check(connector, rows, List.of(new SortKey(1, true, true), new SortKey(2, false, false)), 3, 9);
    check(connector, rows, List.of(new SortKey(3, false, false), new SortKey(4, true, true)), 0, 1);
    check(connector, rows, List.of(new SortKey(2, true, true)), 29_990, 100);
  }

  @Test
  void ascendingAndDescendingInputsExerciseTheCutoff() {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < 20_000; i++) {
      rows.add(row(i, "v" + i, BigDecimal.valueOf(i, 2), (double) i, i));
    }
    MemoryConnector connector = connector(rows, new Random(3));
    // ascending input for a descending sort: every row beats the cutoff
    check(connector, rows, List.of(new SortKey(0, false, false)), 0, 10);
    check(connector, rows, List.of(new SortKey(0, true, false)), 0, 10);
    check(connector, rows, List.of(new SortKey(1, false, false)), 7, 4_500);
  }

  @Test
  void usesTopNAndHoldsFarLessMemoryThanASort() {
    List<List<Object>> rows = randomRows(new Random(5), 40_000);
    MemoryConnector connector = connector(rows, new Random(5));
    SortNode sort =
        new SortNode(
            connector.scan("x", "s", "d", "f", "id"), List.of(new SortKey(4, true, false)));
    OperatorStats topN = lastButOne(new LimitNode(sort, 0, 10));
    OperatorStats fullSort = lastButOne(new LimitNode(sort, 0, TopNExpectations.FALLBACK));
    assertThat(topN.operator()).isEqualTo("TopNOperator");
    assertThat(topN.rows()).isEqualTo(10);
    assertThat(fullSort.operator()).isEqualTo("SortOperator");
    assertThat(topN.peakBytes()).isLessThan(fullSort.peakBytes() / 4);
  }

  @Test
  void unboundedLimitAndHugeLimitFallBackToSort() {
    List<List<Object>> rows = randomRows(new Random(9), 500);
    MemoryConnector connector = connector(rows, new Random(9));
    SortNode sort =
        new SortNode(
            connector.scan("x", "s", "d", "f", "id"), List.of(new SortKey(0, false, true)));
    assertThat(lastButOne(new LimitNode(sort, 3, -1)).operator()).isEqualTo("SortOperator");
    assertThat(lastButOne(new LimitNode(sort, 99_999, 2)).operator()).isEqualTo("SortOperator");
    check(connector, rows, List.of(new SortKey(0, false, true)), 3, -1);
    check(connector, rows, List.of(new SortKey(0, false, true)), 0, TopNExpectations.FALLBACK);
  }

  /** Thresholds the executor uses, restated here so a change shows up in this test. */
  private static final class TopNExpectations {
    static final long FALLBACK = 100_001;
  }

  private OperatorStats lastButOne(PlanNode plan) {
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(plan, new ExecutionContext("q", query))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        next.close();
      }
      List<OperatorStats> stats = stream.operatorStats();
      return stats.get(stats.size() - 2);
    }
  }

  private void check(
      MemoryConnector connector,
      List<List<Object>> rows,
      List<SortKey> keys,
      long offset,
      long limit) {
    PlanNode plan =
        new LimitNode(new SortNode(connector.scan("x", "s", "d", "f", "id"), keys), offset, limit);
    List<List<Object>> actual = run(plan);

    List<List<Object>> sorted = new ArrayList<>(rows);
    sorted.sort(order(keys));
    int from = (int) Math.min(offset, sorted.size());
    int to = limit < 0 ? sorted.size() : (int) Math.min(sorted.size(), offset + limit);
    List<List<Object>> expected = sorted.subList(from, to);

    String what = "keys " + keys + ", offset " + offset + ", limit " + limit;
    assertThat(actual).as(what).hasSize(expected.size());
    assertThat(actual.stream().map(r -> keyValues(r, keys)).toList())
        .as(what)
        .isEqualTo(expected.stream().map(r -> keyValues(r, keys)).toList());
    Map<List<Object>, Integer> available = new HashMap<>();
    for (List<Object> r : rows) {
      available.merge(r, 1, Integer::sum);
    }
    for (List<Object> r : actual) {
      assertThat(available.merge(r, -1, Integer::sum)).as(what + ": row " + r).isNotNegative();
    }
  }

  private static List<Object> keyValues(List<Object> row, List<SortKey> keys) {
    List<Object> values = new ArrayList<>();
    for (SortKey key : keys) {
      values.add(row.get(key.column()));
    }
    return values;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Comparator<List<Object>> order(List<SortKey> keys) {
    return (a, b) -> {
      for (SortKey key : keys) {
        Comparable x = (Comparable) a.get(key.column());
        Comparable y = (Comparable) b.get(key.column());
        int c;
        if (x == null || y == null) {
          c = x == y ? 0 : (x == null) == key.nullsFirst() ? -1 : 1;
        } else {
          c = key.ascending() ? x.compareTo(y) : y.compareTo(x);
        }
        if (c != 0) {
          return c;
        }
      }
      return 0;
    };
  }

  /**
   * Rows with few distinct values per column (many ties) and about 10% NULLs; strings are ASCII, so
   * Java's String order is the engine's code point order; {@code id} is unique.
   */
  private static List<List<Object>> randomRows(Random random, int count) {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(
          row(
              random.nextInt(10) == 0 ? null : (long) random.nextInt(200) - 100,
              random.nextInt(10) == 0 ? null : "s" + random.nextInt(50),
              random.nextInt(10) == 0 ? null : BigDecimal.valueOf(random.nextInt(2_000) - 1_000, 2),
              random.nextInt(10) == 0 ? null : (double) random.nextInt(300) / 4,
              random.nextInt(10) == 0 ? null : (long) i));
    }
    return rows;
  }

  private static List<SortKey> randomKeys(Random random) {
    List<SortKey> keys = new ArrayList<>();
    List<Integer> columns = new ArrayList<>(List.of(0, 1, 2, 3, 4));
    java.util.Collections.shuffle(columns, random);
    int n = 1 + random.nextInt(3);
    for (int i = 0; i < n; i++) {
      keys.add(new SortKey(columns.get(i), random.nextBoolean(), random.nextBoolean()));
    }
    return keys;
  }

  /** The rows in pages of 1 to 700 rows, spread over three splits. */
  private static MemoryConnector connector(List<List<Object>> rows, Random random) {
    List<List<List<Object>>> pages = new ArrayList<>();
    for (int i = 0; i < rows.size(); ) {
      int n = Math.min(rows.size() - i, 1 + random.nextInt(700));
      pages.add(rows.subList(i, i + n));
      i += n;
    }
    int third = Math.max(1, pages.size() / 3);
    List<ConnectorSplit> splits = new ArrayList<>();
    for (int i = 0; i < pages.size(); i += third) {
      splits.add(new MemorySplit(pages.subList(i, Math.min(pages.size(), i + third))));
    }
    return new MemoryConnector(SCHEMA, splits);
  }
}
