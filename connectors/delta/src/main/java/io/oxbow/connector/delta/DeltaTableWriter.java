package io.oxbow.connector.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes a new Delta table through delta-kernel's create-table and append APIs. Batches are
 * buffered and written as Parquet files of about {@code targetFileRows} rows, with per-column
 * statistics in both the Parquet footers and the Delta log. {@link #commit()} creates the table and
 * adds every file in a single commit (version 0), so readers never see a half-written table.
 */
public final class DeltaTableWriter implements AutoCloseable {
  public static final int DEFAULT_TARGET_FILE_ROWS = 1_000_000;

  private final Path tableDir;
  private final Schema schema;
  private final StructType deltaSchema;
  private final int targetFileRows;
  private final Engine engine;
  private final Transaction transaction;
  private final Row transactionState;
  private final BufferAllocator allocator = new RootAllocator();
  private final List<VectorSchemaRoot> buffered = new ArrayList<>();
  private final List<Row> actions = new ArrayList<>();
  private int bufferedRows;
  private boolean committed;

  private DeltaTableWriter(Path tableDir, Schema schema, int targetFileRows) {
    this.tableDir = tableDir.toAbsolutePath().normalize();
    this.schema = schema;
    this.deltaSchema = DeltaTypes.toDelta(schema);
    this.targetFileRows = targetFileRows;
    try {
      if (Files.exists(this.tableDir)) {
        try (Stream<Path> children = Files.list(this.tableDir)) {
          if (children.findAny().isPresent()) {
            throw OxbowException.userError(
                "Cannot create Delta table: %s is not empty", this.tableDir);
          }
        }
      }
      Files.createDirectories(this.tableDir);
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot create " + this.tableDir + ": " + e.getMessage(),
          e);
    }
    this.engine = DefaultEngine.create(new Configuration());
    this.transaction =
        Table.forPath(engine, this.tableDir.toString())
            .createTransactionBuilder(engine, "Oxbow", Operation.CREATE_TABLE)
            .withSchema(engine, deltaSchema)
            .build(engine);
    this.transactionState = transaction.getTransactionState(engine);
  }

  /** Starts a new Delta table at {@code tableDir} (absent or empty) with these columns. */
  public static DeltaTableWriter create(Path tableDir, Schema schema) {
    return new DeltaTableWriter(tableDir, schema, DEFAULT_TARGET_FILE_ROWS);
  }

  /** As {@link #create(Path, Schema)}, with about {@code targetFileRows} rows per data file. */
  public static DeltaTableWriter create(Path tableDir, Schema schema, int targetFileRows) {
    if (targetFileRows <= 0) {
      throw OxbowException.userError("targetFileRows must be positive");
    }
    return new DeltaTableWriter(tableDir, schema, targetFileRows);
  }

  /** Adds the rows of {@code batch} (same columns as the table); the caller keeps ownership. */
  public void write(VectorSchemaRoot batch) {
    if (committed) {
      throw new IllegalStateException("already committed");
    }
    if (!batch.getSchema().getFields().stream()
        .map(f -> f.getType())
        .toList()
        .equals(schema.getFields().stream().map(f -> f.getType()).toList())) {
      throw OxbowException.userError(
          "Batch columns %s do not match the table's %s", batch.getSchema(), schema);
    }
    // copy: the caller's batch may live under another root allocator
    VectorSchemaRoot copy = VectorSchemaRoot.create(schema, allocator);
    int rows = batch.getRowCount();
    for (int i = 0; i < schema.getFields().size(); i++) {
      FieldVector from = batch.getVector(i);
      FieldVector to = copy.getVector(i);
      to.setInitialCapacity(rows);
      to.allocateNew();
      for (int r = 0; r < rows; r++) {
        to.copyFromSafe(r, r, from);
      }
      to.setValueCount(rows);
    }
    copy.setRowCount(rows);
    buffered.add(copy);
    bufferedRows += batch.getRowCount();
    if (bufferedRows >= targetFileRows) {
      flush();
    }
  }

  private void flush() {
    if (buffered.isEmpty()) {
      return;
    }
    try {
      DataWriteContext context = Transaction.getWriteContext(engine, transactionState, Map.of());
      List<FilteredColumnarBatch> logical = new ArrayList<>();
      for (VectorSchemaRoot root : buffered) {
        logical.add(
            new FilteredColumnarBatch(new ArrowColumnarBatch(root, deltaSchema), Optional.empty()));
      }
      CloseableIterator<FilteredColumnarBatch> physical =
          Transaction.transformLogicalData(
              engine, transactionState, Utils.toCloseableIterator(logical.iterator()), Map.of());
      CloseableIterator<DataFileStatus> files =
          engine
              .getParquetHandler()
              .writeParquetFiles(
                  context.getTargetDirectory(), physical, context.getStatisticsColumns());
      try (CloseableIterator<Row> appendActions =
          Transaction.generateAppendActions(engine, transactionState, files, context)) {
        while (appendActions.hasNext()) {
          actions.add(appendActions.next());
        }
      }
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Writing to " + tableDir + " failed: " + e.getMessage(), e);
    } finally {
      buffered.forEach(VectorSchemaRoot::close);
      buffered.clear();
      bufferedRows = 0;
    }
  }

  /** Writes the remaining rows and commits the table with all its files. */
  public void commit() {
    if (committed) {
      throw new IllegalStateException("already committed");
    }
    flush();
    try {
      transaction.commit(
          engine,
          CloseableIterable.inMemoryIterable(Utils.toCloseableIterator(actions.iterator())));
      committed = true;
    } catch (RuntimeException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Committing " + tableDir + " failed: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Committing " + tableDir + " failed: " + e.getMessage(), e);
    }
  }

  /** Releases buffers; does not commit. */
  @Override
  public void close() {
    buffered.forEach(VectorSchemaRoot::close);
    buffered.clear();
    allocator.close();
  }
}
