package io.oxbow.benchmarks.jmh;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.type.Kind;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
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
 * Hash join on long keys: {@code SELECT count(*), sum(p.pv), sum(b.bv) FROM probe p JOIN build b ON
 * p.key = b.bk}, {@code probeRows} probe rows (6M, lineitem-sized) against a {@code large} build
 * side of {@code probeRows / 4} unique keys (1.5M, orders-sized; half the probe rows match) or a
 * {@code small} one of 10,000 unique keys (a dimension table; every probe row matches). The global
 * aggregate on top keeps the output small on both engines while forcing every match and both
 * payload columns to be produced. Oxbow's executor over in-memory batches against DuckDB on the
 * same rows, with one thread and with every core.
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
public class BenchmarkHashJoin {
  private static final int SMALL_BUILD_ROWS = 10_000;

  /** The probe and both build sides, in Arrow for Oxbow. */
  @State(Scope.Benchmark)
  public static class Data {
    @Param("6000000")
    public long probeRows;

    @Param({"large", "small"})
    public String build;

    BufferAllocator allocator;
    InMemoryTable probe;
    InMemoryTable buildTable;

    @Setup
    public void setup() {
      allocator = new RootAllocator();
      long buildRows = build.equals("large") ? Math.max(1, probeRows / 4) : SMALL_BUILD_ROWS;
      // large: keys in [0, 2 * buildRows), so about half the probe rows find their key
      long probeRange = build.equals("large") ? 2 * buildRows : buildRows;
      probe =
          InMemoryTable.create(
              "probe",
              new Schema(
                  List.of(Field.nullable("pk", Kind.INT64), Field.nullable("pv", Kind.INT64))),
              probeRows,
              allocator,
              (batch, first, count) -> {
                SplittableRandom random = new SplittableRandom(first);
                BigIntVector pk = (BigIntVector) batch.getVector(0);
                BigIntVector pv = (BigIntVector) batch.getVector(1);
                for (int i = 0; i < count; i++) {
                  pk.set(i, random.nextLong(probeRange));
                  pv.set(i, random.nextLong(1_000_000));
                }
              });
      // every key 0 .. buildRows - 1 once, in a scrambled order (multiplication by an odd constant
      // modulo a power of two is a permutation; out-of-range values are skipped)
      long size = Long.highestOneBit(buildRows) << 1;
      buildTable =
          InMemoryTable.create(
              "build",
              new Schema(
                  List.of(Field.nullable("bk", Kind.INT64), Field.nullable("bv", Kind.INT64))),
              buildRows,
              allocator,
              new InMemoryTable.BatchFiller() {
                long next;

                @Override
                public void fill(
                    org.apache.arrow.vector.VectorSchemaRoot batch, long first, int count) {
                  BigIntVector bk = (BigIntVector) batch.getVector(0);
                  BigIntVector bv = (BigIntVector) batch.getVector(1);
                  for (int i = 0; i < count; i++) {
                    long key;
                    do {
                      key = (next++ * 0x9E3779B97F4A7C15L) & (size - 1);
                    } while (key >= buildRows);
                    bk.set(i, key);
                    bv.set(i, key * 7 % 1_000_003);
                  }
                }
              });
    }

    PlanNode plan() {
      ScanNode left = probe.scan("pk", "pv");
      ScanNode right = buildTable.scan("bk", "bv");
      List<Field> joined = new ArrayList<>(left.schema().getFields());
      joined.addAll(right.schema().getFields());
      JoinNode join =
          new JoinNode(
              left,
              right,
              JoinNode.JoinType.INNER,
              List.of(0),
              List.of(0),
              null,
              new Schema(joined));
      return new AggregateNode(
          join,
          List.of(),
          List.of(
              new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
              new AggregateCall(AggregateFunction.SUM, List.of(1), false, -1, Kind.INT64),
              new AggregateCall(AggregateFunction.SUM, List.of(3), false, -1, Kind.INT64)),
          new Schema(
              List.of(
                  Field.nullable("count", Kind.INT64),
                  Field.nullable("sum_pv", Kind.INT64),
                  Field.nullable("sum_bv", Kind.INT64))));
    }

    static final String SQL =
        "SELECT count(*), sum(pv), sum(bv) FROM probe JOIN build ON probe.pk = build.bk";

    @TearDown
    public void tearDown() {
      probe.close();
      buildTable.close();
      allocator.close();
    }
  }

  /** The same rows in DuckDB, one thread. */
  @State(Scope.Benchmark)
  public static class DuckDbOneThread extends DuckDbState {
    @Setup
    public void setup(Data data) throws SQLException {
      open(1, data.probe, data.buildTable);
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
      open(allThreads(), data.probe, data.buildTable);
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
  public long duckdbOneThread(DuckDbOneThread duckdb) throws SQLException {
    return Engines.duckdbQuery(duckdb.connection, Data.SQL);
  }

  @Benchmark
  public long duckdbAllThreads(DuckDbAllThreads duckdb) throws SQLException {
    return Engines.duckdbQuery(duckdb.connection, Data.SQL);
  }
}
