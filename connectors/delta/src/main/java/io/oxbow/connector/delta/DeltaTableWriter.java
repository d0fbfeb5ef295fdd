package io.oxbow.connector.delta;

import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes a new Delta table through delta-kernel's create-table and append APIs. Batches are
 * buffered and written as Parquet files of about {@code targetFileRows} rows, with per-column
 * statistics in both the Parquet footers and the Delta log. {@link #commit()} creates the table and
 * adds every file in a single commit (version 0), so readers never see a half-written table.
 */
public final class DeltaTableWriter implements AutoCloseable {
  public static final int DEFAULT_TARGET_FILE_ROWS = 1_000_000;

  private final String tableDir;
  private final DeltaFileIO fileIO;
  private final boolean ownsFileIO;
  private final Schema schema;
  private final StructType deltaSchema;
  private final int targetFileRows;
  private final Engine engine;
  private final Transaction transaction;
  private final DeltaDataFiles files;
  private boolean committed;

  private DeltaTableWriter(
      DeltaFileIO fileIO, boolean ownsFileIO, String location, Schema schema, int targetFileRows) {
    this.tableDir = DeltaFileIO.join(location);
    this.fileIO = fileIO;
    this.ownsFileIO = ownsFileIO;
    this.schema = schema;
    this.deltaSchema = DeltaTypes.toDelta(schema);
    this.targetFileRows = targetFileRows;
    try {
      if (fileIO.directoryExists(this.tableDir)) {
        throw OxbowException.userError("Cannot create Delta table: %s is not empty", this.tableDir);
      }
      fileIO.mkdirs(this.tableDir);
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot create " + this.tableDir + ": " + e.getMessage(),
          e);
    }
    this.engine = DefaultEngine.create(fileIO);
    this.transaction =
        Table.forPath(engine, this.tableDir)
            .createTransactionBuilder(engine, "Oxbow", Operation.CREATE_TABLE)
            .withSchema(engine, deltaSchema)
            .build(engine);
    // no memory cap: files of exactly targetFileRows rows (the generators size them)
    this.files = new DeltaDataFiles(engine, transaction, tableDir, targetFileRows, Long.MAX_VALUE);
  }

  /** Starts a new Delta table at {@code tableDir} (absent or empty) with these columns. */
  public static DeltaTableWriter create(Path tableDir, Schema schema) {
    return create(tableDir, schema, DEFAULT_TARGET_FILE_ROWS);
  }

  /** As {@link #create(Path, Schema)}, with about {@code targetFileRows} rows per data file. */
  public static DeltaTableWriter create(Path tableDir, Schema schema, int targetFileRows) {
    if (targetFileRows <= 0) {
      throw OxbowException.userError("targetFileRows must be positive");
    }
    return new DeltaTableWriter(
        DeltaFileIO.local(), true, tableDir.toAbsolutePath().toString(), schema, targetFileRows);
  }

  /**
   * Starts a new Delta table at {@code location} (a local path or {@code s3://bucket/key}, absent
   * or empty), reading and writing through {@code fileIO} (which the caller keeps and closes).
   */
  public static DeltaTableWriter create(
      DeltaFileIO fileIO, String location, Schema schema, int targetFileRows) {
    if (targetFileRows <= 0) {
      throw OxbowException.userError("targetFileRows must be positive");
    }
    return new DeltaTableWriter(fileIO, false, location, schema, targetFileRows);
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
    files.add(batch);
  }

  /** Writes the remaining rows and commits the table with all its files. */
  public void commit() {
    if (committed) {
      throw new IllegalStateException("already committed");
    }
    List<Row> actions = files.finish();
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
    files.close();
    if (ownsFileIO) {
      fileIO.close();
    }
  }
}
