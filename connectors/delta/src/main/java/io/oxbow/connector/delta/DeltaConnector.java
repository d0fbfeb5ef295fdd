package io.oxbow.connector.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.ScanImpl;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;

/** A catalog of Delta tables under one warehouse folder. */
final class DeltaConnector
    implements Connector, ConnectorMetadata, ConnectorSplitManager, ConnectorPageSourceProvider {
  private final String catalog;
  private final Path warehouse;
  private final Engine engine;
  private final Map<String, CachedTable> tables = new ConcurrentHashMap<>();

  /** A described table, valid for one Delta table version. */
  private record CachedTable(
      long version,
      Schema schema,
      List<String> partitionColumns,
      List<DeltaSplit> files,
      FileStatistics statistics) {}

  DeltaConnector(String catalog, Path warehouse) {
    this.catalog = catalog;
    this.warehouse = warehouse;
    Configuration conf = new Configuration();
    conf.set("fs.file.impl.disable.cache", "false");
    this.engine = DefaultEngine.create(conf);
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
    Path schema = warehouse.resolve(schemaName);
    if (!Files.isDirectory(schema)) {
      return List.of();
    }
    return subfolders(schema, true);
  }

  private List<String> subfolders(Path dir, boolean deltaOnly) {
    try (Stream<Path> children = Files.list(dir)) {
      return children
          .filter(Files::isDirectory)
          .filter(
              p ->
                  !p.getFileName().toString().startsWith(".")
                      && !p.getFileName().toString().startsWith("_"))
          .filter(p -> !deltaOnly || Files.isDirectory(p.resolve("_delta_log")))
          .map(p -> p.getFileName().toString())
          .filter(name -> name.equals(name.toLowerCase(Locale.ROOT)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name) {
    Path location = warehouse.resolve(name.schema()).resolve(name.table());
    if (!Files.isDirectory(location.resolve("_delta_log"))) {
      return Optional.empty();
    }
    return Optional.of(new DeltaTableHandle(name, location.toString()));
  }

  @Override
  public ConnectorTableMetadata getTableMetadata(ConnectorTableHandle table) {
    CachedTable described = describe((DeltaTableHandle) table);
    return new ConnectorTableMetadata(
        table.name(),
        described.schema(),
        described.statistics().rows(),
        described.statistics().columns());
  }

  @Override
  public List<ConnectorSplit> getSplits(ConnectorTableHandle table) {
    return new ArrayList<>(describe((DeltaTableHandle) table).files());
  }

  @Override
  public ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator) {
    CachedTable described = describe((DeltaTableHandle) table);
    return new ParquetPageSource(
        (DeltaSplit) split, described.schema(), described.partitionColumns(), columns, allocator);
  }

  /** Reads the table's latest snapshot through delta-kernel (cached per version). */
  private CachedTable describe(DeltaTableHandle handle) {
    try {
      Table table = Table.forPath(engine, handle.location());
      Snapshot snapshot = table.getLatestSnapshot(engine);
      CachedTable cached = tables.get(handle.location());
      if (cached != null && cached.version() == snapshot.getVersion()) {
        return cached;
      }
      String mapping =
          ((SnapshotImpl) snapshot)
              .getMetadata()
              .getConfiguration()
              .getOrDefault("delta.columnMapping.mode", "none");
      if (!mapping.equals("none")) {
        throw OxbowException.userError(
            "Delta table '%s' uses column mapping (%s), which is not supported yet",
            handle.name(), mapping);
      }
      Schema schema = DeltaTypes.toArrow(snapshot.getSchema(), handle.name().toString());
      List<String> partitions =
          snapshot.getPartitionColumnNames().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
      Scan scan = snapshot.getScanBuilder().build();
      List<DeltaSplit> files = new ArrayList<>();
      FileStatistics statistics = new FileStatistics(schema, partitions);
      try (CloseableIterator<FilteredColumnarBatch> batches =
          ((ScanImpl) scan).getScanFiles(engine, true)) {
        while (batches.hasNext()) {
          FilteredColumnarBatch batch = batches.next();
          try (CloseableIterator<Row> rowIterator = batch.getRows()) {
            while (rowIterator.hasNext()) {
              Row row = rowIterator.next();
              if (InternalScanFileUtils.getDeletionVectorDescriptorFromRow(row) != null) {
                throw OxbowException.userError(
                    "Delta table '%s' uses deletion vectors, which are not supported yet",
                    handle.name());
              }
              FileStatus status = InternalScanFileUtils.getAddFileStatus(row);
              Map<String, String> partitionValues = new HashMap<>();
              InternalScanFileUtils.getPartitionValues(row)
                  .forEach((k, v) -> partitionValues.put(k.toLowerCase(Locale.ROOT), v));
              files.add(new DeltaSplit(status.getPath(), status.getSize(), partitionValues));
              Row add = row.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
              int statsOrdinal = InternalScanFileUtils.ADD_FILE_STATS_ORDINAL;
              String stats = add.isNullAt(statsOrdinal) ? null : add.getString(statsOrdinal);
              statistics.addFile(partitionValues, stats);
            }
          }
        }
      }
      CachedTable described =
          new CachedTable(snapshot.getVersion(), schema, partitions, files, statistics);
      tables.put(handle.location(), described);
      return described;
    } catch (OxbowException e) {
      throw e;
    } catch (TableNotFoundException e) {
      throw OxbowException.notFound(
          "Delta table '%s' not found at %s", handle.name(), handle.location());
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
}
