package io.oxbow.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.connector.delta.DeltaTableWriter;
import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.ClientIncomingAuthHeaderMiddleware;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Flight SQL service through the real Arrow Flight SQL JDBC driver and Java client. */
class TestFlightSqlJdbcIntegration {
  private static final int ROWS = 12_345;

  @TempDir static Path warehouse;
  private static QueryEngine engine;
  private static OxbowFlightServer server;

  @BeforeAll
  static void start() throws Exception {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("name", ArrowType.Utf8.INSTANCE),
                Field.nullable("price", new ArrowType.Decimal(10, 2, 128)),
                Field.nullable("sold_on", new ArrowType.Date(DateUnit.DAY))));
    try (BufferAllocator allocator = new RootAllocator();
        DeltaTableWriter writer =
            DeltaTableWriter.create(warehouse.resolve("tpch").resolve("items"), schema)) {
      for (int start = 0; start < ROWS; start += 4096) {
        int n = Math.min(4096, ROWS - start);
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
          for (int i = 0; i < n; i++) {
            int id = start + i;
            ((BigIntVector) root.getVector(0)).setSafe(i, id);
            ((VarCharVector) root.getVector(1))
                .setSafe(i, ("item-" + id % 7).getBytes(StandardCharsets.UTF_8));
            ((DecimalVector) root.getVector(2)).setSafe(i, BigDecimal.valueOf(id % 100, 2));
            ((DateDayVector) root.getVector(3)).setSafe(i, 9000 + id % 30);
          }
          root.setRowCount(n);
          writer.write(root);
        }
      }
      writer.commit();
    }
    engine =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("demo", "delta", Map.of("warehouse", warehouse.toString()))
                .withUser("admin", "admin")
                .withUser("analyst", "analyst")
                .withDefaultNamespace("demo", "tpch")
                .withFlightPort(0));
    server = OxbowFlightServer.start(engine);
  }

  @AfterAll
  static void stop() {
    server.close();
    // the engine's root allocator throws here if any buffer leaked
    engine.close();
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
  void preparedStatementsAndLargeResultsStreamCompletely() throws Exception {
    try (Connection c = connect("analyst", "analyst");
        PreparedStatement p = c.prepareStatement("SELECT id FROM demo.tpch.items ORDER BY id");
        ResultSet rs = p.executeQuery()) {
      long expected = 0;
      while (rs.next()) {
        assertThat(rs.getLong(1)).isEqualTo(expected++);
      }
      assertThat(expected).isEqualTo(ROWS);
    }
  }

  @Test
  void errorsAreClearAndTheServerKeepsServing() throws Exception {
    try (Connection c = connect("admin", "admin");
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeQuery("SELEC * FROM items"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("line 1, column 1")
          .hasMessageContaining("42000");
      assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no_such_table")
          .hasMessageContaining("not found");
      assertThatThrownBy(() -> s.executeQuery("SELECT name + 1 FROM items"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Cannot apply '+' to arguments of type");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(ROWS);
      }
    }
  }

  @Test
  void wrongPasswordIsRejected() {
    assertThatThrownBy(() -> connect("admin", "wrong").createStatement().executeQuery("SELECT 1"))
        .isInstanceOf(SQLException.class);
  }

  @Test
  void databaseMetadataComesFromTheCatalog() throws Exception {
    try (Connection c = connect("admin", "admin")) {
      DatabaseMetaData meta = c.getMetaData();
      try (ResultSet rs = meta.getCatalogs()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_CAT")).isEqualTo("demo");
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs = meta.getSchemas("demo", "tp%")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_SCHEM")).isEqualTo("tpch");
      }
      try (ResultSet rs = meta.getTables("demo", "tpch", "it%", null)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("TABLE_NAME")).isEqualTo("items");
        assertThat(rs.getString("TABLE_TYPE")).isEqualTo("TABLE");
        assertThat(rs.next()).isFalse();
      }
      try (ResultSet rs = meta.getTables("demo", "tpch", "zz%", null)) {
        assertThat(rs.next()).isFalse();
      }
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = meta.getColumns("demo", "tpch", "items", null)) {
        while (rs.next()) {
          columns.add(rs.getString("COLUMN_NAME"));
        }
      }
      assertThat(columns).containsExactly("id", "name", "price", "sold_on");
      try (ResultSet rs = meta.getTableTypes()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("TABLE");
      }
    }
  }

  @Test
  void sqlInfoAndPreparedStatementsThroughTheJavaClient() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
                .intercept(
                    new ClientIncomingAuthHeaderMiddleware.Factory(
                        new org.apache.arrow.flight.auth2.ClientBearerHeaderHandler()))
                .build()) {
      CredentialCallOption token = client.authenticateBasicToken("admin", "admin").orElseThrow();
      FlightSqlClient sql = new FlightSqlClient(client);
      FlightInfo info =
          sql.getSqlInfo(new FlightSql.SqlInfo[] {FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME}, token);
      try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), token)) {
        assertThat(stream.next()).isTrue();
        VectorSchemaRoot root = stream.getRoot();
        assertThat(root.getRowCount()).isEqualTo(1);
        assertThat(root.getVector("value").getObject(0).toString()).isEqualTo("Oxbow");
      }
      FlightSqlClient.PreparedStatement prepared =
          sql.prepare("SELECT count(*) AS n FROM items WHERE id >= 12000", token);
      assertThat(prepared.getResultSetSchema().getFields())
          .extracting(Field::getName)
          .containsExactly("n");
      FlightInfo result = prepared.execute(token);
      try (FlightStream stream = sql.getStream(result.getEndpoints().get(0).getTicket(), token)) {
        assertThat(stream.next()).isTrue();
        assertThat(((BigIntVector) stream.getRoot().getVector(0)).get(0)).isEqualTo(ROWS - 12_000);
      }
      prepared.close(token);
      assertThatThrownBy(() -> sql.executeUpdate("DELETE FROM items", token))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("DELETE statements are not supported yet")
          .satisfies(
              e ->
                  assertThat(((FlightRuntimeException) e).status().code())
                      .isEqualTo(CallStatus.INVALID_ARGUMENT.code()));
      assertThatThrownBy(() -> sql.executeUpdate("INSERT INTO items (id) VALUES (1)", token))
          .isInstanceOf(FlightRuntimeException.class)
          .hasMessageContaining("read-only");
      assertThatThrownBy(() -> sql.beginTransaction(token))
          .isInstanceOf(FlightRuntimeException.class)
          .satisfies(
              e ->
                  assertThat(((FlightRuntimeException) e).status().code())
                      .isEqualTo(CallStatus.UNIMPLEMENTED.code()));
    }
  }

  @Test
  void aClientThatStopsReadingReleasesTheQuery() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
                .intercept(
                    new ClientIncomingAuthHeaderMiddleware.Factory(
                        new org.apache.arrow.flight.auth2.ClientBearerHeaderHandler()))
                .build()) {
      CredentialCallOption token = client.authenticateBasicToken("admin", "admin").orElseThrow();
      FlightSqlClient sql = new FlightSqlClient(client);
      for (int attempt = 0; attempt < 5; attempt++) {
        FlightInfo info = sql.execute("SELECT id, name FROM items ORDER BY id DESC", token);
        FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), token);
        assertThat(stream.next()).isTrue();
        assertThat(stream.getRoot().getRowCount()).isPositive();
        // walk away after the first batch
        stream.cancel("client is done", null);
        stream.close();
      }
      // the server still serves, and (checked when the engine closes) leaked nothing
      FlightInfo info = sql.execute("SELECT count(*) FROM items", token);
      try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), token)) {
        assertThat(stream.next()).isTrue();
        assertThat(((BigIntVector) stream.getRoot().getVector(0)).get(0)).isEqualTo(ROWS);
      }
    }
  }
}
