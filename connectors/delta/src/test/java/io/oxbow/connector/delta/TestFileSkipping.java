package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ColumnPredicate.Op;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File skipping from Delta statistics and partition values. Table {@code s.skip} has ten files of
 * 100 rows each, file k holding rows 100k..100k+99, so each predicate's surviving files are known
 * from the data layout; table {@code s.parts} is partitioned by (p, d) and was written by delta-rs.
 * Every case also checks that no matching row was in a skipped file.
 */
class TestFileSkipping {
  private static final int FILES = 10;
  private static final int ROWS_PER_FILE = 100;
  private static final LocalDate DAY0 = LocalDate.of(2024, 1, 1);
  private static final Instant TS0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final String PREFIX = "a".repeat(40);
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("x", new ArrowType.Int(64, true)),
              Field.nullable("y", new ArrowType.Int(32, true)),
              Field.nullable("f", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("g", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
              Field.nullable("d", new ArrowType.Decimal(10, 2, 128)),
              Field.nullable("s", ArrowType.Utf8.INSTANCE),
              Field.nullable("ls", ArrowType.Utf8.INSTANCE),
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.nullable("ntz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
              Field.nullable("b", ArrowType.Bool.INSTANCE),
              Field.nullable("n", new ArrowType.Int(64, true))));
  private static final SchemaTableName SKIP = new SchemaTableName("s", "skip");
  private static final SchemaTableName PARTS = new SchemaTableName("s", "parts");

  @TempDir Path warehouse;
  private BufferAllocator allocator;
  private Connector connector;

  /** The value of column {@code c} in row {@code r}, as the connector returns it. */
  private static Object value(String c, int r) {
    int k = r / ROWS_PER_FILE;
    return switch (c) {
      case "x" -> (long) r;
      case "y" -> (long) -r;
      case "f" -> r / 10.0;
      case "g" -> (double) (float) (r / 4.0);
      case "d" -> BigDecimal.valueOf(r, 2);
      case "s" -> String.format("key-%04d", r);
      case "ls" -> PREFIX + String.format("%04d", r);
      case "day" -> DAY0.plusDays(r / 10);
      case "ts" -> TS0.plusSeconds(r).plusNanos(123_000);
      case "ntz" -> LocalDateTime.ofInstant(TS0.plusSeconds(r).plusNanos(123_000), ZoneOffset.UTC);
      case "b" -> k % 2 == 0;
      case "n" -> k < 5 ? null : (long) r;
      default -> throw new IllegalArgumentException(c);
    };
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    try (DeltaTableWriter writer =
        DeltaTableWriter.create(warehouse.resolve("s/skip"), SCHEMA, ROWS_PER_FILE)) {
      for (int k = 0; k < FILES; k++) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
          root.allocateNew();
          for (int i = 0; i < ROWS_PER_FILE; i++) {
            int r = k * ROWS_PER_FILE + i;
            ((BigIntVector) root.getVector("x")).setSafe(i, (Long) value("x", r));
            ((IntVector) root.getVector("y")).setSafe(i, -r);
            ((Float8Vector) root.getVector("f")).setSafe(i, (Double) value("f", r));
            ((Float4Vector) root.getVector("g")).setSafe(i, (float) (r / 4.0));
            ((DecimalVector) root.getVector("d")).setSafe(i, (BigDecimal) value("d", r));
            ((VarCharVector) root.getVector("s"))
                .setSafe(i, ((String) value("s", r)).getBytes(StandardCharsets.UTF_8));
            ((VarCharVector) root.getVector("ls"))
                .setSafe(i, ((String) value("ls", r)).getBytes(StandardCharsets.UTF_8));
            ((DateDayVector) root.getVector("day"))
                .setSafe(i, (int) ((LocalDate) value("day", r)).toEpochDay());
            ((TimeStampMicroTZVector) root.getVector("ts"))
                .setSafe(i, micros((Instant) value("ts", r)));
            ((TimeStampMicroVector) root.getVector("ntz"))
                .setSafe(i, micros((Instant) value("ts", r)));
            ((BitVector) root.getVector("b")).setSafe(i, k % 2 == 0 ? 1 : 0);
            if (value("n", r) == null) {
              ((BigIntVector) root.getVector("n")).setNull(i);
            } else {
              ((BigIntVector) root.getVector("n")).setSafe(i, (Long) value("n", r));
            }
          }
          root.setRowCount(ROWS_PER_FILE);
          writer.write(root);
        }
      }
      writer.commit();
    }
    DeltaTestTables.copyDeltaRsTable(warehouse, "s", "parts");
    connector =
        new DeltaConnectorFactory().create("lake", Map.of("warehouse", warehouse.toString()));
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close();
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  private static ColumnPredicate p(String column, Op op, Object... values) {
    return new ColumnPredicate(column, op, List.of(values));
  }

