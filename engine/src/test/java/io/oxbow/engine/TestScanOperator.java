package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class TestScanOperator extends EngineTesting {
  private static final Schema TABLE = schema("id", Kind.INT64, "name", Kind.UTF8, "n", Kind.INT32);

  /** These tests are about one scan operator (split order, read-ahead): one thread. */
  @Override
  protected int parallelism() {
    return 1;
  }

  private static MemoryConnector connector() {
    List<ConnectorSplit> splits =
        List.of(
            new MemorySplit(
                List.of(List.of(row(1L, "a", 10), row(2L, "b", 20)), List.of(row(3L, null, 30)))),
            new MemorySplit(List.of()),
            new MemorySplit(List.of(List.of(row(4L, "d", null)))));
    return new MemoryConnector(TABLE, splits);
  }

  @Test
  void readsEverySplitInOrderWithTheRequestedColumns() {
    MemoryConnector connector = connector();
    assertThat(run(connector.scan("n", "id")))
        .containsExactly(row(10L, 1L), row(20L, 2L), row(30L, 3L), row(null, 4L));
    assertThat(connector.opened.get()).isEqualTo(3);
    assertThat(connector.closed.get()).isEqualTo(3);
    assertThat(connector.batchesServed.get()).isEqualTo(3);
  }

  @Test
  void outputUsesThePlanSchemaNames() {
    assertThat(batchSizes(connector().scan("name"))).containsExactly(2, 1, 1);
  }

  @Test
  void limitStopsReadingEarlyAndClosesTheOpenPageSource() {
    MemoryConnector connector = connector();
    assertThat(run(new LimitNode(connector.scan("id"), 0, 1))).containsExactly(row(1L));
    assertThat(connector.batchesServed.get()).isEqualTo(1);
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  @Test
  void sourceErrorsKeepTheirCodeAndOthersBecomeInternal() {
    MemoryConnector failing = connector();
    failing.failOnBatch = new OxbowException(ErrorCode.SOURCE_UNAVAILABLE, "bucket is gone");
    failing.failAfter = 1;
    assertThatThrownBy(() -> run(failing.scan("id")))
        .isInstanceOf(OxbowException.class)
        .hasMessage("bucket is gone")
        .satisfies(
            e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.SOURCE_UNAVAILABLE));
    assertThat(failing.closed.get()).isEqualTo(failing.opened.get());

    MemoryConnector buggy = connector();
    IllegalStateException bug = new IllegalStateException("broken reader");
    buggy.failOnBatch = bug;
    buggy.failAfter = 2;
    assertThatThrownBy(() -> run(buggy.scan("id")))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("broken reader")
        .hasCause(bug)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.INTERNAL));
  }

  @Test
  void opensFourSplitsAheadKeepsSplitOrderAndClosesThemAll() {
    List<ConnectorSplit> splits = new ArrayList<>();
    List<List<Object>> expected = new ArrayList<>();
    for (long s = 0; s < 10; s++) {
      splits.add(new MemorySplit(List.of(List.of(row(s, "x", 1)), List.of(row(s + 100, "y", 2)))));
      expected.add(row(s));
      expected.add(row(s + 100));
    }
    MemoryConnector all = new MemoryConnector(TABLE, splits);
    assertThat(run(all.scan("id"))).containsExactlyElementsOf(expected);
    assertThat(all.opened.get()).isEqualTo(10);
    assertThat(all.closed.get()).isEqualTo(10);

    // stopping early closes the current page source and the three opened ahead of it
    MemoryConnector limited = new MemoryConnector(TABLE, splits);
    assertThat(run(new LimitNode(limited.scan("id"), 0, 1))).containsExactly(row(0L));
    assertThat(limited.opened.get()).isEqualTo(4);
    assertThat(limited.closed.get()).isEqualTo(4);
  }

  @Test
  void manyBatchesPassThrough() {
    List<List<List<Object>>> batches = new ArrayList<>();
    long expectedSum = 0;
    for (int b = 0; b < 20; b++) {
      List<List<Object>> rows = new ArrayList<>();
      for (int r = 0; r < 1000; r++) {
        long id = b * 1000L + r;
        rows.add(row(id, "x" + id, r));
        expectedSum += id;
      }
      batches.add(rows);
    }
    MemoryConnector connector = new MemoryConnector(TABLE, List.of(new MemorySplit(batches)));
    List<List<Object>> rows = run(connector.scan("id"));
    assertThat(rows).hasSize(20_000);
    assertThat(rows.stream().mapToLong(r -> (Long) r.get(0)).sum()).isEqualTo(expectedSum);
  }
}
