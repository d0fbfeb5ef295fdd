package io.oxbow.flight;

import static io.oxbow.flight.TestingFlightWarehouse.ITEMS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.oxbow.federation.QueryEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.auth2.ClientBearerHeaderHandler;
import org.apache.arrow.flight.auth2.ClientIncomingAuthHeaderMiddleware;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlUtils;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.flight.sql.util.TableRef;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.DenseUnionVector;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Flight SQL service through Arrow's Java Flight SQL client. */
class TestFlightSqlClientIntegration {
  /** A result of about 12 million rows: far more than gRPC buffers, so it streams for a while. */
  private static final String HUGE_QUERY =
      "SELECT a.id AS x, b.id AS y FROM items a CROSS JOIN items b WHERE b.id < 1000";

  @TempDir static Path warehouse;
  private static QueryEngine engine;
  private static OxbowFlightServer server;

  private BufferAllocator allocator;
  private FlightClient client;
  private FlightSqlClient sql;
  private CredentialCallOption admin;

  @BeforeAll
  static void start() {
    TestingFlightWarehouse.write(warehouse);
    engine = TestingFlightWarehouse.engine(warehouse);
    server = OxbowFlightServer.start(engine);
  }

  @AfterAll
  static void stop() {
    server.close();
    // the engine's root allocator throws here if any buffer leaked
    assertThatCode(engine::close).doesNotThrowAnyException();
  }

  @BeforeEach
  void connect() {
    allocator = new RootAllocator();
    client = newClient(allocator);
    sql = new FlightSqlClient(client);
    admin = client.authenticateBasicToken("admin", "admin").orElseThrow();
  }

  @AfterEach
  void disconnect() throws Exception {
    client.close();
    allocator.close();
  }

  private static FlightClient newClient(BufferAllocator allocator) {
    return FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
        .intercept(new ClientIncomingAuthHeaderMiddleware.Factory(new ClientBearerHeaderHandler()))
        .build();
  }

  private static void assertStatus(Throwable e, FlightStatusCode code, String... messageFragments) {
    assertThat(e).isInstanceOf(FlightRuntimeException.class);
    FlightRuntimeException f = (FlightRuntimeException) e;
    assertThat(f.status().code()).as(f.getMessage()).isEqualTo(code);
    for (String fragment : messageFragments) {
      assertThat(f.status().description()).contains(fragment);
    }
  }

