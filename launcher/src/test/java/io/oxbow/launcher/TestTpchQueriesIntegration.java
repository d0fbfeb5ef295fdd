package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.testing.DuckDbReference;
import io.oxbow.testing.ResultAssertions;
import io.oxbow.testing.TestingOxbowServer;
import io.oxbow.testing.TestingPaths;
import io.oxbow.testing.TestingTpchWarehouse;
import io.oxbow.tpch.TpchQueries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TPC-H queries (standard text) at SF 0.01 through the Flight SQL JDBC driver, compared with
 * DuckDB on the same Parquet files. The generator's address and comment strings differ from
 * dbgen's, so DuckDB (not the dbgen answer files) is the reference for every query.
 */
class TestTpchQueriesIntegration {
  private static TestingOxbowServer server;
  private static DuckDbReference duckdb;

  @BeforeAll
  static void start() throws Exception {
    Path warehouse = TestingTpchWarehouse.sf001();
    server = new TestingOxbowServer(warehouse);
    duckdb = new DuckDbReference(warehouse);
  }

  @AfterAll
  static void stop() throws Exception {
    duckdb.close();
    server.close();
  }

  @ParameterizedTest(name = "TPC-H Q{0}")
  @ValueSource(
      ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22})
  void matchesDuckDb(int query) throws Exception {
    String sql = TpchQueries.text(query);
    List<List<Object>> ours = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("analyst"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        ours.add(row);
      }
    }
    // DuckDB does not accept the interval precision "day (3)" of the standard Q1 text
    ResultAssertions.assertSameRows(
        ours, duckdb.query(sql.replace("day (3)", "day").replace(";", "")));
  }

  /**
   * EXPLAIN of every query is checked in under {@code src/test/resources/.../explain}, so a plan
   * change shows up in review. Run with {@code -Doxbow.updateGolden=true} to rewrite the files.
   */
  @ParameterizedTest(name = "EXPLAIN Q{0}")
  @ValueSource(
      ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22})
  void explainMatchesGoldenFile(int query) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("analyst"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("EXPLAIN " + TpchQueries.text(query))) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    String name = String.format("explain/q%02d.txt", query);
    Path golden =
        TestingPaths.root().resolve("launcher/src/test/resources/io/oxbow/launcher").resolve(name);
    if (Boolean.getBoolean("oxbow.updateGolden")) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, plan.toString());
    }
    assertThat(golden)
        .as("golden file %s (create it with -Doxbow.updateGolden=true)", name)
        .exists();
    assertThat(plan.toString()).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
  }
}
