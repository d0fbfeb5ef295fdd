package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ColumnPredicate.Op;
import io.oxbow.spi.connector.DynamicFilter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * Lazy materialization, page-index pruning and dynamic filters in the Parquet page source, against
 * a brute-force evaluation of the predicates over the rows the test generated ({@link
 * TestParquetPageSource#expectedRow}) and against DuckDB over its own files: every row returned is
 * a row of the file with the right values, every matching row is returned, and (the row filter
 * being exact on these types) no other row is.
 */
class TestLazyMaterialization {
  private static final int ROWS = 20_000;
  private static final String[] COLUMNS = {
    "id", "i32", "i64", "f32", "f64", "flag", "s_low", "s_high", "d9", "d18", "d25", "day", "ts",
    "ts_ms", "small"
  };

  private static Object[][] rows;

  @TempDir Path dir;
  private BufferAllocator allocator;
  private final DeltaFileIO fileIO = DeltaFileIO.local();

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  /** The file's rows ({@link TestParquetPageSource#expectedRow}), computed once. */
  private static synchronized Object[] row(long r) {
    if (rows == null) {
      rows = new Object[ROWS][];
      for (int i = 0; i < ROWS; i++) {
        rows[i] = TestParquetPageSource.expectedRow(i);
      }
    }
    return rows[(int) r];
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private Path write(String name, boolean dictionary, int rowGroupBytes, boolean v2)
      throws IOException {
    Path file = dir.resolve(name + ".parquet");
    TestParquetPageSource.writeParquetMr(
        file,
        v2
            ? ParquetProperties.WriterVersion.PARQUET_2_0
            : ParquetProperties.WriterVersion.PARQUET_1_0,
        CompressionCodecName.SNAPPY,
        dictionary,
        rowGroupBytes,
        ROWS);
    return file;
  }

  // ---- brute force

  /** A value as a comparable number, string or null (the test's reference semantics). */
  private static Comparable<?> reference(int column, Object value) {
    if (value == null) {
      return null;
    }
    return switch (COLUMNS[column]) {
      case "s_low", "s_high" -> new CodePoints((String) value);
      case "flag" -> (Boolean) value ? BigDecimal.ONE : BigDecimal.ZERO;
      case "day" ->
          value instanceof LocalDate d
              ? BigDecimal.valueOf(d.toEpochDay())
              : BigDecimal.valueOf(((Number) value).longValue());
      case "ts", "ts_ms" ->
          value instanceof LocalDateTime t
              ? BigDecimal.valueOf(t.toEpochSecond(ZoneOffset.UTC))
                  .multiply(BigDecimal.valueOf(1_000_000))
                  .add(BigDecimal.valueOf(t.getNano(), 3))
              : BigDecimal.valueOf(((Number) value).longValue());
      case "f32", "f64" -> new BigDecimal(((Number) value).doubleValue());
      default ->
          value instanceof BigDecimal bd ? bd : BigDecimal.valueOf(((Number) value).longValue());
    };
  }

  /** Strings ordered by code point. */
  private record CodePoints(int[] value) implements Comparable<CodePoints> {
    CodePoints(String value) {
      this(value.codePoints().toArray());
    }

    @Override
    public int compareTo(CodePoints o) {
      return Arrays.compare(value, o.value);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compare(Comparable a, Comparable b) {
    return a.compareTo(b);
  }

  /** A predicate with its column's index and its literals' reference values. */
  private record Reference(ColumnPredicate predicate, int column, List<Comparable<?>> literals) {
    static Reference of(ColumnPredicate p) {
      int column = Arrays.asList(COLUMNS).indexOf(p.column());
      List<Comparable<?>> literals = new ArrayList<>();
      for (Object value : p.values()) {
        literals.add(reference(column, value));
      }
      return new Reference(p, column, literals);
    }
  }

  private static boolean matches(Reference ref, Object[] row) {
    ColumnPredicate p = ref.predicate();
    int column = ref.column();
    Comparable<?> v = reference(column, row[column]);
    if (p.op() == Op.IS_NULL) {
      return v == null;
    }
    if (v == null) {
      return false;
    }
    if (p.op() == Op.IS_NOT_NULL) {
      return true;
    }
    List<Comparable<?>> literals = ref.literals();
    int c = compare(v, literals.get(0));
    return switch (p.op()) {
      case EQ -> c == 0;
      case NE -> c != 0;
      case LT -> c < 0;
      case LE -> c <= 0;
      case GT -> c > 0;
      case GE -> c >= 0;
      case BETWEEN -> c >= 0 && compare(v, literals.get(1)) <= 0;
      case IN -> literals.stream().anyMatch(l -> compare(v, l) == 0);
      default -> throw new AssertionError(p);
    };
  }

  private static boolean matches(DynamicFilter f, Object[] row) {
    int column = Arrays.asList(COLUMNS).indexOf(f.column());
    Object value = row[column];
    return value != null && f.mightMatch(((Number) value).longValue());
  }

  // ---- random predicates

  /** A literal for a column: a value of some row, sometimes nudged off the column's grid. */
  private static Object literal(int column, Random random) {
    Object value = null;
    while (value == null) {
      value = row(random.nextInt(ROWS))[column];
    }
    boolean nudge = random.nextInt(4) == 0;
    return switch (COLUMNS[column]) {
      case "id", "i32", "i64", "small" -> ((Number) value).longValue() + (nudge ? 1 : 0);
      case "f32", "f64" -> ((Number) value).doubleValue() + (nudge ? 0.25 : 0);
      case "flag", "s_low", "s_high" -> value;
      case "d9", "d18", "d25" ->
          nudge
              ? ((BigDecimal) value).add(new BigDecimal("0.00005"))
              : random.nextBoolean() ? ((BigDecimal) value).setScale(6) : value;
      case "day" -> LocalDate.ofEpochDay(((Number) value).longValue() + (nudge ? 1 : 0));
      default -> {
        long micros = (Long) value;
        LocalDateTime t =
            LocalDateTime.ofEpochSecond(
                Math.floorDiv(micros, 1_000_000),
                (int) Math.floorMod(micros, 1_000_000) * 1000,
                ZoneOffset.UTC);
        yield nudge ? t.plusNanos(500) : t;
      }
    };
  }

  private static ColumnPredicate randomPredicate(Random random) {
    int column = random.nextInt(COLUMNS.length);
    String name = COLUMNS[column];
    Op[] ops = Op.values();
    Op op = ops[random.nextInt(ops.length)];
    if (name.equals("flag") && op != Op.EQ && op != Op.IS_NULL && op != Op.IS_NOT_NULL) {
      op = Op.EQ;
    }
    return switch (op) {
      case IS_NULL, IS_NOT_NULL -> new ColumnPredicate(name, op, List.of());
      case BETWEEN -> {
        Object a = literal(column, random);
        Object b = literal(column, random);
        if (compare(reference(column, a), reference(column, b)) > 0) {
          Object t = a;
          a = b;
          b = t;
        }
        yield new ColumnPredicate(name, op, List.of(a, b));
      }
      case IN -> {
        List<Object> values = new ArrayList<>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
          values.add(literal(column, random));
        }
        yield new ColumnPredicate(name, op, values);
      }
      default -> new ColumnPredicate(name, op, List.of(literal(column, random)));
    };
  }

  private record Keys(Set<Long> set) implements DynamicFilter.KeySet {
    @Override
    public boolean contains(long key) {
      return set.contains(key);
    }

    @Override
    public long size() {
      return set.size();
    }
  }

  private static DynamicFilter randomDynamicFilter(Random random) {
    String[] columns = {"id", "i32", "day", "small", "i64"};
    String name = columns[random.nextInt(columns.length)];
    int column = Arrays.asList(COLUMNS).indexOf(name);
    Set<Long> keys = new HashSet<>();
    for (int i = 1 + random.nextInt(300); i > 0; i--) {
      Object v = row(random.nextInt(ROWS))[column];
      if (v != null) {
        keys.add(((Number) v).longValue());
      }
    }
    keys.add(name.equals("id") ? random.nextInt(ROWS) : 0L);
    long min = keys.stream().mapToLong(Long::longValue).min().orElseThrow();
    long max = keys.stream().mapToLong(Long::longValue).max().orElseThrow();
    return new DynamicFilter(name, min, max, random.nextBoolean() ? new Keys(keys) : null);
  }

  // ---- reading

  private ParquetPageSource source(
      DeltaSplit split,
      List<String> columns,
      List<ColumnPredicate> filter,
      List<DynamicFilter> dynamic) {
    ParquetPageSource source =
        new ParquetPageSource(
            fileIO,
            split,
            TestParquetPageSource.tableSchema(),
            List.of(),
            columns,
            filter,
            dynamic,
            true,
            allocator);
    source.compactBelow(compactBelow);
    return source;
  }

  /** Batches keeping more than this fraction of their rows are returned whole. */
  private double compactBelow = 1.0;

  /** Scan statistics summed over the splits of one read. */
  private static final class Totals {
    long pagesSkipped;
    long rowsSkippedByPageIndex;
    long rowsFiltered;
    long batchesSkipped;
    long dynamicFiltersDropped;
  }

  /**
   * Reads the file (in splits of {@code splitBytes}) with the filters and checks the rows against
   * the brute-force answer: exactly the matching rows when {@code exact}, else a superset of them.
   */
  private Totals check(
      Path file,
      long splitBytes,
      List<String> columns,
      List<ColumnPredicate> filter,
      List<DynamicFilter> dynamic,
      RoaringBitmap deleted,
      boolean exact)
      throws IOException {
    long size = Files.size(file);
    DeltaSplit whole =
        deleted == null
            ? new DeltaSplit(file.toString(), size, Map.of())
            : new DeltaSplit(
                file.toString(),
                size,
                Map.of(),
                new DeltaSplit.DeletionVector(
                    TestParquetPageSource.inline(deleted),
                    dir.toString(),
                    DefaultEngine.create(DeltaFileIO.local())));
    Totals totals = new Totals();
    TreeSet<Long> returned = new TreeSet<>();
    int idColumn = columns.indexOf("id");
    for (DeltaSplit split : whole.byteRanges(splitBytes)) {
      try (ParquetPageSource source = source(split, columns, filter, dynamic)) {
        for (Object[] row : TestParquetPageSource.read(source)) {
          long id = (Long) row[idColumn];
          assertThat(returned.add(id)).as("row %d returned twice", id).isTrue();
          Object[] expected = row(id);
          for (int c = 0; c < columns.size(); c++) {
            int column = Arrays.asList(COLUMNS).indexOf(columns.get(c));
            if (!Objects.equals(row[c], expected[column])) {
              assertThat(row[c])
                  .as("row %d column %s", id, columns.get(c))
                  .isEqualTo(expected[column]);
            }
          }
        }
        totals.pagesSkipped += source.pagesSkipped();
        totals.rowsSkippedByPageIndex += source.rowsSkippedByPageIndex();
        totals.rowsFiltered += source.rowsFiltered();
        totals.batchesSkipped += source.batchesSkipped();
        totals.dynamicFiltersDropped += source.dynamicFiltersDropped();
      }
    }
    TreeSet<Long> matching = new TreeSet<>();
    List<Reference> references = filter.stream().map(Reference::of).toList();
    for (long r = 0; r < ROWS; r++) {
      Object[] row = row(r);
      boolean match = deleted == null || !deleted.contains((int) r);
      for (Reference p : references) {
        match = match && matches(p, row);
      }
      for (DynamicFilter f : dynamic) {
        match &= matches(f, row);
      }
      if (match) {
        matching.add(r);
      }
    }
    String what = filter + " " + dynamic;
    if (exact) {
      assertThat(returned).as(what).isEqualTo(matching);
    } else {
      assertThat(returned).as(what).containsAll(matching);
    }
    return totals;
  }

  private static List<String> randomColumns(
      Random random, List<ColumnPredicate> filter, List<DynamicFilter> dynamic) {
    List<String> columns = new ArrayList<>();
    for (String column : COLUMNS) {
      boolean needed =
          column.equals("id")
              || filter.stream().anyMatch(p -> p.column().equals(column))
              || dynamic.stream().anyMatch(f -> f.column().equals(column));
      if (needed || random.nextInt(3) > 0) {
        columns.add(column);
      }
    }
    java.util.Collections.shuffle(columns, random);
    return columns;
  }

  // ---- tests

  @Test
  void randomPredicatesReturnExactlyTheMatchingRows() throws IOException {
    Path plain = write("plain", false, 256 * 1024, false);
    Path dictionary = write("dict", true, 1 << 20, true);
    Random random = new Random(7);
    long filtered = 0;
    long batchesSkipped = 0;
    for (int i = 0; i < 120; i++) {
      List<ColumnPredicate> filter = new ArrayList<>();
      for (int k = random.nextInt(4); k > 0; k--) {
        filter.add(randomPredicate(random));
      }
      List<DynamicFilter> dynamic = new ArrayList<>();
      if (random.nextInt(3) == 0) {
        dynamic.add(randomDynamicFilter(random));
      }
      Path file = random.nextBoolean() ? plain : dictionary;
      long splitBytes = random.nextInt(3) == 0 ? 60_000 : Long.MAX_VALUE / 4;
      Totals totals =
          check(
              file,
              splitBytes,
              randomColumns(random, filter, dynamic),
              filter,
              dynamic,
              null,
              true);
      filtered += totals.rowsFiltered;
      batchesSkipped += totals.batchesSkipped;
    }
    assertThat(filtered).isPositive();
    assertThat(batchesSkipped).isPositive();
  }

  @Test
  void everyOperatorOnEveryType() throws IOException {
    Path file = write("ops", true, 256 * 1024, false);
    Random random = new Random(11);
    for (int column = 0; column < COLUMNS.length; column++) {
      for (Op op : Op.values()) {
        if (COLUMNS[column].equals("flag")
            && op != Op.EQ
            && op != Op.IS_NULL
            && op != Op.IS_NOT_NULL) {
          continue;
        }
        ColumnPredicate predicate;
        do {
          predicate = randomPredicate(random);
        } while (!predicate.column().equals(COLUMNS[column]) || predicate.op() != op);
        check(
            file, Long.MAX_VALUE / 4, List.of(COLUMNS), List.of(predicate), List.of(), null, true);
      }
    }
  }

  @Test
  void deletionVectorsAndFiltersTogether() throws IOException {
    Path file = write("dv", true, 64 * 1024, false);
    Random random = new Random(3);
    RoaringBitmap deleted = new RoaringBitmap();
    for (int r = 0; r < ROWS; r++) {
      if (random.nextInt(4) == 0 || (r >= 6000 && r < 9000)) {
        deleted.add(r);
      }
    }
    for (int i = 0; i < 30; i++) {
      List<ColumnPredicate> filter = List.of(randomPredicate(random), randomPredicate(random));
      List<DynamicFilter> dynamic =
          random.nextBoolean() ? List.of(randomDynamicFilter(random)) : List.of();
      check(
          file,
          random.nextBoolean() ? 30_000 : Long.MAX_VALUE / 4,
          randomColumns(random, filter, dynamic),
          filter,
          dynamic,
          deleted,
          true);
    }
    // a filter on the sorted id column: whole pages are skipped, and deleted rows stay deleted
    check(
        file,
        Long.MAX_VALUE / 4,
        List.of(COLUMNS),
        List.of(new ColumnPredicate("id", Op.BETWEEN, List.of(5_990L, 9_100L))),
        List.of(),
        deleted,
        true);
  }

  @Test
  void pageIndexesSkipPagesAndTheirRowsInOtherColumns() throws IOException {
    // one row group of many pages: only page indexes can skip anything
    Path file = write("pages", true, 64 << 20, false);
    assertThat(TestParquetPageSource.rowGroups(file)).isEqualTo(1);
    assertThat(hasPageIndexes(file)).isTrue();
    Totals totals =
        check(
            file,
            Long.MAX_VALUE / 4,
            List.of(COLUMNS),
            List.of(new ColumnPredicate("id", Op.BETWEEN, List.of(12_000L, 12_500L))),
            List.of(),
            null,
            true);
    assertThat(totals.pagesSkipped).isPositive();
    assertThat(totals.rowsSkippedByPageIndex).isGreaterThan(ROWS / 2);
    // two filter columns with different page boundaries: their ranges are intersected
    totals =
        check(
            file,
            Long.MAX_VALUE / 4,
            List.of("s_high", "id", "d25", "s_low"),
            List.of(
                new ColumnPredicate("id", Op.LT, List.of(3_000L)),
                new ColumnPredicate("id", Op.GE, List.of(1_000L)),
                new ColumnPredicate("s_low", Op.IN, List.of("MAIL", "SHIP"))),
            List.of(),
            null,
            true);
    assertThat(totals.rowsSkippedByPageIndex).isGreaterThan(ROWS / 2);
    // nothing matches: the row group is not even read
    try (ParquetPageSource source =
        source(
            new DeltaSplit(file.toString(), Files.size(file), Map.of()),
            List.of("id", "s_high"),
            List.of(new ColumnPredicate("id", Op.IN, List.of(-5L, 50_000L, 60_000L))),
            List.of())) {
      assertThat(TestParquetPageSource.read(source)).isEmpty();
      assertThat(source.rowGroupsSkipped() + source.rowGroupsRead()).isEqualTo(1);
    }
  }

  @Test
  void dynamicFiltersSkipPagesAndRows() throws IOException {
    // (version 1 pages: version 2 writes the ids delta-encoded, in one page)
    Path file = write("dyn", false, 64 << 20, false);
    Set<Long> keys = new HashSet<>(List.of(15_000L, 15_001L, 15_777L, 19_999L));
    Totals totals =
        check(
            file,
            Long.MAX_VALUE / 4,
            List.of("s_high", "id", "f64"),
            List.of(),
            List.of(new DynamicFilter("id", 15_000L, 19_999L, new Keys(keys))),
            null,
            true);
    assertThat(totals.pagesSkipped).isPositive();
    assertThat(totals.rowsFiltered).isPositive();
    // on a date column, the range becomes a BETWEEN of dates
    totals =
        check(
            file,
            Long.MAX_VALUE / 4,
            List.of("id", "day", "s_low"),
            List.of(new ColumnPredicate("i32", Op.IS_NOT_NULL, List.of())),
            List.of(new DynamicFilter("day", 100, 200, null)),
            null,
            true);
    assertThat(totals.rowsFiltered).isPositive();
  }

  @Test
  void dynamicFiltersEveryRowPassesAreLeftOut() throws IOException {
    // several row groups; "id" holds 0 .. ROWS - 1
    Path file = write("cover", true, 64 * 1024, false);
    Set<Long> all = new HashSet<>();
    for (long r = 0; r < ROWS; r++) {
      all.add(r);
    }
    List<String> columns = List.of("id", "i32", "s_low");
    // a join's keys covering every value of the column's range: left out, every row returned
    Totals covering =
        check(
            file,
            Long.MAX_VALUE / 4,
            columns,
            List.of(),
            List.of(new DynamicFilter("id", 0, ROWS - 1, new Keys(all))),
            null,
            true);
    assertThat(covering.dynamicFiltersDropped).isEqualTo(1);
    assertThat(covering.rowsFiltered).isZero();
    // a range wider than the column's, without keys: left out too
    Totals wide =
        check(
            file,
            Long.MAX_VALUE / 4,
            columns,
            List.of(),
            List.of(new DynamicFilter("id", -5, ROWS + 5, null)),
            null,
            true);
    assertThat(wide.dynamicFiltersDropped).isEqualTo(1);
    // one key missing from the set: kept, and that row is not returned
    Set<Long> missing = new HashSet<>(all);
    missing.remove(777L);
    Totals gap =
        check(
            file,
            Long.MAX_VALUE / 4,
            columns,
            List.of(),
            List.of(new DynamicFilter("id", 0, ROWS - 1, new Keys(missing))),
            null,
            true);
    assertThat(gap.dynamicFiltersDropped).isZero();
    assertThat(gap.rowsFiltered).isEqualTo(1);
    // a range that some row group's values leave: kept; in splits of single row groups, left out
    // only by those inside it
    DynamicFilter half = new DynamicFilter("id", 0, ROWS / 2, null);
    Totals whole = check(file, Long.MAX_VALUE / 4, columns, List.of(), List.of(half), null, true);
    assertThat(whole.dynamicFiltersDropped).isZero();
    Totals pieces = check(file, 64 * 1024, columns, List.of(), List.of(half), null, true);
    assertThat(pieces.dynamicFiltersDropped).isPositive();
  }

  @Test
  void columnsNotReadAreNotFilteredButStillSkipRowGroups() throws IOException {
    Path file = write("unread", true, 64 * 1024, false);
    // the predicate's column is not read: the rows are a superset, by row group
    check(
        file,
        Long.MAX_VALUE / 4,
        List.of("id", "s_high"),
        List.of(new ColumnPredicate("i64", Op.GT, List.of(0L))),
        List.of(),
        null,
        false);
  }

  @Test
  void batchesWhereMostRowsSurviveAreReturnedWhole() throws IOException {
    Path file = write("whole", true, 256 * 1024, false);
    compactBelow = 0.8;
    // about 95% of the rows match: batches are not compacted, the engine filters again
    Totals most =
        check(
            file,
            Long.MAX_VALUE / 4,
            List.of(COLUMNS),
            List.of(
                new ColumnPredicate("id", Op.NE, List.of(77L)),
                new ColumnPredicate("i64", Op.IS_NOT_NULL, List.of())),
            List.of(),
            null,
            false);
    assertThat(most.rowsFiltered).isZero();
    // a selective filter still compacts, exactly
    Totals few =
        check(
            file,
            Long.MAX_VALUE / 4,
            List.of(COLUMNS),
            List.of(new ColumnPredicate("s_low", Op.EQ, List.of("MAIL"))),
            List.of(),
            null,
            true);
    assertThat(few.rowsFiltered).isGreaterThan(ROWS / 2);
  }

  private static boolean hasPageIndexes(Path file) throws IOException {
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
      BlockMetaData block = reader.getRowGroups().get(0);
      return reader.readColumnIndex(block.getColumns().get(0)) != null
          && reader.readOffsetIndex(block.getColumns().get(0)) != null;
    }
  }

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.nullable(type), null);
  }

  /** DuckDB's files have no page indexes; the row filter still applies, and DuckDB agrees. */
  @Test
  void matchesDuckDbOnItsOwnFiles() throws Exception {
    Path file = dir.resolve("duck.parquet");
    Schema schema =
        new Schema(
            List.of(
                field("id", new ArrowType.Int(64, true)),
                field("i32", new ArrowType.Int(32, true)),
                field("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                field("s", ArrowType.Utf8.INSTANCE),
                field("dec", new ArrowType.Decimal(15, 2, 128)),
                field("day", new ArrowType.Date(DateUnit.DAY)),
                field("flag", ArrowType.Bool.INSTANCE),
                field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
    String[][] cases = {
      {"i32 < 300", "i32 LT 300"},
      {"dec BETWEEN 10.5 AND 2000.255", "dec BETWEEN 10.5 2000.255"},
      {"s IN ('MAIL', 'éa', 'b\uD83D\uDE00')", "s IN MAIL éa b\uD83D\uDE00"},
      {"s > 'b'", "s GT b"},
      {"day >= DATE '1995-03-15'", "day GE 1995-03-15"},
      {"flag = true", "flag EQ true"},
      {"ts < TIMESTAMP '2000-01-01 01:00:00.5'", "ts LT 2000-01-01T01:00:00.5"},
      {"f64 > 1000.5", "f64 GT 1000.5"},
      {"i32 IS NULL", "i32 IS_NULL"},
      {"id <> 7", "id NE 7"},
    };
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duck.createStatement()) {
      statement.execute("SET threads = 1");
      statement.execute(
          "COPY (SELECT range AS id,"
              + " CASE WHEN range % 11 = 0 THEN NULL ELSE (range * 7919 % 1000)::INTEGER END AS i32,"
              + " CASE WHEN range % 5 = 0 THEN NULL ELSE range / 7.0 END::DOUBLE AS f64,"
              + " (['AIR','MAIL','éa','b\uD83D\uDE00','bz', NULL])[range % 6 + 1] AS s,"
              + " ((range * 37) % 1000000 / 100.0)::DECIMAL(15,2) AS dec,"
              + " DATE '1992-01-01' + (range * 13 % 2500)::INTEGER AS day,"
              + " CASE WHEN range % 3 = 0 THEN NULL ELSE range % 2 = 0 END AS flag,"
              + " TIMESTAMP '2000-01-01' + INTERVAL (range) SECOND AS ts"
              + " FROM range(30000)) TO '"
              + file
              + "' (FORMAT parquet, ROW_GROUP_SIZE 8192)");
      for (String[] c : cases) {
        ColumnPredicate predicate = parse(c[1]);
        TreeSet<Long> expected = new TreeSet<>();
        try (ResultSet rs =
            statement.executeQuery("SELECT id FROM read_parquet('" + file + "') WHERE " + c[0])) {
          while (rs.next()) {
            expected.add(rs.getLong(1));
          }
        }
        TreeSet<Long> returned = new TreeSet<>();
        long filtered;
        try (ParquetPageSource source =
            new ParquetPageSource(
                fileIO,
                new DeltaSplit(file.toString(), Files.size(file), Map.of()),
                schema,
                List.of(),
                new ArrayList<>(
                    new java.util.LinkedHashSet<>(List.of("id", "s", c[1].split(" ")[0]))),
                List.of(predicate),
                List.of(),
                true,
                allocator)) {
          source.compactBelow(1.0);
          for (Object[] row : TestParquetPageSource.read(source)) {
            returned.add((Long) row[0]);
          }
          filtered = source.rowsFiltered();
          assertThat(source.pagesSkipped()).isZero();
        }
        assertThat(returned).as(c[0]).isEqualTo(expected);
        assertThat(filtered).as(c[0]).isPositive();
      }
    }
  }

  /**
   * Dictionary-encoded integer, date, timestamp and decimal filter columns are filtered by their
   * dictionary ids (each dictionary value tested once, values written for the rows kept only): the
   * rows and values returned agree with DuckDB over its own file, read as the file's types and as
   * wider ones (Delta type widening, where the dictionary's values are rescaled before the test).
   */
  @Test
  void numericDictionaryColumnsMatchDuckDb() throws Exception {
    Path file = dir.resolve("numeric-dictionary.parquet");
    String[] columns = {"i32", "i64", "small", "dec", "dec9", "day", "ts"};
    Schema fileTypes =
        new Schema(
            List.of(
                field("id", new ArrowType.Int(64, true)),
                field("i32", new ArrowType.Int(32, true)),
                field("i64", new ArrowType.Int(64, true)),
                field("small", new ArrowType.Int(16, true)),
                field("dec", new ArrowType.Decimal(15, 2, 128)),
                field("dec9", new ArrowType.Decimal(9, 1, 128)),
                field("day", new ArrowType.Date(DateUnit.DAY)),
                field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
    Schema widened =
        new Schema(
            List.of(
                field("id", new ArrowType.Int(64, true)),
                field("i32", new ArrowType.Int(64, true)),
                field("i64", new ArrowType.Int(64, true)),
                field("small", new ArrowType.Int(32, true)),
                field("dec", new ArrowType.Decimal(17, 4, 128)),
                field("dec9", new ArrowType.Decimal(12, 3, 128)),
                field("day", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
                field("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));
    Random random = new Random(23);
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duck.createStatement()) {
      statement.execute("SET threads = 1");
      statement.execute(
          "COPY (SELECT range AS id,"
              + " CASE WHEN range % 13 = 0 THEN NULL"
              + " ELSE (range * 7919 % 500 - 250)::INTEGER END AS i32,"
              + " (range * 31 % 300)::BIGINT * 1000000007 - 150000000000 AS i64,"
              + " (range % 97 - 40)::SMALLINT AS small,"
              + " CASE WHEN range % 17 = 0 THEN NULL"
              + " ELSE ((range * 37) % 700 / 100.0 - 2)::DECIMAL(15,2) END AS dec,"
              + " ((range * 11) % 900 / 10.0)::DECIMAL(9,1) AS dec9,"
              + " CASE WHEN range % 19 = 0 THEN NULL"
              + " ELSE DATE '1992-01-01' + (range * 13 % 700)::INTEGER END AS day,"
              + " TIMESTAMP '2000-01-01' + INTERVAL (range % 400) MINUTE AS ts"
              + " FROM range(40000)) TO '"
              + file
              + "' (FORMAT parquet, ROW_GROUP_SIZE 10000)");
      // every row's values, as numbers: days and microseconds since the epoch for day and ts
      Map<Long, List<BigDecimal>> values = new java.util.HashMap<>();
      try (ResultSet rs =
          statement.executeQuery(
              "SELECT id, i32, i64, small, dec, dec9, day - DATE '1970-01-01', epoch_us(ts)"
                  + " FROM read_parquet('"
                  + file
                  + "')")) {
        while (rs.next()) {
          List<BigDecimal> row = new ArrayList<>();
          for (int c = 2; c <= 8; c++) {
            row.add(rs.getBigDecimal(c));
          }
          values.put(rs.getLong(1), row);
        }
      }
      for (boolean widen : new boolean[] {false, true}) {
        for (int i = 0; i < 70; i++) {
          int column = i % columns.length;
          String name = columns[column];
          Op op = Op.values()[random.nextInt(Op.values().length)];
          List<Object> literals = new ArrayList<>();
          List<String> sql = new ArrayList<>();
          int count = op == Op.BETWEEN ? 2 : op == Op.IN ? 1 + random.nextInt(4) : 1;
          if (op == Op.IS_NULL || op == Op.IS_NOT_NULL) {
            count = 0;
          }
          for (int k = 0; k < count; k++) {
            BigDecimal v = null;
            while (v == null) {
              v = values.get((long) random.nextInt(40_000)).get(column);
            }
            boolean nudge = random.nextInt(4) == 0;
            switch (name) {
              case "dec", "dec9" -> {
                BigDecimal d = nudge ? v.add(new BigDecimal("0.005")) : v;
                literals.add(d);
                sql.add(d.toPlainString());
              }
              case "day" -> {
                LocalDate d = LocalDate.ofEpochDay(v.longValue() + (nudge ? 1 : 0));
                literals.add(widen ? d.atStartOfDay() : d);
                sql.add((widen ? "TIMESTAMP '" : "DATE '") + d + "'");
              }
              case "ts" -> {
                LocalDateTime t =
                    LocalDateTime.ofEpochSecond(v.longValue() / 1_000_000, 0, ZoneOffset.UTC)
                        .plusSeconds(nudge ? 1 : 0);
                literals.add(t);
                sql.add("TIMESTAMP '" + t.toString().replace('T', ' ') + "'");
              }
              default -> {
                long l = v.longValue() + (nudge ? 1 : 0);
                literals.add(l);
                sql.add(Long.toString(l));
              }
            }
          }
          if (op == Op.BETWEEN) {
            // the lower bound first, by DuckDB's comparison
            try (ResultSet rs =
                statement.executeQuery("SELECT " + sql.get(0) + " <= " + sql.get(1))) {
              rs.next();
              if (!rs.getBoolean(1)) {
                java.util.Collections.reverse(literals);
                java.util.Collections.reverse(sql);
              }
            }
          }
          String subject = widen && name.equals("day") ? "day::TIMESTAMP" : name;
          String where =
              switch (op) {
                case EQ -> subject + " = " + sql.get(0);
                case NE -> subject + " <> " + sql.get(0);
                case LT -> subject + " < " + sql.get(0);
                case LE -> subject + " <= " + sql.get(0);
                case GT -> subject + " > " + sql.get(0);
                case GE -> subject + " >= " + sql.get(0);
                case BETWEEN -> subject + " BETWEEN " + sql.get(0) + " AND " + sql.get(1);
                case IN -> subject + " IN (" + String.join(", ", sql) + ")";
                case IS_NULL -> subject + " IS NULL";
                case IS_NOT_NULL -> subject + " IS NOT NULL";
                default -> throw new AssertionError(op);
              };
          TreeSet<Long> expected = new TreeSet<>();
          try (ResultSet rs =
              statement.executeQuery(
                  "SELECT id FROM read_parquet('" + file + "') WHERE " + where)) {
            while (rs.next()) {
              expected.add(rs.getLong(1));
            }
          }
          // the filter column plus one other: the values written for the kept rows are checked
          List<String> read = new ArrayList<>(List.of("id", name, columns[random.nextInt(7)]));
          read = new ArrayList<>(new java.util.LinkedHashSet<>(read));
          TreeSet<Long> returned = new TreeSet<>();
          try (ParquetPageSource source =
              new ParquetPageSource(
                  fileIO,
                  new DeltaSplit(file.toString(), Files.size(file), Map.of()),
                  widen ? widened : fileTypes,
                  List.of(),
                  read,
                  List.of(new ColumnPredicate(name, op, literals)),
                  List.of(),
                  true,
                  allocator)) {
            source.compactBelow(1.0);
            for (Object[] row : TestParquetPageSource.read(source)) {
              long id = (Long) row[0];
              returned.add(id);
              for (int c = 1; c < row.length; c++) {
                int index = Arrays.asList(columns).indexOf(read.get(c));
                BigDecimal want = values.get(id).get(index);
                BigDecimal got = asNumber(row[c], widen && read.get(c).equals("day"));
                assertThat(got == null ? null : got.stripTrailingZeros())
                    .as("%s: row %d column %s", where, id, read.get(c))
                    .isEqualTo(want == null ? null : want.stripTrailingZeros());
              }
            }
            // every row group read filters its filter column by dictionary ids (statistics may
            // rule out every row group, e.g. IS NULL on a column without NULLs)
            assertThat(source.columnBatchesByIds() > 0)
                .as(where)
                .isEqualTo(source.rowGroupsRead() > 0);
          }
          assertThat(returned).as("%s (widened: %s)", where, widen).isEqualTo(expected);
        }
      }
      // dynamic filters (a join's keys) on dictionary-encoded integer and date columns
      String[] keyed = {"i32", "i64", "small", "day"};
      for (int i = 0; i < 24; i++) {
        String name = keyed[i % keyed.length];
        int column = Arrays.asList(columns).indexOf(name);
        Set<Long> keys = new TreeSet<>();
        for (int k = 1 + random.nextInt(i % 3 == 0 ? 5 : 200); k > 0; k--) {
          BigDecimal v = values.get((long) random.nextInt(40_000)).get(column);
          keys.add(v == null ? 0L : v.longValue() + (random.nextInt(5) == 0 ? 1 : 0));
        }
        long min = ((TreeSet<Long>) keys).first();
        long max = ((TreeSet<Long>) keys).last();
        boolean withSet = i % 4 != 3;
        String subject = name.equals("day") ? "(day - DATE '1970-01-01')" : name;
        String where =
            withSet
                ? subject
                    + " IN ("
                    + String.join(", ", keys.stream().map(String::valueOf).toList())
                    + ")"
                : subject + " BETWEEN " + min + " AND " + max;
        TreeSet<Long> expected = new TreeSet<>();
        try (ResultSet rs =
            statement.executeQuery("SELECT id FROM read_parquet('" + file + "') WHERE " + where)) {
          while (rs.next()) {
            expected.add(rs.getLong(1));
          }
        }
        TreeSet<Long> returned = new TreeSet<>();
        try (ParquetPageSource source =
            new ParquetPageSource(
                fileIO,
                new DeltaSplit(file.toString(), Files.size(file), Map.of()),
                fileTypes,
                List.of(),
                List.of("id", name),
                List.of(),
                List.of(new DynamicFilter(name, min, max, withSet ? new Keys(keys) : null)),
                true,
                allocator)) {
          source.compactBelow(1.0);
          for (Object[] row : TestParquetPageSource.read(source)) {
            returned.add((Long) row[0]);
          }
          // a filter every row passes (keys covering the column's range) is left out
          assertThat(source.columnBatchesByIds() > 0)
              .as(where)
              .isEqualTo(source.rowGroupsRead() > 0 && source.dynamicFiltersDropped() == 0);
        }
        assertThat(returned).as(where).isEqualTo(expected);
      }
    }
  }

  /** A value read back as a number: days for dates, microseconds for timestamps. */
  private static BigDecimal asNumber(Object value, boolean daysFromTimestamp) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof LocalDate d) {
      return BigDecimal.valueOf(d.toEpochDay());
    }
    if (value instanceof LocalDateTime t) {
      long micros = t.toEpochSecond(ZoneOffset.UTC) * 1_000_000 + t.getNano() / 1000;
      return BigDecimal.valueOf(daysFromTimestamp ? micros / 86_400_000_000L : micros);
    }
    return BigDecimal.valueOf(((Number) value).longValue());
  }

  private static ColumnPredicate parse(String text) {
    String[] parts = text.split(" ");
    Op op = Op.valueOf(parts[1]);
    List<Object> values = new ArrayList<>();
    for (int i = 2; i < parts.length; i++) {
      String v = parts[i];
      values.add(
          switch (parts[0]) {
            case "id", "i32" -> Long.parseLong(v);
            case "f64" -> Double.parseDouble(v);
            case "dec" -> new BigDecimal(v);
            case "day" -> LocalDate.parse(v);
            case "flag" -> Boolean.parseBoolean(v);
            case "ts" -> LocalDateTime.parse(v);
            default -> v;
          });
    }
    return new ColumnPredicate(parts[0], op, values);
  }
}
