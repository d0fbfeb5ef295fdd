package io.oxbow.benchmarks.jmh;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * An in-memory DuckDB database holding the benchmark's tables, with a fixed thread count. Each
 * benchmark declares two JMH states built on it, one thread and every core, created only in the
 * forks of the benchmark methods that use them.
 */
abstract class DuckDbState {
  Connection connection;

  void open(int threads, InMemoryTable... tables) throws SQLException {
    connection = Engines.duckdb(threads);
    for (InMemoryTable table : tables) {
      table.loadInto(connection);
    }
  }

  void close() throws SQLException {
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }

  static int allThreads() {
    return Runtime.getRuntime().availableProcessors();
  }
}
