package io.oxbow.benchmarks.jmh;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.type.Kind;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
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
 * Hash aggregation: {@code SELECT key, sum(v), count(*), avg(v) FROM agg GROUP BY key} over {@code
 * rows} rows, grouped by a low-cardinality string ({@code low}: 6 values, like TPC-H's return flag
 * and line status) or a high-cardinality long ({@code high}: about rows / 4 groups); {@code v} is a
 * DECIMAL(15, 2). Oxbow's executor over in-memory batches against DuckDB on the same rows in an
 * in-memory table, with one thread and with every core.
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
public class BenchmarkHashAggregation {
  private static final String[] FLAGS = {"A|F", "N|F", "N|O", "R|F", "A|O", "R|O"};

  /** The rows, in Arrow for Oxbow. */
  @State(Scope.Benchmark)
  public static class Data {
    @Param("6000000")
    public long rows;

    @Param({"low", "high"})
    public String groupBy;

    BufferAllocator allocator;
    InMemoryTable table;

    @Setup
    public void setup() {
      allocator = new RootAllocator();
      Schema schema =
          new Schema(
              List.of(
                  Field.nullable("low", Kind.UTF8),
                  Field.nullable("high", Kind.INT64),
                  Field.nullable("v", Kind.decimal(15, 2))));
      long groups = Math.max(1, rows / 4);
      table =
          InMemoryTable.create(
              "agg",
              schema,
              rows,
              allocator,
              (batch, first, count) -> {
                SplittableRandom random = new SplittableRandom(first);
                VarCharVector low = (VarCharVector) batch.getVector(0);
                BigIntVector high = (BigIntVector) batch.getVector(1);
                DecimalVector v = (DecimalVector) batch.getVector(2);
                for (int i = 0; i < count; i++) {
                  low.setSafe(
                      i, FLAGS[random.nextInt(FLAGS.length)].getBytes(StandardCharsets.UTF_8));
                  high.set(i, random.nextLong(groups));
                  v.set(i, random.nextLong(100, 10_000_000));
                }
              });
    }

    PlanNode plan() {
      int key = groupBy.equals("low") ? 0 : 1;
      Field keyField = table.scan(groupBy).schema().getFields().get(0);
      Schema out =
          new Schema(
              List.of(
                  keyField,
                  Field.nullable("sum_v", Kind.decimal(38, 2)),
                  Field.nullable("count", Kind.INT64),
                  Field.nullable("avg_v", Kind.decimal(19, 6))));
      return new AggregateNode(
          table.scan(key == 0 ? "low" : "high", "v"),
          List.of(0),
          List.of(
              new AggregateCall(AggregateFunction.SUM, List.of(1), false, -1, Kind.decimal(38, 2)),
              new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
              new AggregateCall(AggregateFunction.AVG, List.of(1), false, -1, Kind.decimal(19, 6))),
          out);
    }

    String sql() {
      return "SELECT " + groupBy + ", sum(v), count(*), avg(v) FROM agg GROUP BY " + groupBy;
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
    return Engines.duckdbMaterialized(duckdb.connection, data.sql());
  }

  @Benchmark
  public long duckdbAllThreads(Data data, DuckDbAllThreads duckdb) throws SQLException {
    return Engines.duckdbMaterialized(duckdb.connection, data.sql());
  }
}
