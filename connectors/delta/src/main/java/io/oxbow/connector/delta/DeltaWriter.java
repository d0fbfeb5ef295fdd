package io.oxbow.connector.delta;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.ScanImpl;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.oxbow.spi.connector.ConnectorWriter;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One atomic write to a Delta table through delta-kernel's transaction API: an append, an overwrite
 * (removes every file of the version it read) or a rewrite (removes the files a DELETE, UPDATE or
 * MERGE replaced). Everything lands in a single commit; appends are blind and kernel retries them
 * after a concurrent commit, while overwrites and rewrites never retry: if another writer committed
 * first they fail with {@link ErrorCode#CONFLICT} and the statement can be re-run. Closing without
 * committing deletes the data files written so far.
 */
final class DeltaWriter implements ConnectorWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaWriter.class);

  /** What a commit does besides adding the written files. */
  enum Mode {
    /** Only adds files. */
    APPEND,
    /** Also removes every file of the version the transaction read. */
    OVERWRITE,
    /** Also removes the replaced files (paths as stored in the log). */
    REWRITE
  }

  /** The name kernel records as the writer in each commit's {@code engineInfo}. */
  static final String ENGINE_INFO = "Oxbow";

  private final Engine engine;
  private final SchemaTableName name;
  private final String location;
  private final Mode mode;
  private final Set<String> replacedFiles;
  private final Transaction transaction;
  private final DeltaDataFiles files;
  private final Map<String, String> domainMetadata = new LinkedHashMap<>();
  private boolean committed;
  private boolean keepFiles;
  private boolean closed;
  private long committedVersion = -1;

  private DeltaWriter(
      Engine engine,
      SchemaTableName name,
      String location,
      Mode mode,
      Set<String> replacedFiles,
      Transaction transaction,
      int targetFileRows) {
    this.engine = engine;
    this.name = name;
    this.location = location;
    this.mode = mode;
    this.replacedFiles = Set.copyOf(replacedFiles);
    this.transaction = transaction;
    this.files = new DeltaDataFiles(engine, transaction, name.toString(), targetFileRows);
  }

  /**
   * Starts a write to the Delta table at {@code location}.
   *
   * @param readVersion the version the statement read (overwrites and rewrites fail with {@code
   *     CONFLICT} if the table has moved on), empty if it read none
   * @param replacedFiles for {@link Mode#REWRITE}: add-action paths of the files to remove
   * @param withDomainMetadata whether the commit may carry domain metadata (enables the table
   *     feature if needed)
   */
  static DeltaWriter begin(
      Engine engine,
      SchemaTableName name,
      String location,
      Mode mode,
      OptionalLong readVersion,
      Set<String> replacedFiles,
      boolean withDomainMetadata,
      int targetFileRows) {
    Transaction transaction;
    try {
      TransactionBuilder builder =
          Table.forPath(engine, location)
              .createTransactionBuilder(engine, ENGINE_INFO, Operation.WRITE);
      if (mode != Mode.APPEND) {
        // kernel's conflict checker only understands blind appends
        builder = builder.withMaxRetries(0);
      }
      if (withDomainMetadata) {
        builder = builder.withDomainMetadataSupported();
      }
      transaction = builder.build(engine);
    } catch (TableNotFoundException e) {
      throw OxbowException.notFound("Delta table %s not found at %s", name, location);
    } catch (KernelException | UnsupportedOperationException | IllegalArgumentException e) {
      throw OxbowException.userError("Cannot write to Delta table %s: %s", name, e.getMessage());
    } catch (UncheckedIOException e) {
      throw unavailable(name, location, e);
    }
    if (mode != Mode.APPEND
        && readVersion.isPresent()
        && transaction.getReadTableVersion() != readVersion.getAsLong()) {
      throw conflict(
          name,
          String.format(
              "it changed from version %d to %d since this statement read it",
              readVersion.getAsLong(), transaction.getReadTableVersion()));
    }
    try {
      ColumnMapping.blockIfColumnMappingEnabled(transaction.getTransactionState(engine));
    } catch (UnsupportedOperationException e) {
      throw OxbowException.userError(
          "Cannot write to Delta table %s: it uses column mapping (delta.columnMapping.mode),"
              + " which delta-kernel 4.0.0 cannot write yet; Oxbow can read it",
          name);
    }
    try {
      return new DeltaWriter(
          engine, name, location, mode, replacedFiles, transaction, targetFileRows);
    } catch (UnsupportedOperationException | IllegalArgumentException | KernelException e) {
      throw OxbowException.userError("Cannot write to Delta table %s: %s", name, e.getMessage());
    }
  }

  /** The table version this write read (and, for overwrites and rewrites, replaces). */
  long readVersion() {
    return transaction.getReadTableVersion();
  }

  /** The table's columns, as kernel writes them. */
  StructType deltaSchema() {
    return transaction.getSchema(engine);
  }

  /** The snapshot this write read. */
  Snapshot readSnapshot() {
    return Table.forPath(engine, location)
        .getSnapshotAsOfVersion(engine, transaction.getReadTableVersion());
  }

  /** Sets a domain metadata entry committed with the data (requires {@code withDomainMetadata}). */
  void setDomainMetadata(String domain, String configuration) {
    domainMetadata.put(domain, configuration);
  }

  @Override
  public void write(VectorSchemaRoot rows) {
    if (committed || closed) {
      throw new IllegalStateException("write after commit or close");
    }
    try {
      files.add(rows);
    } catch (UnsupportedOperationException | IllegalArgumentException | KernelException e) {
      throw OxbowException.userError("Cannot write to Delta table %s: %s", name, e.getMessage());
    }
  }

  /** Rows written so far (after {@link #commit}: the rows the commit added). */
  long rows() {
    return files.rows();
  }

  /** The version this write committed, or -1 before a commit (or if there was nothing to do). */
  long committedVersion() {
    return committedVersion;
  }

  @Override
  public void commit() {
    if (committed || closed) {
      throw new IllegalStateException("already committed or closed");
    }
    List<Row> actions;
    try {
      actions = new ArrayList<>(files.finish());
    } catch (UnsupportedOperationException | IllegalArgumentException | KernelException e) {
      throw OxbowException.userError("Cannot write to Delta table %s: %s", name, e.getMessage());
    }
    if (mode != Mode.APPEND) {
      actions.addAll(removeActions());
    }
    if (actions.isEmpty() && domainMetadata.isEmpty() && mode == Mode.APPEND) {
      committed = true;
      return;
    }
    TransactionCommitResult result;
    try {
      domainMetadata.forEach(transaction::addDomainMetadata);
      result =
          transaction.commit(
              engine,
              CloseableIterable.inMemoryIterable(Utils.toCloseableIterator(actions.iterator())));
    } catch (ConcurrentWriteException e) {
      throw conflict(name, "another write committed first (" + e.getMessage() + ")");
    } catch (KernelException | IllegalStateException | IllegalArgumentException e) {
      throw OxbowException.userError("Cannot commit to Delta table %s: %s", name, e.getMessage());
    } catch (RuntimeException e) {
      // the commit may or may not have landed: keep the data files it may reference
      keepFiles = true;
      throw unavailable(name, location, e);
    }
    committed = true;
    committedVersion = result.getVersion();
    LOG.debug(
        "Committed {} rows to Delta table {} as version {} ({})",
        files.rows(),
        name,
        committedVersion,
        mode);
    runPostCommitHooks(engine, result, name);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!committed && !keepFiles) {
        files.deleteWrittenFiles();
      }
    } finally {
      files.close();
    }
  }

  private List<Row> removeActions() {
    List<Row> removes = new ArrayList<>();
    Set<String> found = new HashSet<>();
    long now = System.currentTimeMillis();
    Snapshot snapshot = readSnapshot();
    try (CloseableIterator<FilteredColumnarBatch> batches =
        ((ScanImpl) snapshot.getScanBuilder().build()).getScanFiles(engine, true)) {
      while (batches.hasNext()) {
        try (CloseableIterator<Row> scanFiles = batches.next().getRows()) {
          while (scanFiles.hasNext()) {
            Row scanFile = scanFiles.next();
            AddFile add = new AddFile(scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL));
            boolean remove = mode == Mode.OVERWRITE;
            if (mode == Mode.REWRITE) {
              String matched = matchReplaced(scanFile, add.getPath());
              if (matched != null) {
                found.add(matched);
                remove = true;
              }
            }
            if (remove) {
              removes.add(
                  SingleAction.createRemoveFileSingleAction(
                      add.toRemoveFileRow(true, Optional.of(now))));
            }
          }
        }
      }
    } catch (IOException e) {
      throw unavailable(name, location, e);
    }
    if (mode == Mode.REWRITE && found.size() < replacedFiles.size()) {
      Set<String> missing = new HashSet<>(replacedFiles);
      missing.removeAll(found);
      throw conflict(
          name,
          "files it replaces are no longer in version "
              + transaction.getReadTableVersion()
              + ": "
              + missing);
    }
    return removes;
  }

  /** The replaced-file entry naming this add action, by its log path or its absolute path. */
  private String matchReplaced(Row scanFile, String logPath) {
    if (replacedFiles.contains(logPath)) {
      return logPath;
    }
    String absolute = InternalScanFileUtils.getAddFileStatus(scanFile).getPath();
    return replacedFiles.contains(absolute) ? absolute : null;
  }

  /** Runs kernel's cheap post-commit work (checkpoints, simple checksums); failures are logged. */
  static void runPostCommitHooks(
      Engine engine, TransactionCommitResult result, SchemaTableName name) {
    for (PostCommitHook hook : result.getPostCommitHooks()) {
      if (hook.getType() == PostCommitHook.PostCommitHookType.CHECKSUM_FULL) {
        continue; // replays the whole log on every commit: too costly
      }
      try {
        hook.threadSafeInvoke(engine);
      } catch (IOException | RuntimeException e) {
        LOG.warn(
            "Post-commit {} of Delta table {} version {} failed: {}",
            hook.getType(),
            name,
            result.getVersion(),
            e.toString());
      }
    }
  }

  static OxbowException conflict(SchemaTableName name, String why) {
    return new OxbowException(
        ErrorCode.CONFLICT,
        "Write to Delta table "
            + name
            + " conflicts with a concurrent write: "
            + why
            + ". The table is unchanged by this write; run the statement again");
  }

  static OxbowException unavailable(SchemaTableName name, String location, Exception e) {
    return new OxbowException(
        ErrorCode.SOURCE_UNAVAILABLE,
        "Writing Delta table " + name + " at " + location + " failed: " + e.getMessage(),
        e);
  }
}
