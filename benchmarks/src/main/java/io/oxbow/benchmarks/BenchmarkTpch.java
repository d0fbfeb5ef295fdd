package io.oxbow.benchmarks;

import io.oxbow.federation.QueryEngine;
import io.oxbow.federation.Session;
import io.oxbow.tpch.TpchGenerator;
import io.oxbow.tpch.TpchQueries;
import io.oxbow.tpch.TpchRunner;
import java.io.PrintStream;
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

/**
 * The macro benchmark: the TPC-H queries on Oxbow and on DuckDB reading the same Parquet files,
 * alternately in one process, with warm-up runs and measured repetitions per query. Prints each
 * query's median time on both engines and their ratio, the total of the medians, the geometric mean
 * of the ratios, and the scan throughput of both engines on {@code lineitem}. Every answer is
 * checked against DuckDB's with {@link TpchRunner#compare}; a wrong or failed query is reported and
 * left out of the totals.
 *
 * <p>Alternation: within each repetition both engines run the query back to back, and which one
 * goes first flips from one repetition to the next, so neither engine gets systematically warmer
 * caches or a quieter machine.
 *
 * <p>DuckDB alone: both engines share one process, and Oxbow's JIT compiler threads keep compiling
 * in the background while DuckDB's runs are timed, so on a machine with few cores the alternating
 * runs slow DuckDB down. Before Oxbow runs any query, each query therefore also runs on DuckDB
 * alone (the same warm-up and measured runs, after the JIT has gone quiet), and the report gives
 * Oxbow's ratio to those times too.
 */
public final class BenchmarkTpch {
  /** The full scan of a few {@code lineitem} columns whose throughput is reported. */
  public static final String SCAN_SQL =
      "SELECT count(*), sum(l_quantity), sum(l_extendedprice) FROM lineitem";

  /** Run once, untimed, on both engines before the first query. */
  private static final String STARTUP_SQL = "SELECT count(*) FROM region";

  /**
   * What to run: the warehouse (generated at {@code scaleFactor} if it holds no TPC-H tables), the
   * queries, warm-up runs and measured runs per query and engine, DuckDB's thread count, and how
   * long Oxbow's planner and then its executor warm up before the first query (untimed, as the
   * server's do at start).
   */
  public record Options(
      double scaleFactor,
      Path warehouse,
      List<Integer> queries,
      int warmup,
      int runs,
      int threads,
      java.time.Duration plannerWarmup,
      java.time.Duration executionWarmup) {
    public Options {
      if (queries.isEmpty()) {
        throw new IllegalArgumentException("no queries to run");
      }
      if (warmup < 0 || runs < 1 || threads < 1) {
        throw new IllegalArgumentException(
            "warm-up runs must be >= 0, runs and threads >= 1; got "
                + warmup
                + ", "
                + runs
                + ", "
                + threads);
      }
      queries = List.copyOf(queries);
      if (plannerWarmup == null || plannerWarmup.isNegative()) {
        throw new IllegalArgumentException(
            "the planner warm-up must be 0 or more, not " + plannerWarmup);
      }
      if (executionWarmup == null || executionWarmup.isNegative()) {
        throw new IllegalArgumentException(
            "the execution warm-up must be 0 or more, not " + executionWarmup);
      }
    }

    /** Options without the planner and execution warm-ups. */
    public Options(
        double scaleFactor,
        Path warehouse,
        List<Integer> queries,
        int warmup,
        int runs,
        int threads) {
      this(
          scaleFactor,
          warehouse,
          queries,
          warmup,
          runs,
          threads,
          java.time.Duration.ZERO,
          java.time.Duration.ZERO);
    }
  }

