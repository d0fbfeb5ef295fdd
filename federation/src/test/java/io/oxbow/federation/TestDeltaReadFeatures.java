package io.oxbow.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta read features through the whole facade (SQL text to rows) over tables Oxbow did not write:
 * the golden table {@code time-travel-start-start20-start40} (Spark, three appends) and the
 * delta-rs tables {@code cdf} (change data feed on; create, append, update, delete, append) and
 * {@code parts} (partitioned, with statistics), copied into a temporary warehouse. Expected rows
 * come from DuckDB reading the same Parquet files, and from delta-rs's own output ({@code
 * cdf_expected}).
 */
class TestDeltaReadFeatures {
  private static final Path DELTA_RESOURCES = Path.of("../connectors/delta/src/test/resources");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The commit time the test gives version {@code v}: 2024-01-01 plus v minutes (UTC). */
  private static Instant commitTime(long version) {
    return Instant.parse("2024-01-01T00:00:00Z").plusSeconds(60 * version);
  }

  @TempDir static Path warehouse;
  private static QueryEngine engine;
  private static Session session;
  private static Connection duckdb;

  @BeforeAll
  static void setUp() throws Exception {
    copy(DELTA_RESOURCES.resolve("golden/time-travel-start-start20-start40"), "tt");
    copy(DELTA_RESOURCES.resolve("deltars/cdf"), "cdf");
    copy(DELTA_RESOURCES.resolve("deltars/parts"), "parts");
    engine =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("lake", "delta", Map.of("warehouse", warehouse.toString()))
                .withUser("admin", "admin")
                .withDefaultNamespace("lake", "s")
                .withQueryMemoryLimit(64L << 20));
    session = engine.newSession("admin");
    duckdb = DriverManager.getConnection("jdbc:duckdb:");
  }

  @AfterAll
  static void tearDown() throws Exception {
    duckdb.close();
    // closing the root allocator throws if any query leaked a buffer
    engine.close();
  }

  /** Copies a table to {@code warehouse/s/<name>}, commit file times set by {@link #commitTime}. */
  private static void copy(Path from, String name) throws IOException {
    Path to = warehouse.resolve("s").resolve(name);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
    }
    try (Stream<Path> commits = Files.list(to.resolve("_delta_log"))) {
      for (Path commit : commits.toList()) {
        String file = commit.getFileName().toString();
        if (file.matches("\\d{20}\\.json")) {
          Files.setLastModifiedTime(
              commit, FileTime.from(commitTime(Long.parseLong(file.substring(0, 20)))));
        }
      }
    }
  }

  /** The data files of a table at a version, read from its log (appends only). */
  private static List<String> addedFiles(String table, long version) throws IOException {
    List<String> files = new ArrayList<>();
    Path log = warehouse.resolve("s").resolve(table).resolve("_delta_log");
    for (long v = 0; v <= version; v++) {
      for (String line : Files.readAllLines(log.resolve(String.format("%020d.json", v)))) {
        JsonNode action = JSON.readTree(line);
        assertThat(action.has("remove")).as("the test reads append-only tables").isFalse();
        if (action.has("add")) {
          files.add(log.getParent().resolve(action.get("add").get("path").asText()).toString());
        }
      }
    }
    return files;
  }

  /** DuckDB's answer over {@code files} (a view {@code t}). */
  private static List<List<Object>> duck(List<String> files, String sql) throws Exception {
    List<String> quoted = files.stream().map(f -> "'" + f.replace("'", "''") + "'").toList();
    try (Statement s = duckdb.createStatement()) {
      s.execute(
          "CREATE OR REPLACE VIEW t AS SELECT * FROM read_parquet(["
              + String.join(", ", quoted)
              + "])");
      List<List<Object>> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(sql)) {
        int columns = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<Object> row = new ArrayList<>();
          for (int c = 1; c <= columns; c++) {
            Object value = rs.getObject(c);
            row.add(value instanceof Integer i ? Long.valueOf(i) : value);
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  @Test
  void versionAsOfMatchesDuckDbOverThatVersionsFiles() throws Exception {
    for (long v = 0; v <= 2; v++) {
      List<List<Object>> expected = duck(addedFiles("tt", v), "SELECT id FROM t ORDER BY id");
      assertThat(expected).isNotEmpty();
      assertThat(run("SELECT id FROM tt VERSION AS OF " + v + " ORDER BY id"))
          .as("version %d", v)
          .isEqualTo(expected);
      assertThat(run("SELECT x.id FROM lake.s.tt FOR VERSION AS OF " + v + " AS x ORDER BY 1"))
          .isEqualTo(expected);
    }
    assertThat(run("SELECT id FROM tt ORDER BY id"))
        .isEqualTo(duck(addedFiles("tt", 2), "SELECT id FROM t ORDER BY id"));
    // versions side by side: rows added by version 2
    assertThat(
            run(
                "SELECT a.id FROM tt VERSION AS OF 2 a LEFT JOIN tt VERSION AS OF 1 b"
                    + " ON a.id = b.id WHERE b.id IS NULL ORDER BY a.id"))
        .isEqualTo(
            duck(
                addedFiles("tt", 2).subList(addedFiles("tt", 1).size(), addedFiles("tt", 2).size()),
                "SELECT id FROM t ORDER BY id"));
  }

  @Test
  void timestampAsOfPicksTheLatestCommitAtOrBeforeIt() throws Exception {
    // commits at 00:00, 00:01 and 00:02 on 2024-01-01 (UTC)
    assertThat(run("SELECT count(*) FROM tt TIMESTAMP AS OF '2024-01-01 00:01:30'"))
        .isEqualTo(duck(addedFiles("tt", 1), "SELECT count(*) FROM t"));
    assertThat(run("SELECT count(*) FROM tt TIMESTAMP AS OF TIMESTAMP '2024-01-01 00:01:00'"))
        .isEqualTo(duck(addedFiles("tt", 1), "SELECT count(*) FROM t"));
    assertThat(run("SELECT count(*) FROM tt FOR TIMESTAMP AS OF '2024-01-01T00:00:59'"))
        .isEqualTo(duck(addedFiles("tt", 0), "SELECT count(*) FROM t"));
    assertThat(run("SELECT count(*) FROM tt TIMESTAMP AS OF '2024-01-01 00:02:00'"))
        .isEqualTo(duck(addedFiles("tt", 2), "SELECT count(*) FROM t"));
    // before the first commit or after the last (as Databricks): a clear error
    for (String at : List.of("2023-12-31", "2024-01-01 00:05:00")) {
      assertThatThrownBy(() -> run("SELECT count(*) FROM tt TIMESTAMP AS OF '" + at + "'"))
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining("has no version at")
          .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
    }
  }

  @Test
  void versionAsOfOfADeltaRsTableMatchesDeltaRs() throws Exception {
    for (long v = 0; v <= 4; v++) {
      List<List<Object>> expected = new ArrayList<>();
      for (JsonNode row : jsonLines("deltars/cdf_expected/version_" + v + ".jsonl")) {
        expected.add(List.of(row.get("id").asLong(), row.get("part").asText()));
      }
      expected.sort((a, b) -> Long.compare((Long) a.get(0), (Long) b.get(0)));
      assertThat(run("SELECT id, part FROM cdf VERSION AS OF " + v + " ORDER BY id"))
          .as("version %d", v)
          .isEqualTo(expected);
    }
  }

  @Test
  void describeHistoryIsNewestFirst() throws Exception {
    List<List<Object>> expected = new ArrayList<>();
    for (JsonNode row : jsonLines("deltars/cdf_expected/history.jsonl")) {
      long version = row.get("version").asLong();
      expected.add(
          List.of(
              version,
              commitTime(version).getEpochSecond() * 1_000_000L,
              row.get("operation").asText()));
    }
    assertThat(run("DESCRIBE HISTORY cdf").stream().map(r -> r.subList(0, 3)).toList())
        .isEqualTo(expected);
    assertThat(run("DESCRIBE HISTORY lake.s.cdf").stream().map(r -> r.get(0)).toList())
        .containsExactly(4L, 3L, 2L, 1L, 0L);
    assertThat(run("DESC HISTORY CDF LIMIT 2").stream().map(r -> r.get(0)).toList())
        .containsExactly(4L, 3L);
  }

  @Test
  void tableChangesMatchDeltaRsLoadCdf() throws Exception {
    List<List<Object>> expected = new ArrayList<>();
    for (JsonNode row : jsonLines("deltars/cdf_expected/changes.jsonl")) {
      long version = row.get("_commit_version").asLong();
      if (version >= 1 && version <= 3) {
        expected.add(
            List.of(
                row.get("id").asLong(),
                row.get("_change_type").asText(),
                version,
                commitTime(version).getEpochSecond() * 1_000_000L));
      }
    }
    expected.sort(
        (a, b) ->
            a.get(2).equals(b.get(2))
                ? a.get(0).equals(b.get(0))
                    ? ((String) a.get(1)).compareTo((String) b.get(1))
                    : Long.compare((Long) a.get(0), (Long) b.get(0))
                : Long.compare((Long) a.get(2), (Long) b.get(2)));
    assertThat(expected).extracting(r -> r.get(1)).contains("update_preimage", "delete");
    String columns = "id, _change_type, _commit_version, _commit_timestamp";
    assertThat(
            run(
                "SELECT "
                    + columns
                    + " FROM table_changes('cdf', 1, 3) ORDER BY _commit_version, id,"
                    + " _change_type"))
        .isEqualTo(expected);
    assertThat(
            run("SELECT " + columns + " FROM table_changes('lake.s.cdf', 1, 3) c ORDER BY 3, 1, 2"))
        .isEqualTo(expected);
    long all = jsonLines("deltars/cdf_expected/changes.jsonl").size();
    assertThat(run("SELECT count(*) FROM table_changes('s.cdf', 0)")).containsExactly(List.of(all));
    assertThatThrownBy(() -> run("SELECT * FROM table_changes('tt', 0)"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("change data feed");
    assertThatThrownBy(() -> run("SELECT * FROM table_changes('cdf')"))
        .isInstanceOf(OxbowException.class)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }

  @Test
  void explainShowsFilesScannedAndResultsMatchDuckDb() throws Exception {
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(warehouse.resolve("s").resolve("parts"))) {
      walk.filter(p -> p.toString().endsWith(".parquet")).forEach(p -> files.add(p.toString()));
    }
    int total = files.size();
    String[][] queries = {
      {"x = 101", "x = 101"},
      {"x < 5", "x < 5"},
      {"x > 200", "x > 200"},
      {"x BETWEEN 100 AND 104", "x BETWEEN 100 AND 104"},
      {"x IN (0, 210)", "x IN (0, 210)"},
      {"s = 's011'", "s = 's011'"},
      {"s IS NULL", "s IS NULL"}
    };
    for (String[] q : queries) {
      String plan = explain("EXPLAIN SELECT x, s FROM parts WHERE " + q[0]);
      List<List<Object>> expected = duck(files, "SELECT x, s FROM t WHERE " + q[1] + " ORDER BY x");
      assertThat(run("SELECT x, s FROM parts WHERE " + q[0] + " ORDER BY x"))
          .as(q[0])
          .isEqualTo(expected);
      // every file holding a matching row is scanned; files were skipped when no row matched
      String withNames =
          "SELECT count(DISTINCT filename) FROM read_parquet(["
              + String.join(", ", files.stream().map(f -> "'" + f + "'").toList())
              + "], filename = true) WHERE "
              + q[1];
      long filesWithMatches = ((Number) duck(files, withNames).get(0).get(0)).longValue();
      String counts = plan.replaceAll("(?s).*files=(\\d+)/(\\d+).*", "$1/$2");
      assertThat(counts).as("EXPLAIN of %s: %s", q[0], plan).matches("\\d+/\\d+");
      long scanned = Long.parseLong(counts.split("/")[0]);
      assertThat(Long.parseLong(counts.split("/")[1])).isEqualTo(total);
      assertThat(scanned).as(q[0]).isBetween(filesWithMatches, (long) total);
      if (!q[0].equals("s IS NULL")) {
        assertThat(scanned).as("%s skips files: %s", q[0], plan).isLessThan(total);
      }
    }
  }

  @Test
  void partitionFiltersPruneFilesAndMatchDuckDb() throws Exception {
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(warehouse.resolve("s").resolve("parts"))) {
      walk.filter(p -> p.toString().endsWith(".parquet")).forEach(p -> files.add(p.toString()));
    }
    // Delta writes a null partition value as the directory name __HIVE_DEFAULT_PARTITION__
    String all =
        "SELECT * FROM (SELECT x, s, CAST(NULLIF(p, '__HIVE_DEFAULT_PARTITION__') AS BIGINT) AS p,"
            + " CAST(d AS DATE) AS d FROM read_parquet(["
            + String.join(", ", files.stream().map(f -> "'" + f + "'").toList())
            + "], hive_partitioning = true, hive_types = {'p': VARCHAR, 'd': VARCHAR}))";
    String[] filters = {
      "p = 1",
      "p IN (0, 2)",
      "p IS NULL",
      "d = DATE '2024-06-30'",
      "p > 0 AND d < DATE '2024-02-01'"
    };
    for (String filter : filters) {
      List<List<Object>> expected = new ArrayList<>();
      for (List<Object> row : duck(files, all + " WHERE " + filter + " ORDER BY x")) {
        expected.add(
            List.of(
                row.get(0),
                row.get(1),
                row.get(2) == null ? "null" : row.get(2),
                ((java.time.LocalDate) row.get(3)).toEpochDay()));
      }
      List<List<Object>> ours = new ArrayList<>();
      for (List<Object> row : run("SELECT x, s, p, d FROM parts WHERE " + filter + " ORDER BY x")) {
        ours.add(
            List.of(
                row.get(0),
                row.get(1),
                row.get(2) == null ? "null" : row.get(2),
                ((Number) row.get(3)).longValue()));
      }
      assertThat(ours).as(filter).isNotEmpty().isEqualTo(expected);
      String plan = explain("EXPLAIN SELECT x FROM parts WHERE " + filter);
      String counts = plan.replaceAll("(?s).*files=(\\d+)/(\\d+).*", "$1/$2");
      assertThat(counts).as(plan).matches("\\d+/" + files.size());
      assertThat(Long.parseLong(counts.split("/")[0])).as(plan).isLessThan(files.size());
    }
  }

  @Test
  void timeTravelAndFiltersTogether() throws Exception {
    assertThat(run("SELECT id FROM cdf VERSION AS OF 1 WHERE part = 'a' ORDER BY id"))
        .isEqualTo(
            jsonLines("deltars/cdf_expected/version_1.jsonl").stream()
                .filter(r -> r.get("part").asText().equals("a"))
                .map(r -> (List<Object>) List.<Object>of(r.get("id").asLong()))
                .sorted((a, b) -> Long.compare((Long) a.get(0), (Long) b.get(0)))
                .toList());
    assertThat(explain("EXPLAIN SELECT id FROM cdf VERSION AS OF 1 WHERE part = 'a'"))
        .containsPattern("files=\\d+/\\d+");
  }

  private static List<JsonNode> jsonLines(String resource) throws IOException {
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(DELTA_RESOURCES.resolve(resource))) {
      if (!line.isBlank()) {
        rows.add(JSON.readTree(line));
      }
    }
    return rows;
  }

  private static String explain(String sql) {
    return String.join("\n", run(sql).stream().map(r -> (String) r.get(0)).toList());
  }

  private static List<List<Object>> run(String sql) {
    List<List<Object>> rows = new ArrayList<>();
    try (QueryResult result = engine.execute(session, sql)) {
      VectorSchemaRoot batch;
      while ((batch = result.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          for (int r = 0; r < b.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector vector : b.getFieldVectors()) {
              row.add(Values.get(vector, r));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }
}
