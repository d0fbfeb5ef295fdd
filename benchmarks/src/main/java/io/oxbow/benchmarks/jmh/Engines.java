package io.oxbow.benchmarks.jmh;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.PlanNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Running one statement on each engine, the same way in every benchmark. */
final class Engines {
  private static int queries;

  private Engines() {}

  /** Runs {@code plan} on Oxbow's executor to the end and returns the rows it produced. */
  static long oxbow(PlanNode plan, BufferAllocator allocator) {
    long rows = 0;
    try (BufferAllocator query = allocator.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext("bench-" + queries++, query))) {
      VectorSchemaRoot batch;
      while ((batch = stream.next()) != null) {
        rows += batch.getRowCount();
        batch.close();
      }
    }
    return rows;
  }

  /** A new in-memory DuckDB database using {@code threads} threads. */
  static Connection duckdb(int threads) throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = connection.createStatement()) {
      s.execute("SET threads = " + threads);
    }
    return connection;
  }

  /**
   * Runs {@code sql} on DuckDB and reads every row of its result (every column of every row, so
   * nothing is left unmaterialized); returns the row count. Large results should be avoided (JDBC
   * transfer would dominate): use {@link #duckdbMaterialized} for them.
   */
  static long duckdbQuery(Connection duckdb, String sql) throws SQLException {
    long rows = 0;
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int c = 1; c <= columns; c++) {
          rs.getObject(c);
        }
        rows++;
      }
    }
    return rows;
  }

  /**
   * Runs {@code sql} on DuckDB into a temporary table, which holds the whole result in DuckDB's
   * memory as Oxbow's batches do, without a JDBC transfer of every row; returns the row count.
   */
  static long duckdbMaterialized(Connection duckdb, String sql) throws SQLException {
    try (Statement s = duckdb.createStatement()) {
      s.execute("CREATE OR REPLACE TEMP TABLE bench_result AS " + sql);
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM bench_result")) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
