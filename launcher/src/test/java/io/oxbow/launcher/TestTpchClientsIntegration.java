package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oxbow.testing.DuckDbReference;
import io.oxbow.testing.ResultAssertions;
import io.oxbow.testing.TestingOxbowServer;
import io.oxbow.testing.TestingPythonEnvironment;
import io.oxbow.testing.TestingTpchWarehouse;
import io.oxbow.tpch.TpchQueries;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TPC-H Q1 and Q6 (standard text) at SF 0.01 through the Arrow Flight SQL JDBC driver and through
 * Python ADBC with pyarrow, compared with DuckDB reading the same Parquet files.
 *
 * <p>Values are compared with {@link ResultAssertions} (decimals exactly; DuckDB's DOUBLE averages
 * after rounding to Oxbow's DECIMAL scale).
 */
class TestTpchClientsIntegration {
  private static final String PYTHON_CLIENT =
      """
      import decimal, json, sys
      import adbc_driver_flightsql.dbapi as flight_sql

      uri, user, password, sql = sys.argv[1:5]
      with flight_sql.connect(uri, db_kwargs={"username": user, "password": password}) as conn:
          with conn.cursor() as cur:
              cur.execute(sql)
              table = cur.fetch_arrow_table()

      def encode(v):
          if isinstance(v, decimal.Decimal):
              return {"decimal": str(v)}
          if hasattr(v, "isoformat"):
              return v.isoformat()
          return v

      print(json.dumps({
          "columns": table.column_names,
          "types": [str(t) for t in table.schema.types],
          "rows": [[encode(v) for v in row.values()] for row in table.to_pylist()],
      }))
      """;

  private static Path warehouse;
  private static TestingOxbowServer server;
  private static DuckDbReference duckdb;

  @BeforeAll
  static void start() throws Exception {
    warehouse = TestingTpchWarehouse.sf001();
    server = new TestingOxbowServer(warehouse);
    duckdb = new DuckDbReference(warehouse);
  }

  @AfterAll
  static void stop() throws Exception {
    duckdb.close();
    server.close(); // fails if any Arrow buffer leaked
  }

  /** DuckDB does not accept the interval precision "day (3)" of the standard Q1 text. */
  private static List<List<Object>> reference(int query) throws SQLException {
    return duckdb.query(TpchQueries.text(query).replace("day (3)", "day").replace(";", ""));
  }

  @ParameterizedTest(name = "Q{0} via the Flight SQL JDBC driver")
  @ValueSource(ints = {1, 6})
  void jdbcMatchesDuckDb(int query) throws Exception {
    List<List<Object>> ours = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("analyst"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(TpchQueries.text(query))) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        ours.add(row);
      }
    }
    assertSameResult(ours, reference(query));
  }

  @ParameterizedTest(name = "Q{0} via Python ADBC and pyarrow")
  @ValueSource(ints = {1, 6})
  void pythonAdbcMatchesDuckDb(int query) throws Exception {
    String json =
        TestingPythonEnvironment.runScript(
            PYTHON_CLIENT,
            List.of(server.grpcUri(), "analyst", "analyst", TpchQueries.text(query)));
    JsonNode result = new ObjectMapper().readTree(json);
    List<List<Object>> ours = new ArrayList<>();
    for (JsonNode row : result.get("rows")) {
      List<Object> values = new ArrayList<>();
      for (JsonNode value : row) {
        if (value.isObject() && value.has("decimal")) {
          values.add(new BigDecimal(value.get("decimal").asText()));
        } else if (value.isIntegralNumber()) {
          values.add(value.asLong());
        } else if (value.isNull()) {
          values.add(null);
        } else {
          values.add(value.asText());
        }
      }
      ours.add(values);
    }
    if (query == 1) {
      assertThat(result.get("types").toString()).contains("decimal128(19, 6)");
    }
    assertSameResult(ours, reference(query));
  }

  @Test
  void badQueriesGiveClearErrorsAndTheServerKeepsServing() throws Exception {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("admin"));
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeQuery("SELECT l_orderkey FROM lineitem WHERE"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Syntax error at line 1, column");
      assertThatThrownBy(() -> s.executeQuery("SELECT * FROM lineitems"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("'lineitems' not found");
      assertThatThrownBy(() -> s.executeQuery("SELECT sum(l_comment) FROM lineitem"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Cannot apply 'SUM' to arguments of type");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM lineitem")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(60_175);
      }
    }
  }

  private static void assertSameResult(List<List<Object>> ours, List<List<Object>> reference) {
    assertThat(ours).isNotEmpty();
    ResultAssertions.assertSameRows(ours, reference);
  }
}
