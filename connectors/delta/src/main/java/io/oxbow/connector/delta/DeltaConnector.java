package io.oxbow.connector.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.DeltaHistoryManager;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.ScanImpl;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.util.FileNames;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.ConnectorWriter;
import io.oxbow.spi.connector.DynamicFilter;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.connector.TableVersion;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** A catalog of Delta tables under one warehouse folder. */
final class DeltaConnector
    implements Connector, ConnectorMetadata, ConnectorSplitManager, ConnectorPageSourceProvider {
  private final String catalog;
  private final String warehouse;
  private final DeltaFileIO fileIO;
  private final Engine engine;
  private final Map<String, CachedTable> tables = new ConcurrentHashMap<>();

  /** A described table, valid for one Delta table version. */
  private record CachedTable(
      long version,
      Schema schema,
      List<String> partitionColumns,
      List<DeltaSplit> files,
      List<String> addPaths,
      List<String> stats,
      Map<String, String> addPathBySplitPath,
      Map<String, Integer> fileBySplitPath,
      FileStatistics statistics,
      Map<String, String> configuration,
      Map<List<ColumnPredicate>, BitSet> kept) {}

  /** Described snapshots are kept for at most this many (table, version) pairs. */
  private static final int MAX_CACHED = 64;

  /**
   * Bytes of a data file per split: a larger file is read by several splits, each reading the row
   * groups that start in its byte range, so that several threads can read one file.
   */
  static final long SPLIT_BYTES = 32L * 1024 * 1024;

  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

  /**
   * @param warehouse the warehouse folder: an absolute local path or {@code s3://bucket/prefix}
   * @param fileIO reads and writes local and S3 paths; closed with the connector
   */
  DeltaConnector(String catalog, String warehouse, DeltaFileIO fileIO) {
    this.catalog = catalog;
    this.warehouse = warehouse;
    this.fileIO = fileIO;
    this.engine = DefaultEngine.create(fileIO);
  }

  /** The file IO of this catalog (S3 client, request counters). */
  DeltaFileIO fileIO() {
    return fileIO;
  }

  @Override
  public void close() {
    fileIO.close();
  }

  @Override
  public ConnectorMetadata metadata() {
    return this;
  }

  @Override
  public ConnectorSplitManager splitManager() {
    return this;
  }

  @Override
  public ConnectorPageSourceProvider pageSourceProvider() {
    return this;
  }

  @Override
  public List<String> listSchemaNames() {
    return subfolders(warehouse, false);
  }

  @Override
  public List<String> listTables(String schemaName) {
    if (!DeltaNames.isValid(schemaName)) {
      return List.of();
    }
    List<String> managed = subfolders(DeltaFileIO.join(warehouse, schemaName), true);
    List<String> external = externalTables().listExternalTables(schemaName);
    if (external.isEmpty()) {
      return managed;
    }
    return java.util.stream.Stream.concat(managed.stream(), external.stream())
        .distinct()
        .sorted()
        .toList();
  }

  /**
   * Sub-folders of {@code dir} named like SQL identifiers (lower case, not hidden); with {@code
   * deltaOnly}, those holding a {@code _delta_log}. On S3 this is one LIST with delimiter {@code /}
   * (plus one single-key LIST per table for the log check), never a HEAD.
   */
  private List<String> subfolders(String dir, boolean deltaOnly) {
    try {
      List<String> names;
      try {
        names = fileIO.listDirectories(dir);
      } catch (FileNotFoundException e) {
        return List.of();
      }
      List<String> result = new ArrayList<>();
      for (String name : names) {
        if (!name.startsWith(".")
            && !name.startsWith("_")
            && name.equals(name.toLowerCase(Locale.ROOT))) {
          result.add(name);
        }
      }
      if (!deltaOnly) {
        return result;
      }
      boolean[] tables =
          fileIO.directoriesExist(
              result.stream().map(name -> DeltaFileIO.join(dir, name, "_delta_log")).toList());
      List<String> deltaTables = new ArrayList<>();
      for (int i = 0; i < tables.length; i++) {
        if (tables[i]) {
          deltaTables.add(result.get(i));
        }
      }
      return deltaTables;
    } catch (IOException | UncheckedIOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name) {
    Optional<String> location = tableLocation(name);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    Snapshot latest = latestSnapshot(name, location.get());
    return Optional.of(DeltaTableHandle.pinned(name, location.get(), latest.getVersion(), false));
  }

  /** The folder of a table, or empty if there is no Delta table of that name. */
  private Optional<String> tableLocation(SchemaTableName name) {
    if (!DeltaNames.isValid(name)) {
      // such a name could point outside the warehouse: no table has it
      return Optional.empty();
    }
    String location = DeltaFileIO.join(warehouse, name.schema(), name.table());
    try {
      // one LIST (maxKeys 1) on S3: is there anything in the table's _delta_log?
      if (!fileIO.directoryExists(DeltaFileIO.join(location, "_delta_log"))) {
        // a table created with LOCATION (see ExternalTables)
        return externalTables().externalLocation(name.schema(), name.table());
      }
    } catch (IOException | UncheckedIOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Cannot look up " + location + ": " + e.getMessage(), e);
    }
    return Optional.of(location);
  }

  @Override
  public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name, TableVersion version) {
    Optional<String> location = tableLocation(name);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    Table table = Table.forPath(engine, location.get());
    Snapshot latest = latestSnapshot(name, location.get());
    long earliest = kernel(name, location.get(), () -> earliestVersion(table));
    Snapshot snapshot;
    if (version instanceof TableVersion.AtVersion at) {
      if (at.version() < earliest || at.version() > latest.getVersion()) {
        throw OxbowException.userError(
            "Table %s has no version %d: available versions are %d to %d",
            name, at.version(), earliest, latest.getVersion());
      }
      snapshot =
          kernel(name, location.get(), () -> table.getSnapshotAsOfVersion(engine, at.version()));
    } else {
      long micros = ((TableVersion.AtTimestamp) version).epochMicros();
      long millis = Math.floorDiv(micros, 1000L);
      long first = kernel(name, location.get(), () -> commitTimestamp(table, earliest));
      long last = kernel(name, location.get(), () -> latest.getTimestamp(engine));
      if (millis < first || millis > last) {
        throw OxbowException.userError(
            "Table %s has no version at %s: its commits range from %s (version %d) to %s"
                + " (version %d)",
            name,
            instant(micros),
            Instant.ofEpochMilli(first),
            earliest,
            Instant.ofEpochMilli(last),
            latest.getVersion());
      }
      snapshot = kernel(name, location.get(), () -> table.getSnapshotAsOfTimestamp(engine, millis));
    }
    remember(key(location.get(), snapshot.getVersion()), snapshot);
    return Optional.of(DeltaTableHandle.pinned(name, location.get(), snapshot.getVersion(), true));
  }

  private static String instant(long epochMicros) {
    return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS).toString();
  }

  /** The oldest version that can still be read (older log files may have been cleaned up). */
  private long earliestVersion(Table table) {
    try {
      Path log = new Path(table.getPath(engine), "_delta_log");
      return DeltaHistoryManager.getEarliestRecreatableCommit(engine, log);
    } catch (TableNotFoundException e) {
      throw e;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** The oldest version whose commit file still exists (for history and change feeds). */
  private long earliestCommitFile(Table table) {
    Path log = new Path(table.getPath(engine), "_delta_log");
    return DeltaHistoryManager.getEarliestDeltaFile(engine, log);
  }

  private long commitTimestamp(Table table, long version) {
    return table.getSnapshotAsOfVersion(engine, version).getTimestamp(engine);
  }

  @Override
  public OptionalLong tableVersion(ConnectorTableHandle table) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    if (handle.version() != DeltaTableHandle.LATEST) {
      return OptionalLong.of(handle.version());
    }
    return OptionalLong.of(latestSnapshot(handle.name(), handle.location()).getVersion());
  }

  @Override
  public Optional<ConnectorTableHandle> getHistoryHandle(SchemaTableName name) {
    Optional<String> location = tableLocation(name);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    Snapshot latest = latestSnapshot(name, location.get());
    return Optional.of(
        new DeltaTableHandle(
            name,
            location.get(),
            latest.getVersion(),
            false,
            DeltaTableHandle.Kind.HISTORY,
            0,
            List.of(),
            false,
            0,
            0));
  }

  @Override
  public Optional<ConnectorTableHandle> getChangesHandle(
      SchemaTableName name, long startVersion, OptionalLong endVersion) {
    Optional<String> location = tableLocation(name);
    if (location.isEmpty()) {
      return Optional.empty();
    }
    Table table = Table.forPath(engine, location.get());
    Snapshot latest = latestSnapshot(name, location.get());
    long earliest = kernel(name, location.get(), () -> earliestCommitFile(table));
    long end = endVersion.orElse(latest.getVersion());
    if (startVersion > end) {
      throw OxbowException.userError(
          "table_changes('%s', %d, %d): the start version is after the end version",
          name, startVersion, end);
    }
    if (startVersion < earliest || end > latest.getVersion()) {
      throw OxbowException.userError(
          "table_changes('%s', %d, %d): versions must be between %d and %d",
          name, startVersion, end, earliest, latest.getVersion());
    }
    DeltaTableHandle handle =
        new DeltaTableHandle(
            name,
            location.get(),
            end,
            false,
            DeltaTableHandle.Kind.CHANGES,
            startVersion,
            List.of(),
            false,
            0,
            0);
    CachedTable described = describe(handle);
    if (!changeDataFeedEnabled(described.configuration())) {
      throw OxbowException.userError(
          "Table %s does not record its change data feed: set TBLPROPERTIES"
              + " ('delta.enableChangeDataFeed' = 'true') before the changes you want to read",
          name);
    }
    Snapshot first = snapshot(name, location.get(), startVersion);
    if (!changeDataFeedEnabled(((SnapshotImpl) first).getMetadata().getConfiguration())) {
      throw OxbowException.userError(
          "Table %s did not record its change data feed at version %d: start table_changes at a"
              + " version after 'delta.enableChangeDataFeed' was set to 'true'",
          name, startVersion);
    }
    return Optional.of(handle);
  }

  private static boolean changeDataFeedEnabled(Map<String, String> configuration) {
    return "true"
        .equalsIgnoreCase(configuration.getOrDefault("delta.enableChangeDataFeed", "false"));
  }

  @Override
  public ConnectorTableMetadata getTableMetadata(ConnectorTableHandle table) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    if (handle.kind() == DeltaTableHandle.Kind.HISTORY) {
      return new ConnectorTableMetadata(
          table.name(), DeltaHistory.SCHEMA, OptionalLong.of(handle.version() + 1));
    }
    CachedTable described = describe(handle);
    if (handle.kind() == DeltaTableHandle.Kind.CHANGES) {
      return new ConnectorTableMetadata(
          table.name(), DeltaChangeFeed.schema(described.schema()), OptionalLong.empty());
    }
    Schema schema = described.schema();
    if (handle.fileColumn()) {
      List<Field> fields = new ArrayList<>(schema.getFields());
      fields.add(new Field(FILE_COLUMN, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null));
      schema = new Schema(fields);
    }
    return new ConnectorTableMetadata(
        table.name(), schema, described.statistics().rows(), described.statistics().columns());
  }

  /**
   * {@inheritDoc}
   *
   * <p>The value of {@link #FILE_COLUMN} is the file's {@code add} action {@code path} exactly as
   * the Delta log stores it (usually relative to the table and URL-encoded), which is what a remove
   * action for the file must carry. The handle is pinned to a version so the paths stay valid for
   * {@code beginRewrite}.
   */
  @Override
  public ConnectorTableHandle withFileColumn(ConnectorTableHandle table) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    if (handle.kind() != DeltaTableHandle.Kind.TABLE) {
      throw OxbowException.userError("DELETE, UPDATE and MERGE need a Delta table, not %s", handle);
    }
    if (handle.version() == DeltaTableHandle.LATEST) {
      handle =
          DeltaTableHandle.pinned(
                  handle.name(),
                  handle.location(),
                  latestSnapshot(handle.name(), handle.location()).getVersion(),
                  false)
              .withFilter(handle.filter(), handle.keptFiles(), handle.totalFiles());
    }
    return handle.withFileColumn();
  }

  @Override
  public Optional<ConnectorTableHandle> applyFilter(
      ConnectorTableHandle table, List<ColumnPredicate> conjuncts) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    if (handle.kind() != DeltaTableHandle.Kind.TABLE) {
      return Optional.empty();
    }
    CachedTable described = describe(handle);
    List<ColumnPredicate> filter = new ArrayList<>(handle.filter());
    for (ColumnPredicate conjunct : conjuncts) {
      if (FileSkipping.usable(described.schema(), conjunct) && !filter.contains(conjunct)) {
        filter.add(conjunct);
      }
    }
    if (filter.equals(handle.filter())) {
      return Optional.empty();
    }
    BitSet kept = keptFiles(described, filter);
    return Optional.of(handle.withFilter(filter, kept.cardinality(), described.files().size()));
  }

  /** Which files of a snapshot may hold rows matching the filter (cached per filter). */
  private BitSet keptFiles(CachedTable described, List<ColumnPredicate> filter) {
    return described
        .kept()
        .computeIfAbsent(
            List.copyOf(filter),
            f -> {
              Map<String, String> physicalNames = new HashMap<>();
              for (Field field : described.schema().getFields()) {
                String physical = DeltaTypes.physicalName(field);
                if (physical != null) {
                  physicalNames.put(field.getName(), physical);
                }
              }
              FileSkipping skipping =
                  new FileSkipping(
                      described.schema(), described.partitionColumns(), physicalNames, f);
              BitSet bits = new BitSet();
              for (int i = 0; i < described.files().size(); i++) {
                if (skipping.keep(
                    described.addPaths().get(i),
                    described.files().get(i).partitionValues(),
                    described.stats().get(i))) {
                  bits.set(i);
                }
              }
              return bits;
            });
  }

  @Override
  public List<ConnectorSplit> getSplits(ConnectorTableHandle table) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    if (handle.kind() == DeltaTableHandle.Kind.HISTORY) {
      return List.of(new DeltaHistory.HistorySplit());
    }
    CachedTable described = describe(handle);
    if (handle.kind() == DeltaTableHandle.Kind.CHANGES) {
      Table kernelTable = Table.forPath(engine, handle.location());
      StructType deltaSchema =
          snapshot(handle.name(), handle.location(), handle.version()).getSchema();
      return new ArrayList<>(
          kernel(
              handle.name(),
              handle.location(),
              () ->
                  DeltaChangeFeed.splits(
                      engine,
                      kernelTable.getPath(engine),
                      deltaSchema,
                      handle.changesStart(),
                      handle.version())));
    }
    List<ConnectorSplit> splits = new ArrayList<>();
    if (handle.filter().isEmpty()) {
      for (DeltaSplit file : described.files()) {
        splits.addAll(file.byteRanges(SPLIT_BYTES));
      }
      return splits;
    }
    BitSet kept = keptFiles(described, handle.filter());
    for (int i = kept.nextSetBit(0); i >= 0; i = kept.nextSetBit(i + 1)) {
      splits.addAll(described.files().get(i).byteRanges(SPLIT_BYTES));
    }
    return splits;
  }

  @Override
  public ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator) {
    return createPageSource(table, split, columns, allocator, List.of());
  }

  /**
   * Opens a split's reader; dynamic filters on integer and date columns skip row groups and pages
   * by their range and drop rows by their key set before the other columns are decoded.
   */
  @Override
  public ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator,
      List<DynamicFilter> dynamicFilters) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    if (handle.kind() == DeltaTableHandle.Kind.HISTORY) {
      Table kernelTable = Table.forPath(engine, handle.location());
      List<DeltaHistory.Commit> commits =
          kernel(
              handle.name(),
              handle.location(),
              () ->
                  DeltaHistory.read(
                      engine,
                      kernelTable.getPath(engine),
                      earliestCommitFile(kernelTable),
                      handle.version()));
      return DeltaHistory.pageSource(commits, columns, allocator);
    }
    CachedTable described = describe(handle);
    if (handle.kind() == DeltaTableHandle.Kind.CHANGES) {
      return DeltaChangeFeed.pageSource(
          fileIO,
          (DeltaChangeFeed.ChangeSplit) split,
          described.schema(),
          described.partitionColumns(),
          columns,
          allocator);
    }
    DeltaSplit file = (DeltaSplit) split;
    if (!dynamicFilters.isEmpty() && !dynamicFiltersMayMatch(described, file, dynamicFilters)) {
      return EMPTY_PAGE_SOURCE;
    }
    if (!columns.contains(FILE_COLUMN)) {
      return new ParquetPageSource(
          fileIO,
          file,
          described.schema(),
          described.partitionColumns(),
          columns,
          handle.filter(),
          dynamicFilters,
          true,
          allocator);
    }
    List<String> read = columns.stream().filter(c -> !c.equals(FILE_COLUMN)).toList();
    List<Field> output = new ArrayList<>();
    for (String column : columns) {
      output.add(
          column.equals(FILE_COLUMN)
              ? new Field(FILE_COLUMN, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null)
              : described.schema().findField(column));
    }
    String addPath = described.addPathBySplitPath().get(file.path());
    if (addPath == null) {
      throw new OxbowException(
          ErrorCode.INTERNAL, "File " + file.path() + " is not part of " + handle);
    }
    return new AppendedColumnsPageSource(
        new ParquetPageSource(
            fileIO,
            file,
            described.schema(),
            described.partitionColumns(),
            read,
            handle.filter(),
            dynamicFilters,
            true,
            allocator),
        output,
        Map.of(FILE_COLUMN, addPath),
        allocator);
  }

  /** A page source without rows, for a split whose file no dynamic filter can match. */
  private static final ConnectorPageSource EMPTY_PAGE_SOURCE =
      new ConnectorPageSource() {
        @Override
        public VectorSchemaRoot nextBatch() {
          return null;
        }

        @Override
        public long completedBytes() {
          return 0;
        }

        @Override
        public void close() {}
      };

  /**
   * Whether a split's file may hold rows matching the dynamic filters' ranges, by its partition
   * values and its statistics in the log (as {@link #applyFilter} skips files).
   */
  private static boolean dynamicFiltersMayMatch(
      CachedTable described, DeltaSplit file, List<DynamicFilter> dynamicFilters) {
    Integer index = described.fileBySplitPath().get(file.path());
    if (index == null) {
      return true;
    }
    List<ColumnPredicate> ranges = new ArrayList<>();
    for (DynamicFilter dynamic : dynamicFilters) {
      ColumnPredicate range = ParquetPageSource.dynamicRange(described.schema(), dynamic);
      if (range != null) {
        ranges.add(range);
      }
    }
    if (ranges.isEmpty()) {
      return true;
    }
    Map<String, String> physicalNames = new HashMap<>();
    for (Field field : described.schema().getFields()) {
      String physical = DeltaTypes.physicalName(field);
      if (physical != null) {
        physicalNames.put(field.getName(), physical);
      }
    }
    return new FileSkipping(described.schema(), described.partitionColumns(), physicalNames, ranges)
        .keep(
            described.addPaths().get(index),
            described.files().get(index).partitionValues(),
            described.stats().get(index));
  }

  private static String key(String location, long version) {
    return location + "@" + version;
  }

  /**
   * The latest snapshot, remembered for {@link #describe}. The last one loaded for the location is
   * reused while its log is unchanged: one listing of the log from that version's commit shows the
   * same commit file (same size and modification time: not a table dropped and created again) and
   * nothing after it; otherwise delta-kernel loads the latest snapshot again.
   */
  private Snapshot latestSnapshot(SchemaTableName name, String location) {
    LatestSnapshot known = latest.get(location);
    if (known != null) {
      switch (logSince(location, known)) {
        case UNCHANGED -> {
          return known.snapshot();
        }
        case REPLACED -> {
          // dropped and created again elsewhere: what was read of its versions is not this table
          String prefix = location + "@";
          tables.keySet().removeIf(k -> k.startsWith(prefix));
          snapshots.keySet().removeIf(k -> k.startsWith(prefix));
          latest.remove(location);
        }
        default -> {}
      }
    }
    Snapshot snapshot =
        kernel(name, location, () -> Table.forPath(engine, location).getLatestSnapshot(engine));
    remember(key(location, snapshot.getVersion()), snapshot);
    FileStatus commit = commitFile(snapshot);
    if (commit != null) {
      if (latest.size() >= 2 * MAX_CACHED) {
        latest.clear();
      }
      latest.put(
          location, new LatestSnapshot(snapshot, commit.getSize(), commit.getModificationTime()));
    }
    return snapshot;
  }

  /** A table's latest snapshot as last loaded, with its commit file's size and time then. */
  private record LatestSnapshot(Snapshot snapshot, long commitSize, long commitTime) {}

  private final Map<String, LatestSnapshot> latest = new ConcurrentHashMap<>();

  /**
   * The snapshot's own commit file as delta-kernel listed it, or null (a snapshot read from a
   * checkpoint with no commit after it).
   */
  private static FileStatus commitFile(Snapshot snapshot) {
    if (snapshot instanceof SnapshotImpl impl) {
      for (FileStatus delta : impl.getLogSegment().getDeltas()) {
        if (isCommit(delta.getPath(), snapshot.getVersion())) {
          return delta;
        }
      }
    }
    return null;
  }

  private static boolean isCommit(String path, long version) {
    return FileNames.isCommitFile(path) && FileNames.deltaVersion(path) == version;
  }

  /** How a table's log compares with a snapshot loaded earlier. */
  private enum LogChange {
    /** No version after the snapshot's, whose commit file is the one seen then. */
    UNCHANGED,
    /** Later versions, or a log that cannot be compared: delta-kernel decides. */
    NEWER,
    /** The snapshot's commit file is gone or another file: the table was created again. */
    REPLACED
  }

  private LogChange logSince(String location, LatestSnapshot known) {
    long version = known.snapshot().getVersion();
    String commit =
        FileNames.deltaFile(new Path(DeltaFileIO.join(location, "_delta_log")), version);
    try (CloseableIterator<FileStatus> files = fileIO.listFrom(commit)) {
      if (!files.hasNext()) {
        return LogChange.REPLACED;
      }
      FileStatus first = files.next();
      if (!isCommit(first.getPath(), version)
          || first.getSize() != known.commitSize()
          || first.getModificationTime() != known.commitTime()) {
        return LogChange.REPLACED;
      }
      while (files.hasNext()) {
        String file = files.next().getPath();
        long fileVersion;
        if (FileNames.isCommitFile(file)
            || FileNames.isCheckpointFile(file)
            || FileNames.isChecksumFile(file)) {
          fileVersion = FileNames.getFileVersion(new Path(file));
        } else if (FileNames.isLogCompactionFile(file)) {
          fileVersion = FileNames.logCompactionVersions(file)._1;
        } else if (new Path(file).getName().equals("_last_checkpoint")) {
          continue;
        } else {
          return LogChange.NEWER; // something unexpected (staged commits): delta-kernel decides
        }
        if (fileVersion > version) {
          return LogChange.NEWER;
        }
      }
      return LogChange.UNCHANGED;
    } catch (IOException | RuntimeException e) {
      return LogChange.NEWER;
    }
  }

  private void remember(String key, Snapshot snapshot) {
    if (snapshots.size() >= 2 * MAX_CACHED) {
      snapshots.clear();
    }
    snapshots.put(key, snapshot);
  }

  /** The snapshot at a version ({@link DeltaTableHandle#LATEST} for the latest). */
  private Snapshot snapshot(SchemaTableName name, String location, long version) {
    if (version == DeltaTableHandle.LATEST) {
      return latestSnapshot(name, location);
    }
    Snapshot cached = snapshots.get(key(location, version));
    if (cached != null) {
      return cached;
    }
    Snapshot snapshot =
        kernel(
            name,
            location,
            () -> Table.forPath(engine, location).getSnapshotAsOfVersion(engine, version));
    remember(key(location, version), snapshot);
    return snapshot;
  }

  /** Runs a delta-kernel call, turning its failures into Oxbow errors. */
  private static <T> T kernel(SchemaTableName name, String location, Supplier<T> call) {
    try {
      return call.get();
    } catch (OxbowException e) {
      throw e;
    } catch (TableNotFoundException e) {
      throw OxbowException.notFound("Delta table '%s' not found at %s", name, location);
    } catch (KernelException e) {
      throw DeltaErrors.translate(e, name.toString(), location);
    } catch (RuntimeException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot read Delta table '" + name + "' at " + location + ": " + e.getMessage(),
          e);
    }
  }

  /** Reads the handle's snapshot through delta-kernel (cached per table and version). */
  private CachedTable describe(DeltaTableHandle handle) {
    try {
      if (handle.version() != DeltaTableHandle.LATEST) {
        CachedTable pinned = tables.get(key(handle.location(), handle.version()));
        if (pinned != null) {
          return pinned;
        }
      }
      Snapshot snapshot = snapshot(handle.name(), handle.location(), handle.version());
      CachedTable cached = tables.get(key(handle.location(), snapshot.getVersion()));
      if (cached != null) {
        return cached;
      }
      Schema schema = DeltaTypes.toArrow(snapshot.getSchema(), handle.name().toString());
      List<String> partitions =
          snapshot.getPartitionColumnNames().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
      Scan scan = snapshot.getScanBuilder().build();
      List<DeltaSplit> files = new ArrayList<>();
      List<String> addPaths = new ArrayList<>();
      List<String> fileStats = new ArrayList<>();
      Map<String, String> addPathBySplitPath = new HashMap<>();
      Map<String, Integer> fileBySplitPath = new HashMap<>();
      FileStatistics statistics = new FileStatistics(schema, partitions);
      try (CloseableIterator<FilteredColumnarBatch> batches =
          ((ScanImpl) scan).getScanFiles(engine, true)) {
        while (batches.hasNext()) {
          FilteredColumnarBatch batch = batches.next();
          try (CloseableIterator<Row> rowIterator = batch.getRows()) {
            while (rowIterator.hasNext()) {
              Row row = rowIterator.next();
              DeltaSplit split = DeltaSplit.fromScanFile(row, engine, snapshot.getSchema());
              files.add(split);
              Row add = row.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
              int statsOrdinal = InternalScanFileUtils.ADD_FILE_STATS_ORDINAL;
              String stats = add.isNullAt(statsOrdinal) ? null : add.getString(statsOrdinal);
              statistics.addFile(split.partitionValues(), stats);
              String addPath = add.getString(add.getSchema().indexOf("path"));
              addPaths.add(addPath);
              fileStats.add(stats);
              addPathBySplitPath.put(split.path(), addPath);
              fileBySplitPath.put(split.path(), files.size() - 1);
            }
          }
        }
      }
      if (!files.isEmpty()) {
        // a key-like column's distinct values, from the dictionary of the largest file's first
        // row group (ranges alone cannot tell a unique key from a repeated one)
        DeltaSplit largest = files.get(0);
        for (DeltaSplit file : files) {
          if (file.size() > largest.size()) {
            largest = file;
          }
        }
        DictionarySample.apply(
            fileIO,
            largest,
            schema,
            statistics.sampleCandidates(DictionarySample.MIN_SAMPLE_VALUES),
            statistics);
      }
      CachedTable described =
          new CachedTable(
              snapshot.getVersion(),
              schema,
              partitions,
              files,
              addPaths,
              fileStats,
              addPathBySplitPath,
              fileBySplitPath,
              statistics,
              ((SnapshotImpl) snapshot).getMetadata().getConfiguration(),
              new ConcurrentHashMap<>());
      if (tables.size() >= MAX_CACHED) {
        tables.clear();
        snapshots.clear();
      }
      tables.put(key(handle.location(), snapshot.getVersion()), described);
      return described;
    } catch (OxbowException e) {
      throw e;
    } catch (TableNotFoundException e) {
      throw OxbowException.notFound(
          "Delta table '%s' not found at %s", handle.name(), handle.location());
    } catch (KernelException e) {
      throw DeltaErrors.translate(e, handle.name().toString(), handle.location());
    } catch (IOException | UncheckedIOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot read Delta table '"
              + handle.name()
              + "' at "
              + handle.location()
              + ": "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot read Delta table '"
              + handle.name()
              + "' at "
              + handle.location()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  // Writes: CREATE / DROP TABLE, INSERT [OVERWRITE], DELETE / UPDATE / MERGE rewrites, COPY INTO.

  /** The external tables (created with {@code LOCATION}) registered in this warehouse. */
  ExternalTables externalTables() {
    return new ExternalTables(engine, warehouse);
  }

  @Override
  public void createTable(SchemaTableName name, Schema columns) {
    createTable(name, columns, TableOptions.NONE);
  }

  @Override
  public void createTable(SchemaTableName name, Schema columns, TableOptions options) {
    DeltaDdl.createTable(engine, warehouse, externalTables(), name, columns, options);
  }

  @Override
  public void dropTable(ConnectorTableHandle table) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    DeltaDdl.dropTable(fileIO, warehouse, externalTables(), handle.name(), handle.location());
    // a table created later under the same name restarts at version 0
    tables.clear();
    snapshots.clear();
    latest.clear();
  }

  @Override
  public void insert(ConnectorTableHandle table, org.apache.arrow.vector.VectorSchemaRoot rows) {
    try (ConnectorWriter writer = beginInsert(table, false)) {
      writer.write(rows);
      writer.commit();
    }
  }

  @Override
  public ConnectorWriter beginInsert(ConnectorTableHandle table, boolean overwrite) {
    DeltaTableHandle handle = writable(table);
    return DeltaWriter.begin(
        engine,
        handle.name(),
        handle.location(),
        overwrite ? DeltaWriter.Mode.OVERWRITE : DeltaWriter.Mode.APPEND,
        pinnedVersion(handle),
        Set.of(),
        false,
        DeltaTableWriter.DEFAULT_TARGET_FILE_ROWS);
  }

  @Override
  public ConnectorWriter beginRewrite(ConnectorTableHandle table, Set<String> replacedFiles) {
    DeltaTableHandle handle = writable(table);
    OptionalLong version = pinnedVersion(handle);
    if (version.isEmpty()) {
      throw new OxbowException(
          ErrorCode.INTERNAL,
          "beginRewrite needs a handle pinned to the version that was read: " + handle);
    }
    return DeltaWriter.begin(
        engine,
        handle.name(),
        handle.location(),
        DeltaWriter.Mode.REWRITE,
        version,
        replacedFiles,
        false,
        DeltaTableWriter.DEFAULT_TARGET_FILE_ROWS);
  }

  @Override
  public long copyInto(
      ConnectorTableHandle table,
      String source,
      String format,
      Map<String, String> options,
      BufferAllocator allocator) {
    DeltaTableHandle handle = writable(table);
    return CopyIntoLoader.load(
        engine,
        fileIO,
        handle.name(),
        handle.location(),
        source,
        format,
        options,
        allocator,
        DeltaTableWriter.DEFAULT_TARGET_FILE_ROWS);
  }

  private static DeltaTableHandle writable(ConnectorTableHandle table) {
    DeltaTableHandle handle = (DeltaTableHandle) table;
    if (handle.kind() != DeltaTableHandle.Kind.TABLE || handle.timeTravel()) {
      throw OxbowException.userError(
          "Cannot write to %s: it is a read-only view of the table (history, changes or an older"
              + " version)",
          handle);
    }
    return handle;
  }

  /** The version a handle was pinned to when the statement resolved it, if any. */
  private static OptionalLong pinnedVersion(DeltaTableHandle handle) {
    return handle.version() == DeltaTableHandle.LATEST
        ? OptionalLong.empty()
        : OptionalLong.of(handle.version());
  }
}
