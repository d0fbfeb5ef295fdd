package io.oxbow.flight;

import static com.google.protobuf.Any.pack;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.oxbow.federation.QueryEngine;
import io.oxbow.federation.QueryResult;
import io.oxbow.federation.Session;
import io.oxbow.federation.TableInfo;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.CloseSessionRequest;
import org.apache.arrow.flight.CloseSessionResult;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.GetSessionOptionsRequest;
import org.apache.arrow.flight.GetSessionOptionsResult;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.RenewFlightEndpointRequest;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.SetSessionOptionsRequest;
import org.apache.arrow.flight.SetSessionOptionsResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.SqlInfoBuilder;
import org.apache.arrow.flight.sql.impl.FlightSql;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers Flight SQL commands from a {@link QueryEngine}: statements, prepared statements (the
 * Flight SQL JDBC driver prepares every query), updates, cancellation, and catalogs, schemas,
 * tables, table types and SQL info from the live catalog. Every other command answers UNIMPLEMENTED
 * naming what is not supported. Thread-safe: one instance serves all clients.
 */
final class OxbowFlightSqlProducer implements FlightSqlProducer {
  private static final Logger LOG = LoggerFactory.getLogger(OxbowFlightSqlProducer.class);

  /** How long a stream waits for a slow client before re-checking for shutdown. */
  private static final long READY_WAIT_SLICE_MILLIS = 500;

  private final QueryEngine engine;
  private final BufferAllocator allocator;
  private final SqlInfoBuilder sqlInfo = OxbowSqlInfo.build();
  private final StatementRegistry statements;
  private final Set<ActiveQuery> active = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  OxbowFlightSqlProducer(QueryEngine engine, BufferAllocator allocator) {
    this(engine, allocator, new StatementRegistry());
  }

  OxbowFlightSqlProducer(
      QueryEngine engine, BufferAllocator allocator, StatementRegistry statements) {
    this.engine = engine;
    this.allocator = allocator;
    this.statements = statements;
  }

  /** A query being streamed to a client, so that it can be cancelled. */
  private static final class ActiveQuery {
    final ByteString ticket;
    final String user;
    final QueryResult result;
    final CancellableBackpressure backpressure = new CancellableBackpressure();

    ActiveQuery(ByteString ticket, String user, QueryResult result) {
      this.ticket = ticket;
      this.user = user;
      this.result = result;
    }

    void cancel() {
      result.cancel();
      backpressure.cancel();
    }
  }

  /**
   * Waits for the client to accept more data; wakes up when the client cancels (cancelling the
   * query) or when the server cancels the query.
   */
  private static final class CancellableBackpressure
      extends BackpressureStrategy.CallbackBackpressureStrategy {
    private volatile boolean cancelled;
    private volatile QueryResult result;

    void cancel() {
      cancelled = true;
      interruptWait();
    }

    @Override
    protected void cancelCallback() {
      QueryResult r = result;
      if (r != null) {
        r.cancel();
      }
    }

    @Override
    protected boolean shouldContinueWaiting(ServerStreamListener listener, long remaining) {
      return !cancelled;
    }
  }

  // ---- helpers

  private static String user(CallContext context) {
    String user = context.peerIdentity();
    if (user == null || user.isEmpty()) {
      throw CallStatus.UNAUTHENTICATED
          .withDescription("Log in with a user name and password first")
          .toRuntimeException();
    }
    return user;
  }

  private Session session(CallContext context) {
    return engine.newSession(user(context));
  }

  private static FlightInfo info(Schema schema, FlightDescriptor descriptor, Message ticket) {
    return new FlightInfo(
        schema,
        descriptor,
        List.of(new FlightEndpoint(new Ticket(pack(ticket).toByteArray()))),
        -1,
        -1);
  }

  private static FlightRuntimeException unsupported(String what) {
    return CallStatus.UNIMPLEMENTED
        .withDescription("Oxbow does not support " + what)
        .toRuntimeException();
  }

  private static ByteString handleBytes(String handle) {
    return ByteString.copyFromUtf8(handle);
  }

  // ---- statements

