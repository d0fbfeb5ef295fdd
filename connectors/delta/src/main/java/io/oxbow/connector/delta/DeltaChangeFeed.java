package io.oxbow.connector.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.StructType;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.OxbowException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The change data feed of a Delta table ({@code table_changes}), built from the raw log actions: a
 * commit with {@code cdc} actions yields the rows of those change files (which carry {@code
 * _change_type}); any other commit yields its data-changing {@code add} files as {@code insert}
 * rows and its data-changing {@code remove} files as {@code delete} rows. Each row also gets the
 * commit's version and timestamp (in-commit timestamp if recorded, else the commit file's
 * modification time). Rows are read with the table schema of the last version in the range.
 *
 * <p>Deletion vectors: rows an add or remove action's vector marks deleted are left out. A commit
 * without {@code cdc} files that deletes rows by replacing a file's deletion vector (a remove and
 * an add of the same file) is refused with a clear error, as its deleted rows are the difference of
 * the two vectors, which is not supported yet.
 */
final class DeltaChangeFeed {
  static final String CHANGE_TYPE = "_change_type";
  static final String COMMIT_VERSION = "_commit_version";
  static final String COMMIT_TIMESTAMP = "_commit_timestamp";

  private DeltaChangeFeed() {}

  /** One file of the change feed and the commit it belongs to. */
  record ChangeSplit(DeltaSplit file, String changeType, long version, long timestampMillis)
      implements ConnectorSplit {}

  /** The table's columns followed by the three change columns. */
  static Schema schema(Schema table) {
    List<Field> fields = new ArrayList<>(table.getFields());
    fields.add(new Field(CHANGE_TYPE, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null));
    fields.add(new Field(COMMIT_VERSION, FieldType.notNullable(new ArrowType.Int(64, true)), null));
    fields.add(
        new Field(
            COMMIT_TIMESTAMP,
            FieldType.notNullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            null));
    return new Schema(fields);
  }

  /** The files of the change feed from {@code start} to {@code end} (both inclusive). */
  static List<ChangeSplit> splits(
      Engine engine, String root, StructType tableSchema, long start, long end) {
    Map<Long, Long> timestamps = new HashMap<>();
    Map<Long, List<ChangeSplit>> cdc = new LinkedHashMap<>();
    Map<Long, List<ChangeSplit>> addsAndRemoves = new LinkedHashMap<>();
    StructType schema =
        new StructType()
            .add("add", DeltaCommits.FILE_ACTION, true)
            .add("remove", DeltaCommits.FILE_ACTION, true)
            .add("cdc", DeltaCommits.FILE_ACTION, true)
            .add("commitInfo", DeltaCommits.COMMIT_INFO, true);
    DeltaCommits.read(
        engine,
        root,
        start,
        end,
        schema,
        (version, fileTime, batch) -> {
          ColumnVector adds = batch.getColumnVector(0);
          ColumnVector removes = batch.getColumnVector(1);
          ColumnVector cdcs = batch.getColumnVector(2);
          ColumnVector info = batch.getColumnVector(3);
          timestamps.putIfAbsent(version, fileTime);
          for (int row = 0; row < batch.getSize(); row++) {
            if (!info.isNullAt(row)) {
              ColumnVector ict = child(info, "inCommitTimestamp");
              if (!ict.isNullAt(row)) {
                timestamps.put(version, ict.getLong(row));
              }
            }
            if (!cdcs.isNullAt(row)) {
              cdc.computeIfAbsent(version, v -> new ArrayList<>())
                  .add(split(engine, root, tableSchema, cdcs, row, null, version));
            }
            if (!adds.isNullAt(row) && dataChange(adds, row)) {
              addsAndRemoves
                  .computeIfAbsent(version, v -> new ArrayList<>())
                  .add(split(engine, root, tableSchema, adds, row, "insert", version));
            }
            if (!removes.isNullAt(row) && dataChange(removes, row)) {
              addsAndRemoves
                  .computeIfAbsent(version, v -> new ArrayList<>())
                  .add(split(engine, root, tableSchema, removes, row, "delete", version));
            }
          }
        });
    List<ChangeSplit> result = new ArrayList<>();
    for (long version = start; version <= end; version++) {
      List<ChangeSplit> files =
          cdc.containsKey(version) ? cdc.get(version) : addsAndRemoves.get(version);
      if (files == null) {
        continue;
      }
      if (!cdc.containsKey(version)) {
        checkNoDeletionVectorUpdates(files, version);
      }
      long timestamp = timestamps.get(version);
      for (ChangeSplit file : files) {
        result.add(new ChangeSplit(file.file(), file.changeType(), version, timestamp));
      }
    }
    return result;
  }

