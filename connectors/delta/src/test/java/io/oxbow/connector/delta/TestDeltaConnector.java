package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.DynamicFilter;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes Delta tables with {@link DeltaTableWriter} and reads them back through the SPI. */
class TestDeltaConnector {
  private static final int ROWS = 10_000;
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("b", ArrowType.Bool.INSTANCE),
              Field.nullable("i8", new ArrowType.Int(8, true)),
              Field.nullable("i16", new ArrowType.Int(16, true)),
              Field.nullable("i32", new ArrowType.Int(32, true)),
              Field.nullable("i64", new ArrowType.Int(64, true)),
              Field.nullable("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
              Field.nullable("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("d152", new ArrowType.Decimal(15, 2, 128)),
              Field.nullable("d3810", new ArrowType.Decimal(38, 10, 128)),
              Field.nullable("s", ArrowType.Utf8.INSTANCE),
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY))));

  @TempDir Path warehouse;
  private BufferAllocator allocator;
  private Connector connector;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    if (connector != null) {
      connector.close();
    }
    allocator.close(); // throws if a buffer leaked
  }

  /** The value written for row {@code r}, column {@code c}; every 7th row is NULL in column c. */
  private static Object expected(int r, int c) {
    if ((r + c) % 7 == 0) {
      return null;
    }
    return switch (c) {
      case 0 -> r % 2 == 0;
      case 1 -> (long) (r % 100 - 50);
      case 2 -> (long) (r - 5000);
      case 3 -> (long) r * 1000;
      case 4 -> (long) r * 10_000_000_000L;
      case 5 -> (double) (float) (r / 4.0);
      case 6 -> r / 3.0;
      case 7 -> BigDecimal.valueOf(r * 101L - 500_000L, 2);
      case 8 ->
          new BigDecimal("1234567890123456789012345678")
              .add(BigDecimal.valueOf(r))
              .movePointLeft(10);
      case 9 -> "row-" + r + (r % 3 == 0 ? " çé ✓" : "");
      case 10 -> (long) (8000 + r % 3000);
      default -> throw new IllegalArgumentException();
    };
  }

  private void writeTable(Path dir, int filesOf) {
    try (DeltaTableWriter writer = DeltaTableWriter.create(dir, SCHEMA, filesOf)) {
      for (int start = 0; start < ROWS; start += 1000) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
          for (FieldVector v : root.getFieldVectors()) {
            v.allocateNew();
          }
          for (int i = 0; i < 1000; i++) {
            int r = start + i;
            for (int c = 0; c < SCHEMA.getFields().size(); c++) {
              set(root.getVector(c), i, expected(r, c));
            }
          }
          root.setRowCount(1000);
          writer.write(root);
        }
      }
      writer.commit();
    }
  }

  private static void set(FieldVector v, int i, Object value) {
    if (value == null) {
      if (v instanceof VarCharVector s) {
        s.setNull(i);
      } else {
        ((org.apache.arrow.vector.BaseFixedWidthVector) v).setNull(i);
      }
      return;
    }
    if (v instanceof BitVector x) {
      x.setSafe(i, (Boolean) value ? 1 : 0);
    } else if (v instanceof TinyIntVector x) {
      x.setSafe(i, (byte) (long) (Long) value);
    } else if (v instanceof SmallIntVector x) {
      x.setSafe(i, (short) (long) (Long) value);
    } else if (v instanceof IntVector x) {
      x.setSafe(i, (int) (long) (Long) value);
    } else if (v instanceof BigIntVector x) {
      x.setSafe(i, (Long) value);
    } else if (v instanceof Float4Vector x) {
      x.setSafe(i, (float) (double) (Double) value);
    } else if (v instanceof Float8Vector x) {
      x.setSafe(i, (Double) value);
    } else if (v instanceof DecimalVector x) {
      x.setSafe(i, (BigDecimal) value);
    } else if (v instanceof VarCharVector x) {
      x.setSafe(i, ((String) value).getBytes(StandardCharsets.UTF_8));
    } else if (v instanceof DateDayVector x) {
      x.setSafe(i, (int) (long) (Long) value);
    }
  }

  private static Object get(FieldVector v, int i) {
    if (v.isNull(i)) {
      return null;
    }
    Object o = v.getObject(i);
    if (o instanceof Number n && !(o instanceof BigDecimal)) {
      return v instanceof Float4Vector || v instanceof Float8Vector
          ? (Object) n.doubleValue()
          : (Object) n.longValue();
    }
    return o instanceof org.apache.arrow.vector.util.Text t ? t.toString() : o;
  }

  private Connector connector() {
    connector =
        new DeltaConnectorFactory().create("lake", Map.of("warehouse", warehouse.toString()));
    return connector;
  }

  /** Reads whole table through the SPI: columns in the requested order, rows in file order. */
  private List<List<Object>> read(ConnectorTableHandle handle, List<String> columns) {
    List<List<Object>> rows = new ArrayList<>();
    for (ConnectorSplit split : connector.splitManager().getSplits(handle)) {
      try (ConnectorPageSource source =
          connector.pageSourceProvider().createPageSource(handle, split, columns, allocator)) {
        VectorSchemaRoot batch;
        while ((batch = source.nextBatch()) != null) {
          try (VectorSchemaRoot b = batch) {
            assertThat(b.getSchema().getFields()).extracting(Field::getName).isEqualTo(columns);
            assertThat(b.getRowCount()).isLessThanOrEqualTo(4096);
            for (int r = 0; r < b.getRowCount(); r++) {
              List<Object> row = new ArrayList<>();
              for (FieldVector v : b.getFieldVectors()) {
                row.add(get(v, r));
              }
              rows.add(row);
            }
          }
        }
        assertThat(source.completedBytes()).isPositive();
      }
    }
    return rows;
  }

  @Test
  void everyTypeRoundTripsExactlyAcrossSeveralFiles() {
    writeTable(warehouse.resolve("sales").resolve("all_types"), 3000);
    connector();
    assertThat(connector.metadata().listSchemaNames()).containsExactly("sales");
    assertThat(connector.metadata().listTables("sales")).containsExactly("all_types");
    ConnectorTableHandle handle =
        connector
            .metadata()
            .getTableHandle(new SchemaTableName("sales", "all_types"))
            .orElseThrow();
    ConnectorTableMetadata metadata = connector.metadata().getTableMetadata(handle);
    assertThat(metadata.schema().getFields())
        .extracting(Field::getType)
        .isEqualTo(SCHEMA.getFields().stream().map(Field::getType).toList());
    assertThat(metadata.rowCount()).hasValue(ROWS);
    assertThat(connector.splitManager().getSplits(handle)).hasSizeGreaterThan(1);

    List<String> columns = SCHEMA.getFields().stream().map(Field::getName).toList();
    List<List<Object>> rows = read(handle, columns);
    assertThat(rows).hasSize(ROWS);
    List<List<Object>> expected = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      List<Object> row = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        row.add(expected(r, c));
      }
      expected.add(row);
    }
    assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void dynamicFiltersSkipFilesAndDropRowsOutsideTheKeySet() throws Exception {
    // i32 is r * 1000, so the files (3000 rows each) hold disjoint ranges of it
    Path table = warehouse.resolve("s").resolve("t");
    writeTable(table, 3000);
    connector();
    ConnectorTableHandle handle =
        connector.metadata().getTableHandle(new SchemaTableName("s", "t")).orElseThrow();
    java.util.Set<Long> keys = java.util.Set.of(1_000L, 1_500_000L, 2_000_000L, 2_222_000L);
    DynamicFilter.KeySet keySet =
        new DynamicFilter.KeySet() {
          @Override
          public boolean contains(long key) {
            return keys.contains(key);
          }

          @Override
          public long size() {
            return keys.size();
          }
        };
    DynamicFilter filter = new DynamicFilter("i32", 1_000L, 2_222_000L, keySet);
    List<Long> returned = new ArrayList<>();
    int emptySplits = 0;
    List<ConnectorSplit> splits = connector.splitManager().getSplits(handle);
    for (ConnectorSplit split : splits) {
      try (ConnectorPageSource source =
          connector
              .pageSourceProvider()
              .createPageSource(handle, split, List.of("s", "i32"), allocator, List.of(filter))) {
        VectorSchemaRoot batch;
        while ((batch = source.nextBatch()) != null) {
          try (VectorSchemaRoot b = batch) {
            for (int r = 0; r < b.getRowCount(); r++) {
              returned.add((Long) get(b.getVector(1), r));
              String s = (String) get(b.getVector(0), r);
              int row = (int) ((Long) get(b.getVector(1), r) / 1000);
              assertThat(s).isEqualTo(expected(row, 9));
            }
          }
        }
        if (source.completedBytes() == 0) {
          emptySplits++;
        }
      }
    }
    List<Long> matching = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      Object v = expected(r, 3);
      if (v != null && keys.contains((Long) v)) {
        matching.add((Long) v);
      }
    }
    assertThat(returned).containsExactlyInAnyOrderElementsOf(matching);
    // only the first file's range reaches 2,222,000 (rows 0..2999): the others are never opened
    assertThat(splits).hasSizeGreaterThan(1);
    assertThat(emptySplits).isEqualTo(splits.size() - 1);
  }

  @Test
  void oxbowsWriterWritesPageIndexes() throws Exception {
    Path table = warehouse.resolve("s").resolve("t");
    writeTable(table, 100_000);
    Path data;
    try (Stream<Path> files = Files.list(table)) {
      data = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    try (org.apache.parquet.hadoop.ParquetFileReader reader =
        org.apache.parquet.hadoop.ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(data.toUri()),
                new org.apache.hadoop.conf.Configuration()))) {
      var chunk = reader.getRowGroups().get(0).getColumns().get(0);
      assertThat(reader.readColumnIndex(chunk)).isNotNull();
      assertThat(reader.readOffsetIndex(chunk)).isNotNull();
    }
  }

  @Test
  void projectionDecodesOnlyRequestedColumnsInRequestedOrder() {
    writeTable(warehouse.resolve("s").resolve("t"), 100_000);
    connector();
    ConnectorTableHandle handle =
        connector.metadata().getTableHandle(new SchemaTableName("s", "t")).orElseThrow();
    List<List<Object>> rows = read(handle, List.of("s", "i32"));
    assertThat(rows).hasSize(ROWS);
    assertThat(rows.get(10)).isEqualTo(Arrays.asList(expected(10, 9), expected(10, 3)));
    List<List<Object>> none = read(handle, List.of());
    assertThat(none).hasSize(ROWS).allMatch(List::isEmpty);
  }

  @Test
  void logAndParquetFooterCarryStatistics() throws Exception {
    Path table = warehouse.resolve("s").resolve("t");
    writeTable(table, 100_000);
    String log;
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      Path commit = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
      log = Files.readString(commit);
    }
    // the stats are a JSON string inside the add action, so their quotes are escaped
    assertThat(log)
        .contains("\\\"numRecords\\\":" + ROWS)
        .contains("\\\"minValues\\\"")
        .contains("\\\"i64\\\":0,")
        .contains("\\\"i64\\\":99980000000000")
        .contains("\\\"nullCount\\\"");
  }

  @Test
  void duckDbReadsTheSameFilesToTheSameAnswers() throws Exception {
    Path table = warehouse.resolve("s").resolve("t");
    writeTable(table, 4000);
    connector();
    ConnectorTableHandle handle =
        connector.metadata().getTableHandle(new SchemaTableName("s", "t")).orElseThrow();
    BigDecimal ourSum = BigDecimal.ZERO;
    long ourCount = 0;
    long ourStringBytes = 0;
    for (List<Object> row : read(handle, List.of("d152", "s"))) {
      if (row.get(0) != null) {
        ourSum = ourSum.add((BigDecimal) row.get(0));
        ourCount++;
      }
      if (row.get(1) != null) {
        ourStringBytes += ((String) row.get(1)).getBytes(StandardCharsets.UTF_8).length;
      }
    }
    try (var duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duck.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT sum(d152), count(d152), sum(strlen(s)) FROM read_parquet('"
                    + table
                    + "/*.parquet')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(ourSum);
      assertThat(rs.getLong(2)).isEqualTo(ourCount);
      assertThat(rs.getLong(3)).isEqualTo(ourStringBytes);
    }
  }

  @Test
  void aMissingDataFileIsSourceUnavailable() throws Exception {
    Path table = warehouse.resolve("s").resolve("t");
    writeTable(table, 100_000);
    try (Stream<Path> files = Files.list(table)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        Files.delete(p);
      }
    }
    connector();
    ConnectorTableHandle handle =
        connector.metadata().getTableHandle(new SchemaTableName("s", "t")).orElseThrow();
    assertThatThrownBy(() -> read(handle, List.of("i32")))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(".parquet")
        .satisfies(
            e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.SOURCE_UNAVAILABLE));
  }

  /**
   * The latest snapshot is reused while the log is unchanged, and not once the table is dropped and
   * written again at the same place (its version 0 again, a different commit file).
   */
  @Test
  void aTableWrittenAgainAtTheSamePlaceIsReadAfresh() throws Exception {
    Path table = warehouse.resolve("s").resolve("t");
    writeTable(table, 5000);
    connector();
    SchemaTableName name = new SchemaTableName("s", "t");
    ConnectorTableHandle first = connector.metadata().getTableHandle(name).orElseThrow();
    assertThat(connector.splitManager().getSplits(first)).hasSize(2);
    ConnectorTableHandle again = connector.metadata().getTableHandle(name).orElseThrow();
    assertThat(connector.splitManager().getSplits(again)).hasSize(2);

    try (var files = Files.walk(table)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    writeTable(table, 1000);
    ConnectorTableHandle rewritten = connector.metadata().getTableHandle(name).orElseThrow();
    assertThat(connector.splitManager().getSplits(rewritten)).hasSize(10);
    assertThat(read(rewritten, List.of("i32"))).hasSize(ROWS);
  }

  @Test
  void unknownTablesAndBadConfigurationAreClear() {
    connector();
    assertThat(connector.metadata().getTableHandle(new SchemaTableName("s", "nope"))).isEmpty();
    assertThat(connector.metadata().listTables("nope")).isEmpty();
    assertThatThrownBy(() -> new DeltaConnectorFactory().create("x", Map.of()))
        .hasMessageContaining("needs the property 'warehouse'");
    assertThatThrownBy(
            () ->
                new DeltaConnectorFactory()
                    .create("x", Map.of("warehouse", warehouse.resolve("missing").toString())))
        .hasMessageContaining("does not exist");
  }

  @Test
  void keyLikeColumnsGetDistinctValuesFromADictionarySample() {
    // 40,000 rows in one file: "repeated" steps by 4 and holds each value 4 times (sorted, as
    // l_orderkey in lineitem), so its range (40,000 values) cannot tell it from "unique"
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("repeated", new ArrowType.Int(64, true)),
                Field.nullable("unique", new ArrowType.Int(64, true)),
                Field.nullable("scattered", new ArrowType.Int(32, true)),
                Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
                Field.nullable("s", ArrowType.Utf8.INSTANCE)));
    int rows = 40_000;
    try (DeltaTableWriter writer =
        DeltaTableWriter.create(warehouse.resolve("s").resolve("keys"), schema, rows)) {
      for (int start = 0; start < rows; start += 4000) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
          root.allocateNew();
          for (int i = 0; i < 4000; i++) {
            int r = start + i;
            ((BigIntVector) root.getVector(0)).setSafe(i, (r / 4) * 4L);
            ((BigIntVector) root.getVector(1)).setSafe(i, r);
            // every residue of 30,000 once or twice, spread over the file
            ((IntVector) root.getVector(2)).setSafe(i, (int) ((r * 7919L) % 30_000));
            // 10 rows per day, a NULL every 5th row
            if (r % 5 == 0) {
              ((DateDayVector) root.getVector(3)).setNull(i);
            } else {
              ((DateDayVector) root.getVector(3)).setSafe(i, r / 10);
            }
            ((VarCharVector) root.getVector(4))
                .setSafe(i, ("v" + r % 10).getBytes(StandardCharsets.UTF_8));
          }
          root.setRowCount(4000);
          writer.write(root);
        }
      }
      writer.commit();
    }
    connector();
    ConnectorTableHandle handle =
        connector.metadata().getTableHandle(new SchemaTableName("s", "keys")).orElseThrow();
    ConnectorTableMetadata metadata = connector.metadata().getTableMetadata(handle);
    assertThat(metadata.rowCount()).hasValue(rows);
    // the dictionary of the file's row group holds 10,000 values for 40,000 rows
    assertThat(metadata.column("repeated").distinctValues().getAsDouble()).isEqualTo(10_000.0);
    // a sample never raises an estimate: these keep what their ranges give (exact here)
    assertThat(metadata.column("unique").distinctValues().getAsDouble()).isEqualTo(40_000.0);
    assertThat(metadata.column("scattered").distinctValues().getAsDouble()).isEqualTo(30_000.0);
    // 4,000 days over 32,000 non-NULL values: sample and range agree
    assertThat(metadata.column("day").distinctValues().getAsDouble()).isEqualTo(4_000.0);
    assertThat(metadata.column("s").distinctValues()).isEmpty();
  }
}
