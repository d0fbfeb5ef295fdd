package io.oxbow.connector.delta;

import static io.oxbow.connector.delta.DeltaLogOracle.actions;
import static io.oxbow.connector.delta.DeltaLogOracle.latestVersion;
import static io.oxbow.connector.delta.DeltaLogOracle.liveFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorWriter;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta writes through the connector SPI (CREATE with options, INSERT, INSERT OVERWRITE, file
 * rewrites, DROP, concurrent writers), checked independently: the log is replayed with Jackson and
 * the live Parquet files are read with DuckDB ({@link DeltaLogOracle}).
 */
class TestDeltaWrites {
  static final SchemaTableName EVENTS = new SchemaTableName("sales", "events");
  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("region", ArrowType.Utf8.INSTANCE),
              Field.nullable("amount", new ArrowType.Decimal(10, 2, 128)),
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.nullable("note", ArrowType.Utf8.INSTANCE)));
  static final Map<String, String> DUCK_COLUMNS = new LinkedHashMap<>();

  static {
    DUCK_COLUMNS.put("id", "BIGINT");
    DUCK_COLUMNS.put("region", "VARCHAR");
    DUCK_COLUMNS.put("amount", "DECIMAL(10,2)");
    DUCK_COLUMNS.put("day", "DATE");
    DUCK_COLUMNS.put("ts", "TIMESTAMPTZ");
    DUCK_COLUMNS.put("note", "VARCHAR");
  }

  private static final String[] REGIONS = {"east", "west", "north o'brien"};

  @TempDir Path warehouse;
  @TempDir Path elsewhere;
  private BufferAllocator allocator;
  private Connector connector;
  private ConnectorMetadata metadata;

  /** One test row; every value is a function of {@code id}. */
  record Event(long id, String region, BigDecimal amount, LocalDate day, Instant ts, String note) {
    static Event of(long id) {
      return new Event(
          id,
          id % 4 == 3 ? null : REGIONS[(int) (id % 3)],
          BigDecimal.valueOf(id * 137 % 100_000 - 20_000, 2),
          LocalDate.of(2024, 1, 1).plusDays(id % 30),
          Instant.parse("2024-01-01T00:00:00Z").plusSeconds(id * 3600).plus(id, ChronoUnit.MICROS),
          id % 5 == 0 ? null : "n" + id + (id % 7 == 0 ? " ü✓" : ""));
    }

    Event withAmount(BigDecimal newAmount) {
      return new Event(id, region, newAmount, day, ts, note);
    }

    String sql() {
      return "("
          + id
          + ", "
          + literal(region)
          + ", "
          + amount.toPlainString()
          + ", DATE '"
          + day
          + "', TIMESTAMPTZ '"
          + ts.toString().replace('T', ' ').replace("Z", "+00")
          + "', "
          + literal(note)
          + ")";
    }

    private static String literal(String s) {
      return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
    }
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    connector =
        new DeltaConnectorFactory().create("lake", Map.of("warehouse", warehouse.toString()));
    metadata = connector.metadata();
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close(); // throws if a buffer leaked
  }

  @Test
  void namesThatWouldLeaveTheWarehouseAreRejected() throws Exception {
    // a Delta table outside the warehouse, reachable as <warehouse>/../<its folder>
    try (DeltaTableWriter writer = DeltaTableWriter.create(elsewhere, SCHEMA);
        VectorSchemaRoot rows = batch(events(0, 3))) {
      writer.write(rows);
      writer.commit();
    }
    long files = regularFiles(elsewhere);
    SchemaTableName escape = new SchemaTableName("..", elsewhere.getFileName().toString());
    assertThat(metadata.getTableHandle(escape)).isEmpty();
    assertThat(metadata.listTables("..")).isEmpty();
    assertThatThrownBy(
            () ->
                DeltaDdl.dropTable(
                    DeltaFileIO.local(),
                    warehouse.toString(),
                    ((DeltaConnector) metadata).externalTables(),
                    escape,
                    warehouse.resolve("..").resolve(escape.table()).toString()))
        .isInstanceOf(OxbowException.class)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
    for (SchemaTableName bad :
        List.of(
            escape,
            new SchemaTableName("../" + escape.table(), "t"),
            new SchemaTableName("s", ".."),
            new SchemaTableName(".", "t"),
            new SchemaTableName("", "t"),
            new SchemaTableName("s", ""),
            new SchemaTableName("s", "a\\b"),
            new SchemaTableName("s", "a\0b"),
            new SchemaTableName("s", ".hidden"),
            new SchemaTableName("_s", "t"))) {
      assertThatThrownBy(() -> metadata.createTable(bad, SCHEMA))
          .as("CREATE TABLE %s", bad)
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining("Invalid")
          .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
      assertThat(metadata.getTableHandle(bad)).as("lookup of %s", bad).isEmpty();
    }
    // the last guard of a recursive delete: the target must be inside the warehouse
    assertThatThrownBy(
            () ->
                DeltaDdl.checkUnderWarehouse(
                    warehouse.toString(), warehouse.toString() + "/../" + escape.table(), escape))
        .isInstanceOf(OxbowException.class);
    DeltaDdl.checkUnderWarehouse(
        warehouse.toString(),
        warehouse.resolve("s").resolve("t").toString(),
        new SchemaTableName("s", "t"));
    assertThat(regularFiles(elsewhere)).isEqualTo(files).isPositive();
    assertThat(DeltaLogOracle.latestVersion(elsewhere)).isZero();
  }

  private static long regularFiles(Path dir) throws Exception {
    try (var paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).count();
    }
  }

  static List<Event> events(long from, long to) {
    List<Event> rows = new ArrayList<>();
    for (long id = from; id < to; id++) {
      rows.add(Event.of(id));
    }
    return rows;
  }

  private VectorSchemaRoot batch(List<Event> rows) {
    return batch(allocator, rows);
  }

  /** The rows as one Arrow batch of {@link #SCHEMA}. */
  static VectorSchemaRoot batch(BufferAllocator allocator, List<Event> rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
    root.allocateNew();
    for (int i = 0; i < rows.size(); i++) {
      Event e = rows.get(i);
      ((BigIntVector) root.getVector(0)).setSafe(i, e.id());
      setString((VarCharVector) root.getVector(1), i, e.region());
      ((DecimalVector) root.getVector(2)).setSafe(i, e.amount());
      ((DateDayVector) root.getVector(3)).setSafe(i, (int) e.day().toEpochDay());
      ((TimeStampMicroTZVector) root.getVector(4))
          .setSafe(i, ChronoUnit.MICROS.between(Instant.EPOCH, e.ts()));
      setString((VarCharVector) root.getVector(5), i, e.note());
    }
    root.setRowCount(rows.size());
    return root;
  }

  private static void setString(VarCharVector vector, int i, String value) {
    if (value == null) {
      vector.setNull(i);
    } else {
      vector.setSafe(i, value.getBytes(StandardCharsets.UTF_8));
    }
  }

  private void write(ConnectorWriter writer, List<Event> rows) {
    try (VectorSchemaRoot root = batch(rows)) {
      writer.write(root);
    }
  }

  private void createEvents(Map<String, String> properties) {
    metadata.createTable(
        EVENTS,
        SCHEMA,
        new TableOptions(Optional.of("delta"), List.of("region"), Optional.empty(), properties));
  }

  private ConnectorTableHandle handle(SchemaTableName name) {
    return metadata.getTableHandle(name).orElseThrow();
  }

  private Path eventsDir() {
    return warehouse.resolve("sales").resolve("events");
  }

  private static void assertRows(Path table, List<Event> expected) {
    DeltaLogOracle.assertRows(
        table, DUCK_COLUMNS, List.of("region"), expected.stream().map(Event::sql).toList());
  }

  /** Rows of the table read back through the connector's own reader. */
  private long countThroughSpi(ConnectorTableHandle handle) {
    long rows = 0;
    for (ConnectorSplit split : connector.splitManager().getSplits(handle)) {
      try (ConnectorPageSource source =
          connector
              .pageSourceProvider()
              .createPageSource(handle, split, List.of("id"), allocator)) {
        VectorSchemaRoot batch;
        while ((batch = source.nextBatch()) != null) {
          try (VectorSchemaRoot b = batch) {
            rows += b.getRowCount();
          }
        }
      }
    }
    return rows;
  }

  @Test
  void createPartitionedTableInsertOverwriteAndRewriteOneFile() throws Exception {
    createEvents(Map.of("delta.checkpointInterval", "3", "owner", "etl"));
    Path table = eventsDir();
    assertThat(latestVersion(table)).isZero();
    JsonNode metaData = actions(table, 0, "metaData").get(0);
    assertThat(metaData.get("partitionColumns").toString()).isEqualTo("[\"region\"]");
    assertThat(metaData.get("configuration").get("owner").asText()).isEqualTo("etl");
    assertThat(metaData.get("configuration").get("delta.checkpointInterval").asText())
        .isEqualTo("3");
    assertThat(metadata.listTables("sales")).contains("events");

    // two batches, one commit
    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), false)) {
      write(writer, events(0, 100));
      write(writer, events(100, 150));
      writer.commit();
    }
    assertThat(latestVersion(table)).isEqualTo(1);
    assertThat(actions(table, 1, "add")).hasSize(4); // east, west, north o'brien, NULL
    assertStatisticsMatchDuckDb(table, actions(table, 1, "add"));
    // partition folders are named as Spark names them: Hive-escaped values, URI-encoded in the log
    assertThat(table.resolve("region=north o%27brien")).isDirectory();
    assertThat(table.resolve("region=__HIVE_DEFAULT_PARTITION__")).isDirectory();
    assertThat(actions(table, 1, "add"))
        .extracting(a -> a.get("path").asText())
        .anySatisfy(p -> assertThat(p).startsWith("region=north%20o%2527brien/"));
    assertRows(table, events(0, 150));

    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), false)) {
      write(writer, events(150, 200));
      writer.commit();
    }
    assertThat(latestVersion(table)).isEqualTo(2);
    assertRows(table, events(0, 200));
    assertThat(countThroughSpi(handle(EVENTS))).isEqualTo(200);

    // overwrite: every file of version 2 removed, the new rows added, in one commit
    int filesBefore = liveFiles(table).size();
    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), true)) {
      write(writer, events(1000, 1060));
      writer.commit();
    }
    assertThat(latestVersion(table)).isEqualTo(3);
    List<JsonNode> removes = actions(table, 3, "remove");
    assertThat(removes).hasSize(filesBefore);
    assertThat(removes).allSatisfy(r -> assertThat(r.get("size").asLong()).isPositive());
    assertThat(removes).allSatisfy(r -> assertThat(r.get("dataChange").asBoolean()).isTrue());
    assertRows(table, events(1000, 1060));
    // delta.checkpointInterval = 3: version 3 was checkpointed by the post-commit hook
    assertThat(table.resolve("_delta_log").resolve("00000000000000000003.checkpoint.parquet"))
        .exists();

    // rewrite the 'east' file: even ids deleted, the others get a new amount
    ConnectorTableHandle pinned = handle(EVENTS);
    assertThat(metadata.tableVersion(pinned)).hasValue(3);
    String eastFile =
        liveFiles(table).values().stream()
            .filter(a -> "east".equals(a.get("partitionValues").get("region").asText(null)))
            .map(a -> a.get("path").asText())
            .findFirst()
            .orElseThrow();
    List<Event> kept = new ArrayList<>();
    List<Event> rewritten = new ArrayList<>();
    for (Event e : events(1000, 1060)) {
      if (!"east".equals(e.region())) {
        kept.add(e);
      } else if (e.id() % 2 == 1) {
        rewritten.add(e.withAmount(new BigDecimal("1.25")));
      }
    }
    try (ConnectorWriter writer = metadata.beginRewrite(pinned, Set.of(eastFile))) {
      write(writer, rewritten);
      writer.commit();
    }
    assertThat(latestVersion(table)).isEqualTo(4);
    assertThat(actions(table, 4, "remove"))
        .singleElement()
        .satisfies(r -> assertThat(r.get("path").asText()).isEqualTo(eastFile));
    List<Event> expected = new ArrayList<>(kept);
    expected.addAll(rewritten);
    assertRows(table, expected);
    assertThat(countThroughSpi(handle(EVENTS))).isEqualTo(expected.size());
  }

  /** Each add action's statistics agree with DuckDB's aggregates over the same file. */
  private static void assertStatisticsMatchDuckDb(Path table, List<JsonNode> adds)
      throws Exception {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duck.createStatement()) {
      for (JsonNode add : adds) {
        JsonNode stats = DeltaLogOracle.JSON.readTree(add.get("stats").asText());
        Path file = DeltaLogOracle.dataFile(table, add.get("path").asText());
        try (ResultSet rs =
            s.executeQuery(
                "SELECT count(*), min(id), max(id), count(*) - count(note), min(amount),"
                    + " max(amount) FROM read_parquet('"
                    + file
                    + "')")) {
          rs.next();
          assertThat(stats.get("numRecords").asLong()).isEqualTo(rs.getLong(1));
          assertThat(stats.get("minValues").get("id").asLong()).isEqualTo(rs.getLong(2));
          assertThat(stats.get("maxValues").get("id").asLong()).isEqualTo(rs.getLong(3));
          assertThat(stats.get("nullCount").get("note").asLong()).isEqualTo(rs.getLong(4));
          assertThat(stats.get("minValues").get("amount").decimalValue())
              .isEqualByComparingTo(rs.getBigDecimal(5));
          assertThat(stats.get("maxValues").get("amount").decimalValue())
              .isEqualByComparingTo(rs.getBigDecimal(6));
          assertThat(stats.get("minValues").has("day")).isTrue();
          assertThat(stats.get("minValues").has("ts")).isTrue();
        }
      }
    }
  }

  @Test
  void unpartitionedTableCreatedWithoutOptions() {
    SchemaTableName name = new SchemaTableName("sales", "plain");
    metadata.createTable(name, SCHEMA);
    try (ConnectorWriter writer = metadata.beginInsert(handle(name), false)) {
      write(writer, events(0, 5000));
      writer.commit();
    }
    Path table = warehouse.resolve("sales").resolve("plain");
    assertThat(actions(table, 1, "add")).hasSize(1);
    DeltaLogOracle.assertRows(
        table, DUCK_COLUMNS, List.of(), events(0, 5000).stream().map(Event::sql).toList());
    // an empty insert commits nothing
    try (ConnectorWriter writer = metadata.beginInsert(handle(name), false)) {
      writer.commit();
    }
    assertThat(latestVersion(table)).isEqualTo(1);
  }

  @Test
  void abandonedWriteDeletesItsFilesAndLeavesThePreviousVersionReadable() throws Exception {
    createEvents(Map.of());
    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), false)) {
      write(writer, events(0, 40));
      writer.commit();
    }
    Path table = eventsDir();
    long filesBefore = DeltaLogOracle.parquetFilesOnDisk(table);
    // small files, so that data files are written before commit
    try (DeltaFileIO io = DeltaFileIO.local()) {
      Engine engine = DefaultEngine.create(io);
      try (DeltaWriter writer =
          DeltaWriter.begin(
              engine,
              EVENTS,
              table.toString(),
              DeltaWriter.Mode.APPEND,
              OptionalLong.empty(),
              Set.of(),
              false,
              10)) {
        write(writer, events(40, 100));
        assertThat(DeltaLogOracle.parquetFilesOnDisk(table)).isGreaterThan(filesBefore);
      } // closed without commit
    }
    assertThat(DeltaLogOracle.parquetFilesOnDisk(table)).isEqualTo(filesBefore);
    assertThat(latestVersion(table)).isEqualTo(1);
    assertRows(table, events(0, 40));
    assertThat(countThroughSpi(handle(EVENTS))).isEqualTo(40);
  }

  @Test
  void concurrentAppendsBothLand() throws Exception {
    createEvents(Map.of());
    ConnectorWriter first = metadata.beginInsert(handle(EVENTS), false);
    ConnectorWriter second = metadata.beginInsert(handle(EVENTS), false);
    write(first, events(0, 70));
    write(second, events(70, 100));
    List<Throwable> failures = commitTogether(first, second);
    assertThat(failures).containsOnlyNulls();
    Path table = eventsDir();
    assertThat(latestVersion(table)).isEqualTo(2);
    assertRows(table, events(0, 100));
    assertThat(countThroughSpi(handle(EVENTS))).isEqualTo(100);
  }

  @Test
  void racingOverwritesOneCommitsTheOtherConflicts() throws Exception {
    createEvents(Map.of());
    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), false)) {
      write(writer, events(0, 10));
      writer.commit();
    }
    ConnectorWriter first = metadata.beginInsert(handle(EVENTS), true);
    ConnectorWriter second = metadata.beginInsert(handle(EVENTS), true);
    write(first, events(100, 130));
    write(second, events(200, 250));
    List<Throwable> failures = commitTogether(first, second);
    assertOneConflict(failures);
    Path table = eventsDir();
    assertThat(latestVersion(table)).isEqualTo(2);
    assertRows(table, failures.get(0) == null ? events(100, 130) : events(200, 250));
    // the loser's data files are gone: only live files remain on disk besides version 1's
    assertThat(DeltaLogOracle.parquetFilesOnDisk(table))
        .isEqualTo(liveFiles(table).size() + actions(table, 2, "remove").size());
  }

  @Test
  void racingRewritesOfOneFileOneCommitsTheOtherConflicts() throws Exception {
    createEvents(Map.of());
    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), false)) {
      write(writer, events(0, 12));
      writer.commit();
    }
    Path table = eventsDir();
    ConnectorTableHandle pinned = handle(EVENTS);
    String westFile =
        liveFiles(table).values().stream()
            .filter(a -> "west".equals(a.get("partitionValues").get("region").asText(null)))
            .map(a -> a.get("path").asText())
            .findFirst()
            .orElseThrow();
    List<Event> west = events(0, 12).stream().filter(e -> "west".equals(e.region())).toList();
    ConnectorWriter first = metadata.beginRewrite(pinned, Set.of(westFile));
    ConnectorWriter second = metadata.beginRewrite(pinned, Set.of(westFile));
    write(first, List.of(west.get(0).withAmount(new BigDecimal("1.00"))));
    write(second, List.of(west.get(1).withAmount(new BigDecimal("10.00"))));
    List<Throwable> failures = commitTogether(first, second);
    assertOneConflict(failures);
    List<Event> expected =
        new ArrayList<>(events(0, 12).stream().filter(e -> !"west".equals(e.region())).toList());
    expected.add(
        failures.get(0) == null
            ? west.get(0).withAmount(new BigDecimal("1.00"))
            : west.get(1).withAmount(new BigDecimal("10.00")));
    assertRows(table, expected);

    // a statement that read an older version cannot rewrite the newer one
    assertThatThrownBy(() -> metadata.beginRewrite(pinned, Set.of(westFile)))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("changed from version 1 to 2")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.CONFLICT));
  }

  private static void assertOneConflict(List<Throwable> failures) {
    assertThat(failures.stream().filter(f -> f == null).count()).isEqualTo(1);
    Throwable failure = failures.stream().filter(f -> f != null).findFirst().orElseThrow();
    assertThat(failure).isInstanceOf(OxbowException.class);
    assertThat(((OxbowException) failure).code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(failure).hasMessageContaining("conflicts with a concurrent write");
  }

  /** Commits both writers at the same moment from two threads; returns each one's failure. */
  private static List<Throwable> commitTogether(ConnectorWriter first, ConnectorWriter second)
      throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Throwable>> results = new ArrayList<>();
      for (ConnectorWriter writer : List.of(first, second)) {
        Callable<Throwable> commit =
            () -> {
              try (writer) {
                barrier.await();
                writer.commit();
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            };
        results.add(pool.submit(commit));
      }
      List<Throwable> failures = new ArrayList<>();
      for (Future<Throwable> result : results) {
        failures.add(result.get());
      }
      return failures;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void dropManagedDeletesItsFilesDropExternalKeepsThem() {
    createEvents(Map.of());
    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), false)) {
      write(writer, events(0, 20));
      writer.commit();
    }
    Path external = elsewhere.resolve("ext table");
    SchemaTableName extName = new SchemaTableName("sales", "ext");
    metadata.createTable(
        extName,
        SCHEMA,
        new TableOptions(Optional.empty(), List.of(), Optional.of(external.toString()), Map.of()));
    try (ConnectorWriter writer = metadata.beginInsert(handle(extName), false)) {
      write(writer, events(0, 20));
      writer.commit();
    }
    assertThat(metadata.listTables("sales")).contains("events", "ext");
    assertThat(latestVersion(external)).isEqualTo(1);
    // data files live inside the table folder, under relative paths
    assertThat(liveFiles(external).keySet()).allSatisfy(p -> assertThat(p).doesNotContain(":"));
    assertThat(DeltaLogOracle.parquetFilesOnDisk(external)).isEqualTo(1);

    metadata.dropTable(handle(EVENTS));
    assertThat(eventsDir()).doesNotExist();
    assertThat(metadata.getTableHandle(EVENTS)).isEmpty();

    metadata.dropTable(handle(extName));
    assertThat(metadata.getTableHandle(extName)).isEmpty();
    assertThat(metadata.listTables("sales")).doesNotContain("events", "ext");
    DeltaLogOracle.assertRows(
        external, DUCK_COLUMNS, List.of(), events(0, 20).stream().map(Event::sql).toList());

    // a new table of the old name starts empty, at version 0
    createEvents(Map.of());
    assertThat(countThroughSpi(handle(EVENTS))).isZero();
    assertThat(metadata.getTableMetadata(handle(EVENTS)).schema().getFields()).hasSize(6);

    // the external table's data can be registered again without columns
    metadata.createTable(
        extName,
        new Schema(List.of()),
        new TableOptions(
            Optional.of("delta"), List.of(), Optional.of("file:" + external), Map.of()));
    assertThat(countThroughSpi(handle(extName))).isEqualTo(20);
  }

  @Test
  void externalTableRegistrationChecksColumnsAndLocation() {
    Path location = elsewhere.resolve("t1");
    SchemaTableName first = new SchemaTableName("s", "first");
    metadata.createTable(
        first,
        SCHEMA,
        new TableOptions(
            Optional.empty(), List.of("region"), Optional.of(location.toString()), Map.of()));
    assertThat(Files.isDirectory(location.resolve("_delta_log"))).isTrue();
    assertThat(warehouse.resolve("s").resolve("first")).doesNotExist();

    // same location under another name, with matching columns: registered
    SchemaTableName second = new SchemaTableName("s", "second");
    metadata.createTable(
        second,
        SCHEMA,
        new TableOptions(
            Optional.empty(), List.of("region"), Optional.of(location.toString()), Map.of()));
    assertThat(metadata.listTables("s")).contains("first", "second");

    Schema other = new Schema(List.of(Field.nullable("x", new ArrowType.Int(32, true))));
    assertUserError(
        () ->
            metadata.createTable(
                new SchemaTableName("s", "third"),
                other,
                new TableOptions(
                    Optional.empty(), List.of(), Optional.of(location.toString()), Map.of())),
        "do not match the Delta table at LOCATION");
    assertUserError(
        () ->
            metadata.createTable(
                new SchemaTableName("s", "fourth"),
                new Schema(List.of()),
                new TableOptions(
                    Optional.empty(),
                    List.of(),
                    Optional.of(elsewhere.resolve("nothing").toString()),
                    Map.of())),
        "There is no Delta table at LOCATION");
    assertUserError(
        () ->
            metadata.createTable(
                first,
                SCHEMA,
                new TableOptions(
                    Optional.empty(), List.of(), Optional.of(location.toString()), Map.of())),
        "already exists");
    assertUserError(
        () ->
            metadata.createTable(
                new SchemaTableName("s", "relative"),
                SCHEMA,
                new TableOptions(Optional.empty(), List.of(), Optional.of("rel/dir"), Map.of())),
        "must be an absolute local path");
  }

  @Test
  void createRejectsBadOptionsClearly() {
    assertUserError(
        () ->
            metadata.createTable(
                EVENTS,
                SCHEMA,
                new TableOptions(Optional.of("parquet"), List.of(), Optional.empty(), Map.of())),
        "USING parquet");
    assertUserError(
        () ->
            metadata.createTable(
                EVENTS,
                SCHEMA,
                new TableOptions(Optional.empty(), List.of("nope"), Optional.empty(), Map.of())),
        "PARTITIONED BY column nope is not a column");
    assertUserError(
        () ->
            metadata.createTable(
                EVENTS,
                SCHEMA,
                new TableOptions(
                    Optional.empty(), List.of(), Optional.empty(), Map.of("delta.nope", "1"))),
        "delta.nope");
    assertUserError(
        () ->
            metadata.createTable(
                EVENTS,
                SCHEMA,
                new TableOptions(
                    Optional.empty(),
                    List.of(),
                    Optional.empty(),
                    Map.of("delta.checkpointInterval", "-4"))),
        "delta.checkpointInterval");
    assertUserError(
        () ->
            metadata.createTable(
                EVENTS,
                SCHEMA,
                new TableOptions(
                    Optional.empty(),
                    List.of(),
                    Optional.empty(),
                    Map.of("delta.enableChangeDataFeed", "true"))),
        "change data feed");
    assertThat(eventsDir().resolve("_delta_log")).doesNotExist();
    createEvents(Map.of());
    assertUserError(() -> createEvents(Map.of()), "Table sales.events already exists");
  }

  @Test
  void concurrentCreatesOfOneTableExactlyOneWins() throws Exception {
    for (int round = 0; round < 5; round++) {
      SchemaTableName name = new SchemaTableName("race", "t" + round);
      CyclicBarrier barrier = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<Throwable>> results = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        results.add(
            pool.submit(
                () -> {
                  barrier.await();
                  try {
                    metadata.createTable(name, SCHEMA);
                    return null;
                  } catch (OxbowException e) {
                    return e;
                  }
                }));
      }
      List<Throwable> failures = new ArrayList<>();
      for (Future<Throwable> result : results) {
        failures.add(result.get());
      }
      pool.shutdown();
      assertThat(failures.stream().filter(f -> f == null).count()).isEqualTo(1);
      Throwable loser = failures.stream().filter(f -> f != null).findFirst().orElseThrow();
      assertThat(((OxbowException) loser).code()).isEqualTo(ErrorCode.USER_ERROR);
      assertThat(loser).hasMessageContaining("already exists");
      assertThat(latestVersion(warehouse.resolve("race").resolve("t" + round))).isZero();
    }
  }

  @Test
  void partitionColumnsOfEveryType() {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("p_day", new ArrowType.Date(DateUnit.DAY)),
                Field.nullable("p_int", new ArrowType.Int(32, true)),
                Field.nullable("p_small", new ArrowType.Int(16, true)),
                Field.nullable("p_bool", ArrowType.Bool.INSTANCE),
                Field.nullable("p_dec", new ArrowType.Decimal(5, 1, 128)),
                Field.nullable("p_ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                Field.nullable("v", ArrowType.Utf8.INSTANCE)));
    SchemaTableName name = new SchemaTableName("s", "parts");
    metadata.createTable(
        name,
        schema,
        new TableOptions(
            Optional.empty(),
            List.of("P_DAY", "p_int", "p_small", "p_bool", "p_dec", "p_ts"),
            Optional.empty(),
            Map.of()));
    List<String> expected = new ArrayList<>();
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      for (int i = 0; i < 40; i++) {
        boolean nulls = i % 9 == 8;
        ((BigIntVector) root.getVector(0)).setSafe(i, i);
        LocalDate day = LocalDate.of(2024, 2, 27).plusDays(i % 4);
        long micros =
            ChronoUnit.MICROS.between(
                Instant.EPOCH, Instant.parse("2024-03-01T10:00:00Z").plusMillis(i % 2 * 1500));
        BigDecimal dec = BigDecimal.valueOf(i % 3 * 25 - 25, 1);
        if (nulls) {
          for (int c = 1; c < 7; c++) {
            root.getVector(c).setNull(i);
          }
        } else {
          ((DateDayVector) root.getVector(1)).setSafe(i, (int) day.toEpochDay());
          ((org.apache.arrow.vector.IntVector) root.getVector(2)).setSafe(i, i % 2 - 1);
          ((org.apache.arrow.vector.SmallIntVector) root.getVector(3)).setSafe(i, (short) (i % 3));
          ((org.apache.arrow.vector.BitVector) root.getVector(4)).setSafe(i, i % 2);
          ((DecimalVector) root.getVector(5)).setSafe(i, dec);
          ((TimeStampMicroTZVector) root.getVector(6)).setSafe(i, micros);
        }
        setString((VarCharVector) root.getVector(7), i, "v" + i);
        expected.add(
            nulls
                ? "(" + i + ", NULL, NULL, NULL, NULL, NULL, NULL, 'v" + i + "')"
                : "("
                    + i
                    + ", DATE '"
                    + day
                    + "', "
                    + (i % 2 - 1)
                    + ", "
                    + i % 3
                    + ", "
                    + (i % 2 == 1)
                    + ", "
                    + dec
                    + ", TIMESTAMPTZ '"
                    + Instant.EPOCH
                        .plus(micros, ChronoUnit.MICROS)
                        .toString()
                        .replace('T', ' ')
                        .replace("Z", "+00")
                    + "', 'v"
                    + i
                    + "')");
      }
      root.setRowCount(40);
      try (ConnectorWriter writer = metadata.beginInsert(handle(name), false)) {
        writer.write(root);
        writer.commit();
      }
    }
    Path table = warehouse.resolve("s").resolve("parts");
    // partition columns keep the case of the column (p_day), not of PARTITIONED BY (P_DAY)
    assertThat(actions(table, 0, "metaData").get(0).get("partitionColumns").get(0).asText())
        .isEqualTo("p_day");
    Map<String, String> all = new LinkedHashMap<>();
    all.put("id", "BIGINT");
    all.put("p_day", "DATE");
    all.put("p_int", "INTEGER");
    all.put("p_small", "SMALLINT");
    all.put("p_bool", "BOOLEAN");
    all.put("p_dec", "DECIMAL(5,1)");
    all.put("p_ts", "TIMESTAMPTZ");
    all.put("v", "VARCHAR");
    DeltaLogOracle.assertRows(
        table, all, List.of("p_day", "p_int", "p_small", "p_bool", "p_dec", "p_ts"), expected);
    assertThat(countThroughSpi(handle(name))).isEqualTo(40);
  }

  @Test
  void appendOnlyTableRefusesOverwriteAndKeepsItsRows() {
    createEvents(Map.of("delta.appendOnly", "true"));
    try (ConnectorWriter writer = metadata.beginInsert(handle(EVENTS), false)) {
      write(writer, events(0, 10));
      writer.commit();
    }
    long files = DeltaLogOracle.parquetFilesOnDisk(eventsDir());
    ConnectorTableHandle handle = handle(EVENTS);
    assertUserError(
        () -> {
          try (ConnectorWriter writer = metadata.beginInsert(handle, true)) {
            write(writer, events(10, 20));
            writer.commit();
          }
        },
        "append-only");
    assertThat(latestVersion(eventsDir())).isEqualTo(1);
    assertThat(DeltaLogOracle.parquetFilesOnDisk(eventsDir())).isEqualTo(files);
    assertRows(eventsDir(), events(0, 10));
  }

  @Test
  void tablesKernelCannotWriteAreRefusedClearly() throws Exception {
    copyResource("golden/data-reader-primitives-column-mapping-name", "other", "mapped");
    copyResource("deltars/cdf", "other", "cdf");
    ConnectorTableHandle mapped = handle(new SchemaTableName("other", "mapped"));
    assertUserError(() -> metadata.beginInsert(mapped, false), "uses column mapping");
    ConnectorTableHandle cdf = handle(new SchemaTableName("other", "cdf"));
    assertUserError(() -> metadata.beginInsert(cdf, true), "changeDataFeed");
    assertThat(latestVersion(warehouse.resolve("other").resolve("cdf"))).isEqualTo(4);
  }

  private void copyResource(String resource, String schema, String table) throws Exception {
    Path from = DeltaTestTables.resource(resource);
    Path to = warehouse.resolve(schema).resolve(table);
    try (var files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
  }

  private static void assertUserError(Runnable action, String message) {
    assertThatThrownBy(action::run)
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }
}
