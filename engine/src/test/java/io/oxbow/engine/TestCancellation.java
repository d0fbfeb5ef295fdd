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
