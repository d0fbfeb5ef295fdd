package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * A parallel scan returns runs of small batches of one split (what a selective filter in the
 * connector leaves) as fewer, larger batches with the same rows, NULLs and strings included; not
 * when a LIMIT right above could stop the scan early; and a failure while coalescing releases every
 * batch.
 */
class TestScanCoalescing extends EngineTesting {
  private static final Schema TABLE =
      schema("id", Kind.INT64, "name", Kind.UTF8, "n", Kind.INT32, "price", Kind.FLOAT64);

  /** Four splits of many small batches (1 to 40 rows), and one split of a single large batch. */
  private static MemoryConnector connector(List<List<Object>> all) {
    Random random = new Random(5);
    List<ConnectorSplit> splits = new ArrayList<>();
    long id = 0;
    for (int s = 0; s < 4; s++) {
      List<List<List<Object>>> batches = new ArrayList<>();
      for (int b = 0; b < 150; b++) {
        List<List<Object>> batch = new ArrayList<>();
        for (int r = 1 + random.nextInt(40); r > 0; r--) {
          List<Object> row =
              row(
                  id,
                  random.nextInt(5) == 0
                      ? null
                      : "name-" + id + "-" + "x".repeat(random.nextInt(9)),
                  random.nextInt(4) == 0 ? null : (long) random.nextInt(1000),
                  random.nextInt(6) == 0 ? null : random.nextDouble());
          batch.add(row);
          all.add(row);
          id++;
        }
        batches.add(batch);
      }
      splits.add(new MemorySplit(batches));
    }
    List<List<Object>> large = new ArrayList<>();
    for (int r = 0; r < 3000; r++) {
      List<Object> row = row(id, "big", (long) r, 1.5);
      large.add(row);
      all.add(row);
      id++;
    }
    splits.add(new MemorySplit(List.of(large)));
    return new MemoryConnector(TABLE, splits);
  }

  @Test
  void smallBatchesOfASplitComeOutTogetherWithTheSameRows() {
    List<List<Object>> all = new ArrayList<>();
    MemoryConnector connector = connector(all);
    assertThat(run(connector.scan("id", "name", "n", "price")))
        .containsExactlyInAnyOrderElementsOf(all);
    assertThat(connector.batchesServed.get()).isEqualTo(601);
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());

    List<Integer> sizes = batchSizes(connector(new ArrayList<>()).scan("id", "name"));
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(all.size());
    // ~3,100 rows per split of small batches: one batch of >= 2,048 rows and the rest
    assertThat(sizes).hasSizeLessThanOrEqualTo(9);
    assertThat(sizes).contains(3000);
    assertThat(sizes.stream().filter(n -> n >= 2048).count()).isEqualTo(5);
  }

  @Test
  void aggregationAboveSeesEveryRowOnce() {
    List<List<Object>> all = new ArrayList<>();
    MemoryConnector connector = connector(all);
    AggregateNode count =
        new AggregateNode(
            connector.scan("id", "n"),
            List.of(),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
                new AggregateCall(AggregateFunction.SUM, List.of(0), false, -1, Kind.INT64)),
            schema("c", Kind.INT64, "s", Kind.INT64));
    long sum = all.stream().mapToLong(r -> (Long) r.get(0)).sum();
    assertThat(run(count)).containsExactly(row((long) all.size(), sum));
  }

  @Test
  void aLimitRightAboveTheScanGetsTheBatchesAsTheyCome() {
    MemoryConnector connector = connector(new ArrayList<>());
    List<List<Object>> rows = run(new LimitNode(connector.scan("id"), 0, 1));
    assertThat(rows).hasSize(1);
    // each worker stopped after about one batch, not after thousands of rows
    assertThat(connector.batchesServed.get()).isLessThan(20);
    assertThat(connector.closed.get()).isEqualTo(connector.opened.get());
  }

  @Test
  void aFailureWhileCoalescingReleasesEveryBatch() {
    MemoryConnector failing = connector(new ArrayList<>());
    failing.failOnBatch = new OxbowException(ErrorCode.SOURCE_UNAVAILABLE, "bucket is gone");
    failing.failAfter = 30;
    assertThatThrownBy(() -> run(failing.scan("id", "name")))
        .isInstanceOf(OxbowException.class)
        .hasMessage("bucket is gone");
    assertThat(failing.closed.get()).isEqualTo(failing.opened.get());
    // (the query allocator is checked for leaks when each test's root allocator closes)
  }
}
