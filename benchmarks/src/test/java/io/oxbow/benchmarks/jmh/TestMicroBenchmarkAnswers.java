package io.oxbow.benchmarks.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.type.Values;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The micro-benchmarks compare like with like: on small data, Oxbow's plan and DuckDB's SQL of each
 * benchmark give the same answer on the rows the benchmark loads into both. Runs no benchmark.
 */
class TestMicroBenchmarkAnswers {
  @Test
  void hashAggregationAgrees() throws SQLException {
    for (String groupBy : List.of("low", "high")) {
      BenchmarkHashAggregation.Data data = new BenchmarkHashAggregation.Data();
      data.rows = 20_000;
      data.groupBy = groupBy;
      data.setup();
      BenchmarkHashAggregation.DuckDbOneThread duckdb =
          new BenchmarkHashAggregation.DuckDbOneThread();
      try {
        duckdb.setup(data);
        List<List<Object>> ours = oxbow(data.plan(), data.allocator);
        List<List<Object>> theirs = duckdb(duckdb.connection, data.sql());
        assertThat(ours).hasSameSizeAs(theirs).hasSizeGreaterThan(groupBy.equals("low") ? 5 : 1000);
        Map<Object, List<Object>> byKey = new HashMap<>();
        for (List<Object> row : theirs) {
          byKey.put(row.get(0), row);
        }
        for (List<Object> row : ours) {
          List<Object> other = byKey.get(row.get(0));
          assertThat(other).as("group %s", row.get(0)).isNotNull();
          assertThat(row.get(1)).isEqualTo(other.get(1));
          assertThat(((Number) row.get(2)).longValue())
              .isEqualTo(((Number) other.get(2)).longValue());
          assertThat(((BigDecimal) row.get(3)).doubleValue())
              .isCloseTo(((Number) other.get(3)).doubleValue(), within(1e-5));
        }
      } finally {
        duckdb.tearDown();
        data.tearDown();
      }
    }
  }

  @Test
  void hashJoinAgrees() throws SQLException {
    for (String build : List.of("large", "small")) {
      BenchmarkHashJoin.Data data = new BenchmarkHashJoin.Data();
      data.probeRows = 20_000;
      data.build = build;
      data.setup();
      BenchmarkHashJoin.DuckDbOneThread duckdb = new BenchmarkHashJoin.DuckDbOneThread();
      try {
        duckdb.setup(data);
        List<List<Object>> ours = oxbow(data.plan(), data.allocator);
        List<List<Object>> theirs = duckdb(duckdb.connection, BenchmarkHashJoin.Data.SQL);
        long matches = ((Number) ours.get(0).get(0)).longValue();
        // large: about half the probe rows match; small: all of them
        assertThat(matches).isBetween(build.equals("large") ? 8_000L : 20_000L, 20_000L);
        assertThat(ours.get(0).stream().map(v -> ((Number) v).longValue()).toList())
            .isEqualTo(theirs.get(0).stream().map(v -> ((Number) v).longValue()).toList());
      } finally {
        duckdb.tearDown();
        data.tearDown();
      }
    }
  }

  @Test
  void sortAndTopNAgree() throws SQLException {
    for (String query : List.of("sortLong", "sortString", "topNLong", "topNString")) {
      BenchmarkSort.Data data = new BenchmarkSort.Data();
      data.rows = 20_000;
      data.query = query;
      data.setup();
      BenchmarkSort.DuckDbOneThread duckdb = new BenchmarkSort.DuckDbOneThread();
      try {
        duckdb.setup(data);
        List<List<Object>> ours = oxbow(data.plan(), data.allocator);
        List<List<Object>> theirs = duckdb(duckdb.connection, data.sql());
        assertThat(ours).hasSize(query.startsWith("topN") ? 10 : 20_000);
        // keys are distinct random values, so the order is fully determined
        assertThat(ours).as(query).isEqualTo(theirs);
      } finally {
        duckdb.tearDown();
        data.tearDown();
      }
    }
  }

  @Test
  void parquetDecodersReadEveryRow(@TempDir Path tmp) throws Exception {
    String tmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    try {
      for (String columns : List.of("subset", "all")) {
        BenchmarkParquetDecode.Data data = new BenchmarkParquetDecode.Data();
        data.scaleFactor = 0.001;
        data.columns = columns;
        data.setup();
        BenchmarkParquetDecode.DuckDbOneThread duckdb =
            new BenchmarkParquetDecode.DuckDbOneThread();
        try {
          duckdb.setup();
          assertThat(data.tableDir).startsWith(tmp);
          long rows =
              ((Number)
                      duckdb(
                              duckdb.connection,
                              "SELECT count(*) FROM read_parquet('"
                                  + data.tableDir
                                  + "/*.parquet')")
                          .get(0)
                          .get(0))
                  .longValue();
          assertThat(rows).isGreaterThan(5_000);
          BenchmarkParquetDecode benchmark = new BenchmarkParquetDecode();
          assertThat(benchmark.oxbow(data)).isEqualTo(rows);
          assertThat(benchmark.arrowDataset(data)).isEqualTo(rows);
          assertThat(benchmark.parquetMr(data)).isPositive();
          assertThat(benchmark.duckdbOneThread(data, duckdb)).isEqualTo(1);
        } finally {
          duckdb.tearDown();
          data.tearDown();
        }
      }
    } finally {
      System.setProperty("java.io.tmpdir", tmpdir);
    }
  }

  private static List<List<Object>> oxbow(PlanNode plan, BufferAllocator allocator) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = allocator.newChildAllocator("test", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(plan, new ExecutionContext("test", query))) {
      VectorSchemaRoot batch;
      while ((batch = stream.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          for (int r = 0; r < b.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : b.getFieldVectors()) {
              Object value = Values.get(v, r);
              row.add(value);
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  private static List<List<Object>> duckdb(Connection connection, String sql) throws SQLException {
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
}
