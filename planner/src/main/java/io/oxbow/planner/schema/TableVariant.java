package io.oxbow.planner.schema;

import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableVersion;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table name with the suffixes that select a variant of a table: {@code t@v<N>} (version N),
 * {@code t@t<epochMicros>} (the version current at that instant), {@code t$history} (the commit
 * history), {@code t$changes@<start>[-<end>]} (the change data feed), each optionally followed by
 * {@code $file} (one more column, the row's data file). The SQL front end rewrites {@code VERSION
 * AS OF}, {@code TIMESTAMP AS OF}, {@code DESCRIBE HISTORY} and {@code table_changes} into such
 * names, and {@link ConnectorSchema} resolves them to connector calls.
 *
 * @param table the base table name
 * @param version the version to read, or null for the current one
 * @param kind what is read: the table's rows, its history or its changes
 * @param changesStart first version of the changes (inclusive)
 * @param changesEnd last version of the changes (inclusive), empty for the latest
 * @param withFile whether the {@link ConnectorMetadata#FILE_COLUMN} is added
 */
public record TableVariant(
    String table,
    TableVersion version,
    Kind kind,
    long changesStart,
    OptionalLong changesEnd,
    boolean withFile) {
  /** What a variant reads. */
  public enum Kind {
    ROWS,
    HISTORY,
    CHANGES
  }

  private static final String FILE_SUFFIX = "$file";
  private static final Pattern HISTORY = Pattern.compile("(?is)(.+)\\$history");
  private static final Pattern CHANGES = Pattern.compile("(?is)(.+)\\$changes@(\\d+)(?:-(\\d+))?");
  private static final Pattern VERSION = Pattern.compile("(?is)(.+)@v(\\d+)");
  private static final Pattern TIMESTAMP = Pattern.compile("(?is)(.+)@t(-?\\d+)");

  /** The plain table. */
  public static TableVariant of(String table) {
    return new TableVariant(table, null, Kind.ROWS, 0, OptionalLong.empty(), false);
  }

  /** The table as of a version. */
  public static TableVariant atVersion(String table, long version) {
    return new TableVariant(
        table, new TableVersion.AtVersion(version), Kind.ROWS, 0, OptionalLong.empty(), false);
  }

  /** The table as of an instant, in microseconds since the epoch (UTC). */
  public static TableVariant atTimestamp(String table, long epochMicros) {
    return new TableVariant(
        table,
        new TableVersion.AtTimestamp(epochMicros),
        Kind.ROWS,
        0,
        OptionalLong.empty(),
        false);
  }

  /** The commit history of a table. */
  public static TableVariant history(String table) {
    return new TableVariant(table, null, Kind.HISTORY, 0, OptionalLong.empty(), false);
  }

  /** The changes of a table from {@code start} to {@code end} (inclusive; empty: latest). */
  public static TableVariant changes(String table, long start, OptionalLong end) {
    return new TableVariant(table, null, Kind.CHANGES, start, end, false);
  }

  /** This variant with the {@code $file} column. */
  public TableVariant withFileColumn() {
    return new TableVariant(table, version, kind, changesStart, changesEnd, true);
  }

  /** Whether this is the plain table, without any suffix. */
  public boolean isPlain() {
    return version == null && kind == Kind.ROWS && !withFile;
  }

  /**
   * Reads the suffixes of a table name; empty when {@code name} has none (a plain table name, or
   * one whose suffix is malformed).
   */
  public static Optional<TableVariant> parse(String name) {
    boolean file = false;
    String rest = name;
    if (rest.length() > FILE_SUFFIX.length()
        && rest.toLowerCase(Locale.ROOT).endsWith(FILE_SUFFIX)) {
      file = true;
      rest = rest.substring(0, rest.length() - FILE_SUFFIX.length());
    }
    TableVariant variant = null;
    Matcher m;
    try {
      if ((m = HISTORY.matcher(rest)).matches()) {
        variant = history(m.group(1));
      } else if ((m = CHANGES.matcher(rest)).matches()) {
        variant =
            changes(
                m.group(1),
                Long.parseLong(m.group(2)),
                m.group(3) == null
                    ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(m.group(3))));
      } else if ((m = VERSION.matcher(rest)).matches()) {
        variant = atVersion(m.group(1), Long.parseLong(m.group(2)));
      } else if ((m = TIMESTAMP.matcher(rest)).matches()) {
        variant = atTimestamp(m.group(1), Long.parseLong(m.group(2)));
      } else if (file) {
        variant = of(rest);
      }
    } catch (NumberFormatException e) {
      return Optional.empty(); // a number too large for a long
    }
    if (variant == null) {
      return Optional.empty();
    }
    return Optional.of(file ? variant.withFileColumn() : variant);
  }

  /** The same variant of another base name (as the catalog spells it). */
  public TableVariant withTable(String base) {
    return new TableVariant(base, version, kind, changesStart, changesEnd, withFile);
  }

  /** The table name with its suffixes, as {@link #parse} reads it. */
  public String toName() {
    StringBuilder name = new StringBuilder(table);
    if (version instanceof TableVersion.AtVersion v) {
      name.append("@v").append(v.version());
    } else if (version instanceof TableVersion.AtTimestamp t) {
      name.append("@t").append(t.epochMicros());
    }
    if (kind == Kind.HISTORY) {
      name.append("$history");
    } else if (kind == Kind.CHANGES) {
      name.append("$changes@").append(changesStart);
      changesEnd.ifPresent(end -> name.append('-').append(end));
    }
    if (withFile) {
      name.append(FILE_SUFFIX);
    }
    return name.toString();
  }

  /** Asks the connector for this variant's handle of {@code schema.table}. */
  public Optional<ConnectorTableHandle> resolve(ConnectorMetadata metadata, String schema) {
    SchemaTableName name = new SchemaTableName(schema, table);
    Optional<ConnectorTableHandle> handle =
        switch (kind) {
          case HISTORY -> metadata.getHistoryHandle(name);
          case CHANGES -> metadata.getChangesHandle(name, changesStart, changesEnd);
          case ROWS ->
              version == null
                  ? metadata.getTableHandle(name)
                  : metadata.getTableHandle(name, version);
        };
    return withFile ? handle.map(metadata::withFileColumn) : handle;
  }
}
