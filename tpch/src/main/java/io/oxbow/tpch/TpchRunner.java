package io.oxbow.tpch;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.federation.QueryResult;
import io.oxbow.federation.Session;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Runs the 22 TPC-H queries on a warehouse in process, checks every answer against DuckDB reading
 * the same Parquet files, and reports per-query correctness and time for both engines. DuckDB is
 * the reference because the generator's text columns differ from dbgen's, which makes the official
 * answer files inapplicable to some queries.
 */
public final class TpchRunner {
  /** One query's outcome. */
  public record Outcome(
      int query, boolean correct, String problem, long oxbowMillis, long duckdbMillis) {}

  private TpchRunner() {}

  public static List<Outcome> run(Path warehouse, List<Integer> queries, PrintStream out)
      throws SQLException {
    List<Outcome> outcomes = new ArrayList<>();
    try (QueryEngine engine = new QueryEngine(config(warehouse));
        Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      createViews(duckdb, warehouse);
      Session session = engine.newSession("tpch-runner");
      out.printf("%-5s %-8s %12s %12s %8s%n", "query", "result", "oxbow ms", "duckdb ms", "ratio");
      for (int q : queries) {
        String sql = TpchQueries.text(q);
        Outcome outcome;
        try {
          long started = System.nanoTime();
          List<List<Object>> ours = runOxbow(engine, session, sql);
          long oxbowMillis = (System.nanoTime() - started) / 1_000_000;
          started = System.nanoTime();
          List<List<Object>> reference = runDuckDb(duckdb, duckDbText(sql));
          long duckMillis = (System.nanoTime() - started) / 1_000_000;
          String problem = compare(ours, reference);
          outcome = new Outcome(q, problem == null, problem, oxbowMillis, duckMillis);
        } catch (RuntimeException e) {
          outcome = new Outcome(q, false, e.getMessage(), -1, -1);
        }
        outcomes.add(outcome);
        out.printf(
            "Q%-4d %-8s %12d %12d %8s%s%n",
            q,
            outcome.correct() ? "ok" : "WRONG",
            outcome.oxbowMillis(),
            outcome.duckdbMillis(),
            outcome.duckdbMillis() > 0
                ? String.format("%.1fx", (double) outcome.oxbowMillis() / outcome.duckdbMillis())
                : "-",
            outcome.problem() == null ? "" : "  " + outcome.problem());
        out.flush();
      }
    }
    long correct = outcomes.stream().filter(Outcome::correct).count();
    long ours = outcomes.stream().mapToLong(o -> Math.max(0, o.oxbowMillis())).sum();
    long theirs = outcomes.stream().mapToLong(o -> Math.max(0, o.duckdbMillis())).sum();
    out.printf(
        "%d of %d correct; total %d ms (Oxbow) vs %d ms (DuckDB)%n",
        correct, outcomes.size(), ours, theirs);
    return outcomes;
  }

  /**
   * The engine configuration the runner uses: catalog {@code tpch} on the warehouse, default schema
   * {@code tpch}, environment overrides applied.
   */
  public static OxbowConfig config(Path warehouse) {
    return OxbowConfig.defaults()
        .withEnvironment(System.getenv())
        .withCatalog("tpch", "delta", Map.of("warehouse", warehouse.toString()))
        .withDefaultNamespace("tpch", TpchGenerator.SCHEMA);
  }

  /** A query's text as DuckDB accepts it (no interval precision, no trailing semicolon). */
  public static String duckDbText(String sql) {
    return sql.replace("day (3)", "day").replace(";", "");
  }

  /** Creates one DuckDB view per table of the warehouse over that table's Parquet files. */
  public static void createViews(Connection duckdb, Path warehouse) throws SQLException {
    try (Statement s = duckdb.createStatement();
        Stream<Path> tables = Files.list(warehouse.resolve(TpchGenerator.SCHEMA))) {
      for (Path table : tables.filter(Files::isDirectory).toList()) {
        s.execute(
            "CREATE VIEW "
                + table.getFileName()
                + " AS SELECT * FROM read_parquet('"
                + table.toString().replace("'", "''")
                + "/*.parquet')");
      }
    } catch (java.io.IOException e) {
      throw new SQLException("Cannot list " + warehouse, e);
    }
  }

  /** Runs {@code sql} on Oxbow and returns every row (text as {@code String}). */
  public static List<List<Object>> runOxbow(QueryEngine engine, Session session, String sql) {
    List<List<Object>> rows = new ArrayList<>();
    try (QueryResult result = engine.execute(session, sql)) {
      while (true) {
        VectorSchemaRoot batch = result.next();
        if (batch == null) {
          break;
        }
        try (batch) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : batch.getFieldVectors()) {
              Object value = v.getObject(r);
              row.add(value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  /** Runs {@code sql} on DuckDB and returns every row. */
  public static List<List<Object>> runDuckDb(Connection duckdb, String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int c = 1; c <= columns; c++) {
          row.add(rs.getObject(c));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Null if equal (decimals exactly; DuckDB doubles rounded to our scale, one unit of slack). */
  public static String compare(List<List<Object>> ours, List<List<Object>> reference) {
    if (ours.size() != reference.size()) {
      return "row count " + ours.size() + " vs " + reference.size();
    }
    for (int r = 0; r < ours.size(); r++) {
      for (int c = 0; c < ours.get(r).size(); c++) {
        Object x = ours.get(r).get(c);
        Object y = reference.get(r).get(c);
        if (!same(x, y)) {
          return "row " + r + " column " + (c + 1) + ": " + x + " vs " + y;
        }
      }
    }
    return null;
  }

  private static boolean same(Object x, Object y) {
    if (x == null || y == null) {
      return x == y;
    }
    if (x instanceof BigDecimal dx && y instanceof Double dy) {
      BigDecimal rounded = BigDecimal.valueOf(dy).setScale(dx.scale(), RoundingMode.HALF_UP);
      return dx.subtract(rounded).abs().compareTo(BigDecimal.ONE.movePointLeft(dx.scale())) <= 0;
    }
    if (x instanceof Number nx && y instanceof Number ny) {
      return new BigDecimal(nx.toString()).compareTo(new BigDecimal(ny.toString())) == 0;
    }
    if (x instanceof Integer days && !(y instanceof Number)) {
      return java.time.LocalDate.ofEpochDay(days).toString().equals(String.valueOf(y));
    }
    if (x instanceof java.time.LocalDateTime || x instanceof java.time.LocalDate) {
      return String.valueOf(x).startsWith(String.valueOf(y));
    }
    return String.valueOf(x).equals(String.valueOf(y));
  }
}