  /**
   * One measured statement: its result ({@code ok}, {@code WRONG} or {@code FAILED}), the problem
   * (null when both engines agree) and both engines' measured times in ms.
   */
  public record Measurement(
      String name,
      String result,
      String problem,
      List<Double> oxbowMillis,
      List<Double> duckdbMillis) {
    boolean complete() {
      return !oxbowMillis.isEmpty() && !duckdbMillis.isEmpty();
    }

    double oxbowMedian() {
      return Statistics.median(oxbowMillis);
    }

    double duckdbMedian() {
      return Statistics.median(duckdbMillis);
    }
  }

  private final Options options;
  private final PrintStream out;
  private final QueryEngine engine;
  private final Session session;
  private final Connection duckdb;

  private BenchmarkTpch(Options options, PrintStream out, QueryEngine engine, Connection duckdb) {
    this.options = options;
    this.out = out;
    this.engine = engine;
    this.session = engine.newSession("tpch-benchmark");
    this.duckdb = duckdb;
  }

  /**
   * Runs the benchmark and prints its report to {@code out}. Returns true when every answer agreed.
   */
  public static boolean run(Options options, PrintStream out) throws SQLException {
    Path warehouse = options.warehouse();
    if (TpchGenerator.exists(warehouse)) {
      out.println("Using the TPC-H warehouse at " + warehouse);
    } else {
      out.println("Generating TPC-H SF " + options.scaleFactor() + " into " + warehouse + " ...");
      TpchGenerator.generate(warehouse, options.scaleFactor());
    }
    try (QueryEngine engine =
            new QueryEngine(TpchRunner.config(warehouse).withQueryThreads(options.threads()));
        Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      try (Statement s = duckdb.createStatement()) {
        s.execute("SET threads = " + options.threads());
      }
      TpchRunner.createViews(duckdb, warehouse);
      return new BenchmarkTpch(options, out, engine, duckdb).run();
    }
  }

  private boolean run() throws SQLException {
    // untimed: class loading, planner and DuckDB start-up belong to no query
    measure("start-up", STARTUP_SQL, STARTUP_SQL, 1, 0);
    Map<String, Double> alone = duckdbAlone();
    if (!options.plannerWarmup().isZero()) {
      // untimed, as the server warms its planner up when it starts
      out.println("Oxbow planner warm-up: " + engine.warmUpPlanner(options.plannerWarmup()));
    }
    if (!options.executionWarmup().isZero()) {
      // untimed, as the server warms its executor up when it starts (its own generated tables)
      out.println("Oxbow execution warm-up: " + engine.warmUpExecution(options.executionWarmup()));
    }
    out.printf(
        "Oxbow vs DuckDB %s on %s: %d warm-up and %d measured runs per query and engine,"
            + " alternating, after the same runs on DuckDB alone; threads per query = %d on both"
            + " engines%n%n",
        duckdbVersion(), options.warehouse(), options.warmup(), options.runs(), options.threads());
    out.printf(
        "%-6s %-7s %12s %12s %8s %14s %9s%n",
        "query", "result", "Oxbow ms", "DuckDB ms", "ratio", "DuckDB alone", "vs alone");
    List<Measurement> measurements = new ArrayList<>();
    for (int q : options.queries()) {
      String sql = TpchQueries.text(q);
      Measurement m = measure("Q" + q, sql, TpchRunner.duckDbText(sql));
      measurements.add(m);
      printRow(m, alone.get(m.name()));
    }
    List<Measurement> complete = measurements.stream().filter(Measurement::complete).toList();
    long correct = measurements.stream().filter(m -> m.problem() == null).count();
    out.println();
    if (complete.isEmpty()) {
      out.println("No query completed on both engines.");
    } else {
      double oxbowTotal = complete.stream().mapToDouble(Measurement::oxbowMedian).sum();
      double duckdbTotal = complete.stream().mapToDouble(Measurement::duckdbMedian).sum();
      double geomean =
          Statistics.geometricMean(
              complete.stream()
                  .map(m -> Math.max(m.oxbowMedian(), 0.001) / Math.max(m.duckdbMedian(), 0.001))
                  .toList());
      out.printf(
          "%-6s %-7s %12.1f %12.1f %7.1fx   (total of the medians of the %d queries completed on both)%n",
          "total",
          correct + "/" + measurements.size(),
          oxbowTotal,
          duckdbTotal,
          oxbowTotal / duckdbTotal,
          complete.size());
      out.printf("geometric mean of the ratios: %.1fx%n", geomean);
      List<Measurement> withAlone =
          complete.stream().filter(m -> alone.containsKey(m.name())).toList();
      if (!withAlone.isEmpty()) {
        double oxbowSum = withAlone.stream().mapToDouble(Measurement::oxbowMedian).sum();
        double aloneSum = withAlone.stream().mapToDouble(m -> alone.get(m.name())).sum();
        double aloneGeomean =
            Statistics.geometricMean(
                withAlone.stream()
                    .map(
                        m ->
                            Math.max(m.oxbowMedian(), 0.001) / Math.max(alone.get(m.name()), 0.001))
                    .toList());
        out.printf(
            "against DuckDB alone: Oxbow %.1f ms, DuckDB %.1f ms, %.1fx; geometric mean %.1fx"
                + " (%d queries)%n",
            oxbowSum, aloneSum, oxbowSum / aloneSum, aloneGeomean, withAlone.size());
      }
    }
    scanThroughput();
    out.flush();
    return correct == measurements.size();
  }

