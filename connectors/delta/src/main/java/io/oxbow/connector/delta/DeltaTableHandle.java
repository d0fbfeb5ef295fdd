package io.oxbow.connector.delta;

import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Delta table read at one version: its name, the folder holding its {@code _delta_log}, what is
 * read (the rows, the commit history or the change data feed) and any pushed-down filter.
 *
 * @param location the table folder (absolute path or URI)
 * @param version the pinned snapshot version; {@link #LATEST} resolves the latest on every use
 * @param timeTravel whether the version was asked for ({@code VERSION AS OF} / {@code TIMESTAMP AS
 *     OF}), so plans show it
 * @param kind rows, history or changes
 * @param changesStart first version of the change data feed (kind {@link Kind#CHANGES})
 * @param filter conjuncts used to skip files, empty if none
 * @param fileColumn whether the schema ends with {@link ConnectorMetadata#FILE_COLUMN}
 * @param keptFiles files left after skipping (with {@code filter})
 * @param totalFiles files of the snapshot (with {@code filter})
 */
public record DeltaTableHandle(
    SchemaTableName name,
    String location,
    long version,
    boolean timeTravel,
    Kind kind,
    long changesStart,
    List<ColumnPredicate> filter,
    boolean fileColumn,
    int keptFiles,
    int totalFiles)
    implements ConnectorTableHandle {
  /** The {@link #version} of a handle that always reads the latest snapshot. */
  public static final long LATEST = -1;

  /** What a handle reads. */
  public enum Kind {
    /** The table's rows. */
    TABLE,
    /** One row per commit ({@code DESCRIBE HISTORY}). */
    HISTORY,
    /** Row changes between {@code changesStart} and {@code version} ({@code table_changes}). */
    CHANGES
  }

  public DeltaTableHandle {
    filter = List.copyOf(filter);
  }

  /** The latest version of a table, resolved whenever the handle is used. */
  public DeltaTableHandle(SchemaTableName name, String location) {
    this(name, location, LATEST, false, Kind.TABLE, 0, List.of(), false, 0, 0);
  }

  /** The table's rows at {@code version}. */
  static DeltaTableHandle pinned(
      SchemaTableName name, String location, long version, boolean timeTravel) {
    return new DeltaTableHandle(
        name, location, version, timeTravel, Kind.TABLE, 0, List.of(), false, 0, 0);
  }

  DeltaTableHandle withFilter(List<ColumnPredicate> conjuncts, int kept, int total) {
    return new DeltaTableHandle(
        name,
        location,
        version,
        timeTravel,
        kind,
        changesStart,
        conjuncts,
        fileColumn,
        kept,
        total);
  }

  DeltaTableHandle withFileColumn() {
    return new DeltaTableHandle(
        name,
        location,
        version,
        timeTravel,
        kind,
        changesStart,
        filter,
        true,
        keptFiles,
        totalFiles);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    switch (kind) {
      case HISTORY -> out.append("history(").append(name).append(')');
      case CHANGES ->
          out.append("table_changes(")
              .append(name)
              .append(", ")
              .append(changesStart)
              .append(", ")
              .append(version)
              .append(')');
      default -> out.append(name);
    }
    List<String> details = new ArrayList<>();
    if (kind == Kind.TABLE && timeTravel) {
      details.add("version=" + version);
    }
    if (!filter.isEmpty()) {
      details.add("files=" + keptFiles + "/" + totalFiles);
      details.add(
          "filter=["
              + filter.stream().map(DeltaTableHandle::show).collect(Collectors.joining(", "))
              + "]");
    }
    if (!details.isEmpty()) {
      out.append(details);
    }
    return out.toString();
  }

  private static String show(ColumnPredicate p) {
    String op =
        switch (p.op()) {
          case EQ -> " = ";
          case NE -> " <> ";
          case LT -> " < ";
          case LE -> " <= ";
          case GT -> " > ";
          case GE -> " >= ";
          default -> null;
        };
    return op == null ? p.toString() : p.column() + op + p.values().get(0);
  }
}
