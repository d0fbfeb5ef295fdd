package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a local Delta table without delta-kernel or Oxbow's reader, as an independent check of what
 * Oxbow wrote: replays the {@code _delta_log/*.json} commits with Jackson to find the live files,
 * and reads those Parquet files with DuckDB ({@code read_parquet}), adding partition values from
 * the log.
 */
final class DeltaLogOracle {
  static final ObjectMapper JSON = new ObjectMapper();

  private DeltaLogOracle() {}

  /** The highest committed version (-1 if there is no log). */
  static long latestVersion(Path table) {
    Path log = table.resolve("_delta_log");
    if (!Files.isDirectory(log)) {
      return -1;
    }
    try (Stream<Path> files = Files.list(log)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d{20}\\.json"))
          .mapToLong(n -> Long.parseLong(n.substring(0, 20)))
          .max()
          .orElse(-1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The actions of commit {@code version}, one JSON object per line. */
  static List<JsonNode> actions(Path table, long version) {
    Path commit = table.resolve("_delta_log").resolve(String.format("%020d.json", version));
    try {
      List<JsonNode> actions = new ArrayList<>();
      for (String line : Files.readAllLines(commit)) {
        if (!line.isBlank()) {
          actions.add(JSON.readTree(line));
        }
      }
      return actions;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The actions of one kind ({@code add}, {@code remove}, {@code metaData}, ...) of a commit. */
  static List<JsonNode> actions(Path table, long version, String kind) {
    return actions(table, version).stream().filter(a -> a.has(kind)).map(a -> a.get(kind)).toList();
  }

  /** The add actions live at the latest version, by path, replaying every JSON commit. */
  static Map<String, JsonNode> liveFiles(Path table) {
    Map<String, JsonNode> live = new LinkedHashMap<>();
    long latest = latestVersion(table);
    for (long v = 0; v <= latest; v++) {
      for (JsonNode action : actions(table, v)) {
        if (action.has("add")) {
          live.put(action.get("add").get("path").asText(), action.get("add"));
        } else if (action.has("remove")) {
          live.remove(action.get("remove").get("path").asText());
        }
      }
    }
    return live;
  }

  /** The local file of an add action's (URI-encoded, relative or absolute) path. */
  static Path dataFile(Path table, String addPath) {
    try {
      URI uri = new URI(addPath);
      if (uri.isAbsolute()) {
        return Path.of(uri);
      }
      return table.resolve(uri.getPath());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /**
   * A DuckDB query of the live rows: {@code columns} maps each column to its DuckDB type; partition
   * columns come from the add actions' partition values.
   */
  static String liveRowsSql(
      Path table, Map<String, String> columns, List<String> partitionColumns) {
    List<String> selects = new ArrayList<>();
    for (JsonNode add : liveFiles(table).values()) {
      List<String> items = new ArrayList<>();
      for (Map.Entry<String, String> column : columns.entrySet()) {
        if (partitionColumns.contains(column.getKey())) {
          JsonNode value = add.get("partitionValues").get(column.getKey());
          String literal =
              value == null || value.isNull()
                  ? "NULL"
                  : "'" + value.asText().replace("'", "''") + "'";
          items.add("CAST(" + literal + " AS " + column.getValue() + ") AS " + column.getKey());
        } else {
          items.add(
              "CAST(" + column.getKey() + " AS " + column.getValue() + ") AS " + column.getKey());
        }
      }
      selects.add(
          "SELECT "
              + String.join(", ", items)
              + " FROM read_parquet('"
              + dataFile(table, add.get("path").asText())
              + "')");
    }
    if (selects.isEmpty()) {
      List<String> items = new ArrayList<>();
      columns.forEach((name, type) -> items.add("CAST(NULL AS " + type + ") AS " + name));
      return "SELECT " + String.join(", ", items) + " WHERE false";
    }
    return String.join(" UNION ALL ", selects);
  }

  /**
   * Asserts that the live rows of {@code table}, read by DuckDB, are exactly {@code expectedRows}
   * (a multiset; each a SQL tuple of literals in column order).
   */
  static void assertRows(
      Path table,
      Map<String, String> columns,
      List<String> partitionColumns,
      List<String> expectedRows) {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duck.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      List<String> definitions = new ArrayList<>();
      columns.forEach((name, type) -> definitions.add(name + " " + type));
      s.execute("CREATE TABLE expected (" + String.join(", ", definitions) + ")");
      for (int i = 0; i < expectedRows.size(); i += 500) {
        s.execute(
            "INSERT INTO expected VALUES "
                + String.join(
                    ", ", expectedRows.subList(i, Math.min(expectedRows.size(), i + 500))));
      }
      s.execute("CREATE TABLE actual AS " + liveRowsSql(table, columns, partitionColumns));
      try (ResultSet rs =
          s.executeQuery(
              "SELECT (SELECT count(*) FROM actual),"
                  + " (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)),"
                  + " (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))")) {
        rs.next();
        assertThat(rs.getLong(1)).as("live rows").isEqualTo(expectedRows.size());
        assertThat(rs.getLong(2)).as("expected rows missing from the table").isZero();
        assertThat(rs.getLong(3)).as("table rows that were not expected").isZero();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Asserts that the live rows of {@code table}, read by DuckDB, are exactly the rows of DuckDB
   * query {@code expectedSql} (a multiset, compared column by column after casting to {@code
   * columns}' types).
   */
  static void assertRowsEqualQuery(
      Path table, Map<String, String> columns, List<String> partitionColumns, String expectedSql) {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duck.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      List<String> casts = new ArrayList<>();
      columns.forEach((name, type) -> casts.add("CAST(" + name + " AS " + type + ") AS " + name));
      s.execute(
          "CREATE TABLE expected AS SELECT "
              + String.join(", ", casts)
              + " FROM ("
              + expectedSql
              + ")");
      s.execute("CREATE TABLE actual AS " + liveRowsSql(table, columns, partitionColumns));
      try (ResultSet rs =
          s.executeQuery(
              "SELECT (SELECT count(*) FROM actual), (SELECT count(*) FROM expected),"
                  + " (SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual)),"
                  + " (SELECT count(*) FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected))")) {
        rs.next();
        assertThat(rs.getLong(1)).as("live rows").isEqualTo(rs.getLong(2));
        assertThat(rs.getLong(3)).as("expected rows missing from the table").isZero();
        assertThat(rs.getLong(4)).as("table rows that were not expected").isZero();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Number of Parquet files on disk under the table (live or not). */
  static long parquetFilesOnDisk(Path table) {
    try (Stream<Path> files = Files.walk(table)) {
      return files
          .filter(p -> p.toString().endsWith(".parquet"))
          .filter(p -> !p.toString().contains("_delta_log"))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
