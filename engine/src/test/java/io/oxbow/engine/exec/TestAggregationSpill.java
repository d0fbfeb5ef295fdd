package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HashAggregationOperator} under a memory limit: the heap its group table and states hold is
 * accounted on its allocator, counts against the limits above it and is given back on close.
 */
class TestAggregationSpill {
  private static final Schema INPUT =
      new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("s", Kind.UTF8)));
  private static final Schema OUTPUT =
      new Schema(
          List.of(
              Field.nullable("k", Kind.INT64),
              Field.nullable("c", Kind.INT64),
              Field.nullable("m", Kind.UTF8)));

  private BufferAllocator root;

  @BeforeEach
  void setUp() {
    root = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    root.close(); // throws on a leak, including bytes still accounted for heap
  }

  /** GROUP BY k: COUNT(*), MAX(s). */
  private static AggregateNode node() {
    return new AggregateNode(
        new ValuesNode(INPUT, List.of()),
        List.of(0),
        List.of(
            new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
            new AggregateCall(AggregateFunction.MAX, List.of(1), false, -1, Kind.UTF8)),
        OUTPUT);
  }

  /** Rows {@code [first, first + n)}: key {@code row % groups}, string {@code "v" + row}. */
  private static Page page(BufferAllocator allocator, int first, int n, int groups) {
    VectorSchemaRoot batch = VectorSchemaRoot.create(INPUT, allocator);
    BigIntVector k = (BigIntVector) batch.getVector(0);
    VarCharVector s = (VarCharVector) batch.getVector(1);
    k.allocateNew(n);
    s.allocateNew(n);
    for (int i = 0; i < n; i++) {
      k.set(i, (first + i) % groups);
      s.setSafe(i, ("v" + (first + i)).getBytes(StandardCharsets.UTF_8));
    }
    batch.setRowCount(n);
    return Page.of(batch);
  }

  @Test
  void heapOfTheTableIsAccountedOnTheAllocatorAndReleasedOnClose() {
    int rows = 200_000;
    int groups = 50_000;
    try (BufferAllocator allocator = root.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op = new HashAggregationOperator(node(), allocator);
      try {
        long before = allocator.getAllocatedMemory();
        for (int first = 0; first < rows; first += 4096) {
          op.addInput(page(allocator, first, Math.min(4096, rows - first), groups));
        }
        assertThat(op.accountedBytes()).isEqualTo(op.retainedBytes());
        // at least a long key, a count and a string reference per group
        assertThat(op.accountedBytes()).isGreaterThan(20L * groups);
        assertThat(allocator.getAllocatedMemory() - before).isEqualTo(op.accountedBytes());
        assertThat(root.getAllocatedMemory()).isEqualTo(allocator.getAllocatedMemory());
        op.finish();
        Map<Long, long[]> seen = new HashMap<>();
        Page out;
        while (!op.isFinished()) {
          if ((out = op.getOutput()) == null) {
            continue;
          }
          try (VectorSchemaRoot batch = out.root()) {
            BigIntVector k = (BigIntVector) batch.getVector(0);
            BigIntVector c = (BigIntVector) batch.getVector(1);
            VarCharVector m = (VarCharVector) batch.getVector(2);
            for (int i = 0; i < batch.getRowCount(); i++) {
              String max = new String(m.get(i), StandardCharsets.UTF_8);
              assertThat(
                      seen.put(k.get(i), new long[] {c.get(i), Long.parseLong(max.substring(1))}))
                  .isNull();
            }
          }
        }
        assertThat(seen).hasSize(groups);
        for (Map.Entry<Long, long[]> e : seen.entrySet()) {
          long key = e.getKey();
          assertThat(e.getValue()[0]).isEqualTo(rows / groups);
          // the greatest "v<row>" string among rows key, key + groups, ..: compare as strings
          String best = null;
          for (long r = key; r < rows; r += groups) {
            String v = "v" + r;
            best = best == null || v.compareTo(best) > 0 ? v : best;
          }
          assertThat("v" + e.getValue()[1]).isEqualTo(best);
        }
      } finally {
        op.close();
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void tableOverTheLimitThrowsArrowOutOfMemoryAndLeaksNothing() {
    try (BufferAllocator query = root.newChildAllocator("query", 0, 2_000_000);
        BufferAllocator allocator = query.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op = new HashAggregationOperator(node(), allocator);
      try {
        assertThatThrownBy(
                () -> {
                  for (int first = 0; first < 1_000_000; first += 4096) {
                    op.addInput(page(allocator, first, 4096, Integer.MAX_VALUE));
                  }
                })
            .isInstanceOf(OutOfMemoryException.class)
            .hasMessageContaining("Hash aggregation needs");
        assertThat(query.getAllocatedMemory()).isLessThanOrEqualTo(2_000_000);
      } finally {
        op.close();
      }
      assertThat(query.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void mergeKeepsOnlyTheMergedTableAccounted() {
    try (BufferAllocator a = root.newChildAllocator("a", 0, Long.MAX_VALUE);
        BufferAllocator b = root.newChildAllocator("b", 0, Long.MAX_VALUE)) {
      HashAggregationOperator left = new HashAggregationOperator(node(), a);
      HashAggregationOperator right = new HashAggregationOperator(node(), b);
      try {
        left.addInput(page(a, 0, 4096, 3000));
        right.addInput(page(b, 4096, 4096, 6000));
        assertThat(b.getAllocatedMemory()).isPositive();
        left.mergeFrom(right);
        assertThat(b.getAllocatedMemory()).isZero();
        assertThat(a.getAllocatedMemory()).isEqualTo(left.retainedBytes());
      } finally {
        right.close();
        left.close();
      }
    }
  }
}
