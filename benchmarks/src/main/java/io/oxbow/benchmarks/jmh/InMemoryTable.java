package io.oxbow.benchmarks.jmh;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * A table of pre-built Arrow batches served to Oxbow's executor through the connector SPI (split
 * manager and page source provider), and loadable into DuckDB, so both engines work on the same
 * rows. Page sources hand out zero-copy slices of the batches (the buffers are shared by reference
 * count), so a scan costs next to nothing and the benchmark measures the operators above it.
 */
final class InMemoryTable implements ConnectorSplitManager, ConnectorPageSourceProvider {
  /** Rows per batch, as the connectors produce them. */
  static final int BATCH_ROWS = 4096;

  /** Batches per split: a morsel of 64K rows. */
  private static final int BATCHES_PER_SPLIT = 16;

  /** Fills {@code count} rows, the table's rows {@code first} to {@code first + count - 1}. */
  interface BatchFiller {
    void fill(VectorSchemaRoot batch, long first, int count);
  }

  private record Handle(String table) implements ConnectorTableHandle {
    @Override
    public SchemaTableName name() {
      return new SchemaTableName("bench", table);
    }
  }

  private record Split(int firstBatch, int batchCount) implements ConnectorSplit {}

  private final String name;
  private final Schema schema;
  private final List<VectorSchemaRoot> batches = new ArrayList<>();

  private InMemoryTable(String name, Schema schema) {
    this.name = name;
    this.schema = schema;
  }

  /** Builds a table of {@code rows} rows, batch by batch, with {@code filler}. */
  static InMemoryTable create(
      String name, Schema schema, long rows, BufferAllocator allocator, BatchFiller filler) {
    InMemoryTable table = new InMemoryTable(name, schema);
    try {
      for (long first = 0; first < rows; first += BATCH_ROWS) {
        int count = (int) Math.min(BATCH_ROWS, rows - first);
        VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator);
        table.batches.add(batch);
        for (FieldVector v : batch.getFieldVectors()) {
          v.setInitialCapacity(count);
          v.allocateNew();
        }
        filler.fill(batch, first, count);
        for (FieldVector v : batch.getFieldVectors()) {
          v.setValueCount(count);
        }
        batch.setRowCount(count);
      }
      return table;
    } catch (RuntimeException e) {
      table.close();
      throw e;
    }
  }

  long rowCount() {
    long rows = 0;
    for (VectorSchemaRoot b : batches) {
      rows += b.getRowCount();
    }
    return rows;
  }

  /** A scan of {@code columns} of this table. */
  ScanNode scan(String... columns) {
    List<Field> fields = new ArrayList<>();
    for (String c : columns) {
      fields.add(schema.findField(c));
    }
    return new ScanNode(
        "bench", new Handle(name), List.of(columns), this, this, new Schema(fields));
  }

  @Override
  public List<ConnectorSplit> getSplits(ConnectorTableHandle table) {
    List<ConnectorSplit> splits = new ArrayList<>();
    for (int b = 0; b < batches.size(); b += BATCHES_PER_SPLIT) {
      splits.add(new Split(b, Math.min(BATCHES_PER_SPLIT, batches.size() - b)));
    }
    return splits;
  }

  @Override
  public ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator) {
    Split s = (Split) split;
    List<Field> fields = new ArrayList<>();
    int[] indexes = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      Field field = schema.findField(columns.get(c));
      fields.add(field);
      indexes[c] = schema.getFields().indexOf(field);
    }
    Schema projected = new Schema(fields);
    return new ConnectorPageSource() {
      private int next = s.firstBatch();

      @Override
      public VectorSchemaRoot nextBatch() {
        if (next >= s.firstBatch() + s.batchCount()) {
          return null;
        }
        VectorSchemaRoot from = batches.get(next++);
        int rows = from.getRowCount();
        List<FieldVector> vectors = new ArrayList<>();
        try {
          for (int index : indexes) {
            TransferPair pair = from.getVector(index).getTransferPair(allocator);
            pair.splitAndTransfer(0, rows);
            vectors.add((FieldVector) pair.getTo());
          }
        } catch (RuntimeException e) {
          vectors.forEach(FieldVector::close);
          throw e;
        }
        VectorSchemaRoot out = new VectorSchemaRoot(projected.getFields(), vectors, rows);
        return out;
      }

      @Override
      public long completedBytes() {
        return 0;
      }

      @Override
      public void close() {}
    };
  }

  /** Creates table {@code name} in DuckDB with the same columns and rows. */
  void loadInto(Connection duckdb) throws SQLException {
    List<String> columns = new ArrayList<>();
    for (Field f : schema.getFields()) {
      columns.add(f.getName() + " " + duckDbType(f.getType()));
    }
    try (Statement s = duckdb.createStatement()) {
      s.execute("CREATE OR REPLACE TABLE " + name + " (" + String.join(", ", columns) + ")");
    }
    try (DuckDBAppender appender = ((DuckDBConnection) duckdb).createAppender("main", name)) {
      for (VectorSchemaRoot batch : batches) {
        List<FieldVector> vectors = batch.getFieldVectors();
        for (int r = 0; r < batch.getRowCount(); r++) {
          appender.beginRow();
          for (FieldVector v : vectors) {
            if (v instanceof BigIntVector longs) {
              appender.append(longs.get(r));
            } else if (v instanceof IntVector ints) {
              appender.append(ints.get(r));
            } else if (v instanceof DecimalVector decimals) {
              BigDecimal value = decimals.getObject(r);
              appender.append(value);
            } else if (v instanceof DateDayVector dates) {
              appender.append(LocalDate.ofEpochDay(dates.get(r)));
            } else if (v instanceof VarCharVector strings) {
              appender.append(new String(strings.get(r), java.nio.charset.StandardCharsets.UTF_8));
            } else {
              throw new IllegalStateException("unsupported column type " + v.getField());
            }
          }
          appender.endRow();
        }
      }
    }
  }

  private static String duckDbType(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getBitWidth() == 64 ? "BIGINT" : "INTEGER";
    }
    if (type instanceof ArrowType.Decimal d) {
      return "DECIMAL(" + d.getPrecision() + ", " + d.getScale() + ")";
    }
    if (type instanceof ArrowType.Date) {
      return "DATE";
    }
    if (type instanceof ArrowType.Utf8) {
      return "VARCHAR";
    }
    throw new IllegalArgumentException("unsupported type " + type);
  }

  void close() {
    batches.forEach(VectorSchemaRoot::close);
    batches.clear();
  }
}
