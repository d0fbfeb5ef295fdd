package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.spill.SpillContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sort operator driven directly: runs cut by the heap cap and by filtered (selected) pages. */
class TestSortOperatorSpill {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("k", new ArrowType.Int(64, true)),
              Field.nullable("seq", new ArrowType.Int(64, true))));

  private BufferAllocator root;
  private Path spillRoot;

  @BeforeEach
  void setUp() throws IOException {
    root = new RootAllocator();
    spillRoot = Files.createTempDirectory("test-sort-operator-spill");
  }

  @AfterEach
  void tearDown() throws IOException {
    root.close();
    try (Stream<Path> paths = Files.walk(spillRoot)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Sorts {@code rows} rows (key {@code k} with many ties and some nulls, {@code seq} the input
   * position) by k descending, nulls first, feeding pages of 4096 rows of which, when {@code
   * selectEven}, only the even positions are live; checks the output against a stable Java sort of
   * the live rows and returns the spill counters.
   */
  private SpillContext sortAndCheck(int rows, boolean selectEven, long limit, long maxSortHeap)
      throws IOException {
    Random random = new Random(7);
    long[] k = new long[rows];
    boolean[] isNull = new boolean[rows];
    for (int i = 0; i < rows; i++) {
      k[i] = random.nextInt(500);
      isNull[i] = random.nextInt(40) == 0;
    }
    List<Integer> live = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      if (!selectEven || i % 2 == 0) {
        live.add(i);
      }
    }
    live.sort(
        (a, b) ->
            isNull[a] || isNull[b]
                ? Boolean.compare(isNull[b], isNull[a])
                : Long.compare(k[b], k[a])); // stable
    SpillContext spill = new SpillContext(spillRoot, true, 0.6);
    List<Long> output = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, limit);
        BufferAllocator mine = query.newChildAllocator("q/1-SortOperator", 0, Long.MAX_VALUE);
        BufferAllocator source = query.newChildAllocator("q/0-source", 0, Long.MAX_VALUE);
        SortOperator sort =
            new SortOperator(
                List.of(new SortKey(0, false, true)),
                SCHEMA,
                mine,
                new ExecutionContext("q", query, () -> false, spill),
                maxSortHeap)) {
      for (int from = 0; from < rows; from += 4096) {
        int n = Math.min(4096, rows - from);
        VectorSchemaRoot batch = VectorSchemaRoot.create(SCHEMA, source);
        BigIntVector kv = (BigIntVector) batch.getVector(0);
        BigIntVector seq = (BigIntVector) batch.getVector(1);
        batch.allocateNew();
        for (int r = 0; r < n; r++) {
          if (!isNull[from + r]) {
            kv.setSafe(r, k[from + r]);
          }
          seq.setSafe(r, from + r);
        }
        batch.setRowCount(n);
        if (selectEven) {
          int[] selection = new int[(n + 1) / 2];
          for (int i = 0; i < selection.length; i++) {
            selection[i] = 2 * i;
          }
          sort.addInput(new Page(batch, selection, selection.length));
        } else {
          sort.addInput(Page.of(batch));
        }
      }
      sort.finish();
      assertThat(spill.filesOpen()).isPositive();
      while (!sort.isFinished()) {
        Page page = sort.getOutput();
        if (page == null) {
          continue;
        }
        try (VectorSchemaRoot batch = page.root()) {
          assertThat(page.count()).isBetween(1, 4096);
          BigIntVector seq = (BigIntVector) batch.getVector(1);
          for (int r = 0; r < page.count(); r++) {
            output.add(seq.get(r));
          }
        }
      }
    }
    assertThat(output).hasSize(live.size());
    for (int i = 0; i < live.size(); i++) {
      if (output.get(i) != (long) live.get(i)) {
        throw new AssertionError(
            "row " + i + ": seq " + output.get(i) + ", expected " + live.get(i));
      }
    }
    assertThat(spill.filesOpen()).isZero();
    try (Stream<Path> left = Files.list(spillRoot)) {
      assertThat(left.toList()).isEmpty();
    }
    return spill;
  }

  @Test
  void runsAreCutWhenTheirSortWouldTakeTooMuchHeap() throws IOException {
    // about 10,000 rows per run, no memory limit
    SpillContext spill = sortAndCheck(100_000, false, Long.MAX_VALUE, 10_000 * (16 + 17));
    assertThat(spill.filesCreated()).isBetween(8L, 12L);
  }

  @Test
  void filteredPagesSpillUnderTheMemoryLimit() throws IOException {
    SpillContext spill = sortAndCheck(300_000, true, 1 << 20, Long.MAX_VALUE);
    assertThat(spill.filesCreated()).isGreaterThan(2);
    assertThat(spill.bytesWritten()).isGreaterThan(150_000L * 16);
  }
}
