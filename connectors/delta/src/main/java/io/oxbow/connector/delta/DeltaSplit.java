package io.oxbow.connector.delta;

import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.deletionvectors.DeletionVectorUtils;
import io.delta.kernel.internal.deletionvectors.RoaringBitmapArray;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.FileStatus;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A byte range of one data file of a Delta table: the split reads the file's row groups that start
 * in {@code [start, start + length)} (the usual Parquet input-format rule), so that the splits of
 * one file read each of its row groups exactly once.
 *
 * @param path absolute path (or file: URI) of the Parquet file
 * @param size file size in bytes
 * @param partitionValues partition column values as Delta stores them (strings; null for NULL),
 *     keyed by lower-case logical column name
 * @param deletionVector the rows of this file that were deleted, or null when none were
 * @param start first byte of the range
 * @param length bytes in the range
 */
public record DeltaSplit(
    String path,
    long size,
    Map<String, String> partitionValues,
    DeletionVector deletionVector,
    long start,
    long length)
    implements ConnectorSplit {

  /** A split for a whole file with no deleted rows. */
  public DeltaSplit(String path, long size, Map<String, String> partitionValues) {
    this(path, size, partitionValues, null);
  }

  /** A split for a whole file. */
  public DeltaSplit(
      String path, long size, Map<String, String> partitionValues, DeletionVector deletionVector) {
    this(path, size, partitionValues, deletionVector, 0, size);
  }

  /** Whether this split covers its whole file. */
  public boolean wholeFile() {
    return start == 0 && length >= size;
  }

  /**
   * This file cut into splits of about {@code splitBytes} bytes (the whole file when it is no
   * larger).
   */
  public List<DeltaSplit> byteRanges(long splitBytes) {
    if (size <= splitBytes || splitBytes <= 0) {
      return List.of(this);
    }
    List<DeltaSplit> splits = new ArrayList<>();
    for (long from = 0; from < size; from += splitBytes) {
      splits.add(
          new DeltaSplit(
              path,
              size,
              partitionValues,
              deletionVector,
              from,
              Math.min(splitBytes, size - from)));
    }
    return splits;
  }

  /**
   * The split for one row of a kernel scan's file list ({@code Scan.getScanFiles}).
   *
   * @param scanFileRow a row of {@link InternalScanFileUtils#SCAN_FILE_SCHEMA}
   * @param engine the engine that loads the file's deletion vector, if it has one
   * @param tableSchema the snapshot's logical schema, to map physical partition names (column
   *     mapping) back to logical ones
   */
  static DeltaSplit fromScanFile(Row scanFileRow, Engine engine, StructType tableSchema) {
    FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFileRow);
    Map<String, String> partitionValues = new HashMap<>();
    InternalScanFileUtils.getPartitionValues(scanFileRow)
        .forEach((k, v) -> partitionValues.put(logicalName(tableSchema, k), v));
    DeletionVectorDescriptor descriptor =
        InternalScanFileUtils.getDeletionVectorDescriptorFromRow(scanFileRow);
    DeletionVector deletionVector = null;
    if (descriptor != null && descriptor.getCardinality() > 0) {
      // delta-kernel 4.0.0 tests the storage type with ==, so an inline vector parsed from the
      // log ("i", not the interned literal) would be taken for an on-disk one: intern it.
      descriptor =
          new DeletionVectorDescriptor(
              descriptor.getStorageType().intern(),
              descriptor.getPathOrInlineDv(),
              descriptor.getOffset(),
              descriptor.getSizeInBytes(),
              descriptor.getCardinality());
      String tableRoot =
          scanFileRow.getString(
              scanFileRow
                  .getSchema()
                  .indexOf(InternalScanFileUtils.TABLE_ROOT_STRUCT_FIELD.getName()));
      deletionVector = new DeletionVector(descriptor, tableRoot, engine);
    }
    return new DeltaSplit(status.getPath(), status.getSize(), partitionValues, deletionVector);
  }

  /** The lower-case logical name of the column whose physical name is {@code physical}. */
  private static String logicalName(StructType schema, String physical) {
    for (StructField field : schema.fields()) {
      Object mapped = field.getMetadata().get(DeltaTypes.PHYSICAL_NAME_KEY);
      if (physical.equals(mapped)) {
        return field.getName().toLowerCase(Locale.ROOT);
      }
    }
    return physical.toLowerCase(Locale.ROOT);
  }

  /**
   * A file's deletion vector: the descriptor from the Delta log (inline bitmap or a pointer into a
   * {@code deletion_vector_*.bin} file), loaded when the file is read.
   *
   * @param descriptor the {@code deletionVector} field of the file's add action
   * @param tableRoot the table's root, against which on-disk vectors are resolved
   * @param engine the engine whose file system client reads on-disk vectors
   */
  public record DeletionVector(
      DeletionVectorDescriptor descriptor, String tableRoot, Engine engine) {
    /** Number of deleted rows. */
    public long cardinality() {
      return descriptor.getCardinality();
    }

    /** Reads the bitmap of deleted row indexes (0-based positions in the file). */
    RoaringBitmapArray load() {
      try {
        return DeletionVectorUtils.loadNewDvAndBitmap(engine, tableRoot, descriptor)._2;
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        throw new OxbowException(
            ErrorCode.SOURCE_UNAVAILABLE,
            "Cannot read the deletion vector "
                + descriptor
                + " of table "
                + tableRoot
                + ": "
                + cause.getMessage(),
            e);
      }
    }
  }
}