  @Override
  public FlightInfo getFlightInfoStatement(
      FlightSql.CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    try {
      Session session = session(context);
      QueryEngine.Plan plan = engine.plan(session, command.getQuery());
      if (plan.schema().getFields().isEmpty()) {
        return runUpdateNow(session, command.getQuery(), plan, descriptor);
      }
      String handle = statements.register(session.user(), command.getQuery(), false, plan);
      return info(
          plan.schema(),
          descriptor,
          FlightSql.TicketStatementQuery.newBuilder()
              .setStatementHandle(handleBytes(handle))
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
    StatementRegistry.Statement statement;
    try {
      statement = statements.take(ticket.getStatementHandle().toStringUtf8(), user(context));
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
      return;
    }
    stream(statement, pack(ticket).toByteString(), listener);
  }

  @Override
  public void createPreparedStatement(
      FlightSql.ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    try {
      if (request.hasTransactionId()) {
        throw unsupported("transactions");
      }
      Session session = session(context);
      Schema schema = engine.describe(session, request.getQuery());
      String handle = statements.register(session.user(), request.getQuery(), true);
      FlightSql.ActionCreatePreparedStatementResult result =
          FlightSql.ActionCreatePreparedStatementResult.newBuilder()
              .setPreparedStatementHandle(handleBytes(handle))
              .setDatasetSchema(ByteString.copyFrom(schema.serializeAsMessage()))
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
    try {
      // closing an unknown or expired handle is harmless: the client's intent is already met
      statements.remove(request.getPreparedStatementHandle().toStringUtf8(), user(context));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e));
    }
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      FlightDescriptor descriptor) {
    try {
      Session session = session(context);
      StatementRegistry.Statement statement =
          statements.get(command.getPreparedStatementHandle().toStringUtf8(), session.user());
      QueryEngine.Plan plan = engine.plan(session, statement.sql());
      if (plan.schema().getFields().isEmpty()) {
        return runUpdateNow(session, statement.sql(), plan, descriptor);
      }
      statements.offerPlan(statement.handle(), session.user(), plan);
      return info(plan.schema(), descriptor, command);
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public SchemaResult getSchemaPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      FlightDescriptor descriptor) {
    try {
      Session session = session(context);
      StatementRegistry.Statement statement =
          statements.get(command.getPreparedStatementHandle().toStringUtf8(), session.user());
      return new SchemaResult(engine.describe(session, statement.sql()));
    } catch (RuntimeException e) {
      throw FlightErrors.toFlight(e);
    }
  }

  @Override
  public void getStreamPreparedStatement(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      ServerStreamListener listener) {
    StatementRegistry.Statement statement;
    try {
      statement =
          statements.get(command.getPreparedStatementHandle().toStringUtf8(), user(context));
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
      return;
    }
    stream(statement, pack(command).toByteString(), listener);
  }

  @Override
  public Runnable acceptPutPreparedStatementQuery(
      FlightSql.CommandPreparedStatementQuery command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () -> {
      try {
        statements.get(command.getPreparedStatementHandle().toStringUtf8(), user(context));
        rejectParameters(flightStream);
        ackStream.onCompleted();
      } catch (RuntimeException e) {
        ackStream.onError(FlightErrors.toFlight(e));
      }
    };
  }

  /**
   * Reads the parameter batches a client sends for a prepared statement. Clients send an empty
   * batch when the statement has no parameters; actual values are not supported yet.
   */
  private static void rejectParameters(FlightStream parameters) {
    while (parameters.next()) {
      VectorSchemaRoot root = parameters.getRoot();
      if (root.getRowCount() > 0 && !root.getFieldVectors().isEmpty()) {
        throw unsupported("binding parameter values (?) to a prepared statement");
      }
    }
  }

  /**
   * Runs a query and streams its batches, one at a time, into a root bound to the listener. The
   * query is closed on completion, on error, when the client cancels or disconnects, and when the
   * server shuts down.
   */
  private void stream(
      StatementRegistry.Statement statement, ByteString ticket, ServerStreamListener listener) {
    ActiveQuery query = null;
    QueryResult result = null;
    try {
      if (closing) {
        throw new OxbowException(ErrorCode.SOURCE_UNAVAILABLE, "The server is shutting down");
      }
      QueryEngine.Plan plan =
          statement.prepared()
              ? statements.takePlan(statement.handle(), statement.user())
              : statement.plan();
      result = engine.execute(engine.newSession(statement.user()), statement.sql(), plan);
      query = new ActiveQuery(ticket, statement.user(), result);
      query.backpressure.result = result;
      query.backpressure.register(listener);
      active.add(query);
      if (closing) {
        query.cancel();
      }
      try (VectorSchemaRoot out = VectorSchemaRoot.create(result.schema(), allocator)) {
        listener.start(out);
        VectorLoader loader = new VectorLoader(out);
        boolean first = true;
        while (true) {
          VectorSchemaRoot batch = result.next();
          if (batch == null) {
            listener.completed();
            break;
          }
          if (first) {
            first = false;
            checkTypes(result, batch, out);
          }
          try (batch;
              ArrowRecordBatch records = new VectorUnloader(batch).getRecordBatch()) {
            loader.load(records);
          }
          if (!awaitClient(query, listener)) {
            LOG.info("query {} cancelled by the client", result.queryId());
            break;
          }
          listener.putNext();
        }
      }
    } catch (RuntimeException e) {
      if (listener.isCancelled()) {
        LOG.debug("query for a cancelled stream ended with {}", e.toString());
      } else {
        listener.error(FlightErrors.toFlight(e));
      }
    } finally {
      if (query != null) {
        active.remove(query);
      }
      if (result != null) {
        result.close();
      }
    }
  }

  /**
   * Logs when the engine's batches do not have the column types the query announced: the client
   * reads the announced schema, so such a mismatch is a planner or engine bug worth seeing.
   */
  private static void checkTypes(QueryResult result, VectorSchemaRoot batch, VectorSchemaRoot out) {
    List<FieldVector> produced = batch.getFieldVectors();
    List<FieldVector> announced = out.getFieldVectors();
    for (int i = 0; i < Math.min(produced.size(), announced.size()); i++) {
      if (produced.get(i).getMinorType() != announced.get(i).getMinorType()) {
        LOG.warn(
            "query {}: column {} is {} in the result but {} in its schema",
            result.queryId(),
            announced.get(i).getName(),
            produced.get(i).getField().getType(),
            announced.get(i).getField().getType());
      }
    }
    if (produced.size() != announced.size()) {
      LOG.warn(
          "query {}: batches have {} columns but the schema has {}",
          result.queryId(),
          produced.size(),
          announced.size());
    }
  }

  /** Waits until the client takes more data; false if it cancelled or disconnected. */
  private boolean awaitClient(ActiveQuery query, ServerStreamListener listener) {
    while (true) {
      if (query.backpressure.cancelled) {
        throw new OxbowException(
            ErrorCode.CANCELLED,
            closing
                ? "The server is shutting down"
                : "Query " + query.result.queryId() + " was cancelled");
      }
      switch (query.backpressure.waitForListener(READY_WAIT_SLICE_MILLIS)) {
        case READY:
          return true;
        case CANCELLED:
          return false;
        default:
          if (Thread.currentThread().isInterrupted()) {
            throw new OxbowException(ErrorCode.CANCELLED, "The server is shutting down");
          }
      }
    }
  }

  @Override
  public void cancelFlightInfo(
      CancelFlightInfoRequest request, CallContext context, StreamListener<CancelStatus> listener) {
    try {
      String user = user(context);
      boolean cancelled = false;
      for (FlightEndpoint endpoint : request.getInfo().getEndpoints()) {
        ByteString ticket = ByteString.copyFrom(endpoint.getTicket().getBytes());
        for (ActiveQuery query : active) {
          if (query.ticket.equals(ticket) && query.user.equals(user)) {
            query.cancel();
            cancelled = true;
          }
        }
        // a statement ticket not fetched yet: forget it, so it never starts
        String handle = statementHandle(ticket);
        if (handle != null && statements.remove(handle, user)) {
          cancelled = true;
        }
      }
      listener.onNext(cancelled ? CancelStatus.CANCELLED : CancelStatus.NOT_CANCELLABLE);
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.toFlight(e));
    }
  }

  private static String statementHandle(ByteString ticket) {
    try {
      Any any = Any.parseFrom(ticket);
      if (any.is(FlightSql.TicketStatementQuery.class)) {
        return any.unpack(FlightSql.TicketStatementQuery.class).getStatementHandle().toStringUtf8();
      }
    } catch (InvalidProtocolBufferException e) {
      // not one of our tickets
    }
    return null;
  }

  // ---- updates (CREATE TABLE, INSERT on writable connectors)

  /**
   * A client that runs an update as a query (ADBC's {@code execute}) gets it done at once and an
   * empty result with no endpoints.
   */
  private FlightInfo runUpdateNow(
      Session session, String sql, QueryEngine.Plan plan, FlightDescriptor descriptor) {
    long rows = engine.executeUpdate(session, sql, plan);
    return new FlightInfo(new Schema(List.of()), descriptor, List.of(), -1, rows);
  }

  @Override
  public Runnable acceptPutStatement(
      FlightSql.CommandStatementUpdate command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () -> {
      if (command.hasTransactionId()) {
        ackStream.onError(unsupported("transactions"));
        return;
      }
      update(command.getQuery(), context, ackStream);
    };
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      FlightSql.CommandPreparedStatementUpdate command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () -> {
      StatementRegistry.Statement statement;
      try {
        statement =
            statements.get(command.getPreparedStatementHandle().toStringUtf8(), user(context));
        rejectParameters(flightStream);
      } catch (RuntimeException e) {
        ackStream.onError(FlightErrors.toFlight(e));
        return;
      }
      update(statement.sql(), context, ackStream);
    };
  }

  private void update(String sql, CallContext context, StreamListener<PutResult> ackStream) {
    try {
      long rows = engine.executeUpdate(session(context), sql);
      byte[] result =
          FlightSql.DoPutUpdateResult.newBuilder().setRecordCount(rows).build().toByteArray();
      try (ArrowBuf buffer = allocator.buffer(result.length)) {
        buffer.writeBytes(result);
        ackStream.onNext(PutResult.metadata(buffer));
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
    return info(Schemas.GET_SQL_INFO_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamSqlInfo(
      FlightSql.CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    try {
      sqlInfo.send(command.getInfoList(), listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public FlightInfo getFlightInfoCatalogs(
      FlightSql.CommandGetCatalogs request, CallContext context, FlightDescriptor descriptor) {
    return info(Schemas.GET_CATALOGS_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    try {
      user(context);
      List<List<Object>> rows = new ArrayList<>();
      for (String catalog : engine.listCatalogs()) {
        rows.add(List.of(catalog));
      }
      MetadataResults.send(Schemas.GET_CATALOGS_SCHEMA, rows, allocator, listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public FlightInfo getFlightInfoSchemas(
      FlightSql.CommandGetDbSchemas request, CallContext context, FlightDescriptor descriptor) {
    return info(Schemas.GET_SCHEMAS_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamSchemas(
      FlightSql.CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    try {
      user(context);
      LikePattern schemaPattern =
          LikePattern.of(
              command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null);
      List<List<Object>> rows = new ArrayList<>();
      for (String catalog : catalogs(command.hasCatalog() ? command.getCatalog() : null)) {
        for (String schema : engine.listSchemas(catalog)) {
          if (schemaPattern.matches(schema)) {
            rows.add(List.of(catalog, schema));
          }
        }
      }
      MetadataResults.send(Schemas.GET_SCHEMAS_SCHEMA, rows, allocator, listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  /**
   * Catalogs matching an exact catalog filter ({@code null}: all; empty: none, as we have no
   * unnamed catalog).
   */
  private List<String> catalogs(String filter) {
    List<String> all = engine.listCatalogs();
    if (filter == null) {
      return all;
    }
    return all.stream().filter(filter::equals).toList();
  }

  @Override
  public FlightInfo getFlightInfoTables(
      FlightSql.CommandGetTables request, CallContext context, FlightDescriptor descriptor) {
    return info(
        request.getIncludeSchema()
            ? Schemas.GET_TABLES_SCHEMA
            : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
        descriptor,
        request);
  }

  @Override
  public void getStreamTables(
      FlightSql.CommandGetTables command, CallContext context, ServerStreamListener listener) {
    try {
      user(context);
      LikePattern schemaPattern =
          LikePattern.of(
              command.hasDbSchemaFilterPattern() ? command.getDbSchemaFilterPattern() : null);
      LikePattern tablePattern =
          LikePattern.of(
              command.hasTableNameFilterPattern() ? command.getTableNameFilterPattern() : null);
      Set<String> types = new HashSet<>();
      for (String type : command.getTableTypesList()) {
        types.add(type.toUpperCase(Locale.ROOT));
      }
      List<List<Object>> rows = new ArrayList<>();
      for (String catalog : catalogs(command.hasCatalog() ? command.getCatalog() : null)) {
        for (String schema : engine.listSchemas(catalog)) {
          if (!schemaPattern.matches(schema)) {
            continue;
          }
          for (TableInfo table : engine.listTables(catalog, schema)) {
            if (!tablePattern.matches(table.name())
                || (!types.isEmpty() && !types.contains(table.type().toUpperCase(Locale.ROOT)))) {
              continue;
            }
            List<Object> row =
                new ArrayList<>(List.of(catalog, schema, table.name(), table.type()));
            if (command.getIncludeSchema()) {
              row.add(table.columns().serializeAsMessage());
            }
            rows.add(row);
          }
        }
      }
      MetadataResults.send(
          command.getIncludeSchema()
              ? Schemas.GET_TABLES_SCHEMA
              : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA,
          rows,
          allocator,
          listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  @Override
  public FlightInfo getFlightInfoTableTypes(
      FlightSql.CommandGetTableTypes request, CallContext context, FlightDescriptor descriptor) {
    return info(Schemas.GET_TABLE_TYPES_SCHEMA, descriptor, request);
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    try {
      user(context);
      MetadataResults.send(
          Schemas.GET_TABLE_TYPES_SCHEMA, List.of(List.of("TABLE")), allocator, listener);
    } catch (RuntimeException e) {
      listener.error(FlightErrors.toFlight(e));
    }
  }

  // ---- not supported: each answers UNIMPLEMENTED naming what is missing

  @Override
  public FlightInfo getFlightInfoTypeInfo(
      FlightSql.CommandGetXdbcTypeInfo request, CallContext context, FlightDescriptor descriptor) {
    throw unsupported("GetXdbcTypeInfo (type information metadata)");
  }

  @Override
  public void getStreamTypeInfo(
      FlightSql.CommandGetXdbcTypeInfo request,
      CallContext context,
      ServerStreamListener listener) {
    listener.error(unsupported("GetXdbcTypeInfo (type information metadata)"));
  }

  @Override
  public FlightInfo getFlightInfoPrimaryKeys(
      FlightSql.CommandGetPrimaryKeys request, CallContext context, FlightDescriptor descriptor) {
    throw unsupported("GetPrimaryKeys (tables have no declared keys)");
  }

  @Override
  public void getStreamPrimaryKeys(
      FlightSql.CommandGetPrimaryKeys command, CallContext context, ServerStreamListener listener) {
    listener.error(unsupported("GetPrimaryKeys (tables have no declared keys)"));
  }

  @Override
  public FlightInfo getFlightInfoExportedKeys(
      FlightSql.CommandGetExportedKeys request, CallContext context, FlightDescriptor descriptor) {
    throw unsupported("GetExportedKeys (tables have no declared foreign keys)");
  }

  @Override
  public void getStreamExportedKeys(
      FlightSql.CommandGetExportedKeys command,
      CallContext context,
      ServerStreamListener listener) {
    listener.error(unsupported("GetExportedKeys (tables have no declared foreign keys)"));
  }

  @Override
  public FlightInfo getFlightInfoImportedKeys(
      FlightSql.CommandGetImportedKeys request, CallContext context, FlightDescriptor descriptor) {
    throw unsupported("GetImportedKeys (tables have no declared foreign keys)");
  }

  @Override
  public void getStreamImportedKeys(
      FlightSql.CommandGetImportedKeys command,
      CallContext context,
      ServerStreamListener listener) {
    listener.error(unsupported("GetImportedKeys (tables have no declared foreign keys)"));
  }

  @Override
  public FlightInfo getFlightInfoCrossReference(
      FlightSql.CommandGetCrossReference request,
      CallContext context,
      FlightDescriptor descriptor) {
    throw unsupported("GetCrossReference (tables have no declared foreign keys)");
  }

  @Override
  public void getStreamCrossReference(
      FlightSql.CommandGetCrossReference command,
      CallContext context,
      ServerStreamListener listener) {
    listener.error(unsupported("GetCrossReference (tables have no declared foreign keys)"));
  }

  @Override
  public FlightInfo getFlightInfoSubstraitPlan(
      FlightSql.CommandStatementSubstraitPlan command,
      CallContext context,
      FlightDescriptor descriptor) {
    throw unsupported("Substrait plans");
  }

  @Override
  public SchemaResult getSchemaSubstraitPlan(
      FlightSql.CommandStatementSubstraitPlan command,
      CallContext context,
      FlightDescriptor descriptor) {
    throw unsupported("Substrait plans");
  }

  @Override
  public void createPreparedSubstraitPlan(
      FlightSql.ActionCreatePreparedSubstraitPlanRequest request,
      CallContext context,
      StreamListener<FlightSql.ActionCreatePreparedStatementResult> listener) {
    listener.onError(unsupported("Substrait plans"));
  }

  @Override
  public Runnable acceptPutSubstraitPlan(
      FlightSql.CommandStatementSubstraitPlan command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () -> ackStream.onError(unsupported("Substrait plans"));
  }

  @Override
  public Runnable acceptPutStatementBulkIngest(
      FlightSql.CommandStatementIngest command,
      CallContext context,
      FlightStream flightStream,
      StreamListener<PutResult> ackStream) {
    return () ->
        ackStream.onError(unsupported("bulk ingestion; use CREATE TABLE and INSERT statements"));
  }

  @Override
  public void beginTransaction(
      FlightSql.ActionBeginTransactionRequest request,
      CallContext context,
      StreamListener<FlightSql.ActionBeginTransactionResult> listener) {
    listener.onError(unsupported("transactions"));
  }

  @Override
  public void endTransaction(
      FlightSql.ActionEndTransactionRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    listener.onError(unsupported("transactions"));
  }

  @Override
  public void beginSavepoint(
      FlightSql.ActionBeginSavepointRequest request,
      CallContext context,
      StreamListener<FlightSql.ActionBeginSavepointResult> listener) {
    listener.onError(unsupported("savepoints"));
  }

  @Override
  public void endSavepoint(
      FlightSql.ActionEndSavepointRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    listener.onError(unsupported("savepoints"));
  }

  @Override
  public void renewFlightEndpoint(
      RenewFlightEndpointRequest request,
      CallContext context,
      StreamListener<FlightEndpoint> listener) {
    listener.onError(unsupported("RenewFlightEndpoint (endpoints do not expire)"));
  }

  @Override
  public void setSessionOptions(
      SetSessionOptionsRequest request,
      CallContext context,
      StreamListener<SetSessionOptionsResult> listener) {
    listener.onError(unsupported("session options; qualify names as catalog.schema.table"));
  }

  @Override
  public void getSessionOptions(
      GetSessionOptionsRequest request,
      CallContext context,
      StreamListener<GetSessionOptionsResult> listener) {
    listener.onError(unsupported("session options"));
  }

  @Override
  public void closeSession(
      CloseSessionRequest request,
      CallContext context,
      StreamListener<CloseSessionResult> listener) {
    listener.onError(unsupported("server-side sessions"));
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    listener.onError(unsupported("ListFlights; send Flight SQL commands instead"));
  }

  // ---- lifecycle

  /** Number of queries being streamed right now. */
  int activeQueries() {
    return active.size();
  }

  /** Number of open statement handles. */
  int openStatements() {
    return statements.size();
  }

  /** Refuses new queries and cancels the running ones. */
  void cancelAll() {
    closing = true;
    for (ActiveQuery query : active) {
      query.cancel();
    }
  }

  @Override
  public void close() {
    cancelAll();
    statements.clear();
  }
}
