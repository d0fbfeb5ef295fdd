package io.oxbow.flight;

import static com.google.protobuf.Any.pack;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.oxbow.federation.QueryEngine;
import io.oxbow.federation.QueryResult;
import io.oxbow.federation.Session;
import io.oxbow.federation.TableInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.NoOpFlightSqlProducer;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Flight SQL commands from a {@link QueryEngine}: statements, prepared statements (the
 * Flight SQL JDBC driver prepares every query), and catalogs, schemas, tables, table types and SQL
 * info. Other commands answer UNIMPLEMENTED through the base class.
 */
final class OxbowFlightSqlProducer extends NoOpFlightSqlProducer {
  private static final Logger LOG = LoggerFactory.getLogger(OxbowFlightSqlProducer.class);
  private static final int MAX_OPEN_STATEMENTS = 10_000;

  private final QueryEngine engine;
  private final BufferAllocator allocator;
  private final SqlInfoBuilder sqlInfo;

  /** Statements planned by GetFlightInfo and not yet fetched, and open prepared statements. */
  private final Map<String, Statement> statements = new ConcurrentHashMap<>();

  private final Set<QueryResult> running = ConcurrentHashMap.newKeySet();

  private record Statement(String user, String sql, boolean prepared) {}

  OxbowFlightSqlProducer(QueryEngine engine, BufferAllocator allocator) {
    this.engine = engine;
    this.allocator = allocator;
    this.sqlInfo =
        new SqlInfoBuilder()
            .withFlightSqlServerName("Oxbow")
            .withFlightSqlServerVersion(version())
            .withFlightSqlServerArrowVersion("18.3.0")
            .withFlightSqlServerReadOnly(false)
            .withFlightSqlServerSql(true)
            .withFlightSqlServerSubstrait(false)
            .withFlightSqlServerTransaction(
                FlightSql.SqlSupportedTransaction.SQL_SUPPORTED_TRANSACTION_NONE)
            .withFlightSqlServerCancel(false)
            .withSqlIdentifierQuoteChar("\"")
            .withSqlSearchStringEscape("\\")
            .withSqlExtraNameCharacters("")
            .withSqlSchemaTerm("schema")
            .withSqlCatalogTerm("catalog")
            .withSqlProcedureTerm("procedure")
            .withSqlIdentifierCase(
                FlightSql.SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_LOWERCASE)
            .withSqlQuotedIdentifierCase(
                FlightSql.SqlSupportedCaseSensitivity.SQL_CASE_SENSITIVITY_CASE_INSENSITIVE)
            .withSqlDdlCatalog(false)
            .withSqlDdlSchema(false)
            .withSqlDdlTable(false)
            .withSqlAllTablesAreSelectable(true)
            .withSqlNullOrdering(FlightSql.SqlNullOrdering.SQL_NULLS_SORTED_HIGH)
            .withSqlMaxColumnNameLength(1024)
            .withSqlMaxTableNameLength(1024);
  }

