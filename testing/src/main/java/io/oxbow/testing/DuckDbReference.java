package io.oxbow.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * DuckDB over the Parquet files of a warehouse's {@code tpch} tables: the reference answers Oxbow's
 * results are compared with. Each table becomes a view over {@code read_parquet}.
 */
public final class DuckDbReference implements AutoCloseable {
  private final Connection connection;

  public DuckDbReference(Path warehouse) throws Exception {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    Path schema = warehouse.resolve("tpch");
    try (Stream<Path> tables = Files.list(schema);
        Statement s = connection.createStatement()) {
      for (Path table : tables.filter(Files::isDirectory).toList()) {
        s.execute(
            "CREATE VIEW "
                + table.getFileName()
                + " AS SELECT * FROM read_parquet('"
                + table.toString().replace("'", "''")
                + "/*.parquet')");
      }
    }
  }

  /** Runs {@code sql} and returns its rows, values as DuckDB's JDBC driver returns them. */
  public List<List<Object>> query(String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = connection.createStatement();
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

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
