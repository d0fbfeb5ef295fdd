package io.oxbow.connector.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.data.GenericRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * External tables of a Delta warehouse: tables created with {@code LOCATION}, whose data lives
 * outside the warehouse and is not owned by it. Each is recorded by a small pointer file {@code
 * <warehouse>/<schema>/_oxbow_external/<table>.json} holding {@code {"location": "..."}}, written
 * with an atomic create-if-absent through the kernel engine (so it works on S3 and local paths, and
 * two concurrent creates of one name cannot both win). Dropping an external table deletes only its
 * pointer.
 */
public final class ExternalTables {
  /** The folder, inside each schema folder, holding the pointer files. */
  public static final String FOLDER = "_oxbow_external";

  private static final String SUFFIX = ".json";
  private static final StructType POINTER_SCHEMA =
      new StructType().add("location", StringType.STRING);

  private final Engine engine;
  private final String warehouse;

  /**
   * @param warehouse the warehouse root (local path or URI, without a trailing slash)
   */
  public ExternalTables(Engine engine, String warehouse) {
    this.engine = engine;
    this.warehouse = trimSlash(warehouse);
  }

  /** The location of the external table {@code schema.table}, or empty if there is none. */
  public Optional<String> externalLocation(String schema, String table) {
    Optional<FileStatus> pointer = pointerStatus(schema, table);
    if (pointer.isEmpty()) {
      return Optional.empty();
    }
    try (CloseableIterator<ColumnarBatch> batches =
        engine
            .getJsonHandler()
            .readJsonFiles(
                Utils.singletonCloseableIterator(pointer.get()),
                POINTER_SCHEMA,
                Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch batch = batches.next();
        ColumnVector column = batch.getColumnVector(0);
        for (int r = 0; r < batch.getSize(); r++) {
          if (!column.isNullAt(r)) {
            return Optional.of(column.getString(r));
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw unavailable(pointer.get().getPath(), e);
    }
    throw new OxbowException(
        ErrorCode.SOURCE_UNAVAILABLE,
        "External table pointer " + pointer.get().getPath() + " holds no location");
  }

  /** Names of the external tables of {@code schema}, sorted. */
  public List<String> listExternalTables(String schema) {
    List<String> names = new ArrayList<>();
    try (CloseableIterator<FileStatus> files =
        engine.getFileSystemClient().listFrom(folder(schema) + "/!")) {
      while (files.hasNext()) {
        String file = fileName(files.next().getPath());
        if (file.endsWith(SUFFIX) && file.length() > SUFFIX.length()) {
          names.add(file.substring(0, file.length() - SUFFIX.length()));
        }
      }
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException | UncheckedIOException e) {
      throw unavailable(folder(schema), e);
    }
    names.sort(null);
    return names;
  }

  /**
   * Records {@code schema.table} as an external table at {@code location}.
   *
   * @throws OxbowException {@code USER_ERROR} if the name is already registered
   */
  public void register(SchemaTableName name, String location) {
    String path = pointerPath(name.schema(), name.table());
    try {
      engine.getFileSystemClient().mkdirs(folder(name.schema()));
      GenericRow row = new GenericRow(POINTER_SCHEMA, Map.of(0, location));
      engine
          .getJsonHandler()
          .writeJsonFileAtomically(path, Utils.singletonCloseableIterator(row), false);
    } catch (FileAlreadyExistsException e) {
      throw OxbowException.userError("Table %s already exists", name);
    } catch (IOException | UncheckedIOException e) {
      if (e.getCause() instanceof FileAlreadyExistsException) {
        throw OxbowException.userError("Table %s already exists", name);
      }
      throw unavailable(path, e);
    }
  }

  /** Forgets the external table {@code schema.table}; returns whether it was registered. */
  public boolean unregister(String schema, String table) {
    if (pointerStatus(schema, table).isEmpty()) {
      return false;
    }
    String path = pointerPath(schema, table);
    try {
      engine.getFileSystemClient().delete(path);
      return true;
    } catch (IOException | UncheckedIOException e) {
      throw unavailable(path, e);
    }
  }

  private Optional<FileStatus> pointerStatus(String schema, String table) {
    String path = pointerPath(schema, table);
    String wanted = table + SUFFIX;
    try (CloseableIterator<FileStatus> files = engine.getFileSystemClient().listFrom(path)) {
      while (files.hasNext()) {
        FileStatus status = files.next();
        if (fileName(status.getPath()).equals(wanted)) {
          return Optional.of(status);
        }
        if (fileName(status.getPath()).compareTo(wanted) > 0) {
          break;
        }
      }
      return Optional.empty();
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException | UncheckedIOException e) {
      throw unavailable(path, e);
    }
  }

  private String folder(String schema) {
    DeltaNames.checkSchema(schema);
    return DeltaFileIO.join(warehouse, schema, FOLDER);
  }

  private String pointerPath(String schema, String table) {
    DeltaNames.check(new SchemaTableName(schema, table));
    return DeltaFileIO.join(folder(schema), table + SUFFIX);
  }

  private static String fileName(String path) {
    String trimmed = trimSlash(path);
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  static String trimSlash(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/") && !p.endsWith("://")) {
      p = p.substring(0, p.length() - 1);
    }
    return p;
  }

  private static OxbowException unavailable(String path, Exception e) {
    return new OxbowException(
        ErrorCode.SOURCE_UNAVAILABLE,
        "Cannot access external table pointer " + path + ": " + e.getMessage(),
        e);
  }
}