  /**
   * Rows deleted through a deletion vector appear as a remove and an add of the same file with a
   * larger vector; reading them needs the difference of the two vectors, which is not supported
   * yet.
   */
  private static void checkNoDeletionVectorUpdates(List<ChangeSplit> files, long version) {
    Map<String, Boolean> removedWithVector = new HashMap<>();
    for (ChangeSplit file : files) {
      if ("delete".equals(file.changeType())) {
        removedWithVector.put(file.file().path(), file.file().deletionVector() != null);
      }
    }
    for (ChangeSplit file : files) {
      if ("insert".equals(file.changeType())
          && removedWithVector.containsKey(file.file().path())
          && (file.file().deletionVector() != null || removedWithVector.get(file.file().path()))) {
        throw OxbowException.userError(
            "table_changes cannot read version %d yet: it deletes rows with deletion vectors"
                + " and wrote no change data files",
            version);
      }
    }
  }

  private static boolean dataChange(ColumnVector action, int row) {
    ColumnVector dataChange = child(action, "dataChange");
    return dataChange.isNullAt(row) || dataChange.getBoolean(row);
  }

  private static ChangeSplit split(
      Engine engine,
      String root,
      StructType tableSchema,
      ColumnVector action,
      int row,
      String changeType,
      long version) {
    String path = child(action, "path").getString(row);
    ColumnVector sizes = child(action, "size");
    long size = sizes.isNullAt(row) ? -1 : sizes.getLong(row);
    Map<String, String> partitionValues = new HashMap<>();
    ColumnVector partitions = child(action, "partitionValues");
    if (!partitions.isNullAt(row)) {
      Map<String, String> physical = VectorUtils.toJavaMap(partitions.getMap(row));
      physical.forEach((k, v) -> partitionValues.put(logicalName(tableSchema, k), v));
    }
    String absolute = new Path(new Path(URI.create(root)), new Path(URI.create(path))).toString();
    DeletionVectorDescriptor descriptor =
        DeletionVectorDescriptor.fromColumnVector(child(action, "deletionVector"), row);
    DeltaSplit.DeletionVector deletionVector =
        descriptor == null || descriptor.getCardinality() == 0
            ? null
            : new DeltaSplit.DeletionVector(descriptor, root, engine);
    return new ChangeSplit(
        new DeltaSplit(absolute, size, partitionValues, deletionVector), changeType, version, 0);
  }

  private static String logicalName(StructType schema, String physical) {
    for (io.delta.kernel.types.StructField field : schema.fields()) {
      Object mapped = field.getMetadata().get(DeltaTypes.PHYSICAL_NAME_KEY);
      if (physical.equals(mapped)) {
        return field.getName().toLowerCase(Locale.ROOT);
      }
    }
    return physical.toLowerCase(Locale.ROOT);
  }

  private static ColumnVector child(ColumnVector struct, String name) {
    return DeltaCommits.child(struct, name);
  }

  /**
   * Reads one change file: its data columns through {@link ParquetPageSource} ({@code _change_type}
   * from the file itself for {@code cdc} files), and the commit columns as constants.
   */
  static ConnectorPageSource pageSource(
      DeltaFileIO fileIO,
      ChangeSplit split,
      Schema tableSchema,
      List<String> partitionColumns,
      List<String> columns,
      BufferAllocator allocator) {
    Schema changes = schema(tableSchema);
    List<Field> output = new ArrayList<>();
    List<String> read = new ArrayList<>();
    Map<String, Object> constants = new HashMap<>();
    for (String column : columns) {
      output.add(changes.findField(column));
      switch (column) {
        case COMMIT_VERSION -> constants.put(column, split.version());
        case COMMIT_TIMESTAMP -> constants.put(column, split.timestampMillis() * 1000);
        case CHANGE_TYPE -> {
          if (split.changeType() == null) {
            read.add(column);
          } else {
            constants.put(column, split.changeType());
          }
        }
        default -> read.add(column);
      }
    }
    ParquetPageSource data =
        new ParquetPageSource(fileIO, split.file(), changes, partitionColumns, read, allocator);
    return new AppendedColumnsPageSource(data, output, constants, allocator);
  }
}
