package io.oxbow.flight;

import static io.oxbow.flight.TestingFlightWarehouse.ITEMS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.federation.QueryEngine;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Flight SQL service through the real Arrow Flight SQL JDBC driver. */
class TestFlightSqlJdbcIntegration {
  @TempDir static Path warehouse;
  private static QueryEngine engine;
  private static OxbowFlightServer server;

  @BeforeAll
  static void start() {
    TestingFlightWarehouse.write(warehouse);
    engine = TestingFlightWarehouse.engine(warehouse);
    server = OxbowFlightServer.start(engine);
  }

  @AfterAll
  static void stop() {
    server.close();
    assertThat(server.producer().activeQueries()).isZero();
    // the engine's root allocator throws here if any buffer leaked
    assertThatCode(engine::close).doesNotThrowAnyException();
  }

  private static Connection connect(String user, String password) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:arrow-flight-sql://127.0.0.1:"
            + server.port()
            + "?useEncryption=false&user="
            + user
            + "&password="
            + password);
  }

  private static List<String> column(ResultSet rs, String name) throws SQLException {
    List<String> values = new ArrayList<>();
    while (rs.next()) {
      values.add(rs.getString(name));
    }
    rs.close();
    return values;
  }

  @Test
  void serverBindsTheConfiguredHost() {
    assertThat(server.host()).isEqualTo("127.0.0.1");
    assertThat(server.port()).isPositive();
  }

  @Test
  void timesAndIntervalsReachJdbcAsJavaTimeValues() throws Exception {
    try (Connection c = connect("admin", "admin");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT TIME '12:34:56', INTERVAL '2' DAY + INTERVAL '3' HOUR,"
                    + " INTERVAL '1-2' YEAR TO MONTH,"
                    + " (TIMESTAMP '2024-03-31 10:00:00' - TIMESTAMP '2024-03-30 09:30:00') DAY TO SECOND")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getTime(1).toLocalTime()).isEqualTo(java.time.LocalTime.of(12, 34, 56));
      assertThat(rs.getObject(2)).isEqualTo(java.time.Duration.ofHours(51));
      assertThat(rs.getObject(3)).isEqualTo(java.time.Period.ofMonths(14));
      assertThat(rs.getObject(4)).isEqualTo(java.time.Duration.ofMinutes(24 * 60 + 30));
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void runsQueriesWithExactValues() throws Exception {
    try (Connection c = connect("admin", "admin");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT name, count(*) AS n, sum(price) AS total, min(sold_on) AS first_day "
                    + "FROM items WHERE id < 700 GROUP BY name ORDER BY name")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(
            rs.getString(1)
                + "|"
                + rs.getLong(2)
                + "|"
                + rs.getBigDecimal(3).toPlainString()
                + "|"
                + rs.getDate(4));
      }
      List<String> expected = new ArrayList<>();
      for (int g = 0; g < 7; g++) {
        long count = 0;
        long cents = 0;
        int minDay = Integer.MAX_VALUE;
        for (int id = 0; id < 700; id++) {
          if (id % 7 == g) {
            count++;
            cents += id % 100;
            minDay = Math.min(minDay, 9000 + id % 30);
          }
        }
        expected.add(
            "item-"
                + g
                + "|"
                + count
                + "|"
                + BigDecimal.valueOf(cents, 2).toPlainString()
                + "|"
                + java.time.LocalDate.ofEpochDay(minDay));
      }
      assertThat(rows).isEqualTo(expected);
    }
  }

  @Test
  void joinsAcrossSchemasWithQualifiedNames() throws Exception {
    try (Connection c = connect("admin", "admin");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT o.o_orderkey, i.name, i.price FROM demo.sales.orders o "
                    + "JOIN demo.tpch.items i ON i.id = o.o_item ORDER BY o.o_orderkey")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getBigDecimal(3));
      }
      assertThat(rows).containsExactly("100|item-0|0.00", "101|item-3|0.10", "102|item-6|0.20");
    }
  }

  @Test
  void preparedStatementsAndLargeResultsStreamCompletely() throws Exception {
    try (Connection c = connect("analyst", "analyst");
        PreparedStatement p =
            c.prepareStatement("SELECT id, name FROM demo.tpch.items ORDER BY id")) {
      assertThat(p.getMetaData().getColumnCount()).isEqualTo(2);
      assertThat(p.getMetaData().getColumnName(1)).isEqualTo("id");
      // the same prepared statement runs twice
      for (int run = 0; run < 2; run++) {
        try (ResultSet rs = p.executeQuery()) {
          long expected = 0;
          while (rs.next()) {
            assertThat(rs.getLong(1)).isEqualTo(expected);
            assertThat(rs.getString(2)).isEqualTo("item-" + expected % 7);
            expected++;
          }
          assertThat(expected).isEqualTo(ITEMS);
        }
      }
    }
  }

  @Test
  void errorsAreClearAndTheServerKeepsServing() throws Exception {
    try (Connection c = connect("admin", "admin");
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeQuery("SELEC * FROM items"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("line 1, column 1")
          .hasMessageContaining("USER_ERROR, SQLSTATE 42000");
      assertCountWorks(s);
      assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no_such_table")
          .hasMessageContaining("not found")
          .hasMessageContaining("SQLSTATE 42S02");
      assertCountWorks(s);
      assertThatThrownBy(() -> s.executeQuery("SELECT name + 1 FROM items"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Cannot apply '+' to arguments of type")
          .hasMessageContaining("SQLSTATE 42000");
      assertCountWorks(s);
      assertThatThrownBy(() -> c.prepareStatement("SELECT nope FROM items"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("nope");
      assertCountWorks(s);
    }
  }

  private static void assertCountWorks(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(1)).isEqualTo(ITEMS);
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void wrongPasswordIsRejected() {
    assertThatThrownBy(() -> connect("admin", "wrong").createStatement().executeQuery("SELECT 1"))
        .isInstanceOf(SQLException.class)
        .hasStackTraceContaining("Invalid user name or password");
    assertThatThrownBy(() -> connect("nobody", "admin").createStatement().executeQuery("SELECT 1"))
        .isInstanceOf(SQLException.class)
        .hasStackTraceContaining("Invalid user name or password");
  }

  @Test
  void catalogsAndSchemasWithFilters() throws Exception {
    try (Connection c = connect("admin", "admin")) {
      DatabaseMetaData meta = c.getMetaData();
      assertThat(column(meta.getCatalogs(), "TABLE_CAT")).containsExactly("demo");
      assertThat(column(meta.getSchemas(), "TABLE_SCHEM")).containsExactly("sales", "tpch");
      assertThat(column(meta.getSchemas("demo", "tp%"), "TABLE_SCHEM")).containsExactly("tpch");
      assertThat(column(meta.getSchemas("demo", "t_ch"), "TABLE_SCHEM")).containsExactly("tpch");
      assertThat(column(meta.getSchemas("demo", "%a%"), "TABLE_SCHEM")).containsExactly("sales");
      assertThat(column(meta.getSchemas("demo", "tp"), "TABLE_SCHEM")).isEmpty();
      assertThat(column(meta.getSchemas("other", "%"), "TABLE_SCHEM")).isEmpty();
      try (ResultSet rs = meta.getSchemas("demo", "sales")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_CATALOG")).isEqualTo("demo");
        assertThat(rs.getString("TABLE_SCHEM")).isEqualTo("sales");
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void tablesWithPatternsAndTypes() throws Exception {
    try (Connection c = connect("admin", "admin")) {
      DatabaseMetaData meta = c.getMetaData();
      try (ResultSet rs = meta.getTables("demo", "tpch", "it%", null)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_CAT")).isEqualTo("demo");
        assertThat(rs.getString("TABLE_SCHEM")).isEqualTo("tpch");
        assertThat(rs.getString("TABLE_NAME")).isEqualTo("items");
        assertThat(rs.getString("TABLE_TYPE")).isEqualTo("TABLE");
        assertThat(rs.next()).isFalse();
      }
      assertThat(column(meta.getTables(null, null, "%", null), "TABLE_NAME"))
          .containsExactlyInAnyOrder("items", "nation", "orders");
      assertThat(column(meta.getTables("demo", "%", "_a%", null), "TABLE_NAME"))
          .containsExactly("nation");
      assertThat(column(meta.getTables("demo", "sales", "%", null), "TABLE_NAME"))
          .containsExactly("orders");
      assertThat(column(meta.getTables("demo", "tpch", "zz%", null), "TABLE_NAME")).isEmpty();
      assertThat(column(meta.getTables("demo", null, "%", new String[] {"TABLE"}), "TABLE_NAME"))
          .hasSize(3);
      assertThat(column(meta.getTables("demo", null, "%", new String[] {"VIEW"}), "TABLE_NAME"))
          .isEmpty();
      assertThat(column(meta.getTableTypes(), "TABLE_TYPE")).containsExactly("TABLE");
    }
  }

  @Test
  void columnsComeFromEachTablesArrowSchema() throws Exception {
    try (Connection c = connect("admin", "admin")) {
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getColumns("demo", "tpch", "items", null)) {
        while (rs.next()) {
          columns.add(
              rs.getString("COLUMN_NAME")
                  + ":"
                  + rs.getInt("DATA_TYPE")
                  + ":"
                  + rs.getInt("ORDINAL_POSITION"));
        }
      }
      assertThat(columns)
          .containsExactly(
              "id:" + Types.BIGINT + ":1",
              "name:" + Types.VARCHAR + ":2",
              "price:" + Types.DECIMAL + ":3",
              "sold_on:" + Types.DATE + ":4");
      assertThat(column(c.getMetaData().getColumns("demo", "%", "nation", "n_n%"), "COLUMN_NAME"))
          .containsExactly("n_nationkey", "n_name");
    }
  }

  @Test
  void databaseInfoComesFromSqlInfo() throws Exception {
    try (Connection c = connect("admin", "admin")) {
      DatabaseMetaData meta = c.getMetaData();
      assertThat(meta.getDatabaseProductName()).isEqualTo("Oxbow");
      assertThat(meta.getDatabaseProductVersion()).isEqualTo(OxbowSqlInfo.serverVersion());
      assertThat(meta.getIdentifierQuoteString()).isEqualTo("\"");
      assertThat(meta.getSearchStringEscape()).isEqualTo("\\");
      assertThat(meta.supportsTransactions()).isFalse();
    }
  }

  @Test
  void manyClientsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int bound = 1000 * (t + 1);
        results.add(
            pool.submit(
                () -> {
                  long total = 0;
                  String user = bound % 2000 == 0 ? "admin" : "analyst";
                  try (Connection c = connect(user, user);
                      Statement s = c.createStatement()) {
                    for (int i = 0; i < 5; i++) {
                      try (ResultSet rs =
                          s.executeQuery("SELECT id FROM items WHERE id < " + bound)) {
                        while (rs.next()) {
                          total += rs.getLong(1);
                        }
                      }
                    }
                  }
                  return total;
                }));
      }
      for (int t = 0; t < 8; t++) {
        long n = 1000L * (t + 1);
        assertThat(results.get(t).get(2, TimeUnit.MINUTES)).isEqualTo(5 * n * (n - 1) / 2);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
