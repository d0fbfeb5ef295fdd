package io.oxbow.federation;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.PlanPrinter;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.planner.DataChange;
import io.oxbow.planner.OxbowPlanner;
import io.oxbow.planner.PlannedQuery;
import io.oxbow.planner.PlannerSession;
import io.oxbow.planner.PlannerWarmup;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one entry point every protocol uses: authenticate, plan, run, list metadata. Thread-safe; one
 * instance serves all clients of a server.
 */
public final class QueryEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryEngine.class);

  private final OxbowConfig config;
  private final BufferAllocator rootAllocator;
  private final CatalogRegistry catalogs;
  private final OxbowPlanner planner;
  private final AtomicLong querySequence = new AtomicLong();
  private final AtomicLong conflictRetries = new AtomicLong();
  private final String instanceId = Long.toString(System.currentTimeMillis(), 36);
  private final boolean logQueries;

  /** Statements running now (queries until their result is closed), for the warm-up to yield to. */
  private final java.util.concurrent.atomic.AtomicInteger running =
      new java.util.concurrent.atomic.AtomicInteger();

  private volatile Thread warmup;
  private volatile boolean closing;

  public QueryEngine(OxbowConfig config) {
    this(config, true);
  }

  /**
   * An engine; {@code logQueries} false logs each statement at DEBUG instead of INFO (the execution
   * warm-up's engine, whose hundreds of queries are no one's).
   */
  QueryEngine(OxbowConfig config, boolean logQueries) {
    this.config = config;
    this.logQueries = logQueries;
    this.rootAllocator = new RootAllocator(config.totalMemoryLimitBytes());
    try {
      this.catalogs = new CatalogRegistry(config.catalogs());
    } catch (RuntimeException e) {
      rootAllocator.close();
      throw e;
    }
    this.planner = new OxbowPlanner(catalogs);
  }

  public OxbowConfig config() {
    return config;
  }

  /** The root allocator; protocol layers create their own children from it. */
  public BufferAllocator allocator() {
    return rootAllocator;
  }

  /** Checks a user name and password against the configured users. */
  public boolean authenticate(String user, String password) {
    if (user == null || password == null) {
      return false;
    }
    String expected = config.users().get(user);
    return expected != null
        && MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
  }

  /** A session for an authenticated user, with the configured default catalog and schema. */
  public Session newSession(String user) {
    return new Session(user, config.defaultCatalog(), config.defaultSchema());
  }

  /**
   * Plans and starts one statement. The caller must close the result. Throws {@link OxbowException}
   * for bad SQL, unknown names and other user errors.
   */
  public QueryResult execute(Session session, String sql) {
    return execute(session, sql, null);
  }

  /**
   * Starts a statement with a plan made for it by {@link #plan} (so a client's describe-then-run
   * plans it once), or plans it again if {@code plan} is null.
   */
  public QueryResult execute(Session session, String sql, Plan plan) {
    String queryId = instanceId + "_" + querySequence.incrementAndGet();
    long started = System.nanoTime();
    BufferAllocator queryAllocator;
    try {
      queryAllocator =
          rootAllocator.newChildAllocator("query-" + queryId, 0, config.queryMemoryLimitBytes());
    } catch (RuntimeException e) {
      throw new OxbowException(
          ErrorCode.RESOURCE_EXHAUSTED, "The server is out of query memory; try again later", e);
    }
    running.incrementAndGet();
    try {
      PlannedQuery planned =
          plan != null ? plan.planned : planner.plan(sql, plannerSession(session));
      // a plan made beforehand (Flight SQL plans when the client asks for the flight info)
      long planningNanos = plan != null ? plan.planningNanos : System.nanoTime() - started;
      PlanNode root;
      if (planned.change() != null) {
        applyWithRetry(session, sql, planned, queryId, queryAllocator);
        root = new ValuesNode(planned.schema(), List.of());
      } else {
        root =
            planned.analyze()
                ? analyze(planned, queryId, queryAllocator, config.queryThreads(), planningNanos)
                : planned.plan();
      }
      java.util.concurrent.atomic.AtomicBoolean cancelled =
          new java.util.concurrent.atomic.AtomicBoolean();
      ResultStream stream =
          Executor.execute(
              root,
              new ExecutionContext(
                  queryId, queryAllocator, cancelled::get, config.queryThreads(), spill()));
      return new RunningQuery(
          queryId,
          session.user(),
          planned.schema(),
          stream,
          queryAllocator,
          plan != null ? started - planningNanos : started, // the logged time includes planning
          planningNanos,
          cancelled,
          logQueries,
          running::decrementAndGet);
    } catch (RuntimeException e) {
      running.decrementAndGet();
      queryAllocator.close();
      OxbowException error = Errors.translate(e);
      log(
          "query {} user={} failed after {} ms: {} {}",
          queryId,
          session.user(),
          (System.nanoTime() - started) / 1_000_000,
          error.code(),
          error.getMessage());
      throw error;
    }
  }

  /**
   * Runs a statement that changes data (CREATE TABLE, INSERT, DELETE, UPDATE, MERGE, COPY INTO) and
   * returns the number of rows it inserted, deleted or updated (0 for DDL). A statement whose
   * commit loses a race with a concurrent write is run again. Queries are refused: use {@link
   * #execute}.
   */
  public long executeUpdate(Session session, String sql) {
    return executeUpdate(session, sql, null);
  }

  /** {@link #executeUpdate(Session, String)} with a plan from {@link #plan}, if not null. */
  public long executeUpdate(Session session, String sql, Plan plan) {
    String queryId = instanceId + "_" + querySequence.incrementAndGet();
    long started = System.nanoTime();
    running.incrementAndGet();
    try (BufferAllocator queryAllocator =
        rootAllocator.newChildAllocator("update-" + queryId, 0, config.queryMemoryLimitBytes())) {
      PlannedQuery planned =
          plan != null ? plan.planned : planner.plan(sql, plannerSession(session));
      if (planned.change() == null) {
        throw OxbowException.userError("Not an update: use a query call for SELECT statements");
      }
      long rows = applyWithRetry(session, sql, planned, queryId, queryAllocator);
      log(
          "update {} user={} finished in {} ms, rows={}",
          queryId,
          session.user(),
          (System.nanoTime() - started) / 1_000_000,
          rows);
      return rows;
    } catch (RuntimeException e) {
      OxbowException error = Errors.translate(e);
      log(
          "update {} user={} failed: {} {}",
          queryId,
          session.user(),
          error.code(),
          error.getMessage());
      throw error;
    } finally {
      running.decrementAndGet();
    }
  }

  private void log(String format, Object... arguments) {
    if (logQueries) {
      LOG.info(format, arguments);
    } else {
      LOG.debug(format, arguments);
    }
  }

  /** How many times a statement whose commit lost a race is planned and run again. */
  static final int CONFLICT_RETRIES = 5;

  /**
   * Applies a data change; a commit that fails with {@link ErrorCode#CONFLICT} (a concurrent write
   * changed the table) makes the whole statement be planned and run again against the new table
   * version, up to {@link #CONFLICT_RETRIES} times after a short random pause.
   */
  private long applyWithRetry(
      Session session, String sql, PlannedQuery first, String queryId, BufferAllocator allocator) {
    PlannedQuery planned = first;
    for (int attempt = 0; ; attempt++) {
      try {
        return apply(
            planned, session, queryId + (attempt == 0 ? "" : "-retry" + attempt), allocator);
      } catch (OxbowException e) {
        if (e.code() != ErrorCode.CONFLICT || sql == null) {
          throw e;
        }
        if (attempt >= CONFLICT_RETRIES) {
          throw new OxbowException(
              ErrorCode.CONFLICT,
              String.format(
                  Locale.ROOT,
                  "The table kept changing: the statement conflicted with concurrent writes %d"
                      + " times and was given up; the table is unchanged by it, run it again"
                      + " (last conflict: %s)",
                  attempt + 1,
                  e.getMessage()),
              e);
        }
        conflictRetries.incrementAndGet();
        LOG.info(
            "update {} conflicted with a concurrent write, retrying: {}", queryId, e.getMessage());
        try {
          Thread.sleep(
              java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 40) * (attempt + 1));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new OxbowException(ErrorCode.CANCELLED, "Interrupted while retrying", interrupted);
        }
        planned = planner.plan(sql, plannerSession(session));
      }
    }
  }

  private long apply(
      PlannedQuery planned, Session session, String queryId, BufferAllocator allocator) {
    DataChange change = planned.change();
    if (change instanceof DataChange.CreateTable create) {
      create.connector().metadata().createTable(create.name(), create.columns(), create.options());
      return 0;
    }
    if (change instanceof DataChange.CreateTableAs create) {
      return createTableAs(create, planned.plan(), queryId, allocator);
    }
    if (change instanceof DataChange.DropTable drop) {
      drop.connector().metadata().dropTable(drop.table());
      return 0;
    }
    if (change instanceof DataChange.None) {
      return 0;
    }
    if (change instanceof DataChange.Insert insert) {
      return insert(
          insert.connector().metadata(),
          insert.table(),
          insert.overwrite(),
          planned.plan(),
          queryId,
          allocator);
    }
    if (change instanceof DataChange.CopyInto copy) {
      return copy.connector()
          .metadata()
          .copyInto(copy.table(), copy.source(), copy.format(), copy.options(), allocator);
    }
    RowLevelChanges rowLevel =
        new RowLevelChanges(planner, plannerSession(session), queryId, allocator);
    if (change instanceof DataChange.Delete delete) {
      return rowLevel.delete(delete);
    }
    if (change instanceof DataChange.Update update) {
      return rowLevel.update(update);
    }
    return rowLevel.merge((DataChange.Merge) change);
  }

  /** Writes the rows of {@code plan} into {@code table} in one atomic commit. */
  private static long insert(
      ConnectorMetadata metadata,
      ConnectorTableHandle table,
      boolean overwrite,
      PlanNode plan,
      String queryId,
      BufferAllocator allocator) {
    long rows = 0;
    try (io.oxbow.spi.connector.ConnectorWriter writer = metadata.beginInsert(table, overwrite);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext(queryId + "-insert", allocator))) {
      while (true) {
        VectorSchemaRoot batch = stream.next();
        if (batch == null) {
          break;
        }
        try (batch) {
          writer.write(batch);
          rows += batch.getRowCount();
        }
      }
      writer.commit();
    }
    return rows;
  }

  /** CREATE TABLE ... AS SELECT: create, then insert; a failed insert drops the new table. */
  private static long createTableAs(
      DataChange.CreateTableAs create, PlanNode plan, String queryId, BufferAllocator allocator) {
    ConnectorMetadata metadata = create.connector().metadata();
    metadata.createTable(create.name(), plan.schema(), create.options());
    try {
      ConnectorTableHandle table =
          metadata
              .getTableHandle(create.name())
              .orElseThrow(
                  () ->
                      new OxbowException(
                          ErrorCode.INTERNAL,
                          "Table " + create.name() + " is missing right after CREATE TABLE"));
      return insert(metadata, table, false, plan, queryId, allocator);
    } catch (RuntimeException e) {
      try {
        metadata.getTableHandle(create.name()).ifPresent(metadata::dropTable);
      } catch (RuntimeException dropFailed) {
        e.addSuppressed(dropFailed);
      }
      throw e;
    }
  }

  /**
   * EXPLAIN ANALYZE: runs the query to the end, discarding its rows, and reports the engine plan
   * with the statement's planning time and each operator's rows, batches, time and peak memory.
   */
  private static PlanNode analyze(
      PlannedQuery planned,
      String queryId,
      BufferAllocator allocator,
      int threads,
      long planningNanos) {
    long started = System.nanoTime();
    long rows = 0;
    List<io.oxbow.engine.OperatorStats> stats;
    try (ResultStream stream =
        Executor.execute(
            planned.plan(),
            new ExecutionContext(queryId + "-analyze", allocator, () -> false, threads))) {
      while (true) {
        var batch = stream.next();
        if (batch == null) {
          break;
        }
        rows += batch.getRowCount();
        batch.close();
      }
      stats = stream.operatorStats();
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    List<List<Object>> lines = new ArrayList<>();
    lines.add(List.of("== Engine plan =="));
    for (String line : PlanPrinter.print(planned.plan()).split("\n")) {
      lines.add(List.of(line));
    }
    lines.add(List.of("== Execution =="));
    lines.add(List.of("planning: " + planningNanos / 1_000_000 + " ms"));
    lines.add(
        List.of(
            String.format(
                Locale.ROOT,
                "total: %d ms, %d rows, peak memory %d bytes",
                millis,
                rows,
                allocator.getPeakMemoryAllocation())));
    addStats(lines, stats, "");
    return new ValuesNode(planned.schema(), lines);
  }

  /**
   * One line per operator of a pipeline, from its last operator to its source (the engine plan's
   * order), each followed by the pipelines it ran itself (build sides, union inputs), indented.
   */
  private static void addStats(
      List<List<Object>> lines, List<io.oxbow.engine.OperatorStats> pipeline, String indent) {
    for (int i = pipeline.size() - 1; i >= 0; i--) {
      var s = pipeline.get(i);
      lines.add(
          List.of(
              String.format(
                  Locale.ROOT,
                  "%s%s: rows=%d, batches=%d, time=%.1f ms, peak memory=%d bytes",
                  indent,
                  s.operator(),
                  s.rows(),
                  s.batches(),
                  s.nanos() / 1e6,
                  s.peakBytes())));
      if (!s.details().isEmpty()) {
        lines.add(List.of(indent + "  " + s.details()));
      }
      for (int p = 0; p < s.pipelines().size(); p++) {
        String label = s.operator().equals("HashJoinOperator") ? "build side" : "input " + (p + 1);
        lines.add(List.of(indent + "  [" + label + "]"));
        addStats(lines, s.pipelines().get(p), indent + "    ");
      }
    }
  }

  /** A query's spilling: where and whether, with its own counters. */
  private io.oxbow.engine.spill.SpillContext spill() {
    return new io.oxbow.engine.spill.SpillContext(
        config.spillDirectory() == null
            ? io.oxbow.engine.spill.SpillContext.DEFAULT_ROOT
            : java.nio.file.Path.of(config.spillDirectory()),
        config.spillEnabled(),
        io.oxbow.engine.spill.SpillContext.DEFAULT_THRESHOLD);
  }

  /** How many times a statement was run again after its commit lost a race (since start). */
  long conflictRetries() {
    return conflictRetries.get();
  }

  /** Plans a statement without running it and returns its result columns (for prepare). */
  public Schema describe(Session session, String sql) {
    return plan(session, sql).schema();
  }

  /**
   * A statement's plan, to run soon with {@link #execute(Session, String, Plan)}: a plan reflects
   * the tables as they were when it was made, so callers keep it only for the next execution.
   */
  public static final class Plan {
    private final PlannedQuery planned;
    private final long planningNanos;

    private Plan(PlannedQuery planned, long planningNanos) {
      this.planned = planned;
      this.planningNanos = planningNanos;
    }

    /** The statement's result columns; none for statements that change data. */
    public Schema schema() {
      return planned.schema();
    }
  }

  /** Plans a statement without running it. */
  public Plan plan(Session session, String sql) {
    try {
      long started = System.nanoTime();
      PlannedQuery planned = planner.plan(sql, plannerSession(session));
      return new Plan(planned, System.nanoTime() - started);
    } catch (RuntimeException e) {
      throw Errors.translate(e);
    }
  }

  public List<String> listCatalogs() {
    return catalogs.catalogNames();
  }

  /** Schemas of a catalog; empty if the catalog does not exist. */
  public List<String> listSchemas(String catalog) {
    return catalogs.connector(catalog).map(c -> c.metadata().listSchemaNames()).orElse(List.of());
  }

  /** Tables of one schema, with their columns. */
  public List<TableInfo> listTables(String catalog, String schema) {
    Optional<Connector> connector = catalogs.connector(catalog);
    if (connector.isEmpty()) {
      return List.of();
    }
    ConnectorMetadata metadata = connector.get().metadata();
    List<TableInfo> tables = new ArrayList<>();
    for (String table : metadata.listTables(schema)) {
      Optional<ConnectorTableHandle> handle =
          metadata.getTableHandle(new SchemaTableName(schema, table));
      if (handle.isPresent()) {
        tables.add(
            new TableInfo(
                catalog, schema, table, "TABLE", metadata.getTableMetadata(handle.get()).schema()));
      }
    }
    return tables;
  }

  private PlannerSession plannerSession(Session session) {
    return new PlannerSession(
        session.user(),
        session.catalog() == null ? null : session.catalog().toLowerCase(Locale.ROOT),
        session.schema() == null ? null : session.schema().toLowerCase(Locale.ROOT));
  }

  /**
   * Warms the planner up for about {@code budget} on the calling thread: plans built-in queries
   * over a catalog of their own ({@link PlannerWarmup}), so that the JIT has compiled the planner
   * before users' first queries. Returns what it did, for a log or a report.
   */
  public String warmUpPlanner(java.time.Duration budget) {
    PlannerWarmup.Report report = PlannerWarmup.run(budget, Integer.MAX_VALUE);
    return report.plans() + " plans in " + report.millis() + " ms";
  }

  /**
   * Warms the executor up for about {@code budget} on the calling thread: generates a small
   * warehouse in a temporary directory and runs analytic queries over it ({@link ExecutionWarmup}),
   * so that the JIT has compiled scans, joins and aggregations before users' first queries. It
   * waits, between its statements, while any statement of this engine's users runs. Returns what it
   * did, for a log or a report.
   */
  public String warmUpExecution(java.time.Duration budget) {
    return ExecutionWarmup.run(config, budget, Integer.MAX_VALUE, this::busy).toString();
  }

  /** Whether any user's statement is running (a query until its result is closed). */
  boolean busy() {
    return running.get() > 0;
  }

  /**
   * Starts {@link #warmUpPlanner} for {@code planning}, then {@link #warmUpExecution} for {@code
   * execution}, on a daemon thread of its own (at most one at a time), which {@link #close} stops.
   */
  public synchronized void startWarmup(java.time.Duration planning, java.time.Duration execution) {
    if (warmup != null && warmup.isAlive()) {
      return;
    }
    Thread thread =
        new Thread(
            () -> {
              if (!planning.isZero()) {
                warmUpPlanner(planning);
              }
              // closing: in case planning swallowed the interrupt
              if (!execution.isZero() && !closing && !Thread.currentThread().isInterrupted()) {
                warmUpExecution(execution);
              }
            },
            "oxbow-warmup");
    thread.setDaemon(true);
    thread.start();
    warmup = thread;
  }

  @Override
  public void close() {
    closing = true;
    Thread warming = warmup;
    if (warming != null) {
      warming.interrupt();
      try {
        // the execution warm-up stops between batches and deletes its temporary warehouse
        warming.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    catalogs.close();
    rootAllocator.close();
  }
}
