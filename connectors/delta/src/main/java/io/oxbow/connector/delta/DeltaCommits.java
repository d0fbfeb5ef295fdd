package io.oxbow.connector.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.DeltaLogActionUtils;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.util.FileNames;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Reads the actions of a range of Delta commit files with a caller-chosen schema, through the
 * engine's JSON handler. Kernel's own {@code TableImpl.getChanges} cannot be used: it always parses
 * {@code commitInfo} with a non-null {@code isBlindAppend}, which commits written by delta-rs lack.
 */
final class DeltaCommits {
  private static final MapType STRING_MAP = new MapType(StringType.STRING, StringType.STRING, true);

  /** The {@code commitInfo} fields Oxbow reads (all nullable). */
  static final StructType COMMIT_INFO =
      new StructType()
          .add("inCommitTimestamp", LongType.LONG, true)
          .add("timestamp", LongType.LONG, true)
          .add("engineInfo", StringType.STRING, true)
          .add("operation", StringType.STRING, true)
          .add("operationParameters", STRING_MAP, true)
          .add("isBlindAppend", BooleanType.BOOLEAN, true)
          .add("operationMetrics", STRING_MAP, true);

  /**
   * The fields of {@code add}, {@code remove} and {@code cdc} actions the change feed needs ({@code
   * cdc} actions have no {@code dataChange} or {@code deletionVector}: those read as NULL).
   */
  static final StructType FILE_ACTION =
      new StructType()
          .add("path", StringType.STRING, true)
          .add("partitionValues", STRING_MAP, true)
          .add("size", LongType.LONG, true)
          .add("dataChange", BooleanType.BOOLEAN, true)
          .add("deletionVector", DeletionVectorDescriptor.READ_SCHEMA, true);

  private DeltaCommits() {}

  /** Receives the actions of one commit, batch by batch. */
  interface Visitor {
    /**
     * @param version the commit's version
     * @param fileTime the commit file's modification time (epoch milliseconds)
     * @param batch actions of the commit, one row per line, with the requested schema
     */
    void visit(long version, long fileTime, ColumnarBatch batch);
  }

  /** Reads commits {@code start} to {@code end} (inclusive, all must exist) in version order. */
  static void read(
      Engine engine, String tablePath, long start, long end, StructType schema, Visitor visitor) {
    List<FileStatus> files =
        DeltaLogActionUtils.getCommitFilesForVersionRange(engine, new Path(tablePath), start, end);
    for (FileStatus file : files) {
      long version = FileNames.deltaVersion(file.getPath());
      try (CloseableIterator<ColumnarBatch> batches =
          engine
              .getJsonHandler()
              .readJsonFiles(Utils.singletonCloseableIterator(file), schema, Optional.empty())) {
        while (batches.hasNext()) {
          visitor.visit(version, file.getModificationTime(), batches.next());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A struct column's child by name. */
  static ColumnVector child(ColumnVector struct, String name) {
    return struct.getChild(((StructType) struct.getDataType()).indexOf(name));
  }
}