  /** All rows of a single-endpoint result, each column rendered with getObject().toString(). */
  private List<List<String>> rows(FlightInfo info, CredentialCallOption token) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), token)) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        for (int r = 0; r < root.getRowCount(); r++) {
          List<String> row = new ArrayList<>();
          for (var vector : root.getFieldVectors()) {
            Object value = vector.getObject(r);
            row.add(value == null ? null : value.toString());
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  private Map<Integer, Object> sqlInfo(FlightSql.SqlInfo... infos) throws Exception {
    Map<Integer, Object> values = new HashMap<>();
    FlightInfo info = sql.getSqlInfo(infos, admin);
    try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), admin)) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        UInt4Vector names = (UInt4Vector) root.getVector("info_name");
        DenseUnionVector value = (DenseUnionVector) root.getVector("value");
        for (int r = 0; r < root.getRowCount(); r++) {
          values.put(names.get(r), value.getObject(r));
        }
      }
    }
    return values;
  }

  @Test
  void wrongPasswordAndMissingCredentialsAreRejected() throws Exception {
    assertThatThrownBy(() -> client.authenticateBasicToken("admin", "nope"))
        .satisfies(
            e ->
                assertStatus(e, FlightStatusCode.UNAUTHENTICATED, "Invalid user name or password"));
    try (BufferAllocator other = new RootAllocator();
        FlightClient anonymous = newClient(other)) {
      assertThatThrownBy(() -> new FlightSqlClient(anonymous).execute("SELECT 1"))
          .satisfies(e -> assertStatus(e, FlightStatusCode.UNAUTHENTICATED));
    }
  }

  @Test
  void sqlInfoDescribesTheServer() throws Exception {
    Map<Integer, Object> info =
        sqlInfo(
            FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME,
            FlightSql.SqlInfo.FLIGHT_SQL_SERVER_VERSION,
            FlightSql.SqlInfo.FLIGHT_SQL_SERVER_ARROW_VERSION,
            FlightSql.SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY,
            FlightSql.SqlInfo.FLIGHT_SQL_SERVER_SQL,
            FlightSql.SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT,
            FlightSql.SqlInfo.FLIGHT_SQL_SERVER_CANCEL,
            FlightSql.SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR,
            FlightSql.SqlInfo.SQL_IDENTIFIER_CASE,
            FlightSql.SqlInfo.SQL_SUPPORTED_GRAMMAR);
    assertThat(info.get(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_NAME_VALUE).toString())
        .isEqualTo("Oxbow");
    assertThat(info.get(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_VERSION_VALUE).toString())
        .isEqualTo(OxbowSqlInfo.serverVersion());
    assertThat(info.get(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_ARROW_VERSION_VALUE).toString())
        .isEqualTo("18.3.0");
    assertThat(info.get(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_READ_ONLY_VALUE)).isEqualTo(false);
    assertThat(info.get(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_SQL_VALUE)).isEqualTo(true);
    assertThat(info.get(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_SUBSTRAIT_VALUE)).isEqualTo(false);
    assertThat(info.get(FlightSql.SqlInfo.FLIGHT_SQL_SERVER_CANCEL_VALUE)).isEqualTo(true);
    assertThat(info.get(FlightSql.SqlInfo.SQL_IDENTIFIER_QUOTE_CHAR_VALUE).toString())
        .isEqualTo("\"");
    assertThat(info.get(FlightSql.SqlInfo.SQL_IDENTIFIER_CASE_VALUE))
        .isEqualTo(
            (long)
                FlightSql.SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_LOWERCASE.getNumber());
    assertThat(info.get(FlightSql.SqlInfo.SQL_SUPPORTED_GRAMMAR_VALUE))
        .isEqualTo(1 << FlightSql.SupportedSqlGrammar.SQL_CORE_GRAMMAR.getNumber());
    // no ids asked: everything
    assertThat(sqlInfo()).hasSizeGreaterThan(40);
  }

  @Test
  void preparedStatementsDescribeRunAndClose() throws Exception {
    FlightSqlClient.PreparedStatement prepared =
        sql.prepare("SELECT count(*) AS n, max(id) AS top FROM items WHERE id >= 12000", admin);
    assertThat(prepared.getResultSetSchema().getFields())
        .extracting(Field::getName)
        .containsExactly("n", "top");
    assertThat(prepared.getResultSetSchema().getFields().get(0).getType())
        .isEqualTo(new ArrowType.Int(64, true));
    for (int run = 0; run < 2; run++) {
      assertThat(rows(prepared.execute(admin), admin))
          .containsExactly(List.of(String.valueOf(ITEMS - 12_000), String.valueOf(ITEMS - 1)));
    }
    prepared.close(admin);
  }

  /** Prepares through the raw action, to see the handle a client normally hides. */
  private ByteString prepareRaw(String query, CredentialCallOption token) throws Exception {
    Action action =
        new Action(
            FlightSqlUtils.FLIGHT_SQL_CREATE_PREPARED_STATEMENT.getType(),
            Any.pack(
                    FlightSql.ActionCreatePreparedStatementRequest.newBuilder()
                        .setQuery(query)
                        .build())
                .toByteArray());
    Iterator<Result> results = client.doAction(action, token);
    ByteString handle =
        Any.parseFrom(results.next().getBody())
            .unpack(FlightSql.ActionCreatePreparedStatementResult.class)
            .getPreparedStatementHandle();
    while (results.hasNext()) {
      results.next();
    }
    return handle;
  }

  private void closeRaw(ByteString handle, CredentialCallOption token) {
    Action action =
        new Action(
            FlightSqlUtils.FLIGHT_SQL_CLOSE_PREPARED_STATEMENT.getType(),
            Any.pack(
                    FlightSql.ActionClosePreparedStatementRequest.newBuilder()
                        .setPreparedStatementHandle(handle)
                        .build())
                .toByteArray());
    client.doAction(action, token).forEachRemaining(r -> {});
  }

  private static FlightDescriptor preparedQuery(ByteString handle) {
    return FlightDescriptor.command(
        Any.pack(
                FlightSql.CommandPreparedStatementQuery.newBuilder()
                    .setPreparedStatementHandle(handle)
                    .build())
            .toByteArray());
  }

  @Test
  void aClosedPreparedStatementIsGone() throws Exception {
    int before = server.producer().openStatements();
    ByteString handle = prepareRaw("SELECT n_name FROM nation WHERE n_nationkey = 2", admin);
    assertThat(server.producer().openStatements()).isEqualTo(before + 1);
    assertThat(rows(client.getInfo(preparedQuery(handle), admin), admin))
        .containsExactly(List.of("BRAZIL"));
    closeRaw(handle, admin);
    assertThat(server.producer().openStatements()).isEqualTo(before);
    assertThatThrownBy(() -> client.getInfo(preparedQuery(handle), admin))
        .satisfies(
            e ->
                assertStatus(
                    e,
                    FlightStatusCode.NOT_FOUND,
                    "Unknown, closed or expired statement handle",
                    "SQLSTATE 42S02"));
    // closing twice is harmless
    closeRaw(handle, admin);
  }

  @Test
  void aPreparedStatementBelongsToItsUser() throws Exception {
    CredentialCallOption analyst =
        client.authenticateBasicToken("analyst", "analyst").orElseThrow();
    ByteString handle = prepareRaw("SELECT 1 AS one", admin);
    assertThatThrownBy(() -> client.getInfo(preparedQuery(handle), analyst))
        .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND));
    closeRaw(handle, analyst);
    assertThat(rows(client.getInfo(preparedQuery(handle), admin), admin))
        .containsExactly(List.of("1"));
    closeRaw(handle, admin);
  }

  @Test
  void aStatementTicketIsFetchedOnce() throws Exception {
    FlightInfo info = sql.execute("SELECT n_name FROM nation ORDER BY n_nationkey", admin);
    assertThat(info.getSchemaOptional().orElseThrow().getFields())
        .extracting(Field::getName)
        .containsExactly("n_name");
    assertThat(rows(info, admin))
        .containsExactly(
            List.of("ALGERIA"),
            List.of("ARGENTINA"),
            List.of("BRAZIL"),
            List.of("CANADA"),
            List.of("EGYPT"));
    assertThatThrownBy(() -> rows(info, admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND, "statement handle"));
  }

  @Test
  void errorsCarryStatusCodeAndSqlState() throws Exception {
    assertThatThrownBy(() -> sql.execute("SELECT FROM WHERE", admin))
        .satisfies(
            e -> assertStatus(e, FlightStatusCode.INVALID_ARGUMENT, "USER_ERROR, SQLSTATE 42000"));
    assertThatThrownBy(() -> sql.execute("SELECT * FROM demo.tpch.missing", admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND, "missing", "SQLSTATE 42S02"));
    assertThatThrownBy(() -> sql.prepare("SELECT * FROM nowhere.x.y", admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND, "nowhere"));
    assertThatThrownBy(() -> sql.executeUpdate("DELETE FROM items WHERE nope = 1", admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.NOT_FOUND, "nope", "SQLSTATE 42S02"));
    assertThatThrownBy(() -> sql.executeUpdate("INSERT INTO items (id) VALUES ('x')", admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.INVALID_ARGUMENT, "SQLSTATE 42000"));
    assertThat(rows(sql.execute("SELECT count(*) FROM items", admin), admin))
        .containsExactly(List.of(String.valueOf(ITEMS)));
  }

  @Test
  void metadataCommandsAnswerFromTheCatalog() throws Exception {
    assertThat(rows(sql.getCatalogs(admin), admin)).containsExactly(List.of("demo"));
    assertThat(rows(sql.getSchemas(null, null, admin), admin))
        .containsExactly(List.of("demo", "sales"), List.of("demo", "tpch"));
    assertThat(rows(sql.getSchemas("demo", "_ales", admin), admin))
        .containsExactly(List.of("demo", "sales"));
    assertThat(rows(sql.getSchemas("", null, admin), admin)).isEmpty();
    assertThat(rows(sql.getTableTypes(admin), admin)).containsExactly(List.of("TABLE"));
    assertThat(rows(sql.getTables("demo", "tpch", "%", null, false, admin), admin))
        .containsExactlyInAnyOrder(
            List.of("demo", "tpch", "items", "TABLE"), List.of("demo", "tpch", "nation", "TABLE"));
    assertThat(rows(sql.getTables(null, null, "orders", List.of("TABLE"), false, admin), admin))
        .containsExactly(List.of("demo", "sales", "orders", "TABLE"));
    assertThat(rows(sql.getTables(null, null, "%", List.of("VIEW"), false, admin), admin))
        .isEmpty();
  }

  @Test
  void getTablesCanIncludeEachTablesArrowSchema() throws Exception {
    FlightInfo info = sql.getTables("demo", "t%", "items", null, true, admin);
    try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), admin)) {
      assertThat(stream.next()).isTrue();
      VectorSchemaRoot root = stream.getRoot();
      assertThat(root.getRowCount()).isEqualTo(1);
      byte[] bytes = ((VarBinaryVector) root.getVector("table_schema")).get(0);
      Schema schema =
          MessageSerializer.deserializeSchema(
              new ReadChannel(new ByteArrayReadableSeekableByteChannel(bytes)));
      assertThat(schema.getFields())
          .extracting(Field::getName, Field::getType)
          .containsExactlyElementsOf(
              TestingFlightWarehouse.ITEMS_SCHEMA.getFields().stream()
                  .map(f -> org.assertj.core.groups.Tuple.tuple(f.getName(), f.getType()))
                  .toList());
      assertThat(stream.next()).isFalse();
    }
  }

  @Test
  void unsupportedCommandsSayWhatIsNotSupported() {
    TableRef items = TableRef.of("demo", "tpch", "items");
    assertThatThrownBy(() -> sql.getPrimaryKeys(items, admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED, "GetPrimaryKeys"));
    assertThatThrownBy(() -> sql.getExportedKeys(items, admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED, "GetExportedKeys"));
    assertThatThrownBy(() -> sql.getImportedKeys(items, admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED, "GetImportedKeys"));
    assertThatThrownBy(() -> sql.getCrossReference(items, items, admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED, "GetCrossReference"));
    assertThatThrownBy(() -> sql.getXdbcTypeInfo(admin))
        .satisfies(e -> assertStatus(e, FlightStatusCode.UNIMPLEMENTED, "GetXdbcTypeInfo"));
    assertThatThrownBy(() -> sql.beginTransaction(admin))
        .satisfies(
            e ->
                assertStatus(
                    e, FlightStatusCode.UNIMPLEMENTED, "Oxbow does not support transactions"));
    assertThatThrownBy(
            () ->
                sql.executeSubstrait(
                    new FlightSqlClient.SubstraitPlan(new byte[] {1}, "0.1"), admin))
        .satisfies(
            e ->
                assertStatus(
                    e, FlightStatusCode.UNIMPLEMENTED, "Oxbow does not support Substrait plans"));
    // still serving
    assertThat(sql.getCatalogs(admin)).isNotNull();
  }

  @Test
  void cancelFlightInfoStopsARunningQuery() throws Exception {
    FlightInfo info = sql.execute(HUGE_QUERY, admin);
    try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), admin)) {
      assertThat(stream.next()).isTrue();
      assertThat(stream.getRoot().getRowCount()).isPositive();
      assertThat(server.producer().activeQueries()).isEqualTo(1);
      assertThat(sql.cancelFlightInfo(new CancelFlightInfoRequest(info), admin).getStatus())
          .isEqualTo(CancelStatus.CANCELLED);
      assertThatThrownBy(
              () -> {
                while (stream.next()) {
                  // drain what was already sent
                }
              })
          .satisfies(e -> assertStatus(e, FlightStatusCode.CANCELLED, "was cancelled"));
    }
    awaitNoActiveQueries();
    // a finished query is not cancellable
    FlightInfo done = sql.execute("SELECT 1", admin);
    rows(done, admin);
    assertThat(sql.cancelFlightInfo(new CancelFlightInfoRequest(done), admin).getStatus())
        .isEqualTo(CancelStatus.NOT_CANCELLABLE);
  }

  @Test
  void aClientThatStopsReadingReleasesTheQuery() throws Exception {
    for (int attempt = 0; attempt < 3; attempt++) {
      FlightInfo info = sql.execute(HUGE_QUERY, admin);
      FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), admin);
      assertThat(stream.next()).isTrue();
      assertThat(stream.getRoot().getRowCount()).isPositive();
      // walk away after the first batch
      stream.cancel("client is done", null);
      try {
        stream.close();
      } catch (Exception expected) {
        // closing a cancelled stream may report the cancellation
      }
    }
    awaitNoActiveQueries();
    assertThat(rows(sql.execute("SELECT count(*) FROM items", admin), admin))
        .containsExactly(List.of(String.valueOf(ITEMS)));
  }

  @Test
  void aClientThatClosesTheStreamEarlyReleasesTheQuery() throws Exception {
    FlightInfo info = sql.execute(HUGE_QUERY, admin);
    try (FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), admin)) {
      assertThat(stream.next()).isTrue();
    } catch (FlightRuntimeException expected) {
      assertThat(expected.status().code()).isEqualTo(FlightStatusCode.CANCELLED);
    }
    awaitNoActiveQueries();
  }

  private static void awaitNoActiveQueries() throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (server.producer().activeQueries() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.producer().activeQueries()).isZero();
  }

  @Test
  void updatesRunAsQueriesApplyTheirChange() throws Exception {
    sql.executeUpdate("CREATE TABLE demo.tpch.scratch_exec (id INTEGER) USING DELTA", admin);
    try {
      // the change runs when the statement is described: no endpoints, the row count in records
      FlightInfo info = sql.execute("INSERT INTO demo.tpch.scratch_exec VALUES (7), (8)", admin);
      assertThat(info.getEndpoints()).isEmpty();
      assertThat(info.getRecords()).isEqualTo(2);
      assertThat(rows(sql.execute("SELECT sum(id) FROM demo.tpch.scratch_exec", admin), admin))
          .containsExactly(List.of("15"));
    } finally {
      sql.executeUpdate("DROP TABLE demo.tpch.scratch_exec", admin);
    }
  }
}
