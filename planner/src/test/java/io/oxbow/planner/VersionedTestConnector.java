package io.oxbow.planner;

import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableVersion;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A test connector with one versioned table, {@code s.events}: version N holds rows 1..N+1, each
 * row in its own "file", committed at 2026-01-0(N+1) 00:00 UTC. It serves time travel, history,
 * changes and the file column as the SPI describes them, and records every filter offered; a
 * filtered handle reads only the files whose row satisfies every predicate it understood, and says
 * {@code files=k/n}.
 */
final class VersionedTestConnector
    implements Connector, ConnectorMetadata, ConnectorSplitManager, ConnectorPageSourceProvider {
  static final SchemaTableName EVENTS = new SchemaTableName("s", "events");

  static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", ArrowType.Utf8.INSTANCE),
              Field.nullable("d", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
              Field.nullable("amount", new ArrowType.Decimal(10, 2, 128)),
              Field.nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("flag", ArrowType.Bool.INSTANCE)));

  static final Schema HISTORY =
      new Schema(
          List.of(
              Field.nullable("version", new ArrowType.Int(64, true)),
              Field.nullable("timestamp", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
              Field.nullable("operation", ArrowType.Utf8.INSTANCE)));

  /** The rows of the latest version, in the Java types of {@link ColumnPredicate}. */
  static final List<List<Object>> ROWS =
      List.of(
          Arrays.asList(
              1L,
              "a",
              LocalDate.parse("2026-01-01"),
              LocalDateTime.parse("2026-01-01T10:00:00"),
              new BigDecimal("1.50"),
              0.5,
              true),
          Arrays.asList(
              2L,
              "bb",
              LocalDate.parse("2026-01-02"),
              LocalDateTime.parse("2026-01-02T10:00:00"),
              new BigDecimal("2.50"),
              1.5,
              false),
          Arrays.asList(3L, null, null, null, null, null, null));

  static final int LATEST = ROWS.size() - 1;

  /** What a handle reads. */
  record Handle(
      SchemaTableName name,
      String kind,
      long version,
      long changesStart,
      long changesEnd,
      boolean withFile,
      List<ColumnPredicate> predicates)
      implements ConnectorTableHandle {
    @Override
    public String toString() {
      String base =
          switch (kind) {
            case "history" -> name + "$history";
            case "changes" -> name + "$changes@" + changesStart + "-" + changesEnd;
            default -> name + "@v" + version + (withFile ? "$file" : "");
          };
      return predicates.isEmpty()
          ? base
          : base + " files=" + files(this).size() + "/" + (version + 1) + " filter=" + predicates;
    }
  }

  private record Split() implements ConnectorSplit {}

  /** Every list of predicates offered, in order. */
  final List<List<ColumnPredicate>> offered = new ArrayList<>();

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
    return List.of("s");
  }

  @Override
  public List<String> listTables(String schemaName) {
    return schemaName.equals("s") ? List.of("events") : List.of();
  }

  @Override
  public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name) {
    return getTableHandle(name, new TableVersion.AtVersion(LATEST));
  }

  @Override
  public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name, TableVersion version) {
    if (!name.equals(EVENTS)) {
      return Optional.empty();
    }
    long v;
    if (version instanceof TableVersion.AtVersion at) {
      v = at.version();
    } else {
      long micros = ((TableVersion.AtTimestamp) version).epochMicros();
      v = -1;
      for (int k = 0; k <= LATEST; k++) {
        if (commitMicros(k) <= micros) {
          v = k;
        }
      }
      if (v < 0) {
        throw OxbowException.userError("No version of %s at or before that time", name);
      }
    }
    if (v < 0 || v > LATEST) {
      throw OxbowException.userError("Table %s has no version %d", name, v);
    }
    return Optional.of(new Handle(name, "rows", v, 0, 0, false, List.of()));
  }

  @Override
  public Optional<ConnectorTableHandle> getHistoryHandle(SchemaTableName name) {
    return name.equals(EVENTS)
        ? Optional.of(new Handle(name, "history", LATEST, 0, 0, false, List.of()))
        : Optional.empty();
  }

  @Override
  public Optional<ConnectorTableHandle> getChangesHandle(
      SchemaTableName name, long startVersion, OptionalLong endVersion) {
    if (!name.equals(EVENTS)) {
      return Optional.empty();
    }
    return Optional.of(
        new Handle(
            name, "changes", LATEST, startVersion, endVersion.orElse(LATEST), false, List.of()));
  }

  @Override
  public ConnectorTableHandle withFileColumn(ConnectorTableHandle table) {
    Handle h = (Handle) table;
    return new Handle(
        h.name(), h.kind(), h.version(), h.changesStart(), h.changesEnd(), true, h.predicates());
  }

  @Override
  public synchronized Optional<ConnectorTableHandle> applyFilter(
      ConnectorTableHandle table, List<ColumnPredicate> conjuncts) {
    offered.add(List.copyOf(conjuncts));
    Handle h = (Handle) table;
    if (!h.kind().equals("rows")) {
      return Optional.empty();
    }
    List<ColumnPredicate> all = new ArrayList<>(h.predicates());
    all.addAll(conjuncts);
    return Optional.of(
        new Handle(h.name(), h.kind(), h.version(), 0, 0, h.withFile(), List.copyOf(all)));
  }

  @Override
  public ConnectorTableMetadata getTableMetadata(ConnectorTableHandle table) {
    Handle h = (Handle) table;
    return new ConnectorTableMetadata(
        h.name(), schema(h), OptionalLong.of(rows(h).size()), Map.of());
  }

  private static Schema schema(Handle h) {
    if (h.kind().equals("history")) {
      return HISTORY;
    }
    List<Field> fields = new ArrayList<>(SCHEMA.getFields());
    if (h.kind().equals("changes")) {
      fields.add(Field.nullable("_change_type", ArrowType.Utf8.INSTANCE));
      fields.add(Field.nullable("_commit_version", new ArrowType.Int(64, true)));
      fields.add(
          Field.nullable("_commit_timestamp", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)));
    }
    if (h.withFile()) {
      fields.add(Field.notNullable(FILE_COLUMN, ArrowType.Utf8.INSTANCE));
    }
    return new Schema(fields);
  }

  static long commitMicros(long version) {
    return LocalDate.parse("2026-01-01")
            .plusDays(version)
            .atStartOfDay()
            .toEpochSecond(ZoneOffset.UTC)
        * 1_000_000L;
  }

  /** The indexes of the "files" (rows) a row-reading handle reads. */
  private static List<Integer> files(Handle h) {
    List<Integer> files = new ArrayList<>();
    for (int r = 0; r <= h.version(); r++) {
      boolean keep = true;
      for (ColumnPredicate p : h.predicates()) {
        keep &= matches(ROWS.get(r), p);
      }
      if (keep) {
        files.add(r);
      }
    }
    return files;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean matches(List<Object> row, ColumnPredicate p) {
    int column = -1;
    for (int c = 0; c < SCHEMA.getFields().size(); c++) {
      if (SCHEMA.getFields().get(c).getName().equals(p.column())) {
        column = c;
      }
    }
    if (column < 0) {
      return true;
    }
    Comparable value = (Comparable) row.get(column);
    if (p.op() == ColumnPredicate.Op.IS_NULL) {
      return value == null;
    }
    if (value == null) {
      return false;
    }
    if (p.op() == ColumnPredicate.Op.IS_NOT_NULL) {
      return true;
    }
    List<Object> values = p.values();
    return switch (p.op()) {
      case EQ -> value.compareTo(values.get(0)) == 0;
      case NE -> value.compareTo(values.get(0)) != 0;
      case LT -> value.compareTo(values.get(0)) < 0;
      case LE -> value.compareTo(values.get(0)) <= 0;
      case GT -> value.compareTo(values.get(0)) > 0;
      case GE -> value.compareTo(values.get(0)) >= 0;
      case BETWEEN -> value.compareTo(values.get(0)) >= 0 && value.compareTo(values.get(1)) <= 0;
      case IN -> values.stream().anyMatch(v -> value.compareTo(v) == 0);
      default -> true;
    };
  }

  /** A handle's rows in the engine's representation (dates as days, timestamps as micros). */
  private static List<List<Object>> rows(Handle h) {
    List<List<Object>> out = new ArrayList<>();
    switch (h.kind()) {
      case "history" -> {
        for (long v = h.version(); v >= 0; v--) {
          out.add(Arrays.asList(v, commitMicros(v), v == 0 ? "CREATE TABLE AS SELECT" : "WRITE"));
        }
      }
      case "changes" -> {
        for (long v = Math.max(h.changesStart(), 0); v <= Math.min(h.changesEnd(), LATEST); v++) {
          List<Object> row = engineRow(ROWS.get((int) v));
          row.add("insert");
          row.add(v);
          row.add(commitMicros(v));
          out.add(row);
        }
      }
      default -> {
        for (int r : files(h)) {
          List<Object> row = engineRow(ROWS.get(r));
          if (h.withFile()) {
            row.add("part-" + r + ".parquet");
          }
          out.add(row);
        }
      }
    }
    return out;
  }

  private static List<Object> engineRow(List<Object> row) {
    List<Object> out = new ArrayList<>();
    for (Object value : row) {
      if (value instanceof LocalDate date) {
        out.add((int) date.toEpochDay());
      } else if (value instanceof LocalDateTime ts) {
        out.add(ts.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + ts.getNano() / 1000);
      } else {
        out.add(value);
      }
    }
    return out;
  }

  @Override
  public List<ConnectorSplit> getSplits(ConnectorTableHandle table) {
    return List.of(new Split());
  }

  @Override
  public ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator) {
    Handle h = (Handle) table;
    Schema schema = schema(h);
    List<List<Object>> rows = rows(h);
    List<Field> fields = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (String column : columns) {
      for (int i = 0; i < schema.getFields().size(); i++) {
        if (schema.getFields().get(i).getName().equals(column)) {
          fields.add(schema.getFields().get(i));
          indexes.add(i);
        }
      }
    }
    return new ConnectorPageSource() {
      private boolean done;

      @Override
      public VectorSchemaRoot nextBatch() {
        if (done) {
          return null;
        }
        done = true;
        VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
        for (int c = 0; c < fields.size(); c++) {
          FieldVector v = root.getVector(c);
          v.allocateNew();
          for (int r = 0; r < rows.size(); r++) {
            Values.set(v, r, rows.get(r).get(indexes.get(c)));
          }
          v.setValueCount(rows.size());
        }
        root.setRowCount(rows.size());
        return root;
      }

      @Override
      public long completedBytes() {
        return 0;
      }

      @Override
      public void close() {
        done = true;
      }
    };
  }
}