  /** Applies the conjuncts to s.skip; asserts the kept count and that no match was skipped. */
  private void assertKept(int expected, ColumnPredicate... conjuncts) {
    ConnectorTableHandle base = connector.metadata().getTableHandle(SKIP).orElseThrow();
    ConnectorTableHandle filtered =
        connector.metadata().applyFilter(base, List.of(conjuncts)).orElseThrow();
    List<ConnectorSplit> splits = connector.splitManager().getSplits(filtered);
    assertThat(splits).as("kept files for %s", List.of(conjuncts)).hasSize(expected);
    assertThat(filtered.toString()).contains("files=" + expected + "/" + FILES);
    long matching = 0;
    for (int r = 0; r < FILES * ROWS_PER_FILE; r++) {
      if (matchesAll(r, conjuncts)) {
        matching++;
      }
    }
    List<String> columns = SCHEMA.getFields().stream().map(Field::getName).toList();
    long found = 0;
    for (ConnectorSplit split : splits) {
      for (Map<String, Object> row :
          DeltaTestTables.readSplit(connector, filtered, split, columns, allocator)) {
        int r = (int) (long) (Long) row.get("x");
        assertThat(row.get("s")).isEqualTo(value("s", r));
        if (matchesAll(r, conjuncts)) {
          found++;
        }
      }
    }
    assertThat(found).as("matching rows in kept files").isEqualTo(matching);
  }

  private static boolean matchesAll(int r, ColumnPredicate... conjuncts) {
    for (ColumnPredicate c : conjuncts) {
      if (!matches(value(c.column(), r), c)) {
        return false;
      }
    }
    return true;
  }

