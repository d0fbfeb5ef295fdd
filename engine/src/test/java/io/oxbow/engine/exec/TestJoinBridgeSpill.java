package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.type.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a {@link JoinBridge} splits a build side that passes the spill threshold: the partitions that
 * fit stay in memory as the table, the others go to disk, and the index's heap is accounted; the
 * last release gives everything back. (The joins' results are checked in {@code TestJoinSpill}.)
 */
class TestJoinBridgeSpill {
  private static final Schema SIDE =
      new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("id", Kind.INT64)));
  private static final int ROWS = 1_000_000;

  private BufferAllocator root;
  private Path spillRoot;

  @BeforeEach
  void setUp() throws IOException {
    root = new RootAllocator();
    spillRoot = Files.createTempDirectory("test-join-bridge-spill");
  }

  @AfterEach
  void tearDown() throws IOException {
    root.close(); // throws on a leak, including heap bytes still accounted
    try (Stream<Path> paths = Files.walk(spillRoot)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static JoinNode node() {
    List<Field> fields = new ArrayList<>(SIDE.getFields());
    fields.addAll(SIDE.getFields());
    return new JoinNode(
        new ValuesNode(SIDE, List.of()),
        new ValuesNode(SIDE, List.of()),
        JoinType.INNER,
        List.of(0),
        List.of(0),
        null,
        new Schema(fields));
  }

  /** {@code ROWS} rows: key {@code i % 400_000}, id {@code i}, in batches of 4096. */
  private static Supplier<ResultStream> buildSide(BufferAllocator allocator) {
    return () ->
        new ResultStream() {
          private int at;

          @Override
          public Schema schema() {
            return SIDE;
          }

          @Override
          public VectorSchemaRoot next() {
            if (at >= ROWS) {
              return null;
            }
            int n = Math.min(4096, ROWS - at);
            VectorSchemaRoot batch = VectorSchemaRoot.create(SIDE, allocator);
            BigIntVector k = (BigIntVector) batch.getVector(0);
            BigIntVector id = (BigIntVector) batch.getVector(1);
            k.allocateNew(n);
            id.allocateNew(n);
            for (int i = 0; i < n; i++) {
              k.set(i, (at + i) % 400_000);
              id.set(i, at + i);
            }
            k.setValueCount(n);
            id.setValueCount(n);
            batch.setRowCount(n);
            at += n;
            return batch;
          }

          @Override
          public List<OperatorStats> operatorStats() {
            return List.of();
          }

          @Override
          public void close() {}
        };
  }

  private static int count(boolean[] flags, boolean value) {
    int n = 0;
    for (boolean f : flags) {
      n += f == value ? 1 : 0;
    }
    return n;
  }

  /** Builds under {@code limit} and returns how many partitions went to disk. */
  private int partitionsOnDisk(long limit) {
    SpillContext spill = new SpillContext(spillRoot, true, SpillContext.DEFAULT_THRESHOLD);
    int onDisk;
    try (BufferAllocator query = root.newChildAllocator("query", 0, limit);
        BufferAllocator allocator = query.newChildAllocator("join", 0, Long.MAX_VALUE)) {
      JoinBridge bridge =
          new JoinBridge(node(), buildSide(allocator), allocator, 1, spill, () -> {}, 0);
      try {
        JoinTable table = bridge.table();
        boolean[] disk = bridge.onDisk();
        assertThat(disk).isNotNull();
        onDisk = count(disk, true);
        // the table holds the rows of the partitions in memory, about a sixteenth each
        assertThat(table.rowCount())
            .isBetween(
                (int) (ROWS / 16.0 * (16 - onDisk) * 0.9),
                (int) (ROWS / 16.0 * (16 - onDisk) * 1.1));
        // its rows and its index's heap count against the limit, under the spill threshold
        assertThat(query.getAllocatedMemory())
            .isGreaterThanOrEqualTo(table.retainedBytes())
            .isLessThanOrEqualTo((long) (0.6 * limit));
        assertThat(spill.filesOpen()).isEqualTo(onDisk);
      } finally {
        bridge.release();
      }
      assertThat(query.getAllocatedMemory()).isZero();
    }
    assertThat(spill.filesOpen()).isZero();
    return onDisk;
  }

  @Test
  void partitionsThatFitStayInMemoryAndTheOthersGoToDisk() {
    int onDisk = partitionsOnDisk(48 << 20);
    assertThat(onDisk).isBetween(1, 15);
  }

  @Test
  void underASmallLimitEveryPartitionGoesToDisk() {
    assertThat(partitionsOnDisk(4 << 20)).isEqualTo(16);
  }

  @Test
  void underNoLimitNothingSpills() {
    try (BufferAllocator allocator = root.newChildAllocator("join", 0, Long.MAX_VALUE)) {
      JoinBridge bridge =
          new JoinBridge(
              node(),
              buildSide(allocator),
              allocator,
              1,
              new SpillContext(spillRoot, true, SpillContext.DEFAULT_THRESHOLD),
              () -> {},
              0);
      try {
        assertThat(bridge.table().rowCount()).isEqualTo(ROWS);
        assertThat(bridge.onDisk()).isNull();
      } finally {
        bridge.release();
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }
}
