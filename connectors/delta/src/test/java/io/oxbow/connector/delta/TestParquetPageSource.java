package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.deletionvectors.Base85Codec;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.ColumnPredicate;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.roaringbitmap.RoaringBitmap;

/**
 * The Parquet page source against independently known values: files written by parquet-mr from rows
 * generated in the test (every type, with and without nulls, dictionary and plain, v1 and v2 pages,
 * several codecs, many pages and row groups) and files written and read back by DuckDB; byte-range
 * splits, row groups skipped by statistics, and deletion vectors across row groups.
 */
class TestParquetPageSource {
  private static final int ROWS = 20_000;
  private static final MessageType PARQUET_SCHEMA =
      MessageTypeParser.parseMessageType(
          "message t {"
              + " required int64 id;"
              + " optional int32 i32;"
              + " optional int64 i64;"
              + " optional float f32;"
              + " optional double f64;"
              + " optional boolean flag;"
              + " optional binary s_low (STRING);"
              + " optional binary s_high (STRING);"
              + " optional int32 d9 (DECIMAL(9,2));"
              + " optional int64 d18 (DECIMAL(18,3));"
              + " optional fixed_len_byte_array(11) d25 (DECIMAL(25,4));"
              + " optional int32 day (DATE);"
              + " optional int64 ts (TIMESTAMP(MICROS,true));"
              + " optional int64 ts_ms (TIMESTAMP(MILLIS,true));"
              + " optional int32 small;"
              + "}");
  private static final String[] LOW = {"AIR", "MAIL", "SHIP", "TRUCK", "REG AIR", "", "FOB"};

