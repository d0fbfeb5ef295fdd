package io.oxbow.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * The statements that write Delta tables, end to end through {@link QueryEngine} on a Delta
 * catalog. Every statement also runs in DuckDB on a table with the same starting rows, and the
 * table contents (and the affected row counts) must be the same. Subclasses put the warehouse on
 * the local file system or on S3.
 */
abstract class AbstractDeltaDmlTest {
  static QueryEngine engine;
  static Session session;
  static Connection duck;

  /** The folder where the warehouse's files are (for S3, the bucket's folder in s3proxy). */
  static Path warehouse;

  /** Where external tables go: a folder and the URI naming it (with a trailing slash). */
  static Path external;

  static String externalUri;

  /** Where COPY INTO finds new files: a folder and the URI naming it (with a trailing slash). */
  static Path landing;

  static String landingUri;

  /** Starts the engine with catalog {@code lake} (delta, {@code properties}) and {@code mem}. */
  static void start(Map<String, String> properties) throws Exception {
    Files.createDirectories(warehouse.resolve("s"));
    engine =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("lake", "delta", properties)
                .withCatalog("mem", "memory", Map.of())
                .withUser("admin", "admin")
                .withDefaultNamespace("lake", "s")
                .withQueryMemoryLimit(256L << 20));
    session = engine.newSession("admin");
    duck = DriverManager.getConnection("jdbc:duckdb:");
  }

  static void stop() throws Exception {
    if (duck != null) {
      duck.close();
      duck = null;
    }
    if (engine != null) {
      // closing the root allocator fails on leaked buffers
      engine.close();
      engine = null;
    }
  }

  private static final String COLUMNS = "(id BIGINT, kind VARCHAR, amount DECIMAL(10,2), n INT)";

  /** 40 rows over 4 kinds, with some nulls; the same in Oxbow and DuckDB. */
  private static final String SEED =
      "SELECT CAST(i AS BIGINT), 'k' || CAST(i % 4 AS VARCHAR),"
          + " CASE WHEN i % 7 = 0 THEN NULL ELSE CAST(i * 1.25 AS DECIMAL(10,2)) END,"
          + " CAST(i % 5 AS INT) FROM (VALUES "
          + String.join(
              ", ", java.util.stream.IntStream.range(0, 40).mapToObj(i -> "(" + i + ")").toList())
          + ") AS v(i)";

  /** Creates {@code name} in both systems with the seed rows, the Delta one partitioned. */
  private static void seed(String name, boolean partitioned) throws SQLException {
    both(
        "CREATE TABLE " + name + " " + COLUMNS,
        "CREATE TABLE "
            + name
            + " "
            + COLUMNS
            + " USING DELTA"
            + (partitioned ? " PARTITIONED BY (kind)" : ""));
    assertThat(update("INSERT INTO " + name + " " + SEED)).isEqualTo(40);
    duckUpdate("INSERT INTO " + name + " " + SEED);
  }

  private static void both(String duckSql, String oxbowSql) throws SQLException {
    duckUpdate(duckSql);
    update(oxbowSql);
  }

  /** Runs {@code sql} in both systems and checks they report the same number of rows changed. */
  private static long same(String sql) throws SQLException {
    long expected = duckUpdate(sql);
    long actual = update(sql);
    assertThat(actual).as("rows changed by %s", sql).isEqualTo(expected);
    return actual;
  }

  private static long update(String sql) {
    return engine.executeUpdate(session, sql);
  }

  private static long duckUpdate(String sql) throws SQLException {
    try (Statement statement = duck.createStatement()) {
      return statement.executeUpdate(sql);
    }
  }

  /** The table's rows, sorted by id, the same in both systems. */
  private static void assertSameContents(String table) throws SQLException {
    String sql =
        "SELECT id, kind, CAST(amount AS VARCHAR) AS amount, n FROM " + table + " ORDER BY id";
    assertThat(rows(sql)).as("contents of %s", table).isEqualTo(duckRows(sql));
  }

  static List<List<Object>> rows(String sql) {
    List<List<Object>> out = new ArrayList<>();
    try (QueryResult result = engine.execute(session, sql)) {
      while (true) {
        VectorSchemaRoot batch = result.next();
        if (batch == null) {
          break;
        }
        try (batch) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector vector : batch.getFieldVectors()) {
              row.add(normalize(vector.getObject(r)));
            }
            out.add(row);
          }
        }
      }
    }
    return out;
  }

  static List<List<Object>> duckRows(String sql) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (Statement statement = duck.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      int width = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int c = 1; c <= width; c++) {
          row.add(normalize(rs.getObject(c)));
        }
        out.add(row);
      }
    }
    return out;
  }

  private static Object normalize(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Byte || value instanceof Short || value instanceof Integer) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.stripTrailingZeros().toPlainString();
    }
    if (value instanceof org.apache.arrow.vector.util.Text) {
      value = value.toString();
    }
    if (value instanceof String text && text.matches("-?\\d+\\.\\d+")) {
      // decimals cast to text: DuckDB and Oxbow may differ in trailing zeros
      return new BigDecimal(text).stripTrailingZeros().toPlainString();
    }
    return value;
  }

  private static String deltaLog(Path table) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        out.append(Files.readString(file));
      }
    }
    return out.toString();
  }

  @Test
  void createPartitionedWithPropertiesThenInsert() throws Exception {
    both(
        "CREATE TABLE events " + COLUMNS,
        "CREATE TABLE events "
            + COLUMNS
            + " TBLPROPERTIES ('delta.appendOnly' = 'false', 'owner.team' = 'etl')"
            + " USING DELTA PARTITIONED BY (kind) COMMENT 'test events'");
    String log = deltaLog(warehouse.resolve("s").resolve("events"));
    assertThat(log).contains("\"partitionColumns\":[\"kind\"]");
    assertThat(log).contains("\"owner.team\":\"etl\"");
    assertThat(same("INSERT INTO events " + SEED)).isEqualTo(40);
    assertThat(same("INSERT INTO events (id, kind) VALUES (100, 'k9'), (101, NULL)")).isEqualTo(2);
    assertSameContents("events");
    // one partition folder per kind
    try (Stream<Path> dirs = Files.list(warehouse.resolve("s").resolve("events"))) {
      assertThat(dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("kind=")))
          .contains("kind=k0", "kind=k1", "kind=k2", "kind=k3", "kind=k9");
    }
    assertThatThrownBy(() -> update("CREATE TABLE events (a INT) USING DELTA"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("already exists");
    assertThat(update("CREATE TABLE IF NOT EXISTS events (a INT) USING DELTA")).isZero();
  }

  @Test
  void createWithLocationAndDropKeepsExternalData() throws Exception {
    Path location = external.resolve("ext_table");
    update(
        "CREATE TABLE ext (id BIGINT, kind VARCHAR) USING DELTA LOCATION '"
            + externalUri
            + "ext_table'");
    assertThat(Files.isDirectory(location.resolve("_delta_log"))).isTrue();
    assertThat(update("INSERT INTO ext VALUES (1, 'a'), (2, 'b')")).isEqualTo(2);
    assertThat(rows("SELECT id, kind FROM ext ORDER BY id"))
        .containsExactly(List.of(1L, "a"), List.of(2L, "b"));
    update("DROP TABLE ext");
    assertThatThrownBy(() -> rows("SELECT * FROM ext"))
        .isInstanceOf(OxbowException.class)
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    // an external table's files are not Oxbow's to delete
    assertThat(Files.isDirectory(location.resolve("_delta_log"))).isTrue();
    // registering it again by its location brings the rows back
    update("CREATE TABLE ext2 USING DELTA LOCATION '" + externalUri + "ext_table'");
    assertThat(rows("SELECT id, kind FROM ext2 ORDER BY id"))
        .containsExactly(List.of(1L, "a"), List.of(2L, "b"));
  }

  @Test
  void dropManagedTableRemovesItsData() throws Exception {
    seed("dropme", false);
    Path folder = warehouse.resolve("s").resolve("dropme");
    assertThat(Files.isDirectory(folder)).isTrue();
    update("DROP TABLE dropme");
    // (an object store may leave empty folders behind)
    if (Files.exists(folder)) {
      try (Stream<Path> left = Files.walk(folder)) {
        assertThat(left.filter(Files::isRegularFile)).isEmpty();
      }
    }
    assertThat(engine.listTables("lake", "s")).extracting(TableInfo::name).doesNotContain("dropme");
    assertThat(update("DROP TABLE IF EXISTS dropme")).isZero();
  }

  @Test
  void createTableAsSelect() throws Exception {
    seed("ctas_src", false);
    String query = " AS SELECT id, kind, amount, n FROM ctas_src WHERE n > 1";
    duckUpdate("CREATE TABLE ctas" + query);
    update("CREATE TABLE ctas USING DELTA PARTITIONED BY (kind)" + query);
    assertThat(deltaLog(warehouse.resolve("s").resolve("ctas")))
        .contains("\"partitionColumns\":[\"kind\"]");
    assertSameContents("ctas");
    // a CTAS whose query fails leaves no table behind
    assertThatThrownBy(
            () ->
                update(
                    "CREATE TABLE ctas_bad USING DELTA AS SELECT id, 1 / (n - n) AS x FROM ctas_src"))
        .isInstanceOf(OxbowException.class);
    assertThat(engine.listTables("lake", "s"))
        .extracting(TableInfo::name)
        .doesNotContain("ctas_bad");
  }

  @Test
  void insertOverwriteReplacesEveryRowInOneCommit() throws Exception {
    seed("ow", true);
    seed("ow_src", false);
    Path table = warehouse.resolve("s").resolve("ow");
    long commitsBefore = countCommits(table);
    // DuckDB has no INSERT OVERWRITE: its equivalent is DELETE then INSERT
    duckUpdate("DELETE FROM ow");
    long expected =
        duckUpdate("INSERT INTO ow SELECT id + 1000, kind, amount, n FROM ow_src WHERE n < 3");
    long inserted =
        update(
            "INSERT OVERWRITE TABLE ow SELECT id + 1000, kind, amount, n FROM ow_src WHERE n < 3");
    assertThat(inserted).isEqualTo(expected);
    assertThat(countCommits(table)).isEqualTo(commitsBefore + 1);
    assertSameContents("ow");
    // the previous version is still there for time travel
    assertThat(rows("SELECT COUNT(*) FROM ow VERSION AS OF " + (commitsBefore - 1)))
        .containsExactly(List.of(40L));
  }

  @Test
  void insertIsOneCommitAndAFailedInsertChangesNothing() throws Exception {
    seed("ins", false);
    Path table = warehouse.resolve("s").resolve("ins");
    long commits = countCommits(table);
    assertThat(same("INSERT INTO ins SELECT id + 100, kind, amount, n FROM ins")).isEqualTo(40);
    assertThat(countCommits(table)).isEqualTo(commits + 1);
    assertThatThrownBy(
            () ->
                update(
                    "INSERT INTO ins SELECT id, kind, amount, CAST(10 / (n - n) AS INT) FROM ins"))
        .isInstanceOf(OxbowException.class);
    assertThat(countCommits(table)).isEqualTo(commits + 1);
    assertSameContents("ins");
  }

  @Test
  void deleteMatchesDuckDb() throws Exception {
    seed("del", true);
    assertThat(same("DELETE FROM del WHERE n = 3")).isEqualTo(8);
    same("DELETE FROM del AS d WHERE d.amount > 30 AND d.kind IN ('k1', 'k2')");
    // rows whose condition is NULL stay
    same("DELETE FROM del WHERE amount < 5 OR amount IS NULL AND n = 0");
    assertThat(same("DELETE FROM del WHERE id > 1000")).isZero();
    same("DELETE FROM del WHERE id IN (SELECT id FROM del WHERE n = 4 AND kind = 'k0')");
    assertSameContents("del");
    same("DELETE FROM del");
    assertSameContents("del");
    assertThat(rows("SELECT COUNT(*) FROM del")).containsExactly(List.of(0L));
  }

  @Test
  void updateMatchesDuckDb() throws Exception {
    seed("upd", true);
    assertThat(same("UPDATE upd SET n = n + 10 WHERE kind = 'k2'")).isEqualTo(10);
    same("UPDATE upd AS u SET amount = u.amount * 2, n = 0 WHERE u.amount > 20");
    // moving rows between partitions
    same("UPDATE upd SET kind = 'moved' WHERE id % 6 = 1");
    same("UPDATE upd SET amount = NULL WHERE n = 0 AND amount IS NOT NULL AND id < 30");
    same("UPDATE upd SET n = 7");
    assertSameContents("upd");
  }

  @Test
  void dmlOnDateAndTimestampColumnsMatchesDuckDb() throws Exception {
    String columns = "(id BIGINT, d DATE, t TIMESTAMP, note VARCHAR)";
    both("CREATE TABLE dt " + columns, "CREATE TABLE dt " + columns + " USING DELTA");
    String rowsSql =
        "INSERT INTO dt VALUES (1, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.123456', 'a'),"
            + " (2, DATE '2024-02-29', TIMESTAMP '2024-02-29 23:59:59', 'b'),"
            + " (3, NULL, NULL, 'c')";
    assertThat(same(rowsSql)).isEqualTo(3);
    same(
        "UPDATE dt SET d = DATE '2025-06-30', t = TIMESTAMP '2025-06-30 12:00:00.000001'"
            + " WHERE id = 2");
    same("UPDATE dt SET note = 'late' WHERE t > TIMESTAMP '2025-01-01 00:00:00'");
    same(
        "MERGE INTO dt USING (SELECT 3 AS id, DATE '2020-01-01' AS d) AS s ON dt.id = s.id"
            + " WHEN MATCHED THEN UPDATE SET d = s.d");
    same("DELETE FROM dt WHERE d < DATE '2024-02-01'");
    String sql = "SELECT id, CAST(d AS VARCHAR), CAST(t AS VARCHAR), note FROM dt ORDER BY id";
    assertThat(rows(sql)).isEqualTo(duckRows(sql));
  }

  @Test
  void theFileFilterOfRewritesSkipsOtherFiles() throws Exception {
    seed("pruned", true);
    List<List<Object>> files = rows("SELECT DISTINCT \"$file\" FROM \"pruned$file\"");
    assertThat(files).hasSize(4);
    // the filter RowLevelChanges puts on its second pass: IN lists of up to 20 names, OR-ed
    String plan =
        rows("EXPLAIN SELECT id FROM \"pruned$file\" WHERE (\"$file\" IN ('"
                + files.get(0).get(0)
                + "') OR \"$file\" IN ('no-such-file'))")
            .toString();
    assertThat(plan).contains("files=1/4");
  }

  @Test
  void failedUpdateLeavesTheTableAsItWas() throws Exception {
    seed("upd_fail", false);
    Path table = warehouse.resolve("s").resolve("upd_fail");
    long commits = countCommits(table);
    assertThatThrownBy(() -> update("UPDATE upd_fail SET n = CAST(10 / (n - n) AS INT)"))
        .isInstanceOf(OxbowException.class);
    assertThatThrownBy(() -> update("UPDATE upd_fail SET n = nope + 1"))
        .isInstanceOf(OxbowException.class)
        .hasMessageStartingWith("UPDATE: ")
        .hasMessageContaining("nope");
    assertThat(countCommits(table)).isEqualTo(commits);
    assertSameContents("upd_fail");
  }

  @Test
  void mergeWithSeveralClauseKindsMatchesDuckDb() throws Exception {
    seed("tgt", true);
    String source = "(id BIGINT, kind VARCHAR, amount DECIMAL(10,2), n INT, op VARCHAR)";
    both("CREATE TABLE src " + source, "CREATE TABLE src " + source + " USING DELTA");
    String rowsSql =
        "INSERT INTO src VALUES (1, 'k1', 99.50, 1, 'u'), (2, 'k2', 1.00, 2, 'd'),"
            + " (3, 'k3', NULL, 3, 'u'), (5, 'k1', 7.25, 9, 'x'), (50, 'k2', 12.00, 1, 'i'),"
            + " (51, 'k3', 13.00, 2, 'i'), (52, 'k0', NULL, 3, 'skip')";
    duckUpdate(rowsSql);
    update(rowsSql);
    String merge =
        "MERGE INTO tgt AS t USING src AS s ON t.id = s.id"
            + " WHEN MATCHED AND s.op = 'd' THEN DELETE"
            + " WHEN MATCHED AND s.op = 'u' THEN UPDATE SET amount = s.amount, n = t.n + s.n"
            + " WHEN MATCHED THEN UPDATE SET kind = 'other'"
            + " WHEN NOT MATCHED AND s.op = 'i' THEN INSERT (id, kind, amount, n)"
            + " VALUES (s.id, s.kind, s.amount, s.n)"
            + " WHEN NOT MATCHED BY SOURCE AND t.n = 4 THEN DELETE"
            + " WHEN NOT MATCHED BY SOURCE AND t.id > 35 THEN UPDATE SET n = -1";
    same(merge);
    assertSameContents("tgt");
    // a source query, INSERT * and UPDATE SET *
    String merge2 =
        "MERGE INTO tgt USING (SELECT id + 10 AS id, kind, amount, n FROM src WHERE id < 10) AS s2"
            + " ON tgt.id = s2.id"
            + " WHEN MATCHED THEN UPDATE SET *"
            + " WHEN NOT MATCHED THEN INSERT *";
    same(merge2);
    assertSameContents("tgt");
  }

  @Test
  void insertOnlyAndBySourceOnlyMergesMatchDuckDb() throws Exception {
    seed("up", false);
    String source = "(id BIGINT, kind VARCHAR, amount DECIMAL(10,2), n INT)";
    both("CREATE TABLE up_src " + source, "CREATE TABLE up_src " + source + " USING DELTA");
    String rowsSql =
        "INSERT INTO up_src VALUES (3, 'k3', 1.00, 1), (60, 'new', 2.00, 2), (61, 'new', NULL, 3)";
    duckUpdate(rowsSql);
    update(rowsSql);
    assertThat(
            same(
                "MERGE INTO up USING up_src AS s ON up.id = s.id"
                    + " WHEN NOT MATCHED THEN INSERT (id, kind, n) VALUES (s.id, s.kind, s.n * 2)"))
        .isEqualTo(2);
    same(
        "MERGE INTO up USING (SELECT * FROM up_src WHERE n > 1) AS s ON up.id = s.id"
            + " WHEN NOT MATCHED BY SOURCE AND up.n = 0 THEN DELETE");
    // nothing to do: no commit
    long commits = countCommits(warehouse.resolve("s").resolve("up"));
    assertThat(
            same(
                "MERGE INTO up USING up_src AS s ON up.id = s.id AND s.n > 100"
                    + " WHEN MATCHED THEN DELETE"))
        .isZero();
    assertThat(countCommits(warehouse.resolve("s").resolve("up"))).isEqualTo(commits);
    assertSameContents("up");
    assertThatThrownBy(
            () ->
                update(
                    "MERGE INTO up USING up_src AS s ON up.id = s.nope"
                        + " WHEN MATCHED THEN DELETE"))
        .isInstanceOf(OxbowException.class)
        .hasMessageStartingWith("MERGE: ")
        .hasMessageContaining("nope")
        .hasMessageNotContaining("line 1");
  }

  @Test
  void mergeRefusesSeveralSourceRowsForOneTargetRow() throws Exception {
    seed("mm", false);
    update("CREATE TABLE mm_src (id BIGINT, v INT) USING DELTA");
    update("INSERT INTO mm_src VALUES (1, 1), (1, 2), (2, 3)");
    Path table = warehouse.resolve("s").resolve("mm");
    long commits = countCommits(table);
    assertThatThrownBy(
            () ->
                update(
                    "MERGE INTO mm USING mm_src ON mm.id = mm_src.id"
                        + " WHEN MATCHED THEN UPDATE SET n = mm_src.v"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("MERGE: multiple source rows matched the same target row")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.USER_ERROR);
    assertThat(countCommits(table)).isEqualTo(commits);
    // an unconditional DELETE is the one case where several matches are fine
    duckUpdate("DELETE FROM mm WHERE id IN (1, 2)");
    assertThat(update("MERGE INTO mm USING mm_src ON mm.id = mm_src.id WHEN MATCHED THEN DELETE"))
        .isEqualTo(2);
    assertSameContents("mm");
    // with only NOT MATCHED BY SOURCE clauses, a target row matched twice would be copied twice
    // into its rewritten file
    update("INSERT INTO mm_src VALUES (3, 4), (3, 5)");
    long before = countCommits(table);
    assertThatThrownBy(
            () ->
                update(
                    "MERGE INTO mm USING mm_src ON mm.id = mm_src.id"
                        + " WHEN NOT MATCHED BY SOURCE THEN DELETE"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("MERGE: multiple source rows matched the same target row");
    assertThat(countCommits(table)).isEqualTo(before);
    assertThatThrownBy(
            () ->
                update(
                    "MERGE INTO mm USING mm_src ON mm.id = mm_src.id"
                        + " WHEN MATCHED THEN UPDATE SET n = 1, n = 2"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("assigns column 'n' more than once");
    assertSameContents("mm");
  }

  @Test
  void copyIntoLoadsEachFileOnce() throws Exception {
    Path in = landing.resolve("in");
    Files.createDirectories(in);
    duckUpdate("CREATE TABLE loaded " + COLUMNS);
    update("CREATE TABLE loaded " + COLUMNS + " USING DELTA");
    duckUpdate(
        "COPY (SELECT * FROM ("
            + SEED
            + ") AS t(id, kind, amount, n)) TO '"
            + in.resolve("part1.parquet")
            + "' (FORMAT PARQUET)");
    String copy = "COPY INTO loaded FROM '" + landingUri + "in/' FILEFORMAT = PARQUET";
    assertThat(update(copy)).isEqualTo(40);
    assertThat(update(copy)).isZero();
    duckUpdate(
        "COPY (SELECT id + 500 AS id, kind, amount, n FROM ("
            + SEED
            + ") AS t(id, kind, amount, n) WHERE n = 1) TO '"
            + in.resolve("part2.parquet")
            + "' (FORMAT PARQUET)");
    assertThat(update(copy)).isEqualTo(8);
    duckUpdate("INSERT INTO loaded SELECT * FROM read_parquet('" + in + "/*.parquet')");
    assertSameContents("loaded");
  }

  @Test
  void copyIntoReadsCsvWithHeader() throws Exception {
    Path in = landing.resolve("csv");
    Files.createDirectories(in);
    Files.writeString(in.resolve("a.csv"), "id,kind,amount,n\n1,x,1.50,2\n2,y,,3\n");
    duckUpdate("CREATE TABLE csvt " + COLUMNS);
    update("CREATE TABLE csvt " + COLUMNS + " USING DELTA");
    assertThat(
            update(
                "COPY INTO csvt FROM '"
                    + landingUri
                    + "csv/' FILEFORMAT = CSV FORMAT_OPTIONS ('header' = 'true')"))
        .isEqualTo(2);
    duckUpdate("INSERT INTO csvt SELECT * FROM read_csv('" + in + "/*.csv', header = true)");
    assertSameContents("csvt");
  }

  @Test
  void concurrentUpdatesAndDeletesAreAllApplied() throws Exception {
    seed("conc", false);
    List<String> first =
        List.of(
            "UPDATE conc SET n = n + 100 WHERE id % 2 = 0",
            "UPDATE conc SET amount = 1.00 WHERE id % 4 = 0", "DELETE FROM conc WHERE id = 10");
    List<String> second =
        List.of(
            "UPDATE conc SET n = n + 1000 WHERE id % 2 = 1",
            "DELETE FROM conc WHERE id = 11", "UPDATE conc SET kind = 'odd' WHERE id % 2 = 1");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (List<String> statements : List.of(first, second)) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (String sql : statements) {
                    update(sql);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    // the two threads touch different rows, so any serial order gives the same table
    for (String sql : first) {
      duckUpdate(sql);
    }
    for (String sql : second) {
      duckUpdate(sql);
    }
    assertSameContents("conc");
  }

  @Test
  void aStatementPlannedOnAnOldVersionIsRunAgainAfterAConflict() throws Exception {
    seed("stale", false);
    Path table = warehouse.resolve("s").resolve("stale");
    String late = "UPDATE stale SET n = n * 10 WHERE kind = 'k1'";
    String early = "DELETE FROM stale WHERE kind = 'k2' OR n = 3";
    // planned now, so it reads the table as of this version ...
    QueryEngine.Plan stalePlan = engine.plan(session, late);
    // ... and another statement commits before it runs, rewriting the same file
    assertThat(same(early)).isPositive();
    long commits = countCommits(table);
    long retries = engine.conflictRetries();
    assertThat(engine.executeUpdate(session, late, stalePlan)).isEqualTo(duckUpdate(late));
    assertThat(engine.conflictRetries()).isEqualTo(retries + 1);
    assertThat(countCommits(table)).isEqualTo(commits + 1);
    assertSameContents("stale");
  }

  @Test
  void memoryCatalogsInsertButCannotRewrite() {
    update("CREATE TABLE mem.main.m (id BIGINT)");
    assertThat(update("INSERT INTO mem.main.m VALUES (1), (2)")).isEqualTo(2);
    assertThat(rows("SELECT id FROM mem.main.m ORDER BY id"))
        .containsExactly(List.of(1L), List.of(2L));
    assertThatThrownBy(() -> update("DELETE FROM mem.main.m WHERE id = 1"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("DELETE needs a Delta table");
    assertThatThrownBy(() -> update("INSERT OVERWRITE mem.main.m VALUES (3)"))
        .hasMessageContaining("INSERT OVERWRITE is not supported");
  }

  private static long countCommits(Path table) throws Exception {
    try (Stream<Path> files = Files.list(table.resolve("_delta_log"))) {
      return files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.json")).count();
    }
  }
}
