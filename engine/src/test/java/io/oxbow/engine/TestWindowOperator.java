package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.plan.WindowNode;
import io.oxbow.engine.plan.WindowNode.Bound;
import io.oxbow.engine.plan.WindowNode.BoundType;
import io.oxbow.engine.plan.WindowNode.WindowCall;
import io.oxbow.engine.plan.WindowNode.WindowFunction;
import io.oxbow.engine.plan.WindowNode.WindowGroup;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestWindowOperator {
  private BufferAllocator root;

  @BeforeEach
  void setUp() {
    root = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    root.close();
  }

  private static final ValuesNode INPUT =
      new ValuesNode(
          new Schema(List.of(Field.nullable("g", Kind.UTF8), Field.nullable("x", Kind.INT64))),
          List.of(
              Arrays.asList("b", 5L),
              Arrays.asList("a", 1L),
              Arrays.asList("a", 3L),
              Arrays.asList("b", 4L),
              Arrays.asList("a", 3L)));

  private List<List<Object>> run(WindowGroup group) {
    List<Field> fields = new ArrayList<>(INPUT.schema().getFields());
    for (int i = 0; i < group.calls().size(); i++) {
      fields.add(Field.nullable("w" + i, group.calls().get(i).type()));
    }
    WindowNode window = new WindowNode(INPUT, List.of(group), new Schema(fields));
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("q", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(window, new ExecutionContext("q", query))) {
      VectorSchemaRoot batch;
      while ((batch = stream.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          for (int r = 0; r < b.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : b.getFieldVectors()) {
              row.add(Values.get(v, r));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  @Test
  void rankingFunctionsPerPartitionKeepInputOrder() {
    WindowGroup group =
        new WindowGroup(
            List.of(0),
            List.of(new SortKey(1, true, false)),
            false,
            Bound.UNBOUNDED_PRECEDING,
            Bound.CURRENT_ROW,
            List.of(
                new WindowCall(WindowFunction.ROW_NUMBER, List.of(), List.of(), false, Kind.INT64),
                new WindowCall(WindowFunction.RANK, List.of(), List.of(), false, Kind.INT64),
                new WindowCall(WindowFunction.DENSE_RANK, List.of(), List.of(), false, Kind.INT64),
                // RANGE ... CURRENT ROW includes peers: both 3s see 1 + 3 + 3
                new WindowCall(WindowFunction.SUM, List.of(1), List.of(), false, Kind.INT64)));
    assertThat(run(group))
        .containsExactly(
            Arrays.asList("b", 5L, 2L, 2L, 2L, 9L),
            Arrays.asList("a", 1L, 1L, 1L, 1L, 1L),
            Arrays.asList("a", 3L, 2L, 2L, 2L, 7L),
            Arrays.asList("b", 4L, 1L, 1L, 1L, 4L),
            Arrays.asList("a", 3L, 3L, 2L, 2L, 7L));
  }

  /** Regression: a sliding ROWS frame summed the row numbers instead of the values. */
  @Test
  void slidingRowsFrameAggregatesValues() {
    WindowGroup group =
        new WindowGroup(
            List.of(),
            List.of(new SortKey(1, true, false)),
            true,
            new Bound(BoundType.PRECEDING, 1L),
            new Bound(BoundType.FOLLOWING, 1L),
            List.of(
                new WindowCall(WindowFunction.SUM, List.of(1), List.of(), false, Kind.INT64),
                new WindowCall(
                    WindowFunction.LAG, List.of(1), List.of(2L, -1L), false, Kind.INT64)));
    // ordered x: 1, 3, 3, 4, 5
    assertThat(run(group))
        .containsExactly(
            Arrays.asList("b", 5L, 9L, 3L),
            Arrays.asList("a", 1L, 4L, -1L),
            Arrays.asList("a", 3L, 7L, -1L),
            Arrays.asList("b", 4L, 12L, 3L),
            Arrays.asList("a", 3L, 10L, 1L));
  }
}
