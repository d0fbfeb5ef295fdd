package io.oxbow.connector.delta;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.InvalidConfigurationValueException;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableAlreadyExistsException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.exceptions.UnknownConfigurationException;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * {@code CREATE TABLE} and {@code DROP TABLE} for a Delta warehouse. A managed table lives at
 * {@code <warehouse>/<schema>/<table>} and its folder is deleted on drop; a table with {@code
 * LOCATION} is external: it is registered in {@link ExternalTables} and dropping it only forgets
 * it. Tables are created by an empty version-0 commit through delta-kernel, whose conditional write
 * makes one of two concurrent creates fail.
 *
 * <p>{@code TBLPROPERTIES} go to the table's configuration; {@code delta.*} keys are validated by
 * kernel. {@code delta.enableChangeDataFeed = true} is refused: delta-kernel 4.0.0 cannot write
 * such tables, so Oxbow could never insert into them (Oxbow reads change feeds of tables written by
 * Spark or delta-rs).
 */
final class DeltaDdl {
  private DeltaDdl() {}

  /** Creates a table (or registers an existing Delta table at {@code LOCATION}). */
  static void createTable(
      Engine engine,
      String warehouse,
      ExternalTables externals,
      SchemaTableName name,
      Schema columns,
      TableOptions options) {
    options
        .format()
        .filter(format -> !format.equalsIgnoreCase("delta"))
        .ifPresent(
            format -> {
              throw OxbowException.userError(
                  "Cannot create %s USING %s: this catalog stores Delta tables (write USING DELTA"
                      + " or leave USING out)",
                  name, format);
            });
    DeltaNames.check(name);
    checkChangeDataFeed(name, options.properties());
    String managed = managedLocation(warehouse, name);
    if (externals.externalLocation(name.schema(), name.table()).isPresent()
        || latestSnapshot(engine, managed).isPresent()) {
      throw OxbowException.userError("Table %s already exists", name);
    }
    if (options.location().isEmpty()) {
      if (columns.getFields().isEmpty()) {
        throw OxbowException.userError(
            "CREATE TABLE %s needs columns (or the LOCATION of an existing Delta table)", name);
      }
      create(engine, managed, name, columns, options);
      return;
    }
    String location = normalizeLocation(options.location().get());
    if (ExternalTables.trimSlash(location).equals(ExternalTables.trimSlash(managed))) {
      throw OxbowException.userError(
          "LOCATION '%s' is where the managed table %s lives: leave LOCATION out", location, name);
    }
    Optional<Snapshot> existing = latestSnapshot(engine, location);
    if (existing.isPresent()) {
      if (!columns.getFields().isEmpty()) {
        checkSameTable(name, location, existing.get(), columns, options);
      }
      externals.register(name, location);
      return;
    }
    if (columns.getFields().isEmpty()) {
      throw OxbowException.userError(
          "There is no Delta table at LOCATION '%s': give the columns of %s to create one",
          location, name);
    }
    externals.register(name, location);
    try {
      create(engine, location, name, columns, options);
    } catch (RuntimeException e) {
      externals.unregister(name.schema(), name.table());
      throw e;
    }
  }

