package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

class TestResourceManagement extends EngineTesting {
  private static ValuesNode numbers(int count) {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      rows.add(row(i, "row number " + i));
    }
    return new ValuesNode(schema("x", Kind.INT64, "s", Kind.UTF8), rows);
  }

  @Test
  void sortOverTheMemoryLimitIsResourceExhaustedNamingTheLimit() {
    assertThatThrownBy(
            () ->
                run(new SortNode(numbers(50_000), List.of(new SortKey(0, false, false))), 200_000))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("memory limit of 200000 bytes")
        .satisfies(
            e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
  }

  @Test
  void limitOnAParentAllocatorIsTheOneNamed() {
    try (BufferAllocator session = root.newChildAllocator("session", 0, 150_000)) {
      assertThatThrownBy(
              () -> {
                try (BufferAllocator query = session.newChildAllocator("query", 0, Long.MAX_VALUE);
                    ResultStream stream =
                        Executor.execute(
                            new SortNode(numbers(50_000), List.of(new SortKey(0, true, false))),
                            new ExecutionContext("q", query))) {
                  stream.next().close();
                }
              })
          .hasMessageContaining("memory limit of 150000 bytes");
    }
  }

  @Test
  void scanOverTheMemoryLimitIsResourceExhausted() {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < 5_000; i++) {
      rows.add(row(i, "some text " + i, null));
    }
    List<ConnectorSplit> splits = List.of(new MemorySplit(List.of(rows)));
    MemoryConnector connector =
        new MemoryConnector(schema("id", Kind.INT64, "name", Kind.UTF8, "n", Kind.INT32), splits);
    assertThatThrownBy(() -> run(connector.scan("id", "name"), 20_000))
        .isInstanceOf(OxbowException.class)
        .satisfies(
            e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  @Test
  void failingQueryReleasesEverything() {
    ProjectNode failing =
        new ProjectNode(
            numbers(10_000),
            List.of(
                call(
                    ScalarFunction.DIVIDE,
                    Kind.INT64,
                    lit(1L, Kind.INT64),
                    call(
                        ScalarFunction.SUBTRACT,
                        Kind.INT64,
                        col(0, Kind.INT64),
                        lit(9_000L, Kind.INT64)))),
            schema("d", Kind.INT64));
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(failing, new ExecutionContext("q", query))) {
      // the first two batches (rows 0..8191) succeed, the third holds the zero divisor
      stream.next().close();
      stream.next().close();
      assertThatThrownBy(stream::next)
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining("Division by zero");
    }
  }

  @Test
  void closingEarlyReleasesEveryOperator() {
    AggregateNode aggregate =
        new AggregateNode(
            new FilterNode(
                numbers(20_000),
                call(
                    ScalarFunction.GREATER_THAN,
                    Kind.BOOL,
                    col(0, Kind.INT64),
                    lit(10L, Kind.INT64))),
            List.of(0),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64)),
            schema("x", Kind.INT64, "c", Kind.INT64));
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(
                new SortNode(aggregate, List.of(new SortKey(0, true, false))),
                new ExecutionContext("q", query))) {
      try (VectorSchemaRoot first = stream.next()) {
        assertThat(first.getRowCount()).isEqualTo(4096);
        assertThat(first.getVector(0).getObject(0)).isEqualTo(11L);
      }
    }
  }

  @Test
  void closingBeforeReadingAnythingReleasesEverything() {
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE)) {
      ResultStream stream = Executor.execute(numbers(10), new ExecutionContext("q", query));
      stream.close();
      stream.close(); // idempotent
      assertThat(query.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void eachOperatorHasItsOwnNamedAllocatorAndResultsOutliveTheStream() {
    MemoryConnector connector =
        new MemoryConnector(
            schema("x", Kind.INT64), List.of(new MemorySplit(List.of(List.of(row(2L), row(1L))))));
    SortNode sort =
        new SortNode(
            new FilterNode(
                connector.scan("x"),
                call(ScalarFunction.IS_NOT_NULL, Kind.BOOL, col(0, Kind.INT64))),
            List.of(new SortKey(0, true, false)));
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE)) {
      VectorSchemaRoot batch;
      try (ResultStream stream = Executor.execute(sort, new ExecutionContext("q7", query))) {
        assertThat(query.getChildAllocators())
            .extracting(BufferAllocator::getName)
            .containsExactlyInAnyOrder(
                "q7/0-ScanOperator", "q7/1-FilterOperator", "q7/2-SortOperator");
        batch = stream.next();
        assertThat(stream.next()).isNull();
      }
      try (VectorSchemaRoot owned = batch) {
        assertThat(rows(owned)).containsExactly(row(1L), row(2L));
      }
    }
  }

  @Test
  void nextAfterCloseIsAnError() {
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE)) {
      ResultStream stream = Executor.execute(numbers(1), new ExecutionContext("q", query));
      stream.close();
      assertThatThrownBy(stream::next).isInstanceOf(OxbowException.class);
    }
  }
}
