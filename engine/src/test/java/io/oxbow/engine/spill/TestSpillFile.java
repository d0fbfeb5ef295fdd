package io.oxbow.engine.spill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestSpillFile {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("dec", new ArrowType.Decimal(20, 3, 128)),
              Field.nullable("s", ArrowType.Utf8.INSTANCE),
              Field.nullable("d", new ArrowType.Date(DateUnit.DAY))));

  private BufferAllocator allocator;
  private Path root;

  @BeforeEach
  void setUp() throws IOException {
    allocator = new RootAllocator();
    root = Files.createTempDirectory("test-spill");
  }

  @AfterEach
  void tearDown() throws IOException {
    allocator.close(); // throws on a leak
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A batch of {@code rows} rows starting at {@code from}; every 7th value of each column null. */
  private VectorSchemaRoot batch(int from, int rows) {
    VectorSchemaRoot b = VectorSchemaRoot.create(SCHEMA, allocator);
    b.allocateNew();
    for (int r = 0; r < rows; r++) {
      int i = from + r;
      if (i % 7 != 1) {
        ((BigIntVector) b.getVector(0)).setSafe(r, i * 1_000_003L);
      }
      if (i % 7 != 2) {
        ((DecimalVector) b.getVector(1)).setSafe(r, BigDecimal.valueOf(i - 500, 3));
      }
      if (i % 7 != 3) {
        ((VarCharVector) b.getVector(2))
            .setSafe(r, ("text " + i + " é").repeat(i % 4).getBytes(StandardCharsets.UTF_8));
      }
      if (i % 7 != 4) {
        ((DateDayVector) b.getVector(3)).setSafe(r, i - 100);
      }
    }
    b.setRowCount(rows);
    return b;
  }

  private static List<List<Object>> contents(VectorSchemaRoot b) {
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 0; r < b.getRowCount(); r++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector v : b.getFieldVectors()) {
        Object value = v.getObject(r);
        row.add(value instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(value));
      }
      rows.add(row);
    }
    return rows;
  }

  @Test
  void batchesComeBackAsWrittenAndTheFileIsCountedAndDeleted() throws IOException {
    SpillContext context = new SpillContext(root, true, 0.6);
    int[] sizes = {1000, 0, 4096, 17};
    List<List<Object>> expected = new ArrayList<>();
    try (SpillDirectory directory = context.newDirectory("q1/3-SortOperator")) {
      SpillFile file = directory.create(SCHEMA);
      int from = 0;
      for (int size : sizes) {
        try (VectorSchemaRoot b = batch(from, size)) {
          expected.addAll(contents(b));
          file.write(b);
        }
        from += size;
      }
      file.finishWriting();
      assertThat(file.rows()).isEqualTo(5113);
      assertThat(file.batches()).isEqualTo(4);
      assertThat(file.bytes()).isEqualTo(Files.size(file.path()));
      assertThat(context.bytesWritten()).isEqualTo(file.bytes());
      assertThat(context.filesCreated()).isEqualTo(1);
      assertThat(context.filesOpen()).isEqualTo(1);
      assertThat(directory.path().getParent()).isEqualTo(root);
      assertThat(directory.path().getFileName().toString()).startsWith("q1_3-SortOperator-");

      for (int pass = 0; pass < 2; pass++) { // readable more than once
        List<List<Object>> actual = new ArrayList<>();
        List<Integer> batchSizes = new ArrayList<>();
        try (SpillFile.Reader reader = file.openReader(allocator)) {
          VectorSchemaRoot b;
          while ((b = reader.next()) != null) {
            try (VectorSchemaRoot read = b) {
              assertThat(read.getSchema()).isEqualTo(SCHEMA);
              batchSizes.add(read.getRowCount());
              actual.addAll(contents(read));
            }
          }
        }
        assertThat(batchSizes).containsExactly(1000, 0, 4096, 17);
        assertThat(actual).isEqualTo(expected);
      }
      Path path = file.path();
      file.close();
      assertThat(path).doesNotExist();
      assertThat(context.filesOpen()).isZero();
    }
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void closingTheDirectoryDeletesOpenFilesAndReleasesReaders() throws IOException {
    SpillContext context = new SpillContext(root, true, 0.6);
    SpillDirectory directory = context.newDirectory("op");
    SpillFile finished = directory.create(SCHEMA);
    try (VectorSchemaRoot b = batch(0, 100)) {
      finished.write(b);
      finished.write(b);
    }
    finished.finishWriting();
    SpillFile.Reader reader = finished.openReader(allocator);
    reader.next().close();
    SpillFile unfinished = directory.create(SCHEMA);
    try (VectorSchemaRoot b = batch(0, 10)) {
      unfinished.write(b);
    }
    assertThat(context.filesOpen()).isEqualTo(2);
    directory.close();
    directory.close(); // idempotent
    assertThat(context.filesOpen()).isZero();
    assertThat(context.filesCreated()).isEqualTo(2);
    assertThat(allocator.getAllocatedMemory()).isZero();
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left.toList()).isEmpty();
    }
  }

  @Test
  void misuseIsRejected() {
    SpillContext context = new SpillContext(root, true, 0.6);
    try (SpillDirectory directory = context.newDirectory("op")) {
      SpillFile file = directory.create(SCHEMA);
      assertThatThrownBy(() -> file.openReader(allocator))
          .isInstanceOf(IllegalStateException.class);
      file.finishWriting();
      try (VectorSchemaRoot b = batch(0, 1)) {
        assertThatThrownBy(() -> file.write(b)).isInstanceOf(IllegalStateException.class);
      }
    }
    try (SpillDirectory disabled = SpillContext.disabled().newDirectory("op")) {
      assertThatThrownBy(() -> disabled.create(SCHEMA)).isInstanceOf(IllegalStateException.class);
    }
    assertThatThrownBy(() -> new SpillContext(root, true, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRootThatCannotBeCreatedIsResourceExhaustedNamingIt() throws IOException {
    Path file = Files.createFile(root.resolve("not-a-directory"));
    SpillContext context = new SpillContext(file.resolve("spill"), true, 0.6);
    try (SpillDirectory directory = context.newDirectory("op")) {
      assertThatThrownBy(() -> directory.create(SCHEMA))
          .isInstanceOfSatisfying(
              OxbowException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
          .hasMessageContaining("Cannot create a spill directory under " + file.resolve("spill"));
    }
    assertThat(context.filesOpen()).isZero();
  }

  @Test
  void thresholdWatchesTheSmallestLimitOnTheWayToTheRoot() {
    try (BufferAllocator query = allocator.newChildAllocator("query", 0, 1000);
        BufferAllocator operator = query.newChildAllocator("op", 0, Long.MAX_VALUE);
        BufferAllocator sibling = query.newChildAllocator("sibling", 0, Long.MAX_VALUE)) {
      MemoryThreshold threshold = new MemoryThreshold(operator, 0.6);
      assertThat(threshold.limited()).isTrue();
      assertThat(threshold.limit()).isEqualTo(1000);
      assertThat(threshold.exceeded(600)).isFalse();
      assertThat(threshold.exceeded(601)).isTrue();
      try (ArrowBuf mine = operator.buffer(256);
          ArrowBuf theirs = sibling.buffer(256)) {
        // the query's memory counts, not only the operator's
        assertThat(threshold.headroom()).isEqualTo(600 - 512);
        assertThat(threshold.exceeded(88)).isFalse();
        assertThat(threshold.exceeded(89)).isTrue();
      }
      assertThat(new MemoryThreshold(allocator, 0.6).limited()).isFalse();
      assertThat(new MemoryThreshold(allocator, 0.6).exceeded(1L << 40)).isFalse();
    }
  }
}
