package io.oxbow.benchmarks.jmh;

import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.type.Kind;
import java.sql.SQLException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sort of {@code rows} rows (k BIGINT random, s VARCHAR of 10 to 25 random letters, v BIGINT):
 * {@code sortLong} is {@code SELECT * FROM sorted ORDER BY k}, {@code sortString} {@code ORDER BY
 * s}, {@code topNLong} and {@code topNString} the same with {@code LIMIT 10} (Oxbow's top-N
 * operator). Oxbow's executor over in-memory batches against DuckDB on the same rows, with one
 * thread and with every core; full sorts land in a DuckDB temporary table (the whole sorted result
 * held in memory, as Oxbow's batches are), top-N results are read over JDBC.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "-Darrow.enable_unsafe_memory_access=true",
      "-Darrow.enable_null_check_for_get=false",
      "-Xmx4g"
    })
public class BenchmarkSort {
  private static final int LIMIT = 10;

  /** The rows, in Arrow for Oxbow. */
  @State(Scope.Benchmark)
  public static class Data {
    @Param("1000000")
    public long rows;

    @Param({"sortLong", "sortString", "topNLong", "topNString"})
    public String query;

    BufferAllocator allocator;
    InMemoryTable table;

    @Setup
    public void setup() {
      allocator = new RootAllocator();
      Schema schema =
          new Schema(
              List.of(
                  Field.nullable("k", Kind.INT64),
                  Field.nullable("s", Kind.UTF8),
                  Field.nullable("v", Kind.INT64)));
      table =
          InMemoryTable.create(
              "sorted",
              schema,
              rows,
              allocator,
              (batch, first, count) -> {
                SplittableRandom random = new SplittableRandom(first);
                BigIntVector k = (BigIntVector) batch.getVector(0);
                VarCharVector s = (VarCharVector) batch.getVector(1);
                BigIntVector v = (BigIntVector) batch.getVector(2);
                byte[] letters = new byte[25];
                for (int i = 0; i < count; i++) {
                  k.set(i, random.nextLong());
                  int length = 10 + random.nextInt(16);
                  for (int c = 0; c < length; c++) {
                    letters[c] = (byte) ('a' + random.nextInt(26));
                  }
                  s.setSafe(i, letters, 0, length);
                  v.set(i, first + i);
                }
              });
    }

    PlanNode plan() {
      int key = query.endsWith("Long") ? 0 : 1;
      SortNode sort =
          new SortNode(table.scan("k", "s", "v"), List.of(new SortKey(key, true, false)));
      return query.startsWith("topN") ? new LimitNode(sort, 0, LIMIT) : sort;
    }

    String sql() {
      String column = query.endsWith("Long") ? "k" : "s";
      return "SELECT k, s, v FROM sorted ORDER BY "
          + column
          + (query.startsWith("topN") ? " LIMIT " + LIMIT : "");
    }

    long duckdb(DuckDbState duckdb) throws SQLException {
      return query.startsWith("topN")
          ? Engines.duckdbQuery(duckdb.connection, sql())
          : Engines.duckdbMaterialized(duckdb.connection, sql());
    }

    @TearDown
    public void tearDown() {
      table.close();
      allocator.close();
    }
  }

  /** The same rows in DuckDB, one thread. */
  @State(Scope.Benchmark)
  public static class DuckDbOneThread extends DuckDbState {
    @Setup
    public void setup(Data data) throws SQLException {
      open(1, data.table);
    }

    @TearDown
    public void tearDown() throws SQLException {
      close();
    }
  }

  /** The same rows in DuckDB, one thread per core. */
  @State(Scope.Benchmark)
  public static class DuckDbAllThreads extends DuckDbState {
    @Setup
    public void setup(Data data) throws SQLException {
      open(allThreads(), data.table);
    }

    @TearDown
    public void tearDown() throws SQLException {
      close();
    }
  }

  @Benchmark
  public long oxbow(Data data) {
    return Engines.oxbow(data.plan(), data.allocator);
  }

  @Benchmark
  public long duckdbOneThread(Data data, DuckDbOneThread duckdb) throws SQLException {
    return data.duckdb(duckdb);
  }

  @Benchmark
  public long duckdbAllThreads(Data data, DuckDbAllThreads duckdb) throws SQLException {
    return data.duckdb(duckdb);
  }
}