  private static String version() {
    String v = OxbowFlightSqlProducer.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  private Session session(CallContext context) {
    String user = context.peerIdentity();
    if (user == null || user.isEmpty()) {
      throw CallStatus.UNAUTHENTICATED.withDescription("Log in first").toRuntimeException();
    }
    return engine.newSession(user);
  }

  private String register(Statement statement) {
    if (statements.size() >= MAX_OPEN_STATEMENTS) {
      throw CallStatus.RESOURCE_EXHAUSTED
          .withDescription("Too many open statements; close prepared statements you no longer need")
          .toRuntimeException();
    }
    String handle = UUID.randomUUID().toString();
    statements.put(handle, statement);
    return handle;
  }

  private Statement lookup(ByteString handle, CallContext context, boolean remove) {
    String key = handle.toStringUtf8();
    Statement statement = remove ? statements.remove(key) : statements.get(key);
    if (statement == null || !statement.user().equals(context.peerIdentity())) {
      throw CallStatus.NOT_FOUND
          .withDescription("Unknown or expired statement handle")
          .toRuntimeException();
    }
    return statement;
  }

  private static FlightInfo info(Schema schema, FlightDescriptor descriptor, Message ticket) {
    return new FlightInfo(
        schema,
        descriptor,
        List.of(new FlightEndpoint(new Ticket(pack(ticket).toByteArray()))),
        -1,
        -1);
  }

  // ---- statements

  @Override
  public FlightInfo getFlightInfoStatement(
      FlightSql.CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    try {
      Session session = session(context);
      Schema schema = engine.describe(session, command.getQuery());
      if (schema.getFields().isEmpty()) {
        return runUpdateNow(session, command.getQuery(), descriptor);
      }
      String handle = register(new Statement(session.user(), command.getQuery(), false));
      return info(
          schema,
          descriptor,
          FlightSql.TicketStatementQuery.newBuilder()
              .setStatementHandle(ByteString.copyFromUtf8(handle))
              .build());
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public SchemaResult getSchemaStatement(
      FlightSql.CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    try {
      return new SchemaResult(engine.describe(session(context), command.getQuery()));
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public void getStreamStatement(
      FlightSql.TicketStatementQuery ticket, CallContext context, ServerStreamListener listener) {
    Statement statement;
    try {
      statement = lookup(ticket.getStatementHandle(), context, true);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
      return;
    }
    stream(statement.sql(), context, listener);
  }

  @Override
  public void createPreparedStatement(
      FlightSql.ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    try {
      Session session = session(context);
      Schema schema = engine.describe(session, request.getQuery());
      String handle = register(new Statement(session.user(), request.getQuery(), true));
      FlightSql.ActionCreatePreparedStatementResult result =
          FlightSql.ActionCreatePreparedStatementResult.newBuilder()
              .setPreparedStatementHandle(ByteString.copyFromUtf8(handle))
              .setDatasetSchema(ByteString.copyFrom(serialize(schema)))
              .build();
      listener.onNext(new Result(pack(result).toByteArray()));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e));
    }
  }

  @Override
  public void closePreparedStatement(
      FlightSql.ActionClosePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    statements.remove(request.getPreparedStatementHandle().toStringUtf8());
    listener.onCompleted();
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      FlightDescriptor descriptor) {
    try {
      Statement statement = lookup(command.getPreparedStatementHandle(), context, false);
      Schema schema = engine.describe(session(context), statement.sql());
      if (schema.getFields().isEmpty()) {
        return runUpdateNow(session(context), statement.sql(), descriptor);
      }
      return info(schema, descriptor, command);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public void getStreamPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      ServerStreamListener listener) {
    Statement statement;
    try {
      statement = lookup(command.getPreparedStatementHandle(), context, false);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
      return;
    }
    stream(statement.sql(), context, listener);
  }

  /** Runs a query and streams its batches; releases everything on completion, error or cancel. */
  private void stream(String sql, CallContext context, ServerStreamListener listener) {
    QueryResult result = null;
    try {
      result = engine.execute(session(context), sql);
      running.add(result);
      QueryResult current = result;
      listener.setOnCancelHandler(current::cancel);
      try (VectorSchemaRoot out = VectorSchemaRoot.create(result.schema(), allocator)) {
        listener.start(out);
        VectorLoader loader = new VectorLoader(out);
        while (!listener.isCancelled()) {
          VectorSchemaRoot batch = result.next();
          if (batch == null) {
            break;
          }
          try (batch;
              ArrowRecordBatch records = new VectorUnloader(batch).getRecordBatch()) {
            loader.load(records);
          }
          while (!listener.isReady() && !listener.isCancelled()) {
            Thread.sleep(1);
          }
          listener.putNext();
        }
        if (listener.isCancelled()) {
          LOG.info("query {} cancelled by the client", result.queryId());
        } else {
          listener.completed();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      listener.error(
          CallStatus.CANCELLED.withDescription("Server shutting down").toRuntimeException());
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    } finally {
      if (result != null) {
        running.remove(result);
        result.close();
      }
    }
  }

  // ---- updates (CREATE TABLE, INSERT)

  /**
   * A client that runs an update as a query (ADBC's {@code execute}) gets it done at once and an
   * empty result with no endpoints.
   */
  private FlightInfo runUpdateNow(Session session, String sql, FlightDescriptor descriptor) {
    long rows = engine.executeUpdate(session, sql);
    return new FlightInfo(new Schema(List.of()), descriptor, List.of(), rows, -1);
  }

  @Override
  public Runnable acceptPutStatement(
      FlightSql.CommandStatementUpdate command,
      CallContext context,
      org.apache.arrow.flight.FlightStream flightStream,
      StreamListener<org.apache.arrow.flight.PutResult> ackStream) {
    return () -> update(command.getQuery(), context, ackStream);
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      FlightSql.CommandPreparedStatementUpdate command,
      CallContext context,
      org.apache.arrow.flight.FlightStream flightStream,
      StreamListener<org.apache.arrow.flight.PutResult> ackStream) {
    return () -> {
      Statement statement;
      try {
        statement = lookup(command.getPreparedStatementHandle(), context, false);
      } catch (RuntimeException e) {
        ackStream.onError(FlightErrors.toFlight(e));
        return;
      }
      update(statement.sql(), context, ackStream);
    };
  }

  private void update(
      String sql,
      CallContext context,
      StreamListener<org.apache.arrow.flight.PutResult> ackStream) {
    try {
      long rows = engine.executeUpdate(session(context), sql);
      byte[] result =
          FlightSql.DoPutUpdateResult.newBuilder().setRecordCount(rows).build().toByteArray();
      try (org.apache.arrow.memory.ArrowBuf buffer = allocator.buffer(result.length)) {
        buffer.writeBytes(result);
        ackStream.onNext(org.apache.arrow.flight.PutResult.metadata(buffer));
      }
      ackStream.onCompleted();
    } catch (RuntimeException e) {
      ackStream.onError(FlightErrors.toFlight(e));
    }
  }

  // ---- metadata

  @Override
  public FlightInfo getFlightInfoSqlInfo(
      FlightSql.CommandGetSqlInfo request, CallContext context, FlightDescriptor descriptor) {
    return info(FlightSqlProducer.Schemas.GET_SQL_INFO_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamSqlInfo(
      FlightSql.CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    sqlInfo.send(command.getInfoList(), listener);
  }

  @Override
  public FlightInfo getFlightInfoCatalogs(
      FlightSql.CommandGetCatalogs request, CallContext context, FlightDescriptor descriptor) {
    return info(FlightSqlProducer.Schemas.GET_CATALOGS_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    List<List<Object>> rows = new ArrayList<>();
    for (String catalog : engine.listCatalogs()) {
      rows.add(List.of(catalog));
    }
    send(FlightSqlProducer.Schemas.GET_CATALOGS_SCHEMA, rows, listener);
  }

  @Override
  public FlightInfo getFlightInfoSchemas(
      FlightSql.CommandGetDbSchemas request, CallContext context, FlightDescriptor descriptor) {
    return info(FlightSqlProducer.Schemas.GET_SCHEMAS_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamSchemas(
      FlightSql.CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    try {
      Pattern schemaPattern =
          command.hasDbSchemaFilterPattern() ? like(command.getDbSchemaFilterPattern()) : null;
      List<List<Object>> rows = new ArrayList<>();
      for (String catalog : engine.listCatalogs()) {
        if (command.hasCatalog() && !command.getCatalog().equals(catalog)) {
          continue;
        }
        for (String schema : engine.listSchemas(catalog)) {
          if (schemaPattern == null || schemaPattern.matcher(schema).matches()) {
            rows.add(List.of(catalog, schema));
          }
        }
      }
      send(FlightSqlProducer.Schemas.GET_SCHEMAS_SCHEMA, rows, listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public FlightInfo getFlightInfoTables(
      FlightSql.CommandGetTables request, CallContext context, FlightDescriptor descriptor) {
    Schema schema =
        request.getIncludeSchema()
            ? FlightSqlProducer.Schemas.GET_TABLES_SCHEMA
            : FlightSqlProducer.Schemas.GET_TABLES_SCHEMA_NO_SCHEMA;
    return info(schema, descriptor, request);
  }

  @Override
  public void getStreamTables(
      FlightSql.CommandGetTables command, CallContext context, ServerStreamListener listener) {
    try {
      Pattern schemaPattern =
          command.hasDbSchemaFilterPattern() ? like(command.getDbSchemaFilterPattern()) : null;
      Pattern tablePattern =
          command.hasTableNameFilterPattern() ? like(command.getTableNameFilterPattern()) : null;
      List<String> types = command.getTableTypesList();
      List<List<Object>> rows = new ArrayList<>();
      for (String catalog : engine.listCatalogs()) {
        if (command.hasCatalog() && !command.getCatalog().equals(catalog)) {
          continue;
        }
        for (String schema : engine.listSchemas(catalog)) {
          if (schemaPattern != null && !schemaPattern.matcher(schema).matches()) {
            continue;
          }
          for (TableInfo table : engine.listTables(catalog, schema)) {
            if (tablePattern != null && !tablePattern.matcher(table.name()).matches()) {
              continue;
            }
            if (!types.isEmpty() && !types.contains(table.type())) {
              continue;
            }
            List<Object> row =
                new ArrayList<>(List.of(catalog, schema, table.name(), table.type()));
            if (command.getIncludeSchema()) {
              row.add(serialize(table.columns()));
            }
            rows.add(row);
          }
        }
      }
      send(
          command.getIncludeSchema()
              ? FlightSqlProducer.Schemas.GET_TABLES_SCHEMA
              : FlightSqlProducer.Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
          rows,
          listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public FlightInfo getFlightInfoTableTypes(
      FlightSql.CommandGetTableTypes request, CallContext context, FlightDescriptor descriptor) {
    return info(FlightSqlProducer.Schemas.GET_TABLE_TYPES_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    send(FlightSqlProducer.Schemas.GET_TABLE_TYPES_SCHEMA, List.of(List.of("TABLE")), listener);
  }

  /** Sends small metadata results: strings go to VarChar columns, byte arrays to VarBinary. */
  private void send(Schema schema, List<List<Object>> rows, ServerStreamListener listener) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      for (int c = 0; c < schema.getFields().size(); c++) {
        root.getVector(c).setInitialCapacity(rows.size());
        root.getVector(c).allocateNew();
      }
      for (int r = 0; r < rows.size(); r++) {
        List<Object> row = rows.get(r);
        for (int c = 0; c < row.size(); c++) {
          Object value = row.get(c);
          if (root.getVector(c) instanceof VarCharVector v) {
            v.setSafe(r, value.toString().getBytes(StandardCharsets.UTF_8));
          } else if (root.getVector(c) instanceof VarBinaryVector v) {
            v.setSafe(r, (byte[]) value);
          }
        }
      }
      root.setRowCount(rows.size());
      listener.start(root);
      listener.putNext();
      listener.completed();
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  /** A SQL LIKE pattern ({@code %}, {@code _}, backslash escape) as a regular expression. */
  static Pattern like(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  private static byte[] serialize(Schema schema) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (QueryResult result : running) {
      result.cancel();
    }
    statements.clear();
  }
}
