package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * An aggregation a plan reads twice (TPC-H Q15's revenue per supplier and its maximum) is computed
 * once per query: the scan under it is opened once, the answer is a brute-force one, and nothing
 * leaks, also when computing it fails.
 */
class TestSharedResults extends EngineTesting {
  private static final Schema TABLE = schema("k", Kind.INT64, "v", Kind.INT64);

  private MemoryConnector connector() {
    List<ConnectorSplit> splits = new ArrayList<>();
    long i = 0;
    for (int s = 0; s < 4; s++) {
      List<List<List<Object>>> batches = new ArrayList<>();
      for (int b = 0; b < 3; b++) {
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < 200; r++, i++) {
          rows.add(row(i % 37, (i * 7919) % 1000));
        }
        batches.add(rows);
      }
      splits.add(new MemorySplit(batches));
    }
    return new MemoryConnector(TABLE, splits);
  }

  /** sum(v) per k, joined with its own maximum: the k with the largest sum. */
  private static PlanNode q15Shape(ScanNode scan) {
    AggregateCall sum = new AggregateCall(AggregateFunction.SUM, List.of(1), false, -1, Kind.INT64);
    Schema sums = schema("k", Kind.INT64, "s", Kind.INT64);
    AggregateNode perKey = new AggregateNode(scan, List.of(0), List.of(sum), sums);
    // an equal but separate node: shared by value, as the planner's two copies are
    AggregateNode again = new AggregateNode(scan, List.of(0), List.of(sum), sums);
    AggregateCall max = new AggregateCall(AggregateFunction.MAX, List.of(1), false, -1, Kind.INT64);
    AggregateNode top = new AggregateNode(again, List.of(), List.of(max), schema("m", Kind.INT64));
    List<Field> fields = new ArrayList<>(sums.getFields());
    fields.addAll(top.schema().getFields());
    return new JoinNode(
        perKey, top, JoinType.INNER, List.of(1), List.of(0), null, new Schema(fields));
  }

  private static List<List<Object>> bruteForce() {
    Map<Long, Long> sums = new TreeMap<>();
    for (long i = 0; i < 4 * 3 * 200; i++) {
      sums.merge(i % 37, (i * 7919) % 1000, Long::sum);
    }
    long max = sums.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    List<List<Object>> out = new ArrayList<>();
    sums.forEach(
        (k, s) -> {
          if (s == max) {
            out.add(row(k, s, max));
          }
        });
    return out;
  }

  @Test
  void aRepeatedAggregationIsComputedOnceAndReplayed() {
    for (int threads : new int[] {1, 2}) {
      MemoryConnector connector = connector();
      List<List<Object>> rows = runWith(q15Shape(connector.scan("k", "v")), threads);
      assertThat(rows).isEqualTo(bruteForce());
      assertThat(connector.opened.get()).as("splits opened, %d threads", threads).isEqualTo(4);
      assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
    }
  }

  @Test
  void aFailureComputingItFailsTheQueryAndLeaksNothing() {
    MemoryConnector connector = connector();
    connector.failOnBatch = new IllegalStateException("the source went away");
    connector.failAfter = 5;
    assertThatThrownBy(() -> runWith(q15Shape(connector.scan("k", "v")), 1))
        .hasMessageContaining("the source went away");
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
    // the root allocator's check after each test fails on any buffer left behind
  }

  private List<List<Object>> runWith(PlanNode plan, int threads) {
    List<List<Object>> rows = new ArrayList<>();
    try (var query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext("q", query, () -> false, threads))) {
      org.apache.arrow.vector.VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (var batch = next) {
          rows.addAll(rows(batch));
        }
      }
    }
    rows.sort(java.util.Comparator.comparing(Object::toString));
    return rows;
  }
}
