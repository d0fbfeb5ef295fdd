package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;

class TestCancellation extends EngineTesting {
  private static MemoryConnector splits(int count) {
    List<ConnectorSplit> splits = new ArrayList<>();
    for (long s = 0; s < count; s++) {
      splits.add(new MemorySplit(List.of(List.of(row(s, "split " + s)))));
    }
    return new MemoryConnector(schema("id", Kind.INT64, "name", Kind.UTF8), splits);
  }

  @Test
  void cancellationStopsASortWhileItIsStillReadingItsInput() {
    MemoryConnector connector = splits(200);
    AtomicInteger checks = new AtomicInteger();
    // the caller cancels after the engine has checked a few times: the sort has read a few splits
    ExecutionContext context;
    try (BufferAllocator query = root.newChildAllocator("q", 0, Long.MAX_VALUE)) {
      context = new ExecutionContext("q", query, () -> checks.incrementAndGet() > 5);
      assertThatThrownBy(
              () -> {
                try (ResultStream stream =
                    Executor.execute(
                        new SortNode(
                            connector.scan("id", "name"), List.of(new SortKey(0, true, false))),
                        context)) {
                  stream.next();
                }
              })
          .isInstanceOfSatisfying(
              OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED))
          .hasMessage("Query q was cancelled");
    }
    // stopped early, and every split it opened was closed
    assertThat(connector.opened.get()).isBetween(1, 10);
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  @Test
  void cancellationDuringAHashJoinBuildNamesTheQuery() {
    MemoryConnector probe = splits(3);
    MemoryConnector build = splits(200);
    List<org.apache.arrow.vector.types.pojo.Field> fields =
        new ArrayList<>(probe.scan("id", "name").schema().getFields());
    fields.addAll(build.scan("id", "name").schema().getFields());
    io.oxbow.engine.plan.JoinNode join =
        new io.oxbow.engine.plan.JoinNode(
            probe.scan("id", "name"),
            build.scan("id", "name"),
            io.oxbow.engine.plan.JoinNode.JoinType.INNER,
            List.of(0),
            List.of(0),
            null,
            new org.apache.arrow.vector.types.pojo.Schema(fields));
    AtomicInteger checks = new AtomicInteger();
    try (BufferAllocator query = root.newChildAllocator("q7", 0, Long.MAX_VALUE)) {
      ExecutionContext context =
          // one thread, so the first checks are the probe side's and the build side's in order
          new ExecutionContext("q7", query, () -> checks.incrementAndGet() > 5, 1);
      assertThatThrownBy(
              () -> {
                try (ResultStream stream = Executor.execute(join, context)) {
                  stream.next();
                }
              })
          .isInstanceOfSatisfying(
              OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED))
          // the build side runs as a sub-pipeline, but the error names the query
          .hasMessage("Query q7 was cancelled");
    }
    assertThat(build.opened.get()).isBetween(1, 10);
    assertThat(build.closed.get()).isEqualTo(build.opened.get());
  }

  @Test
  void aQueryThatIsNeverCancelledRunsToTheEnd() {
    MemoryConnector connector = splits(50);
    try (BufferAllocator query = root.newChildAllocator("q", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(
                new SortNode(connector.scan("id", "name"), List.of(new SortKey(0, false, false))),
                new ExecutionContext("q", query))) {
      long rows = 0;
      for (var batch = stream.next(); batch != null; batch = stream.next()) {
        rows += batch.getRowCount();
        batch.close();
      }
      assertThat(rows).isEqualTo(50);
    }
    assertThat(connector.closed.get()).isEqualTo(50);
  }
}
