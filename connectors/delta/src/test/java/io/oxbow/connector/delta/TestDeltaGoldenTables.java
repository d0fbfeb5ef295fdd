package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.internal.deletionvectors.Base85Codec;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
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
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads the public Delta golden tables (delta-io/delta v4.0.0, see {@code golden/README.md}) and
 * tables written by delta-rs ({@code delta-rs/README.md}) through the connector, and compares their
 * full contents with independent answers: the Delta repository's own test suites and generator
 * (each test cites its source), DuckDB reading the same Parquet files, or the rows the delta-rs
 * script wrote. Features no golden table has (inline deletion vectors, log compaction, renamed
 * columns, defaults) get a commit written here on top of a golden table. Rows are compared sorted;
 * integers as Long, floating point as Double, timestamps as microseconds since the epoch, dates as
 * days since the epoch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestDeltaGoldenTables {
  private static final String SCHEMA = "golden";

  @TempDir static Path localFolder;

  /** The folder holding the catalog's schemas: tables are copied (and made) here. */
  Path warehouse;

  private BufferAllocator allocator;
  private Connector connector;

  /** Where the catalog's tables live on this machine (a subclass can serve them over S3). */
  Path tablesFolder() {
    return localFolder;
  }

  /** The connector's catalog properties for {@link #warehouse}. */
  Map<String, String> catalogProperties() {
    return Map.of("warehouse", warehouse.toString());
  }

  @BeforeAll
  void copyTables() throws IOException, URISyntaxException {
    warehouse = tablesFolder();
    for (String folder : List.of("golden", "delta-rs")) {
      Path source =
          Path.of(TestDeltaGoldenTables.class.getResource("/" + folder + "/README.md").toURI())
              .getParent();
      try (Stream<Path> tables = Files.list(source)) {
        for (Path table : tables.filter(Files::isDirectory).toList()) {
          String name =
              (folder.equals("golden") ? "" : folder + "-")
                  + table.getFileName().toString().toLowerCase(Locale.ROOT);
          copyTree(table, warehouse.resolve(SCHEMA).resolve(name));
        }
      }
    }
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    connector = new DeltaConnectorFactory().create("lake", catalogProperties());
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close(); // throws if a buffer leaked
  }

  // ---------------------------------------------------------------- deletion vectors

  @Test
  void deletionVectorsWithoutCheckpoint() {
    // DeletionVectorSuite.scala: "reading a table with dv" -> (2L until 10L)
    assertThat(readAll("basic-dv-no-checkpoint", "id")).isEqualTo(longs(LongStream.range(2, 10)));
  }

  @Test
  void deletionVectorsWithCheckpoint() {
    // DeletionVectorSuite.scala: "reading a table with dv with checkpoint"
    //   -> (0L until 500L).filter(_ % 11 != 0)
    assertThat(readAll("basic-dv-with-checkpoint", "id"))
        .isEqualTo(longs(LongStream.range(0, 500).filter(x -> x % 11 != 0)));
  }

  @Test
  void deletionVectorsPartitionedWithCheckpoint() {
    // DeletionVectorSuite.scala: (0 until 50).map(x => (x % 10, x, s"foo${x % 5}"))
    //   .filter { case (_, col1, _) => !(col1 % 2 == 0 && col1 < 30) }
    assertThat(readAll("dv-partitioned-with-checkpoint", "part", "col1", "col2"))
        .isEqualTo(dvPartitionedExpected());
  }

  @Test
  void deletionVectorsWithColumnMappingName() {
    // DeletionVectorSuite.scala: same expectation as dv-partitioned-with-checkpoint
    assertThat(readAll("dv-with-columnmapping", "part", "col1", "col2"))
        .isEqualTo(dvPartitionedExpected());
    // the partition column alone (no Parquet column decoded) still drops the deleted rows
    assertThat(readAll("dv-with-columnmapping", "part"))
        .isEqualTo(sorted(dvPartitionedExpected().stream().map(r -> List.of(r.get(0))).toList()));
  }

  @Test
  void deletionVectorsAcrossSeveralDeletes() {
    // GoldenTables.scala "log-replay-dv-key-cases": spark.range(50), then
    //   DELETE WHERE id = n*7 for n in 0 until 3
    assertThat(readAll("log-replay-dv-key-cases", "id"))
        .isEqualTo(longs(LongStream.range(0, 50).filter(x -> x != 0 && x != 7 && x != 14)));
  }

  @Test
  void inlineDeletionVector() throws Exception {
    // No golden table has an inline vector, so this one is made here: the table
    // time-travel-start gets a commit that puts an inline vector deleting positions 1 and 3 on
    // one of its files. The rows at those positions are looked up with DuckDB.
    Path table = warehouse.resolve(SCHEMA).resolve("inline-dv");
    copyTree(warehouse.resolve(SCHEMA).resolve("time-travel-start"), table);
    String file;
    try (Stream<Path> files = Files.list(table)) {
      file =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".parquet"))
              .sorted()
              .findFirst()
              .orElseThrow();
    }
    List<Long> all = duckDbIds(table.resolve(file), null);
    List<Long> deleted = duckDbIds(table.resolve(file), List.of(1, 3));
    assertThat(deleted).hasSize(2);
    String dv = inlineDeletionVector(RoaringBitmap.bitmapOf(1, 3));
    long size = Files.size(table.resolve(file));
    String commit =
        String.join(
            "\n",
            "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
                + "\"readerFeatures\":[\"deletionVectors\"],"
                + "\"writerFeatures\":[\"deletionVectors\"]}}",
            "{\"remove\":{\"path\":\""
                + file
                + "\",\"deletionTimestamp\":1700000000000,\"dataChange\":true}}",
            "{\"add\":{\"path\":\""
                + file
                + "\",\"partitionValues\":{},\"size\":"
                + size
                + ",\"modificationTime\":1700000000000,\"dataChange\":true,"
                + "\"deletionVector\":"
                + dv
                + "}}",
            "");
    Files.writeString(table.resolve("_delta_log").resolve("00000000000000000001.json"), commit);

    // GoldenTables.scala generateCommits: version 0 holds spark.range(0, 10)
    List<List<Object>> expected = longs(LongStream.range(0, 10).filter(x -> !deleted.contains(x)));
    assertThat(all).hasSizeGreaterThan(3);
    assertThat(readAll("inline-dv", "id")).isEqualTo(expected);
  }

  @Test
  void deletionVectorAcrossRowGroupsAndBatches() throws Exception {
    // A 10,000-row file with several row groups (written by DuckDB) and an inline vector
    // deleting rows at row group and batch edges, plus one whole row group; the expected rows
    // are DuckDB's reading of the same file without the deleted positions.
    Path table = warehouse.resolve(SCHEMA).resolve("dv-row-groups");
    Files.createDirectories(table.resolve("_delta_log"));
    Path file = table.resolve("data.parquet");
    try (var conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      st.execute(
          "COPY (SELECT range * 3 AS id FROM range(10000) ORDER BY range) TO '"
              + file
              + "' (FORMAT PARQUET, ROW_GROUP_SIZE 2500)");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + file + "')")) {
        rs.next();
        assertThat(rs.getInt(1)).isGreaterThan(1);
      }
    }
    RoaringBitmap bitmap = RoaringBitmap.bitmapOf(0, 1, 2047, 2048, 2499, 2500, 4095, 9999);
    bitmap.add(5000L, 7500L);
    bitmap.runOptimize();
    List<Integer> positions = new ArrayList<>();
    bitmap.forEach((int p) -> positions.add(p));
    List<Long> all = duckDbIds(file, null);
    List<Long> deleted = duckDbIds(file, positions);
    assertThat(all).hasSize(10_000);
    assertThat(deleted).hasSize(bitmap.getCardinality());
    Files.writeString(
        table.resolve("_delta_log").resolve("00000000000000000000.json"),
        "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
            + "\"readerFeatures\":[\"deletionVectors\"],"
            + "\"writerFeatures\":[\"deletionVectors\"]}}\n"
            + metadataAction(
                "{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}", "{}")
            + "{\"add\":{\"path\":\"data.parquet\",\"partitionValues\":{},\"size\":"
            + Files.size(file)
            + ",\"modificationTime\":1700000000000,\"dataChange\":true,\"deletionVector\":"
            + inlineDeletionVector(bitmap)
            + "}}\n");

    List<List<Object>> expected =
        all.stream().filter(id -> !deleted.contains(id)).map(id -> List.<Object>of(id)).toList();
    assertThat(readAll("dv-row-groups", "id")).isEqualTo(sorted(expected));
  }

  /** An inline deletion vector descriptor (JSON) holding {@code bitmap}. */
  private static String inlineDeletionVector(RoaringBitmap bitmap) {
    ByteBuffer bytes =
        ByteBuffer.allocate(4 + 8 + 4 + bitmap.serializedSizeInBytes())
            .order(ByteOrder.LITTLE_ENDIAN);
    bytes.putInt(1681511377).putLong(1).putInt(0); // portable RoaringBitmapArray, one bitmap
    bitmap.serialize(bytes);
    String encoded = Base85Codec.encodeBytes(bytes.array());
    return "{\"storageType\":\"i\",\"pathOrInlineDv\":\""
        + encoded.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\",\"sizeInBytes\":"
        + bytes.capacity()
        + ",\"cardinality\":"
        + bitmap.getLongCardinality()
        + "}";
  }

  // ---------------------------------------------------------------- column mapping

  @Test
  void columnMappingIdAndNameModesAllTypes() {
    // GoldenTables.scala writeBasicStatsAllTypesTable: one row (0, 0L, 0b, 0s, 0f, 0d, "0",
    //   2000-01-01, Timestamp.valueOf("2000-01-01 00:00:00"), 0); the timestamp depends on the
    //   generator's time zone, so it is left out.
    for (String table :
        List.of(
            "data-skipping-basic-stats-all-types-columnmapping-id",
            "data-skipping-basic-stats-all-types-columnmapping-name")) {
      assertThat(
              readAll(
                  table,
                  "as_int",
                  "as_long",
                  "as_byte",
                  "as_short",
                  "as_float",
                  "as_double",
                  "as_string",
                  "as_date",
                  "as_big_decimal"))
          .as(table)
          .isEqualTo(
              List.of(
                  List.of(
                      0L,
                      0L,
                      0L,
                      0L,
                      0.0,
                      0.0,
                      "0",
                      LocalDate.of(2000, 1, 1).toEpochDay(),
                      new BigDecimal("0"))));
    }
  }

  @Test
  void columnMappingNameModeWithPartitions() {
    // DeltaTableReadsSuite.scala "partitioned table with column mapping":
    //   (0 to 2).map { case 2 => (null, null, "2"); case i => (i, i.toDouble, i.toString) }
    //   reading as_int, as_double (partition columns) and value
    assertThat(
            readAll(
                "data-reader-partition-values-column-mapping-name", "as_int", "as_double", "value"))
        .isEqualTo(
            sorted(
                List.of(
                    List.of(0L, 0.0, "0"), List.of(1L, 1.0, "1"), Arrays.asList(null, null, "2"))));
  }

  @Test
  void columnMappingIdModeByFieldId() throws Exception {
    // kernel-defaults column-mapping-id (id mode) has no expectation in the Delta suites: the
    // expected values are DuckDB's reading of the same Parquet files.
    Path table = warehouse.resolve(SCHEMA).resolve("column-mapping-id");
    List<List<Object>> expected = new ArrayList<>();
    try (Stream<Path> files = Files.list(table)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        for (Long v : duckDbFirstColumn(f)) {
          expected.add(Arrays.asList(v));
        }
      }
    }
    assertThat(expected).isNotEmpty();
    assertThat(readAll("column-mapping-id", "value")).isEqualTo(sorted(expected));
  }

  @Test
  void primitiveTypesWithAndWithoutColumnMapping() {
    // DeltaTableReadsSuite.scala "table primitives" and "table with name column mapping mode":
    //   (0 to 10).map { case 10 => all null; case i => (i, i.toLong, i.toByte, i.toShort,
    //   i % 2 == 0, i.toFloat, i.toDouble, i.toString, Array(i.toByte, i.toByte), BigDecimal(i)) }
    List<List<Object>> expected = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      expected.add(
          List.of(
              (long) i,
              (long) i,
              (long) i,
              (long) i,
              i % 2 == 0,
              (double) (float) i,
              (double) i,
              String.valueOf(i),
              String.format("%02x%02x", i, i),
              new BigDecimal(i)));
    }
    expected.add(Arrays.asList(new Object[10]));
    for (String table :
        List.of("data-reader-primitives", "data-reader-primitives-column-mapping-name")) {
      assertThat(
              readAll(
                  table,
                  "as_int",
                  "as_long",
                  "as_byte",
                  "as_short",
                  "as_boolean",
                  "as_float",
                  "as_double",
                  "as_string",
                  "as_binary",
                  "as_big_decimal"))
          .as(table)
          .isEqualTo(sorted(expected));
    }
  }

  @Test
  void decimalsStandardAndLegacyParquet() {
    // DeltaTableReadsSuite.scala "end to end: reading basic-decimal-table(-legacy)" (the legacy
    // table stores decimals as fixed-length byte arrays): (part, col1, col2, col3)
    List<List<Object>> expected =
        sorted(
            List.of(
                decimals("234.00000", "1.00", "2.00000", "3.0000000000"),
                decimals("2342222.23454", "111.11", "22222.22222", "3333333333.3333333333"),
                decimals("0.00004", "0.00", "0.00000", "0E-10"),
                decimals("-2342342.23423", "-999.99", "-99999.99999", "-9999999999.9999999999")));
    for (String table : List.of("basic-decimal-table", "basic-decimal-table-legacy")) {
      assertThat(readAll(table, "part", "col1", "col2", "col3")).as(table).isEqualTo(expected);
    }
  }

  @Test
  void decimalsOfEveryPrecision() throws Exception {
    // DeltaTableReadsSuite.scala compares decimal-various-scale-precision with Spark's own read;
    // here the reference is DuckDB reading the table's Parquet file.
    Path table = warehouse.resolve(SCHEMA).resolve("decimal-various-scale-precision");
    List<String> columns = new ArrayList<>();
    for (int precision : new int[] {4, 7, 12, 15, 18, 25, 35, 38}) {
      for (int scale = 0; scale < precision; scale += 6) {
        columns.add("decimal_" + precision + "_" + scale);
      }
    }
    List<List<Object>> expected = new ArrayList<>();
    try (Stream<Path> files = Files.list(table);
        var conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement()) {
      for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT " + String.join(", ", columns) + " FROM read_parquet('" + f + "')")) {
          while (rs.next()) {
            List<Object> row = new ArrayList<>();
            for (int c = 1; c <= columns.size(); c++) {
              row.add(rs.getBigDecimal(c));
            }
            expected.add(row);
          }
        }
      }
    }
    assertThat(expected).isNotEmpty();
    assertThat(readAll("decimal-various-scale-precision", columns.toArray(String[]::new)))
        .isEqualTo(sorted(expected));
  }

  @Test
  void emptyParquetFiles() {
    // DeltaTableReadsSuite.scala "table with empty parquet files": (1 to 5)
    assertThat(readAll("125-iterator-bug", "col1")).isEqualTo(longs(LongStream.rangeClosed(1, 5)));
  }

  // ---------------------------------------------------------------- checkpoints

  @Test
  void v2CheckpointsWithSidecars() {
    // GoldenTables.scala "v2-checkpoint-{parquet,json}": spark.range(10) appended to an empty
    //   table with checkpointPolicy v2 (ReadIntegrationTestSuite.java: 10 rows)
    assertThat(readAll("v2-checkpoint-parquet", "id")).isEqualTo(longs(LongStream.range(0, 10)));
    assertThat(readAll("v2-checkpoint-json", "id")).isEqualTo(longs(LongStream.range(0, 10)));
  }

  @Test
  void multiPartCheckpoint() {
    // DeltaTableReadsSuite.scala "multi-part checkpoint": (Seq(0L) ++ (0L until 30L))
    assertThat(readAll("multi-part-checkpoint", "id"))
        .isEqualTo(longs(LongStream.concat(LongStream.of(0), LongStream.range(0, 30))));
  }

  @Test
  void classicCheckpointAfterDeletes() {
    // GoldenTables.scala "basic-with-inserts-deletes-checkpoint": ranges 0..49 appended, ids
    //   5-9, 15-19, 25-29, 35-39, 45-49 deleted, 50..79 appended, ids >= 66 deleted
    assertThat(readAll("basic-with-inserts-deletes-checkpoint", "id"))
        .isEqualTo(longs(LongStream.range(0, 66).filter(x -> x >= 50 || x % 10 < 5)));
  }

  @Test
  void vacuumProtocolCheckFeature() {
    // DeltaTableReadsSuite.scala "simple end to end with vacuum protocol check feature":
    //   (0 until 100).map(x => (x, s"val=$x"))
    List<List<Object>> expected = new ArrayList<>();
    for (long x = 0; x < 100; x++) {
      expected.add(List.of(x, "val=" + x));
    }
    assertThat(readAll("basic-with-vacuum-protocol-check-feature", "id", "str"))
        .isEqualTo(sorted(expected));
  }

  // ---------------------------------------------------------------- timestamps

  @Test
  void timestampNtz() {
    // DeltaTableReadsSuite.scala expectedTimestampNtzTestRows, for "", "-name-mode", "-id-mode"
    Long a = 1637202600123456L;
    Long b = 1373043660123456L;
    List<List<Object>> expected =
        sorted(
            List.of(
                Arrays.asList(0L, a, a),
                Arrays.asList(1L, b, a),
                Arrays.asList(2L, null, a),
                Arrays.asList(3L, a, b),
                Arrays.asList(4L, b, b),
                Arrays.asList(5L, null, b),
                Arrays.asList(6L, a, null),
                Arrays.asList(7L, b, null),
                Arrays.asList(8L, null, null)));
    for (String table :
        List.of(
            "data-reader-timestamp_ntz",
            "data-reader-timestamp_ntz-name-mode",
            "data-reader-timestamp_ntz-id-mode")) {
      assertThat(readAll(table, "id", "tsntz", "tsntzpartition")).as(table).isEqualTo(expected);
      Field field = field(table, "tsntz");
      assertThat(field.getType()).isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null));
    }
  }

  @Test
  void timestampsInParquetFormats() {
    // DeltaTableReadsSuite.scala utcTableExpectedResult (id, part, time), for the tables
    //   kernel-timestamp-{INT96,TIMESTAMP_MICROS,TIMESTAMP_MILLIS}
    List<List<Object>> expected =
        sorted(
            List.of(
                Arrays.asList(0L, 1577866150001000L, 1580544550000000L),
                Arrays.asList(1L, 1633075760000000L, 915181200000000L),
                Arrays.asList(2L, 1633075760000000L, 946717200000000L),
                Arrays.asList(3L, -31536000000000L, -31536000000000L),
                Arrays.asList(4L, null, null)));
    for (String format : List.of("int96", "timestamp_micros", "timestamp_millis")) {
      String table = "kernel-timestamp-" + format;
      assertThat(readAll(table, "id", "part", "time")).as(table).isEqualTo(expected);
      assertThat(field(table, "time").getType())
          .isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"));
    }
  }

  @Test
  void timestampsWrittenInAnotherTimeZone() {
    // DeltaTableReadsSuite.scala pstTableExpectedResult: utcTableExpectedResult with "time"
    //   8 hours later; the partition values (written as local date-times) read as UTC
    long hour = 3_600_000_000L;
    List<List<Object>> expected =
        sorted(
            List.of(
                Arrays.asList(0L, 1577866150001000L, 1580544550000000L + 8 * hour),
                Arrays.asList(1L, 1633075760000000L, 915181200000000L + 8 * hour),
                Arrays.asList(2L, 1633075760000000L, 946717200000000L + 8 * hour),
                Arrays.asList(3L, -31536000000000L, -31536000000000L + 8 * hour),
                Arrays.asList(4L, null, null)));
    assertThat(readAll("kernel-timestamp-pst", "id", "part", "time")).isEqualTo(expected);
  }

  @Test
  void timestampPartitionValuesInIso8601() {
    // DeltaTableReadsSuite.scala "table with partition column in ISO8601 timestamp format"
    assertThat(readAll("kernel-timestamp-partition-col-iso8601", "str", "ts"))
        .isEqualTo(
            List.of(
                List.of("2024-01-01 10:00:00", 1704103200000000L),
                List.of("2024-01-02 12:30:00", 1704198600000000L)));
  }

  // ---------------------------------------------------------------- type widening

  @Test
  void typeWideningBasicTypes() {
    // DeltaTableReadsSuite.scala "table with type widening on basic types"
    List<List<Object>> expected =
        sorted(
            List.of(
                List.of(1L, 2L, (double) 3.4f, 5.0, 6.0, 7.0, micros("2024-09-09T00:00:00Z")),
                List.of(
                    Long.MAX_VALUE,
                    Long.MAX_VALUE,
                    1.234567890123,
                    1.234567890123,
                    1.234567890123,
                    1.234567890123,
                    micros("2024-09-09T12:34:56.123456Z"))));
    assertThat(
            readAll(
                "type-widening",
                "byte_long",
                "int_long",
                "float_double",
                "byte_double",
                "short_double",
                "int_double",
                "date_timestamp_ntz"))
        .isEqualTo(expected);
  }

  @Test
  void typeWideningDecimals() {
    // DeltaTableReadsSuite.scala "table with type widening to decimal types"
    List<List<Object>> expected =
        sorted(
            List.of(
                List.of(
                    BigDecimal.valueOf(12345L, 2),
                    BigDecimal.valueOf(6789000L, 5),
                    BigDecimal.valueOf(10L, 1),
                    BigDecimal.valueOf(20L, 1),
                    BigDecimal.valueOf(30L, 1),
                    BigDecimal.valueOf(40L, 1)),
                List.of(
                    BigDecimal.valueOf(1234567890123456L, 2),
                    BigDecimal.valueOf(1234567890123456L, 5),
                    BigDecimal.valueOf(1234L, 1),
                    BigDecimal.valueOf(123456L, 1),
                    BigDecimal.valueOf(12345678901L, 1),
                    BigDecimal.valueOf(1234567890123456789L, 1))));
    assertThat(
            readAll(
                "type-widening",
                "decimal_decimal_same_scale",
                "decimal_decimal_greater_scale",
                "byte_decimal",
                "short_decimal",
                "int_decimal",
                "long_decimal"))
        .isEqualTo(expected);
  }

  // ---------------------------------------------------------------- schema evolution

  @Test
  void schemaEvolutionAddedColumnIsNullInOlderFiles() {
    // GoldenTables.scala "time-travel-schema-changes-b": spark.range(10), then
    //   spark.range(10, 20).withColumn("part", 'id) appended with mergeSchema
    List<List<Object>> expected = new ArrayList<>();
    for (long x = 0; x < 20; x++) {
      expected.add(Arrays.asList(x, x < 10 ? null : x));
    }
    assertThat(readAll("time-travel-schema-changes-b", "id", "part")).isEqualTo(sorted(expected));
  }

  @Test
  void overwriteWithNewPartitioning() {
    // GoldenTables.scala "time-travel-partition-changes-b": overwritten with
    //   spark.range(10, 20).withColumn("part2", 'id % 2), partitioned by part2
    List<List<Object>> expected = new ArrayList<>();
    for (long x = 10; x < 20; x++) {
      expected.add(List.of(x, x % 2));
    }
    assertThat(readAll("time-travel-partition-changes-b", "id", "part2"))
        .isEqualTo(sorted(expected));
  }

  @Test
  void severalCommits() {
    // GoldenTables.scala generateCommits: commit v writes spark.range(v * 10, v * 10 + 10)
    assertThat(readAll("time-travel-start-start20-start40", "id"))
        .isEqualTo(longs(LongStream.range(0, 30)));
  }

  @Test
  void logCompactionFile() throws IOException {
    // No golden table has a log compaction file, so one is made here for versions 1-2 of
    // time-travel-start-start20-start40 (each commit v adds spark.range(v * 10, v * 10 + 10)):
    // it holds the add actions of commits 1 and 2. Commit 2 then keeps only its commitInfo, so
    // its rows (20-29) are found only if the reader uses the compaction file.
    Path table = warehouse.resolve(SCHEMA).resolve("log-compaction");
    copyTree(warehouse.resolve(SCHEMA).resolve("time-travel-start-start20-start40"), table);
    Path log = table.resolve("_delta_log");
    List<String> adds = new ArrayList<>();
    for (String commit : List.of("00000000000000000001.json", "00000000000000000002.json")) {
      Files.readAllLines(log.resolve(commit)).stream()
          .filter(line -> line.startsWith("{\"add\""))
          .forEach(adds::add);
    }
    assertThat(adds).hasSize(4);
    Files.writeString(
        log.resolve("00000000000000000001.00000000000000000002.compacted.json"),
        String.join("\n", adds) + "\n");
    Path commit2 = log.resolve("00000000000000000002.json");
    List<String> commitInfo =
        Files.readAllLines(commit2).stream().filter(l -> l.startsWith("{\"commitInfo\"")).toList();
    Files.writeString(commit2, String.join("\n", commitInfo) + "\n");
    Files.deleteIfExists(log.resolve(".00000000000000000002.json.crc"));

    assertThat(readAll("log-compaction", "id")).isEqualTo(longs(LongStream.range(0, 30)));
  }

  // ---------------------------------------------------------------- column metadata features

  @Test
  void columnMappingIdModeFromDeltaRs() {
    // delta-rs/generate.py "column-mapping-id": files under random folders, Parquet columns
    // named col-<uuid> with field ids. (delta-rs 1.6.6 itself reads this table as all NULL.)
    assertThat(readAll("delta-rs-column-mapping-id", "id", "name", "score"))
        .isEqualTo(
            sorted(
                List.of(
                    Arrays.asList(1L, "a", 1.5),
                    Arrays.asList(2L, "b", null),
                    Arrays.asList(3L, "c", 3.5),
                    Arrays.asList(4L, "d", 4.5),
                    Arrays.asList(5L, null, 5.5))));
  }

  @Test
  void generatedColumnsFromDeltaRs() {
    // delta-rs/generate.py: doubled GENERATED ALWAYS AS (id * 2); rows (1, 2), (2, 4), (3, 6)
    assertThat(readAll("delta-rs-generated-columns", "id", "doubled"))
        .isEqualTo(List.of(List.of(1L, 2L), List.of(2L, 4L), List.of(3L, 6L)));
  }

  @Test
  void defaultColumnsAddedLater() throws IOException {
    // A column with a DEFAULT added after the data was written (the allowColumnDefaults writer
    // feature, Spark's ALTER TABLE ADD COLUMN ... DEFAULT): the table reads, and the older
    // files hold NULL for it, as Delta specifies (defaults apply to later inserts only).
    Path table = warehouse.resolve(SCHEMA).resolve("default-columns");
    copyTree(warehouse.resolve(SCHEMA).resolve("time-travel-start"), table);
    Files.writeString(
        table.resolve("_delta_log").resolve("00000000000000000001.json"),
        "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,"
            + "\"writerFeatures\":[\"allowColumnDefaults\",\"appendOnly\",\"invariants\"]}}\n"
            + metadataAction(
                "{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
                    + "{\"name\":\"status\",\"type\":\"string\",\"nullable\":true,"
                    + "\"metadata\":{\"CURRENT_DEFAULT\":\"'new'\"}}",
                "{}"));
    List<List<Object>> expected = new ArrayList<>();
    for (long x = 0; x < 10; x++) {
      expected.add(Arrays.asList(x, null));
    }
    assertThat(readAll("default-columns", "id", "status")).isEqualTo(expected);
  }

  @Test
  void renamedColumnUnderColumnMapping() throws IOException {
    // Spark's ALTER TABLE RENAME COLUMN col2 TO label on a column-mapped table writes a metaData
    // action whose field keeps its physical name and id; made here on dv-with-columnmapping,
    // whose expected rows are in DeletionVectorSuite.scala.
    Path table = warehouse.resolve(SCHEMA).resolve("renamed-column");
    copyTree(warehouse.resolve(SCHEMA).resolve("dv-with-columnmapping"), table);
    Path log = table.resolve("_delta_log");
    String metaData = null;
    long latest = -1;
    try (Stream<Path> files = Files.list(log)) {
      for (Path commit : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        latest = Math.max(latest, Long.parseLong(commit.getFileName().toString().substring(0, 20)));
        for (String line : Files.readAllLines(commit)) {
          if (line.startsWith("{\"metaData\"")) {
            metaData = line;
          }
        }
      }
    }
    assertThat(metaData).contains("\\\"name\\\":\\\"col2\\\"");
    String renamed = metaData.replace("\\\"name\\\":\\\"col2\\\"", "\\\"name\\\":\\\"label\\\"");
    Files.writeString(log.resolve(String.format("%020d.json", latest + 1)), renamed + "\n");

    List<List<Object>> expected = dvPartitionedExpected();
    assertThat(readAll("renamed-column", "part", "col1", "label")).isEqualTo(expected);
    assertThat(connector.metadata().getTableMetadata(handle("renamed-column")).schema().getFields())
        .extracting(Field::getName)
        .containsExactly("part", "col1", "label");
  }

  // ---------------------------------------------------------------- unsupported protocols

  @Test
  void unsupportedReaderVersionIsAClearUserError() {
    // DeltaTableReadsSuite.scala "table protocol version greater than reader protocol version"
    assertThatThrownBy(
            () ->
                connector.metadata().getTableMetadata(handle("deltalog-invalid-protocol-version")))
        .isInstanceOfSatisfying(
            OxbowException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.USER_ERROR);
              assertThat(e.getMessage())
                  .contains("golden.deltalog-invalid-protocol-version")
                  .contains("reader protocol version 99");
            });
  }

  @Test
  void nestedColumnsAreAClearUserError() {
    // table-with-columnmapping-mode-name has struct, array and map columns, which the engine
    // cannot carry yet: the table is refused with the first such column and its type (from the
    // schema in its _delta_log) named.
    assertThatThrownBy(
            () ->
                connector.metadata().getTableMetadata(handle("table-with-columnmapping-mode-name")))
        .isInstanceOfSatisfying(
            OxbowException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.USER_ERROR);
              assertThat(e.getMessage())
                  .contains("'nested_struct'")
                  .contains("struct<aa: string, ac: struct<aca: integer>>")
                  .contains("cannot read yet");
            });
  }

  @Test
  void unsupportedReaderFeatureIsNamed() throws IOException {
    Path log = warehouse.resolve(SCHEMA).resolve("future-feature").resolve("_delta_log");
    Files.createDirectories(log);
    Files.writeString(
        log.resolve("00000000000000000000.json"),
        "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
            + "\"readerFeatures\":[\"quantumEntanglement\"],"
            + "\"writerFeatures\":[\"quantumEntanglement\"]}}\n"
            + "{\"metaData\":{\"id\":\"00000000-0000-0000-0000-000000000001\","
            + "\"format\":{\"provider\":\"parquet\",\"options\":{}},"
            + "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":"
            + "\\\"id\\\",\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\","
            + "\"partitionColumns\":[],\"configuration\":{},\"createdTime\":1700000000000}}\n");
    assertThatThrownBy(() -> connector.metadata().getTableMetadata(handle("future-feature")))
        .isInstanceOfSatisfying(
            OxbowException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.USER_ERROR);
              assertThat(e.getMessage()).contains("quantumEntanglement").contains("cannot read");
            });
  }

  // ---------------------------------------------------------------- helpers

  private static List<List<Object>> dvPartitionedExpected() {
    List<List<Object>> rows = new ArrayList<>();
    for (int x = 0; x < 50; x++) {
      if (!(x % 2 == 0 && x < 30)) {
        rows.add(List.of((long) (x % 10), (long) x, "foo" + x % 5));
      }
    }
    return sorted(rows);
  }

  /** A metaData action for a table with the given schema fields (JSON) and configuration. */
  private static String metadataAction(String fields, String configuration) {
    String schema = "{\"type\":\"struct\",\"fields\":[" + fields + "]}";
    return "{\"metaData\":{\"id\":\"00000000-0000-0000-0000-000000000002\","
        + "\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":\""
        + schema.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\",\"partitionColumns\":[],\"configuration\":"
        + configuration
        + ",\"createdTime\":1700000000000}}\n";
  }

  private static List<Object> decimals(String... values) {
    return Arrays.stream(values).map(v -> (Object) new BigDecimal(v)).toList();
  }

  private static long micros(String instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(instant));
  }

  private static List<List<Object>> longs(LongStream values) {
    return values.sorted().mapToObj(v -> List.<Object>of(v)).toList();
  }

  private ConnectorTableHandle handle(String table) {
    return connector
        .metadata()
        .getTableHandle(new SchemaTableName(SCHEMA, table))
        .orElseThrow(() -> new AssertionError("no table " + table));
  }

  private Field field(String table, String column) {
    return connector.metadata().getTableMetadata(handle(table)).schema().getFields().stream()
        .filter(f -> f.getName().equals(column))
        .findFirst()
        .orElseThrow();
  }

  /** Every row of the table's {@code columns}, through splits and page sources, sorted. */
  private List<List<Object>> readAll(String table, String... columns) {
    ConnectorTableHandle handle = handle(table);
    List<String> names = List.of(columns);
    List<List<Object>> rows = new ArrayList<>();
    for (ConnectorSplit split : connector.splitManager().getSplits(handle)) {
      try (ConnectorPageSource source =
          connector.pageSourceProvider().createPageSource(handle, split, names, allocator)) {
        VectorSchemaRoot batch;
        while ((batch = source.nextBatch()) != null) {
          try (VectorSchemaRoot b = batch) {
            assertThat(b.getSchema().getFields()).extracting(Field::getName).isEqualTo(names);
            for (int r = 0; r < b.getRowCount(); r++) {
              List<Object> row = new ArrayList<>();
              for (FieldVector v : b.getFieldVectors()) {
                row.add(value(v, r));
              }
              rows.add(row);
            }
          }
        }
      }
    }
    return sorted(rows);
  }

  private static Object value(FieldVector v, int i) {
    if (v.isNull(i)) {
      return null;
    }
    if (v instanceof TinyIntVector x) {
      return (long) x.get(i);
    } else if (v instanceof SmallIntVector x) {
      return (long) x.get(i);
    } else if (v instanceof IntVector x) {
      return (long) x.get(i);
    } else if (v instanceof BigIntVector x) {
      return x.get(i);
    } else if (v instanceof Float4Vector x) {
      return (double) x.get(i);
    } else if (v instanceof Float8Vector x) {
      return x.get(i);
    } else if (v instanceof DecimalVector x) {
      return x.getObject(i);
    } else if (v instanceof VarCharVector x) {
      return new String(x.get(i), StandardCharsets.UTF_8);
    } else if (v instanceof DateDayVector x) {
      return (long) x.get(i);
    } else if (v instanceof TimeStampVector x) {
      return x.get(i);
    } else if (v instanceof BitVector x) {
      return x.get(i) != 0;
    } else if (v instanceof VarBinaryVector x) {
      StringBuilder hex = new StringBuilder();
      for (byte b : x.get(i)) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    }
    throw new AssertionError("unexpected vector " + v.getField());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<List<Object>> sorted(List<List<Object>> rows) {
    Comparator<List<Object>> order =
        (a, b) -> {
          for (int c = 0; c < a.size(); c++) {
            Object x = a.get(c);
            Object y = b.get(c);
            if (x == null || y == null) {
              if (x != y) {
                return x == null ? -1 : 1;
              }
              continue;
            }
            int cmp = ((Comparable) x).compareTo(y);
            if (cmp != 0) {
              return cmp;
            }
          }
          return 0;
        };
    return rows.stream().sorted(order).collect(Collectors.toList());
  }

  private static List<Long> duckDbIds(Path parquet, List<Integer> positions) throws Exception {
    String where =
        positions == null
            ? ""
            : " WHERE file_row_number IN ("
                + positions.stream().map(String::valueOf).collect(Collectors.joining(","))
                + ")";
    List<Long> ids = new ArrayList<>();
    try (var conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT id FROM read_parquet('"
                    + parquet
                    + "', file_row_number = true)"
                    + where
                    + " ORDER BY file_row_number")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  private static List<Long> duckDbFirstColumn(Path parquet) throws Exception {
    List<Long> values = new ArrayList<>();
    try (var conn = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM read_parquet('" + parquet + "')")) {
      while (rs.next()) {
        long v = rs.getLong(1);
        values.add(rs.wasNull() ? null : v);
      }
    }
    return values;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
