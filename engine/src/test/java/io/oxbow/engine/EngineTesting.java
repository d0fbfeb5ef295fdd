package io.oxbow.engine;

import io.oxbow.engine.exec.WorkerPool;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared fixture for engine tests: a fresh {@link RootAllocator} per test that must be empty at the
 * end (closing it throws on a leak), plan-building shorthands, and an in-memory connector.
 */
abstract class EngineTesting {
  protected BufferAllocator root;

  @BeforeEach
  void createAllocator() {
    root = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    root.close(); // throws if a test leaked a buffer
  }

  static Schema schema(Object... namesAndTypes) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      fields.add(Field.nullable((String) namesAndTypes[i], (ArrowType) namesAndTypes[i + 1]));
    }
    return new Schema(fields);
  }

  static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  static Call call(ScalarFunction fn, ArrowType type, Expr... args) {
    return new Call(fn, List.of(args), type);
  }

  static ColumnRef col(int i, ArrowType type) {
    return new ColumnRef(i, type);
  }

  static Literal lit(Object value, ArrowType type) {
    return new Literal(value, type);
  }

  /** Evaluates {@code expr} over every row of {@code values}, one result value per row. */
  List<Object> evaluate(ValuesNode values, Expr expr) {
    List<Object> out = new ArrayList<>();
    for (List<Object> r : run(new ProjectNode(values, List.of(expr), schema("r", expr.type())))) {
      out.add(r.get(0));
    }
    return out;
  }

  /** Evaluates {@code expr} with no input columns (over one row). */
  Object evaluate(Expr expr) {
    return evaluate(
            new ValuesNode(schema("dummy", io.oxbow.engine.type.Kind.INT64), List.of(row(1L))),
            expr)
        .get(0);
  }

  /**
   * Threads per query in {@link #run} and {@link #batchSizes}: the engine's default, so pipelines
   * over several splits run in parallel; tests of serial behaviour (split order) return 1.
   */
  protected int parallelism() {
    return WorkerPool.defaultThreads();
  }

  List<List<Object>> run(PlanNode plan) {
    return run(plan, Long.MAX_VALUE);
  }

  /** Runs {@code plan} under a query allocator with {@code limit} bytes and reads every row. */
  List<List<Object>> run(PlanNode plan, long limit) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, limit);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext("q", query, () -> false, parallelism()))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          rows.addAll(rows(batch));
        }
      }
    }
    return rows;
  }

  /** Runs {@code plan} and returns the row count of each batch. */
  List<Integer> batchSizes(PlanNode plan) {
    List<Integer> sizes = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext("q", query, () -> false, parallelism()))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          sizes.add(batch.getRowCount());
        }
      }
    }
    return sizes;
  }

  static List<List<Object>> rows(VectorSchemaRoot batch) {
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 0; r < batch.getRowCount(); r++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector v : batch.getFieldVectors()) {
        row.add(Values.get(v, r));
      }
      rows.add(row);
    }
    return rows;
  }

  /** A table handle for the in-memory connector. */
  record MemoryTable(String table) implements ConnectorTableHandle {
    @Override
    public SchemaTableName name() {
      return new SchemaTableName("test", table);
    }
  }

  /** A split of the in-memory connector: a list of batches, each a list of rows. */
  record MemorySplit(List<List<List<Object>>> batches) implements ConnectorSplit {}

  /**
   * An in-memory connector: each split holds batches of rows of {@code tableSchema}; page sources
   * build Arrow batches of the requested columns from the page source's allocator, count the
   * batches served and record whether each was closed.
   */
  static class MemoryConnector implements ConnectorPageSourceProvider {
    final Schema tableSchema;
    final List<ConnectorSplit> splits;
    final AtomicInteger batchesServed = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    RuntimeException failOnBatch;
    int failAfter = -1;

    MemoryConnector(Schema tableSchema, List<ConnectorSplit> splits) {
      this.tableSchema = tableSchema;
      this.splits = splits;
    }

    ScanNode scan(String... columns) {
      List<Field> fields = new ArrayList<>();
      for (String c : columns) {
        fields.add(tableSchema.findField(c));
      }
      return new ScanNode(
          "mem", new MemoryTable("t"), List.of(columns), t -> splits, this, new Schema(fields));
    }

    @Override
    public ConnectorPageSource createPageSource(
        ConnectorTableHandle table,
        ConnectorSplit split,
        List<String> columns,
        BufferAllocator allocator) {
      opened.incrementAndGet();
      List<List<List<Object>>> batches = ((MemorySplit) split).batches();
      return new ConnectorPageSource() {
        int next;
        boolean isClosed;

        @Override
        public VectorSchemaRoot nextBatch() {
          if (next >= batches.size()) {
            return null;
          }
          if (failOnBatch != null && batchesServed.get() >= failAfter) {
            throw failOnBatch;
          }
          List<List<Object>> rows = batches.get(next++);
          List<Field> fields = new ArrayList<>();
          for (String c : columns) {
            fields.add(tableSchema.findField(c));
          }
          VectorSchemaRoot out = VectorSchemaRoot.create(new Schema(fields), allocator);
          try {
            for (FieldVector v : out.getFieldVectors()) {
              v.allocateNew();
            }
            for (int r = 0; r < rows.size(); r++) {
              for (int c = 0; c < columns.size(); c++) {
                int index = tableSchema.getFields().indexOf(tableSchema.findField(columns.get(c)));
                Values.set(out.getVector(c), r, rows.get(r).get(index));
              }
            }
          } catch (RuntimeException e) {
            out.close(); // e.g. over the memory limit half way through the batch
            throw e;
          }
          out.setRowCount(rows.size());
          batchesServed.incrementAndGet();
          return out;
        }

        @Override
        public long completedBytes() {
          return 0;
        }

        @Override
        public void close() {
          if (!isClosed) {
            isClosed = true;
            closed.incrementAndGet();
          }
        }
      };
    }
  }
}