  /**
   * Drops a table: an external one is only forgotten; a managed one has every file under its folder
   * deleted (the log first, so the table disappears before its data). Scans still running may fail.
   */
  static void dropTable(
      DeltaFileIO fileIO,
      String warehouse,
      ExternalTables externals,
      SchemaTableName name,
      String location) {
    DeltaNames.check(name);
    if (externals.unregister(name.schema(), name.table())) {
      return;
    }
    String managed = managedLocation(warehouse, name);
    if (!ExternalTables.trimSlash(location).equals(ExternalTables.trimSlash(managed))
        && !ExternalTables.trimSlash(localPath(location))
            .equals(ExternalTables.trimSlash(localPath(managed)))) {
      throw new OxbowException(
          ErrorCode.INTERNAL,
          "Refusing to delete " + location + ": not the managed location of " + name);
    }
    checkUnderWarehouse(warehouse, managed, name);
    try {
      deleteTree(fileIO, managed + "/_delta_log");
      deleteTree(fileIO, managed);
    } catch (IOException | UncheckedIOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Dropping " + name + " failed while deleting " + managed + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * Refuses to delete {@code managed} unless, normalized, it lies strictly below the normalized
   * warehouse (a last guard against names that escape the warehouse).
   */
  static void checkUnderWarehouse(String warehouse, String managed, SchemaTableName name) {
    boolean inside;
    if (DeltaFileIO.isS3(warehouse) || DeltaFileIO.isS3(managed)) {
      String root = ExternalTables.trimSlash(warehouse) + "/";
      inside =
          DeltaFileIO.isS3(warehouse)
              && managed.startsWith(root)
              && managed.length() > root.length()
              && java.util.Arrays.stream(managed.substring(root.length()).split("/", -1))
                  .allMatch(DeltaNames::isValid);
    } else {
      Path root = Path.of(localPath(warehouse)).toAbsolutePath().normalize();
      Path target = Path.of(localPath(managed)).toAbsolutePath().normalize();
      inside = target.startsWith(root) && !target.equals(root);
    }
    if (!inside) {
      throw new OxbowException(
          ErrorCode.INTERNAL,
          "Refusing to delete "
              + managed
              + ": not inside the warehouse "
              + warehouse
              + " ("
              + name
              + ")");
    }
  }

  /** {@code <warehouse>/<schema>/<table>}. */
  static String managedLocation(String warehouse, SchemaTableName name) {
    DeltaNames.check(name);
    return DeltaFileIO.join(warehouse, name.schema(), name.table());
  }

  private static void create(
      Engine engine, String location, SchemaTableName name, Schema columns, TableOptions options) {
    StructType schema = deltaSchema(name, columns);
    List<String> partitionColumns = partitionColumns(name, schema, options.partitionedBy());
    Transaction transaction;
    try {
      TransactionBuilder builder =
          Table.forPath(engine, location)
              .createTransactionBuilder(engine, DeltaWriter.ENGINE_INFO, Operation.CREATE_TABLE)
              .withSchema(engine, schema)
              .withMaxRetries(0);
      if (!partitionColumns.isEmpty()) {
        builder = builder.withPartitionColumns(engine, partitionColumns);
      }
      if (!options.properties().isEmpty()) {
        builder = builder.withTableProperties(engine, options.properties());
      }
      transaction = builder.build(engine);
    } catch (TableAlreadyExistsException e) {
      throw OxbowException.userError("Table %s already exists (at %s)", name, location);
    } catch (UnknownConfigurationException e) {
      throw OxbowException.userError(
          "Unknown Delta table property in TBLPROPERTIES of %s: %s", name, e.getMessage());
    } catch (InvalidConfigurationValueException e) {
      throw OxbowException.userError(
          "Invalid Delta table property value in TBLPROPERTIES of %s: %s", name, e.getMessage());
    } catch (KernelException | IllegalArgumentException | UnsupportedOperationException e) {
      throw OxbowException.userError("Cannot create Delta table %s: %s", name, e.getMessage());
    } catch (UncheckedIOException e) {
      throw DeltaWriter.unavailable(name, location, e);
    }
    TransactionCommitResult result;
    try {
      result = transaction.commit(engine, CloseableIterable.emptyIterable());
    } catch (ConcurrentWriteException e) {
      throw OxbowException.userError(
          "Table %s already exists (another statement created it at the same time)", name);
    } catch (KernelException | IllegalArgumentException | IllegalStateException e) {
      throw OxbowException.userError("Cannot create Delta table %s: %s", name, e.getMessage());
    } catch (RuntimeException e) {
      throw DeltaWriter.unavailable(name, location, e);
    }
    DeltaWriter.runPostCommitHooks(engine, result, name);
  }

  private static void checkChangeDataFeed(SchemaTableName name, Map<String, String> properties) {
    properties.forEach(
        (key, value) -> {
          if (key.equalsIgnoreCase("delta.enableChangeDataFeed")
              && value.trim().equalsIgnoreCase("true")) {
            throw OxbowException.userError(
                "Cannot create %s with TBLPROPERTIES ('%s' = '%s'): delta-kernel 4.0.0, which"
                    + " Oxbow writes through, cannot write tables with the change data feed"
                    + " enabled. Create the table without it; Oxbow reads the change feed of"
                    + " tables written by Spark or delta-rs",
                name, key, value);
          }
        });
  }

  private static StructType deltaSchema(SchemaTableName name, Schema columns) {
    Set<String> seen = new HashSet<>();
    for (Field field : columns.getFields()) {
      if (!seen.add(field.getName().toLowerCase(Locale.ROOT))) {
        throw OxbowException.userError(
            "Column %s appears twice in CREATE TABLE %s", field.getName(), name);
      }
    }
    return DeltaTypes.toDelta(columns);
  }

  private static List<String> partitionColumns(
      SchemaTableName name, StructType schema, List<String> partitionedBy) {
    List<String> result = new ArrayList<>();
    for (String column : partitionedBy) {
      String match = null;
      for (StructField field : schema.fields()) {
        if (field.getName().equalsIgnoreCase(column)) {
          match = field.getName();
        }
      }
      if (match == null) {
        throw OxbowException.userError(
            "PARTITIONED BY column %s is not a column of %s (columns: %s)",
            column, name, schema.fieldNames());
      }
      if (result.contains(match)) {
        throw OxbowException.userError("PARTITIONED BY names column %s twice in %s", column, name);
      }
      result.add(match);
    }
    if (!result.isEmpty() && result.size() == schema.length()) {
      throw OxbowException.userError(
          "Cannot partition %s by all of its columns: a Delta table needs at least one column"
              + " that is not a partition column",
          name);
    }
    return result;
  }

  /** An existing Delta table registered with columns must have exactly those columns. */
  private static void checkSameTable(
      SchemaTableName name,
      String location,
      Snapshot snapshot,
      Schema columns,
      TableOptions options) {
    StructType existing = snapshot.getSchema();
    StructType wanted = DeltaTypes.toDelta(columns);
    boolean same = existing.length() == wanted.length();
    for (int i = 0; same && i < wanted.length(); i++) {
      same =
          existing.at(i).getName().equalsIgnoreCase(wanted.at(i).getName())
              && existing.at(i).getDataType().equivalent(wanted.at(i).getDataType());
    }
    if (!same) {
      throw OxbowException.userError(
          "The columns of CREATE TABLE %s do not match the Delta table at LOCATION '%s' (%s);"
              + " leave the columns out to use the table as it is",
          name, location, describe(existing));
    }
    List<String> partitions = snapshot.getPartitionColumnNames();
    if (!options.partitionedBy().isEmpty()
        && !lower(options.partitionedBy()).equals(lower(partitions))) {
      throw OxbowException.userError(
          "PARTITIONED BY %s of %s does not match the Delta table at LOCATION '%s', which is"
              + " partitioned by %s",
          options.partitionedBy(), name, location, partitions);
    }
    Map<String, String> configuration = ((SnapshotImpl) snapshot).getMetadata().getConfiguration();
    options
        .properties()
        .forEach(
            (key, value) -> {
              String actual =
                  configuration.entrySet().stream()
                      .filter(e -> e.getKey().equalsIgnoreCase(key))
                      .map(Map.Entry::getValue)
                      .findFirst()
                      .orElse(null);
              if (!value.equals(actual)) {
                throw OxbowException.userError(
                    "TBLPROPERTIES '%s' = '%s' of %s does not match the Delta table at LOCATION"
                        + " '%s' (%s)",
                    key, value, name, location, actual == null ? "not set" : "'" + actual + "'");
              }
            });
  }

  private static List<String> lower(List<String> names) {
    return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
  }

  private static String describe(StructType schema) {
    List<String> parts = new ArrayList<>();
    for (StructField field : schema.fields()) {
      parts.add(field.getName() + " " + field.getDataType());
    }
    return String.join(", ", parts);
  }

  /** The latest snapshot of the Delta table at {@code location}, or empty if there is none. */
  static Optional<Snapshot> latestSnapshot(Engine engine, String location) {
    try {
      return Optional.of(Table.forPath(engine, location).getLatestSnapshot(engine));
    } catch (TableNotFoundException e) {
      return Optional.empty();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof FileNotFoundException
          || e.getCause() instanceof NoSuchFileException) {
        return Optional.empty();
      }
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Cannot read " + location + ": " + e.getMessage(), e);
    }
  }

  /** A LOCATION as given, checked: an absolute local path, a {@code file:} URI or an S3 URI. */
  static String normalizeLocation(String location) {
    String trimmed = ExternalTables.trimSlash(location.trim());
    if (trimmed.isEmpty()) {
      throw OxbowException.userError("LOCATION must not be empty");
    }
    if (DeltaFileIO.isS3(trimmed)) {
      return trimmed;
    }
    String local = localPath(trimmed);
    if (local.contains("://") || !Path.of(local).isAbsolute()) {
      throw OxbowException.userError(
          "LOCATION '%s' must be an absolute local path, a file: URI or an s3:// URI", location);
    }
    return Path.of(local).normalize().toString();
  }

  /** {@code file:} URIs as plain paths; anything else unchanged. */
  static String localPath(String location) {
    if (location.startsWith("file://")) {
      return location.substring("file://".length());
    }
    if (location.startsWith("file:")) {
      return location.substring("file:".length());
    }
    return location;
  }

  /** Deletes every file under {@code location} (and, locally, the folders). */
  static void deleteTree(DeltaFileIO fileIO, String location) throws IOException {
    if (!DeltaFileIO.isS3(location)) {
      Path root = Path.of(localPath(location));
      if (!Files.exists(root)) {
        return;
      }
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
      return;
    }
    List<String> directories;
    try {
      directories = fileIO.listDirectories(location);
    } catch (FileNotFoundException e) {
      return;
    }
    for (String directory : directories) {
      deleteTree(fileIO, DeltaFileIO.join(location, directory));
    }
    List<String> files = new ArrayList<>();
    try (CloseableIterator<FileStatus> listing = fileIO.listFrom(location + "/!")) {
      while (listing.hasNext()) {
        files.add(listing.next().getPath());
      }
    } catch (FileNotFoundException e) {
      return;
    }
    for (String file : files) {
      fileIO.delete(file);
    }
  }
}