  /** SQL semantics of one predicate on a value, for the independent row check. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean matches(Object value, ColumnPredicate p) {
    if (p.op() == Op.IS_NULL) {
      return value == null;
    }
    if (p.op() == Op.IS_NOT_NULL) {
      return value != null;
    }
    if (value == null) {
      return false;
    }
    if (value instanceof Instant i) {
      value = LocalDateTime.ofInstant(i, ZoneOffset.UTC);
    }
    Comparable v = (Comparable) value;
    List<Object> vs = p.values();
    return switch (p.op()) {
      case EQ -> v.compareTo(vs.get(0)) == 0;
      case NE -> v.compareTo(vs.get(0)) != 0;
      case LT -> v.compareTo(vs.get(0)) < 0;
      case LE -> v.compareTo(vs.get(0)) <= 0;
      case GT -> v.compareTo(vs.get(0)) > 0;
      case GE -> v.compareTo(vs.get(0)) >= 0;
      case BETWEEN -> v.compareTo(vs.get(0)) >= 0 && v.compareTo(vs.get(1)) <= 0;
      case IN -> vs.stream().anyMatch(x -> v.compareTo(x) == 0);
      default -> throw new IllegalArgumentException();
    };
  }

  @Test
  void integers() {
    assertKept(1, p("x", Op.EQ, 150L));
    assertKept(0, p("x", Op.EQ, 5000L));
    assertKept(1, p("x", Op.LT, 100L));
    assertKept(2, p("x", Op.LE, 100L));
    assertKept(1, p("x", Op.GT, 899L));
    assertKept(2, p("x", Op.GE, 899L));
    assertKept(3, p("x", Op.BETWEEN, 250L, 449L));
    assertKept(3, p("x", Op.IN, 5L, 505L, 995L));
    assertKept(10, p("x", Op.NE, 5L));
    assertKept(1, p("y", Op.EQ, -150L));
    assertKept(4, p("y", Op.GT, -400L));
    assertKept(1, p("x", Op.GE, 300L), p("x", Op.LT, 400L));
  }

  @Test
  void floatingPointAndDecimals() {
    // floating-point maxima are not used (NaN is above every number but not in the statistics)
    assertKept(2, p("f", Op.EQ, 15.0));
    assertKept(2, p("f", Op.LT, 15.0));
    assertKept(1, p("f", Op.LE, 9.9));
    assertKept(10, p("f", Op.GT, 95.0));
    assertKept(2, p("g", Op.EQ, 37.5));
    assertKept(1, p("g", Op.BETWEEN, 0.25, 24.75));
    // the value is compared with the widened column, never narrowed to float (25.000001 is not a
    // float: as one it would be 25.0, and file 1's minimum 25.0 would wrongly skip it)
    assertKept(2, p("g", Op.LT, 25.000001));
    assertKept(1, p("d", Op.EQ, new BigDecimal("3.50")));
    assertKept(1, p("d", Op.LT, new BigDecimal("1")));
    assertKept(2, p("d", Op.IN, new BigDecimal("0.01"), new BigDecimal("9.99")));
  }

  @Test
  void stringsIncludingTruncatedStatistics() {
    assertKept(1, p("s", Op.EQ, "key-0150"));
    assertKept(1, p("s", Op.GE, "key-0900"));
    assertKept(1, p("s", Op.IN, "key-0001", "zzz"));
    assertKept(0, p("s", Op.LT, "key"));
    // long values: this writer keeps whole strings in the statistics
    assertKept(1, p("ls", Op.EQ, PREFIX + "0150"));
    assertKept(1, p("ls", Op.GT, PREFIX + "0900"));
    assertKept(0, p("ls", Op.GT, "b"));
    assertKept(0, p("ls", Op.LT, "a"));
  }

  @Test
  void datesAndTimestamps() {
    assertKept(1, p("day", Op.EQ, DAY0.plusDays(15)));
    assertKept(2, p("day", Op.BETWEEN, DAY0, DAY0.plusDays(19)));
    assertKept(0, p("day", Op.LT, DAY0));
    // 00:03:19.000123 is the largest value of file 1; statistics say 00:03:19.000 (milliseconds)
    LocalDateTime maxOfFile1 =
        LocalDateTime.ofInstant(TS0.plusSeconds(199), ZoneOffset.UTC).plusNanos(123_000);
    assertKept(1, p("ts", Op.EQ, maxOfFile1));
    assertKept(1, p("ntz", Op.EQ, maxOfFile1));
    assertKept(1, p("ts", Op.LT, LocalDateTime.ofInstant(TS0.plusSeconds(99), ZoneOffset.UTC)));
    assertKept(0, p("ts", Op.GT, LocalDateTime.ofInstant(TS0.plusSeconds(1000), ZoneOffset.UTC)));
    assertKept(1, p("ntz", Op.GE, LocalDateTime.ofInstant(TS0.plusSeconds(950), ZoneOffset.UTC)));
  }

  @Test
  void nullsAndBooleans() {
    assertKept(5, p("n", Op.IS_NULL));
    assertKept(5, p("n", Op.IS_NOT_NULL));
    assertKept(1, p("n", Op.EQ, 600L));
    assertKept(5, p("n", Op.LT, 1000L));
    assertKept(0, p("x", Op.IS_NULL));
    assertKept(10, p("x", Op.IS_NOT_NULL));
    assertKept(0, p("x", Op.GE, 500L), p("n", Op.IS_NULL));
    assertKept(booleanStatistics() ? 5 : 10, p("b", Op.EQ, true));
  }

  /** Whether the writer recorded min/max for booleans (Delta does not require it). */
  private boolean booleanStatistics() {
    try {
      for (String line :
          Files.readAllLines(warehouse.resolve("s/skip/_delta_log/00000000000000000000.json"))) {
        JsonNode add = DeltaTestTables.JSON.readTree(line).get("add");
        if (add != null) {
          return DeltaTestTables.JSON
              .readTree(add.get("stats").asText())
              .path("minValues")
              .has("b");
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return false;
  }

  @Test
  void truncatedStringMaximumIsAPrefixBound() {
    // Delta Spark keeps the first 32 characters of long strings, and appends U+FFFF to a
    // truncated maximum; the file's real values may extend that prefix
    String prefix32 = "a".repeat(32);
    String stats =
        "{\"numRecords\":100,\"minValues\":{\"ls\":\""
            + prefix32
            + "\"},\"maxValues\":{\"ls\":\""
            + prefix32
            + "\\uffff\"},\"nullCount\":{\"ls\":0}}";
    Schema schema = new Schema(List.of(Field.nullable("ls", ArrowType.Utf8.INSTANCE)));
    java.util.function.Function<ColumnPredicate, Boolean> keep =
        predicate ->
            new FileSkipping(schema, List.of(), Map.of(), List.of(predicate))
                .keep("f.parquet", Map.of(), stats);
    assertThat(keep.apply(p("ls", Op.EQ, PREFIX + "0150"))).isTrue();
    assertThat(keep.apply(p("ls", Op.GE, PREFIX + "0150"))).isTrue();
    assertThat(keep.apply(p("ls", Op.GT, prefix32))).isTrue();
    assertThat(keep.apply(p("ls", Op.EQ, "ab"))).isFalse();
    assertThat(keep.apply(p("ls", Op.GE, "b"))).isFalse();
    assertThat(keep.apply(p("ls", Op.LT, "a"))).isFalse();
    // the same maximum without truncation marks: still treated as a possible prefix
    String plain = stats.replace("\\uffff", "");
    assertThat(
            new FileSkipping(schema, List.of(), Map.of(), List.of(p("ls", Op.EQ, PREFIX)))
                .keep("f.parquet", Map.of(), plain))
        .isTrue();
  }

  @Test
  void partitionValuesOfOtherTypes() {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                Field.nullable("dec", new ArrowType.Decimal(5, 2, 128)),
                Field.nullable("flag", ArrowType.Bool.INSTANCE),
                Field.nullable("name", ArrowType.Utf8.INSTANCE)));
    List<String> partitions = List.of("ts", "dec", "flag", "name");
    // partition values as Delta writers serialize them
    Map<String, String> values =
        Map.of("ts", "2024-01-01 10:00:00", "dec", "1.50", "flag", "true", "name", "");
    java.util.function.Function<ColumnPredicate, Boolean> keep =
        predicate ->
            new FileSkipping(schema, partitions, Map.of(), List.of(predicate))
                .keep("f.parquet", values, null);
    assertThat(keep.apply(p("ts", Op.EQ, LocalDateTime.of(2024, 1, 1, 10, 0)))).isTrue();
    assertThat(keep.apply(p("ts", Op.EQ, LocalDateTime.of(2024, 1, 1, 11, 0)))).isFalse();
    assertThat(keep.apply(p("ts", Op.GT, LocalDateTime.of(2024, 1, 1, 9, 59)))).isTrue();
    assertThat(keep.apply(p("dec", Op.EQ, new BigDecimal("1.5")))).isTrue();
    assertThat(keep.apply(p("dec", Op.NE, new BigDecimal("1.500")))).isFalse();
    assertThat(keep.apply(p("dec", Op.LT, new BigDecimal("1.49")))).isFalse();
    assertThat(keep.apply(p("flag", Op.EQ, true))).isTrue();
    assertThat(keep.apply(p("flag", Op.EQ, false))).isFalse();
    // an empty string partition value is a value, not NULL
    assertThat(keep.apply(p("name", Op.EQ, ""))).isTrue();
    assertThat(keep.apply(p("name", Op.IS_NULL))).isFalse();
  }

  @Test
  void explainShowsFilesAndFilter() {
    ConnectorTableHandle base = connector.metadata().getTableHandle(SKIP).orElseThrow();
    ConnectorTableHandle filtered =
        connector.metadata().applyFilter(base, List.of(p("x", Op.GT, 5L))).orElseThrow();
    assertThat(filtered.toString()).isEqualTo("s.skip[files=10/10, filter=[x > 5]]");
    // the same filter again achieves nothing new
    assertThat(connector.metadata().applyFilter(filtered, List.of(p("x", Op.GT, 5L)))).isEmpty();
    // predicates on unknown columns are ignored
    assertThat(connector.metadata().applyFilter(base, List.of(p("nope", Op.EQ, 1L)))).isEmpty();
  }

  /** Applies the conjuncts to s.parts and returns the kept count (and checks rows). */
  private int partsKept(ColumnPredicate... conjuncts) {
    ConnectorTableHandle base = connector.metadata().getTableHandle(PARTS).orElseThrow();
    ConnectorTableHandle filtered =
        connector.metadata().applyFilter(base, List.of(conjuncts)).orElseThrow();
    List<ConnectorSplit> splits = connector.splitManager().getSplits(filtered);
    assertThat(filtered.toString()).contains("files=" + splits.size() + "/7");
    List<Map<String, Object>> expected =
        DeltaTestTables.expectedRows("deltars/parts_expected/rows.jsonl");
    long matching = expected.stream().filter(r -> partsMatch(r, conjuncts)).count();
    long found = 0;
    for (ConnectorSplit split : splits) {
      for (Map<String, Object> row :
          DeltaTestTables.readSplit(
              connector, filtered, split, List.of("x", "s", "p", "d"), allocator)) {
        Map<String, Object> plain = new HashMap<>(row);
        plain.put(
            "d",
            row.get("d") == null ? null : LocalDate.ofEpochDay((Long) row.get("d")).toString());
        if (partsMatch(plain, conjuncts)) {
          found++;
        }
      }
    }
    assertThat(found).as("matching rows in kept files").isEqualTo(matching);
    return splits.size();
  }

  private static boolean partsMatch(Map<String, Object> row, ColumnPredicate... conjuncts) {
    for (ColumnPredicate c : conjuncts) {
      Object v = row.get(c.column());
      if (c.column().equals("d") && v != null) {
        v = LocalDate.parse(v.toString());
      }
      if (!matches(v, c)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void partitionPruning() {
    assertThat(partsKept(p("p", Op.EQ, 1L))).isEqualTo(2);
    assertThat(partsKept(p("p", Op.NE, 1L))).isEqualTo(4);
    assertThat(partsKept(p("p", Op.IS_NULL))).isEqualTo(1);
    assertThat(partsKept(p("p", Op.IS_NOT_NULL))).isEqualTo(6);
    assertThat(partsKept(p("p", Op.IN, 0L, 2L))).isEqualTo(4);
    assertThat(partsKept(p("p", Op.BETWEEN, 1L, 5L))).isEqualTo(4);
    assertThat(partsKept(p("d", Op.EQ, LocalDate.of(2024, 6, 30)))).isEqualTo(3);
    assertThat(partsKept(p("d", Op.LT, LocalDate.of(2024, 3, 1)))).isEqualTo(4);
    assertThat(partsKept(p("p", Op.GT, 0L), p("d", Op.EQ, LocalDate.of(2024, 1, 1)))).isEqualTo(2);
    // statistics inside partitions
    assertThat(partsKept(p("x", Op.EQ, 112L))).isEqualTo(1);
    assertThat(partsKept(p("x", Op.GT, 900L))).isEqualTo(1);
    assertThat(partsKept(p("s", Op.EQ, "s203"))).isEqualTo(1);
  }

  @Test
  void fileColumnHoldsTheLogPathAndFiltersSplits() throws Exception {
    // the add paths as delta-rs wrote them into the log
    Map<String, Long> logPaths = new HashMap<>();
    for (String line :
        Files.readAllLines(warehouse.resolve("s/parts/_delta_log/00000000000000000000.json"))) {
      JsonNode add = DeltaTestTables.JSON.readTree(line).get("add");
      if (add != null) {
        long records =
            DeltaTestTables.JSON.readTree(add.get("stats").asText()).get("numRecords").asLong();
        logPaths.put(add.get("path").asText(), records);
      }
    }
    ConnectorTableHandle base = connector.metadata().getTableHandle(PARTS).orElseThrow();
    ConnectorTableHandle withFile = connector.metadata().withFileColumn(base);
    List<Field> fields = connector.metadata().getTableMetadata(withFile).schema().getFields();
    Field last = fields.get(fields.size() - 1);
    assertThat(last.getName()).isEqualTo(ConnectorMetadata.FILE_COLUMN);
    assertThat(last.isNullable()).isFalse();
    assertThat(connector.metadata().tableVersion(withFile)).hasValue(0);

    List<Map<String, Object>> rows =
        DeltaTestTables.read(
            connector, withFile, List.of("x", ConnectorMetadata.FILE_COLUMN, "p"), allocator);
    Map<String, Long> counted = new HashMap<>();
    for (Map<String, Object> row : rows) {
      counted.merge((String) row.get(ConnectorMetadata.FILE_COLUMN), 1L, Long::sum);
    }
    assertThat(counted).isEqualTo(logPaths);

    List<String> paths = new ArrayList<>(logPaths.keySet());
    ConnectorTableHandle one =
        connector
            .metadata()
            .applyFilter(withFile, List.of(p(ConnectorMetadata.FILE_COLUMN, Op.EQ, paths.get(0))))
            .orElseThrow();
    assertThat(connector.splitManager().getSplits(one)).hasSize(1);
    ConnectorTableHandle two =
        connector
            .metadata()
            .applyFilter(
                withFile,
                List.of(p(ConnectorMetadata.FILE_COLUMN, Op.IN, paths.get(1), paths.get(2))))
            .orElseThrow();
    Set<Object> read = new HashSet<>();
    for (Map<String, Object> row :
        DeltaTestTables.read(connector, two, List.of(ConnectorMetadata.FILE_COLUMN), allocator)) {
      read.add(row.get(ConnectorMetadata.FILE_COLUMN));
    }
    assertThat(read).containsExactlyInAnyOrder(paths.get(1), paths.get(2));
  }

  /**
   * Golden table data-skipping-basic-stats-all-types-columnmapping-name (Apache Spark, column
   * mapping by name, so statistics are keyed by physical names): one file holding one row whose
   * values are all zero, "0", 2000-01-01 and 2000-01-01 00:00 at UTC-8.
   */
  @Test
  void goldenColumnMappingStatistics() {
    DeltaTestTables.copyTable(
        "golden/data-skipping-basic-stats-all-types-columnmapping-name",
        warehouse.resolve("g/cm"),
        60_000);
    SchemaTableName cm = new SchemaTableName("g", "cm");
    LocalDateTime ts = LocalDateTime.of(2000, 1, 1, 8, 0);
    Object[][] cases = {
      {"as_int", 0L, 1L},
      {"as_long", 0L, 1L},
      {"as_byte", 0L, 1L},
      {"as_short", 0L, 1L},
      {"as_float", 0.0, 1.0},
      {"as_double", 0.0, 1.0},
      {"as_string", "0", "1"},
      {"as_date", LocalDate.of(2000, 1, 1), LocalDate.of(2000, 1, 2)},
      {"as_timestamp", ts, ts.plusHours(1)},
      {"as_big_decimal", BigDecimal.ZERO, BigDecimal.ONE},
    };
    ConnectorTableHandle base = connector.metadata().getTableHandle(cm).orElseThrow();
    for (Object[] c : cases) {
      String column = (String) c[0];
      assertThat(kept(base, p(column, Op.EQ, c[1]))).as("%s = %s", column, c[1]).isEqualTo(1);
      // floating-point maxima are not used (a NaN would not be in them)
      int aboveMax = c[2] instanceof Double ? 1 : 0;
      assertThat(kept(base, p(column, Op.EQ, c[2])))
          .as("%s = %s", column, c[2])
          .isEqualTo(aboveMax);
      assertThat(kept(base, p(column, Op.GE, c[2])))
          .as("%s >= %s", column, c[2])
          .isEqualTo(aboveMax);
      assertThat(kept(base, p(column, Op.LT, c[2]))).as("%s < %s", column, c[2]).isEqualTo(1);
      assertThat(kept(base, p(column, Op.IS_NULL))).as("%s IS NULL", column).isEqualTo(0);
    }
    List<Map<String, Object>> rows =
        DeltaTestTables.read(connector, base, List.of("as_int", "as_string"), allocator);
    assertThat(rows).containsExactly(Map.of("as_int", 0L, "as_string", "0"));
  }

  /**
   * Floating-point statistics as writers leave them: NaN out of min/max, -0.0 possibly written as
   * 0.0, and, for a column widened from float to double, the narrower type's decimal form.
   */
  @Test
  void floatingPointStatisticsWithNanNegativeZeroAndWidening() throws Exception {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("x", new ArrowType.Int(64, true)),
                Field.nullable("f", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                Field.nullable("h", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
    double[][] files = {{1.0, Double.NaN}, {-0.0, 5.0}};
    double[][] widened = {{1.0, 1.0}, {(double) 0.7f, (double) 0.7f}};
    Path dir = warehouse.resolve("s/floats");
    try (DeltaTableWriter writer = DeltaTableWriter.create(dir, schema, 2)) {
      for (int k = 0; k < files.length; k++) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
          root.allocateNew();
          for (int i = 0; i < 2; i++) {
            ((BigIntVector) root.getVector("x")).setSafe(i, 2L * k + i);
            ((Float8Vector) root.getVector("f")).setSafe(i, files[k][i]);
            ((Float8Vector) root.getVector("h")).setSafe(i, widened[k][i]);
          }
          root.setRowCount(2);
          writer.write(root);
        }
      }
      writer.commit();
    }
    // the statistics a writer leaves: NaN left out, -0.0 written as 0.0, h's in float form
    String[] stats = {
      "{\"numRecords\":2,\"minValues\":{\"x\":0,\"f\":1.0,\"h\":1.0},"
          + "\"maxValues\":{\"x\":1,\"f\":1.0,\"h\":1.0},"
          + "\"nullCount\":{\"x\":0,\"f\":0,\"h\":0}}",
      "{\"numRecords\":2,\"minValues\":{\"x\":2,\"f\":0.0,\"h\":0.7},"
          + "\"maxValues\":{\"x\":3,\"f\":5.0,\"h\":0.7},"
          + "\"nullCount\":{\"x\":0,\"f\":0,\"h\":0}}"
    };
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    List<Path> commits;
    try (var listing = Files.list(dir.resolve("_delta_log"))) {
      commits = listing.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    int file = 0;
    for (Path commit : commits) {
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(commit)) {
        var action = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
        if (action.has("add")) {
          ((com.fasterxml.jackson.databind.node.ObjectNode) action.get("add"))
              .put("stats", stats[file++]);
        } else if (action.has("metaData")) {
          var metaData = (com.fasterxml.jackson.databind.node.ObjectNode) action.get("metaData");
          var struct =
              (com.fasterxml.jackson.databind.node.ObjectNode)
                  json.readTree(metaData.get("schemaString").asText());
          for (JsonNode field : struct.get("fields")) {
            if (field.get("name").asText().equals("h")) {
              ((com.fasterxml.jackson.databind.node.ObjectNode) field)
                  .putObject("metadata")
                  .putArray("delta.typeChanges")
                  .addObject()
                  .put("fromType", "float")
                  .put("toType", "double");
            }
          }
          metaData.put("schemaString", json.writeValueAsString(struct));
        }
        lines.add(json.writeValueAsString(action));
      }
      Files.write(commit, lines);
    }
    assertThat(file).isEqualTo(2);
    ConnectorTableHandle base =
        connector.metadata().getTableHandle(new SchemaTableName("s", "floats")).orElseThrow();
    // NaN > 2.0 in the first file, though its max says 1.0
    assertThat(kept(base, p("f", Op.GT, 2.0))).isEqualTo(2);
    assertThat(kept(base, p("f", Op.GE, 1.5))).isEqualTo(2);
    assertThat(kept(base, p("f", Op.EQ, Double.NaN))).isEqualTo(2);
    // -0.0 < 0.0 as the engine orders doubles; the minimum 0.0 may stand for -0.0
    assertThat(kept(base, p("f", Op.LT, 0.0))).isEqualTo(1);
    assertThat(kept(base, p("f", Op.LT, -1.0))).isEqualTo(0);
    // h was widened: 0.7f is 0.699999988... < 0.7, below the statistics' minimum "0.7"
    assertThat(kept(base, p("h", Op.LT, 0.7))).isEqualTo(2);
  }

  /**
   * An empty partition value of a non-string column is NULL (for the reader and for skipping); a
   * value that does not parse is a user error naming the file and column.
   */
  @Test
  void emptyAndInvalidPartitionValuesOfNonStringColumns() throws Exception {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("x", new ArrowType.Int(64, true)),
                Field.nullable("p", new ArrowType.Int(32, true))));
    SchemaTableName name = new SchemaTableName("s", "pv");
    connector
        .metadata()
        .createTable(
            name,
            schema,
            new io.oxbow.spi.connector.TableOptions(
                java.util.Optional.empty(), List.of("p"), java.util.Optional.empty(), Map.of()));
    for (int i = 0; i < 3; i++) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
        root.allocateNew();
        ((BigIntVector) root.getVector("x")).setSafe(0, i);
        ((IntVector) root.getVector("p")).setSafe(0, 5 + i);
        root.setRowCount(1);
        connector.metadata().insert(connector.metadata().getTableHandle(name).orElseThrow(), root);
      }
    }
    // as some writers record them: "" for the first file, garbage for the third
    String[] values = {"", "6", "abc"};
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    List<Path> commits;
    try (var listing = Files.list(warehouse.resolve("s/pv/_delta_log"))) {
      commits = listing.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    String badFile = null;
    for (Path commit : commits) {
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(commit)) {
        var action = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
        if (action.has("add")) {
          var add = (com.fasterxml.jackson.databind.node.ObjectNode) action.get("add");
          int p = Integer.parseInt(add.get("partitionValues").get("p").asText());
          ((com.fasterxml.jackson.databind.node.ObjectNode) add.get("partitionValues"))
              .put("p", values[p - 5]);
          if (p == 7) {
            badFile = add.get("path").asText();
          }
        }
        lines.add(json.writeValueAsString(action));
      }
      Files.write(commit, lines);
    }
    assertThat(badFile).isNotNull();
    // a fresh catalog: nothing cached from before the edit
    connector.close();
    connector =
        new DeltaConnectorFactory().create("lake", Map.of("warehouse", warehouse.toString()));
    ConnectorTableHandle base = connector.metadata().getTableHandle(name).orElseThrow();
    assertThat(kept(base, p("p", Op.IS_NULL))).isEqualTo(1);
    assertThat(kept(base, p("p", Op.EQ, 5L))).isEqualTo(1); // only the unreadable file
    ConnectorTableHandle nulls =
        connector.metadata().applyFilter(base, List.of(p("p", Op.IS_NULL))).orElseThrow();
    List<Map<String, Object>> rows =
        DeltaTestTables.read(connector, nulls, List.of("x", "p"), allocator);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("x")).isEqualTo(0L);
    assertThat(rows.get(0).get("p")).isNull();
    String file = badFile;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DeltaTestTables.read(connector, base, List.of("x", "p"), allocator))
        .isInstanceOf(io.oxbow.spi.error.OxbowException.class)
        .hasMessageContaining(file)
        .hasMessageContaining("'p'")
        .satisfies(
            e ->
                assertThat(((io.oxbow.spi.error.OxbowException) e).code())
                    .isEqualTo(io.oxbow.spi.error.ErrorCode.USER_ERROR));
  }

  private int kept(ConnectorTableHandle base, ColumnPredicate predicate) {
    ConnectorTableHandle filtered =
        connector.metadata().applyFilter(base, List.of(predicate)).orElseThrow();
    return connector.splitManager().getSplits(filtered).size();
  }
}