  private void scanThroughput() throws SQLException {
    long rows;
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM lineitem")) {
      rs.next();
      rows = rs.getLong(1);
    }
    Measurement m = measure("scan", SCAN_SQL, SCAN_SQL);
    out.println();
    out.printf("lineitem scan (%s), %,d rows, median of %d:%n", SCAN_SQL, rows, options.runs());
    if (m.problem() != null) {
      out.println("  " + m.problem());
    }
    if (!m.oxbowMillis().isEmpty()) {
      printThroughput("Oxbow", rows, m.oxbowMedian());
    }
    if (!m.duckdbMillis().isEmpty()) {
      printThroughput("DuckDB", rows, m.duckdbMedian());
    }
    if (m.complete()) {
      out.printf("  ratio Oxbow/DuckDB: %.1fx%n", m.oxbowMedian() / m.duckdbMedian());
    }
  }

  private void printThroughput(String engineName, long rows, double millis) {
    double rowsPerSecond = rows / (Math.max(millis, 0.001) / 1000);
    out.printf(
        "  %-7s %10.1f ms %12.1f M rows/s %12.1f M rows/s per core (T = %d)%n",
        engineName,
        millis,
        rowsPerSecond / 1e6,
        rowsPerSecond / options.threads() / 1e6,
        options.threads());
  }

  /**
   * Runs one statement {@code warmup + runs} times on each engine, alternating, and checks the
   * first answers against each other. An engine that fails stops being run for this statement.
   */
  private Measurement measure(String name, String oxbowSql, String duckdbSql) {
    return measure(name, oxbowSql, duckdbSql, options.warmup(), options.runs());
  }

  private Measurement measure(
      String name, String oxbowSql, String duckdbSql, int warmup, int runs) {
    List<Double> oxbowMillis = new ArrayList<>();
    List<Double> duckdbMillis = new ArrayList<>();
    List<List<Object>> oxbowRows = null;
    List<List<Object>> duckdbRows = null;
    String oxbowFailure = null;
    String duckdbFailure = null;
    for (int i = 0; i < warmup + runs; i++) {
      boolean measured = i >= warmup;
      for (int turn = 0; turn < 2; turn++) {
        boolean oxbowTurn = (turn == 0) == (i % 2 == 0);
        if (oxbowTurn && oxbowFailure == null) {
          try {
            long started = System.nanoTime();
            List<List<Object>> rows = TpchRunner.runOxbow(engine, session, oxbowSql);
            double millis = (System.nanoTime() - started) / 1e6;
            oxbowRows = oxbowRows == null ? rows : oxbowRows;
            if (measured) {
              oxbowMillis.add(millis);
            }
          } catch (RuntimeException e) {
            oxbowFailure = "Oxbow failed: " + e.getMessage();
          }
        } else if (!oxbowTurn && duckdbFailure == null) {
          try {
            long started = System.nanoTime();
            List<List<Object>> rows = TpchRunner.runDuckDb(duckdb, duckdbSql);
            double millis = (System.nanoTime() - started) / 1e6;
            duckdbRows = duckdbRows == null ? rows : duckdbRows;
            if (measured) {
              duckdbMillis.add(millis);
            }
          } catch (SQLException | RuntimeException e) {
            duckdbFailure = "DuckDB failed: " + e.getMessage();
          }
        }
      }
    }
    if (oxbowFailure != null || duckdbFailure != null) {
      if (oxbowFailure != null) {
        oxbowMillis.clear();
      }
      if (duckdbFailure != null) {
        duckdbMillis.clear();
      }
      String problem = oxbowFailure != null ? oxbowFailure : duckdbFailure;
      return new Measurement(name, "FAILED", problem, oxbowMillis, duckdbMillis);
    }
    String problem = TpchRunner.compare(oxbowRows, duckdbRows);
    return new Measurement(
        name, problem == null ? "ok" : "WRONG", problem, oxbowMillis, duckdbMillis);
  }

  /** One query's line; {@code alone} is its median on DuckDB alone, null when it has none. */
  private void printRow(Measurement m, Double alone) {
    out.printf(
        "%-6s %-7s %12s %12s %8s %14s %9s%s%n",
        m.name(),
        m.result(),
        m.oxbowMillis().isEmpty() ? "-" : String.format("%.1f", m.oxbowMedian()),
        m.duckdbMillis().isEmpty() ? "-" : String.format("%.1f", m.duckdbMedian()),
        m.complete()
            ? String.format("%.1fx", m.oxbowMedian() / Math.max(m.duckdbMedian(), 0.001))
            : "-",
        alone == null ? "-" : String.format("%.1f", alone),
        m.complete() && alone != null
            ? String.format("%.1fx", m.oxbowMedian() / Math.max(alone, 0.001))
            : "-",
        m.problem() == null ? "" : "  " + m.problem());
    out.flush();
  }

  /**
   * Each query's median time on DuckDB alone, by name ({@code Q1} ...), measured before Oxbow runs
   * any query and once Oxbow's JIT has gone quiet; a query DuckDB fails on has no entry.
   */
  private Map<String, Double> duckdbAlone() {
    waitForQuietJit();
    Map<String, Double> medians = new LinkedHashMap<>();
    for (int q : options.queries()) {
      String sql = TpchRunner.duckDbText(TpchQueries.text(q));
      List<Double> millis = new ArrayList<>();
      try {
        for (int i = 0; i < options.warmup() + options.runs(); i++) {
          long started = System.nanoTime();
          TpchRunner.runDuckDb(duckdb, sql);
          if (i >= options.warmup()) {
            millis.add((System.nanoTime() - started) / 1e6);
          }
        }
      } catch (SQLException | RuntimeException e) {
        continue; // reported with the alternating runs, which run the query again
      }
      medians.put("Q" + q, Statistics.median(millis));
    }
    return medians;
  }

  /**
   * Waits (at most 10 s) until the JIT has compiled nothing for 300 ms, so that compilations left
   * from start-up do not run while DuckDB alone is timed.
   */
  private static void waitForQuietJit() {
    java.lang.management.CompilationMXBean jit =
        java.lang.management.ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return;
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    long last = jit.getTotalCompilationTime();
    int quiet = 0;
    while (quiet < 3 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      long now = jit.getTotalCompilationTime();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
  }

  private String duckdbVersion() throws SQLException {
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery("SELECT version()")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