  @TempDir Path dir;
  private BufferAllocator allocator;
  private final DeltaFileIO fileIO = DeltaFileIO.local();

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  static Schema tableSchema() {
    return new Schema(
        List.of(
            field("id", new ArrowType.Int(64, true)),
            field("i32", new ArrowType.Int(32, true)),
            field("i64", new ArrowType.Int(64, true)),
            field("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            field("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            field("flag", ArrowType.Bool.INSTANCE),
            field("s_low", ArrowType.Utf8.INSTANCE),
            field("s_high", ArrowType.Utf8.INSTANCE),
            field("d9", new ArrowType.Decimal(9, 2, 128)),
            field("d18", new ArrowType.Decimal(18, 3, 128)),
            field("d25", new ArrowType.Decimal(25, 4, 128)),
            field("day", new ArrowType.Date(DateUnit.DAY)),
            field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            field("ts_ms", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            field("small", new ArrowType.Int(16, true))));
  }

  /** The same file columns read as wider types (Delta type widening). */
  private static Schema widenedSchema() {
    return new Schema(
        List.of(
            field("id", new ArrowType.Int(64, true)),
            field("i32", new ArrowType.Int(64, true)),
            field("i64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            field("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            field("d9", new ArrowType.Decimal(12, 4, 128)),
            field("d18", new ArrowType.Decimal(38, 10, 128)),
            field("day", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
            field("small", new ArrowType.Int(32, true))));
  }

  /** Row {@code r}'s values, in table schema order, as Arrow's getObject returns them. */
  static Object[] expectedRow(long r) {
    Random random = new Random(r * 7919 + 17);
    boolean nulls = random.nextInt(100) < 15;
    Object[] row = new Object[15];
    row[0] = r;
    row[1] = nulls ? null : random.nextInt() >> random.nextInt(31);
    row[2] = random.nextLong() >> random.nextInt(63); // never NULL though optional
    row[3] = nulls ? null : (float) (random.nextGaussian() * 1000);
    row[4] = random.nextInt(10) == 0 ? null : random.nextGaussian() * 1e6;
    row[5] = random.nextInt(7) == 0 ? null : random.nextBoolean();
    row[6] = random.nextInt(9) == 0 ? null : LOW[random.nextInt(LOW.length)];
    if (random.nextInt(8) == 0) {
      row[7] = null;
    } else {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(41);
      for (int i = 0; i < length; i++) {
        text.append((char) (random.nextInt(3) == 0 ? 'é' + random.nextInt(20) : 'a' + i % 26));
      }
      row[7] = text.toString();
    }
    row[8] = nulls ? null : BigDecimal.valueOf(random.nextInt(2_000_000_000) - 1_000_000_000L, 2);
    row[9] = random.nextInt(5) == 0 ? null : BigDecimal.valueOf(random.nextLong() / 1000, 3);
    row[10] =
        random.nextInt(5) == 0
            ? null
            : new BigDecimal(new BigInteger(80, random).subtract(BigInteger.ONE.shiftLeft(79)), 4);
    row[11] = nulls ? null : random.nextInt(40_000) - 10_000;
    row[12] = nulls ? null : random.nextLong() >> 12;
    row[13] = random.nextInt(4) == 0 ? null : (random.nextLong() >> 20) * 1000;
    row[14] = nulls ? null : (short) (random.nextInt(65536) - 32768);
    return row;
  }

  private static byte[] fixed(BigDecimal value, int length) {
    byte[] raw = value.unscaledValue().toByteArray();
    byte[] out = new byte[length];
    byte fill = (byte) (value.signum() < 0 ? -1 : 0);
    int pad = length - raw.length;
    for (int i = 0; i < length; i++) {
      out[i] = i < pad ? fill : raw[i - pad];
    }
    return out;
  }

  private Path writeParquetMr(
      String name,
      ParquetProperties.WriterVersion version,
      CompressionCodecName codec,
      boolean dictionary,
      int rowGroupBytes,
      long rows)
      throws IOException {
    Path file = dir.resolve(name + ".parquet");
    writeParquetMr(file, version, codec, dictionary, rowGroupBytes, rows);
    return file;
  }

  /** Writes {@code rows} generated rows ({@link #expectedRow}) with parquet-mr. */
  static void writeParquetMr(
      Path file,
      ParquetProperties.WriterVersion version,
      CompressionCodecName codec,
      boolean dictionary,
      int rowGroupBytes,
      long rows)
      throws IOException {
    SimpleGroupFactory groups = new SimpleGroupFactory(PARQUET_SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration())
            .withType(PARQUET_SCHEMA)
            .withWriterVersion(version)
            .withCompressionCodec(codec)
            .withDictionaryEncoding(dictionary)
            .withDictionaryPageSize(2048)
            .withPageSize(4096)
            .withRowGroupSize(rowGroupBytes)
            .build()) {
      for (long r = 0; r < rows; r++) {
        Object[] v = expectedRow(r);
        Group g = groups.newGroup();
        g.append("id", (long) v[0]);
        if (v[1] != null) {
          g.append("i32", (int) v[1]);
        }
        g.append("i64", (long) v[2]);
        if (v[3] != null) {
          g.append("f32", (float) v[3]);
        }
        if (v[4] != null) {
          g.append("f64", (double) v[4]);
        }
        if (v[5] != null) {
          g.append("flag", (boolean) v[5]);
        }
        if (v[6] != null) {
          g.append("s_low", (String) v[6]);
        }
        if (v[7] != null) {
          g.append("s_high", (String) v[7]);
        }
        if (v[8] != null) {
          g.append("d9", ((BigDecimal) v[8]).unscaledValue().intValueExact());
        }
        if (v[9] != null) {
          g.append("d18", ((BigDecimal) v[9]).unscaledValue().longValueExact());
        }
        if (v[10] != null) {
          g.append("d25", Binary.fromConstantByteArray(fixed((BigDecimal) v[10], 11)));
        }
        if (v[11] != null) {
          g.append("day", (int) v[11]);
        }
        if (v[12] != null) {
          g.append("ts", (long) v[12]);
        }
        if (v[13] != null) {
          g.append("ts_ms", (long) v[13] / 1000);
        }
        if (v[14] != null) {
          g.append("small", (int) (short) v[14]);
        }
        writer.write(g);
      }
    }
  }

  private static Object normalize(Object value) {
    return value instanceof Text t ? t.toString() : value;
  }

  /** Every row of a split's batches: column values as Arrow's getObject returns them. */
  static List<Object[]> read(ParquetPageSource source) {
    List<Object[]> rows = new ArrayList<>();
    while (true) {
      VectorSchemaRoot batch = source.nextBatch();
      if (batch == null) {
        break;
      }
      try (VectorSchemaRoot root = batch) {
        for (int r = 0; r < root.getRowCount(); r++) {
          Object[] row = new Object[root.getFieldVectors().size()];
          for (int c = 0; c < row.length; c++) {
            FieldVector vector = root.getVector(c);
            row[c] = normalize(vector.getObject(r));
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  private ParquetPageSource source(
      DeltaSplit split, Schema schema, List<ColumnPredicate> filter, boolean bulk) {
    List<String> columns = schema.getFields().stream().map(Field::getName).toList();
    return new ParquetPageSource(
        fileIO, split, schema, List.of(), columns, filter, bulk, allocator);
  }

  private static DeltaSplit whole(Path file) throws IOException {
    return new DeltaSplit(file.toString(), Files.size(file), Map.of());
  }

  @ParameterizedTest
  @CsvSource({
    "PARQUET_1_0, UNCOMPRESSED, true",
    "PARQUET_1_0, UNCOMPRESSED, false",
    "PARQUET_1_0, SNAPPY, true",
    "PARQUET_1_0, GZIP, false",
    "PARQUET_2_0, UNCOMPRESSED, true",
    "PARQUET_2_0, SNAPPY, false",
    "PARQUET_2_0, GZIP, true",
  })
  void decodesEveryTypeAsWritten(
      ParquetProperties.WriterVersion version, CompressionCodecName codec, boolean dictionary)
      throws IOException {
    Path file = writeParquetMr("t", version, codec, dictionary, 256 * 1024, ROWS);
    assertThat(rowGroups(file)).isGreaterThan(1);
    for (boolean bulk : new boolean[] {true, false}) {
      try (ParquetPageSource source = source(whole(file), tableSchema(), List.of(), bulk)) {
        List<Object[]> rows = read(source);
        assertThat(rows).hasSize(ROWS);
        for (int r = 0; r < ROWS; r++) {
          Object[] expected = expected(r);
          if (!Arrays.equals(rows.get(r), expected)) {
            assertThat(rows.get(r)).as("row %d (bulk %s)", r, bulk).containsExactly(expected);
          }
        }
        if (bulk && version == ParquetProperties.WriterVersion.PARQUET_1_0) {
          assertThat(source.fallbackChunks()).isZero();
        }
        if (bulk) {
          assertThat(source.bulkChunks()).isPositive();
        } else {
          assertThat(source.bulkChunks()).isZero();
        }
      }
    }
  }

  static Object[] expected(long r) {
    // as getObject returns them: days for dates, microseconds for timestamps with a zone
    return expectedRow(r);
  }

  @Test
  void widensNarrowerFileTypes() throws IOException {
    Path file =
        writeParquetMr(
            "w",
            ParquetProperties.WriterVersion.PARQUET_1_0,
            CompressionCodecName.UNCOMPRESSED,
            true,
            256 * 1024,
            5000);
    try (ParquetPageSource source = source(whole(file), widenedSchema(), List.of(), true)) {
      List<Object[]> rows = read(source);
      assertThat(rows).hasSize(5000);
      for (int r = 0; r < rows.size(); r++) {
        Object[] v = expectedRow(r);
        Object[] expected = {
          v[0],
          v[1] == null ? null : (long) (int) v[1],
          (double) (long) v[2],
          v[3] == null ? null : (double) (float) v[3],
          v[8] == null ? null : ((BigDecimal) v[8]).setScale(4),
          v[9] == null ? null : ((BigDecimal) v[9]).setScale(10),
          v[11] == null
              ? null
              : LocalDateTime.ofEpochSecond((int) v[11] * 86_400L, 0, ZoneOffset.UTC),
          v[14] == null ? null : (int) (short) v[14]
        };
        assertThat(rows.get(r)).as("row %d", r).containsExactly(expected);
      }
      assertThat(source.fallbackChunks()).isZero();
    }
  }

  @Test
  void byteRangeSplitsReadEveryRowOnce() throws IOException {
    Path file =
        writeParquetMr(
            "s",
            ParquetProperties.WriterVersion.PARQUET_1_0,
            CompressionCodecName.SNAPPY,
            true,
            64 * 1024,
            ROWS);
    int groups = rowGroups(file);
    assertThat(groups).isGreaterThan(5);
    long size = Files.size(file);
    Schema idOnly = new Schema(List.of(tableSchema().getFields().get(0)));
    for (long splitBytes : new long[] {3000, 7777, 50_000, size / 3, size}) {
      BitSet seen = new BitSet();
      int splits = 0;
      int groupsRead = 0;
      for (DeltaSplit split : whole(file).byteRanges(splitBytes)) {
        splits++;
        try (ParquetPageSource source = source(split, idOnly, List.of(), true)) {
          for (Object[] row : read(source)) {
            int id = (int) (long) (Long) row[0];
            assertThat(seen.get(id)).as("row %d read twice", id).isFalse();
            seen.set(id);
          }
          groupsRead += source.rowGroupsRead();
        }
      }
      assertThat(splits).isEqualTo((int) ((size + splitBytes - 1) / splitBytes));
      assertThat(seen.cardinality()).as("split size %d", splitBytes).isEqualTo(ROWS);
      assertThat(groupsRead).isEqualTo(groups);
    }
  }

  @Test
  void skipsRowGroupsByStatistics() throws IOException {
    Path file =
        writeParquetMr(
            "k",
            ParquetProperties.WriterVersion.PARQUET_1_0,
            CompressionCodecName.UNCOMPRESSED,
            true,
            64 * 1024,
            ROWS);
    int groups = rowGroups(file);
    assertThat(groups).isGreaterThan(5);
    checkSkipping(
        file,
        new ColumnPredicate("id", ColumnPredicate.Op.BETWEEN, List.of(5000L, 5100L)),
        v -> (long) v[0] >= 5000 && (long) v[0] <= 5100,
        groups - 2);
    checkSkipping(
        file,
        new ColumnPredicate("id", ColumnPredicate.Op.LT, List.of(10L)),
        v -> (long) v[0] < 10,
        groups - 1);
    checkSkipping(
        file,
        new ColumnPredicate("id", ColumnPredicate.Op.IN, List.of(3L, 19_999L)),
        v -> (long) v[0] == 3 || (long) v[0] == 19_999,
        groups - 2);
    // never NULL: no row group can hold a NULL
    checkSkipping(
        file,
        new ColumnPredicate("i64", ColumnPredicate.Op.IS_NULL, List.of()),
        v -> false,
        groups);
    // statistics of other types are read, but their ranges overlap the values: nothing skipped
    checkSkipping(
        file,
        new ColumnPredicate("s_low", ColumnPredicate.Op.EQ, List.of("MAIL")),
        v -> "MAIL".equals(v[6]),
        0);
    checkSkipping(
        file,
        new ColumnPredicate("s_low", ColumnPredicate.Op.GT, List.of("TRUCK")),
        v -> false,
        groups);
    checkSkipping(
        file,
        new ColumnPredicate("day", ColumnPredicate.Op.LT, List.of(LocalDate.of(1900, 1, 1))),
        v -> false,
        groups);
    checkSkipping(
        file,
        new ColumnPredicate("d9", ColumnPredicate.Op.GT, List.of(new BigDecimal("10000000.00"))),
        v -> v[8] != null && ((BigDecimal) v[8]).compareTo(new BigDecimal("10000000.00")) > 0,
        groups);
    checkSkipping(
        file,
        new ColumnPredicate(
            "ts",
            ColumnPredicate.Op.GT,
            List.of(LocalDateTime.of(2400, 1, 1, 0, 0).truncatedTo(ChronoUnit.MICROS))),
        v ->
            v[12] != null
                && (long) v[12]
                    > LocalDateTime.of(2400, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L,
        0);
  }

  /**
   * Reads the file with one pushed-down predicate: every matching row is returned, and at least
   * {@code skipped} row groups are skipped.
   */
  private void checkSkipping(
      Path file, ColumnPredicate predicate, Function<Object[], Boolean> matches, int skipped)
      throws IOException {
    try (ParquetPageSource source = source(whole(file), tableSchema(), List.of(predicate), true)) {
      List<Object[]> rows = read(source);
      TreeSet<Long> ids = new TreeSet<>();
      for (Object[] row : rows) {
        ids.add((Long) row[0]);
        assertThat(row).containsExactly(expected((Long) row[0]));
      }
      for (long r = 0; r < ROWS; r++) {
        if (matches.apply(expectedRow(r))) {
          assertThat(ids).as("%s: row %d", predicate, r).contains(r);
        }
      }
      assertThat(source.rowGroupsSkipped())
          .as(predicate.toString())
          .isGreaterThanOrEqualTo(skipped);
      assertThat(source.rowGroupsSkipped() + source.rowGroupsRead()).isEqualTo(rowGroups(file));
    }
  }

  @Test
  void deletionVectorsDropRowsAcrossRowGroupsAndSplits() throws IOException {
    Path file =
        writeParquetMr(
            "dv",
            ParquetProperties.WriterVersion.PARQUET_1_0,
            CompressionCodecName.UNCOMPRESSED,
            true,
            64 * 1024,
            ROWS);
    assertThat(rowGroups(file)).isGreaterThan(5);
    Random random = new Random(42);
    RoaringBitmap deleted = new RoaringBitmap();
    for (int r = 0; r < ROWS; r++) {
      if (random.nextInt(10) == 0 || (r >= 4000 && r < 9000)) {
        deleted.add(r);
      }
    }
    DeltaSplit.DeletionVector vector =
        new DeltaSplit.DeletionVector(
            inline(deleted), dir.toString(), DefaultEngine.create(DeltaFileIO.local()));
    long size = Files.size(file);
    for (long splitBytes : new long[] {size, 30_000}) {
      List<Object[]> rows = new ArrayList<>();
      DeltaSplit file0 = new DeltaSplit(file.toString(), size, Map.of(), vector);
      for (DeltaSplit split : file0.byteRanges(splitBytes)) {
        try (ParquetPageSource source = source(split, tableSchema(), List.of(), true)) {
          rows.addAll(read(source));
        }
      }
      assertThat(rows).hasSize(ROWS - deleted.getCardinality());
      BitSet seen = new BitSet();
      for (Object[] row : rows) {
        long id = (Long) row[0];
        assertThat(deleted.contains((int) id)).as("deleted row %d returned", id).isFalse();
        assertThat(seen.get((int) id)).isFalse();
        seen.set((int) id);
        assertThat(row).containsExactly(expected(id));
      }
    }
  }

  /** An inline deletion vector descriptor (Delta's serialized roaring bitmap array, Z85). */
  static DeletionVectorDescriptor inline(RoaringBitmap deleted) {
    deleted.runOptimize();
    ByteBuffer buffer =
        ByteBuffer.allocate(4 + 8 + 4 + deleted.serializedSizeInBytes())
            .order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(1681511377);
    buffer.putLong(1);
    buffer.putInt(0);
    deleted.serialize(buffer);
    byte[] bytes = buffer.array();
    byte[] padded = new byte[(bytes.length + 3) / 4 * 4];
    System.arraycopy(bytes, 0, padded, 0, bytes.length);
    return new DeletionVectorDescriptor(
        "i",
        Base85Codec.encodeBytes(padded),
        Optional.empty(),
        bytes.length,
        deleted.getLongCardinality());
  }

  @ParameterizedTest
  @CsvSource({"uncompressed, V1", "snappy, V1", "zstd, V2", "gzip, V2"})
  void matchesDuckDbReadingItsOwnFiles(String codec, String version) throws Exception {
    Path file = dir.resolve("duck.parquet");
    String select =
        "SELECT range AS id,"
            + " CASE WHEN range % 7 = 0 THEN NULL ELSE (range * 2654435761) % 100000 END AS i64,"
            + " CASE WHEN range % 11 = 0 THEN NULL ELSE (range % 1000)::INTEGER END AS i32,"
            + " CASE WHEN range % 5 = 0 THEN NULL ELSE range / 7.0 END::DOUBLE AS f64,"
            + " (['AIR','MAIL','SHIP',NULL,'TRUCK'])[range % 5 + 1] AS s_low,"
            + " CASE WHEN range % 13 = 0 THEN NULL ELSE md5(range::VARCHAR) END AS s_high,"
            + " ((range * 37) % 1000000 / 100.0)::DECIMAL(15,2) AS dec,"
            + " DATE '1992-01-01' + (range % 2500)::INTEGER AS day,"
            + " CASE WHEN range % 3 = 0 THEN NULL ELSE range % 2 = 0 END AS flag,"
            + " TIMESTAMP '2000-01-01' + INTERVAL (range) SECOND AS ts"
            + " FROM range(30000)";
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duck.createStatement()) {
      statement.execute("SET threads = 1");
      statement.execute(
          "COPY ("
              + select
              + ") TO '"
              + file
              + "' (FORMAT parquet, COMPRESSION "
              + codec
              + ", ROW_GROUP_SIZE 8192, PARQUET_VERSION "
              + version
              + ")");
      Schema schema =
          new Schema(
              List.of(
                  field("id", new ArrowType.Int(64, true)),
                  field("i64", new ArrowType.Int(64, true)),
                  field("i32", new ArrowType.Int(32, true)),
                  field("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                  field("s_low", ArrowType.Utf8.INSTANCE),
                  field("s_high", ArrowType.Utf8.INSTANCE),
                  field("dec", new ArrowType.Decimal(15, 2, 128)),
                  field("day", new ArrowType.Date(DateUnit.DAY)),
                  field("flag", ArrowType.Bool.INSTANCE),
                  field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
      List<Object[]> rows;
      try (ParquetPageSource source = source(whole(file), schema, List.of(), true)) {
        rows = read(source);
        assertThat(source.bulkChunks()).isPositive();
      }
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT id, i64, i32, f64, s_low, s_high, dec::VARCHAR, day::VARCHAR, flag,"
                  + " epoch_us(ts) FROM read_parquet('"
                  + file
                  + "') ORDER BY id")) {
        int r = 0;
        while (rs.next()) {
          Object[] row = rows.get(r);
          assertThat(row[0]).isEqualTo(rs.getLong(1));
          assertThat(row[1]).isEqualTo(nullable(rs, rs.getLong(2)));
          assertThat(row[2]).isEqualTo(nullable(rs, rs.getInt(3)));
          assertThat(row[3]).isEqualTo(nullable(rs, rs.getDouble(4)));
          assertThat(row[4]).isEqualTo(rs.getString(5));
          assertThat(row[5]).isEqualTo(rs.getString(6));
          assertThat(row[6])
              .isEqualTo(rs.getString(7) == null ? null : new BigDecimal(rs.getString(7)));
          assertThat(row[7] == null ? null : LocalDate.ofEpochDay((Integer) row[7]).toString())
              .isEqualTo(rs.getString(8));
          assertThat(row[8]).isEqualTo(nullable(rs, rs.getBoolean(9)));
          assertThat(row[9])
              .isEqualTo(
                  LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC)
                      .plus(rs.getLong(10), ChronoUnit.MICROS));
          r++;
        }
        assertThat(r).isEqualTo(30000).isEqualTo(rows.size());
      }
    }
  }

  private static Object nullable(ResultSet rs, Object value) throws java.sql.SQLException {
    return rs.wasNull() ? null : value;
  }

  static int rowGroups(Path file) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      return reader.getRowGroups().size();
    }
  }
}
