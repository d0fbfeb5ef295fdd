package io.oxbow.connector.memory;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Tables held as Arrow batches in this connector's own allocator. */
final class MemoryConnector
    implements Connector, ConnectorMetadata, ConnectorSplitManager, ConnectorPageSourceProvider {
  private final BufferAllocator allocator = new RootAllocator();
  private final List<String> schemas;
  private final Map<SchemaTableName, Table> tables = new ConcurrentHashMap<>();

  /** A table: its columns and its batches (appended under the table's lock). */
  private static final class Table {
    final Schema schema;
    final List<VectorSchemaRoot> batches = new ArrayList<>();
    long rows;
    boolean dropped;

    Table(Schema schema) {
      this.schema = schema;
    }
  }

  private record Handle(SchemaTableName name) implements ConnectorTableHandle {
    @Override
    public String toString() {
      return name.toString();
    }
  }

  private record Split(int batch) implements ConnectorSplit {}

  MemoryConnector(String[] schemas) {
    this.schemas =
        Arrays.stream(schemas)
            .map(s -> s.trim().toLowerCase(Locale.ROOT))
            .filter(s -> !s.isEmpty())
            .toList();
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
    return schemas;
  }

  @Override
  public List<String> listTables(String schemaName) {
    return tables.keySet().stream()
        .filter(n -> n.schema().equals(schemaName))
        .map(SchemaTableName::table)
        .sorted()
        .toList();
  }

  @Override
  public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name) {
    return tables.containsKey(name) ? Optional.of(new Handle(name)) : Optional.empty();
  }

  private Table table(ConnectorTableHandle handle) {
    Table table = tables.get(handle.name());
    if (table == null) {
      throw OxbowException.notFound("Table '%s' not found", handle.name());
    }
    return table;
  }

  @Override
  public ConnectorTableMetadata getTableMetadata(ConnectorTableHandle handle) {
    Table table = table(handle);
    synchronized (table) {
      return new ConnectorTableMetadata(handle.name(), table.schema, OptionalLong.of(table.rows));
    }
  }

  @Override
  public void createTable(SchemaTableName name, Schema columns) {
    if (!schemas.contains(name.schema())) {
      throw OxbowException.notFound("Schema '%s' not found", name.schema());
    }
    if (tables.putIfAbsent(name, new Table(columns)) != null) {
      throw OxbowException.userError("Table '%s' already exists", name);
    }
  }

  @Override
  public void dropTable(ConnectorTableHandle handle) {
    Table table = tables.remove(handle.name());
    if (table == null) {
      throw OxbowException.notFound("Table '%s' not found", handle.name());
    }
    synchronized (table) {
      table.dropped = true;
      table.batches.forEach(VectorSchemaRoot::close);
      table.batches.clear();
      table.rows = 0;
    }
  }

  @Override
  public void insert(ConnectorTableHandle handle, VectorSchemaRoot rows) {
    Table table = table(handle);
    VectorSchemaRoot copy = copy(rows, table.schema, allocator);
    synchronized (table) {
      if (table.dropped) {
        copy.close();
        throw OxbowException.notFound("Table '%s' was dropped", handle.name());
      }
      table.batches.add(copy);
      table.rows += copy.getRowCount();
    }
  }

  @Override
  public List<ConnectorSplit> getSplits(ConnectorTableHandle handle) {
    Table table = table(handle);
    synchronized (table) {
      List<ConnectorSplit> splits = new ArrayList<>();
      for (int b = 0; b < table.batches.size(); b++) {
        splits.add(new Split(b));
      }
      return splits;
    }
  }

  @Override
  public ConnectorPageSource createPageSource(
      ConnectorTableHandle handle,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator target) {
    Table table = table(handle);
    return new ConnectorPageSource() {
      private boolean done;

      @Override
      public VectorSchemaRoot nextBatch() {
        if (done) {
          return null;
        }
        done = true;
        synchronized (table) {
          if (table.dropped) {
            throw OxbowException.notFound("Table '%s' was dropped", handle.name());
          }
          VectorSchemaRoot source = table.batches.get(((Split) split).batch());
          List<Field> fields = new ArrayList<>();
          List<FieldVector> vectors = new ArrayList<>();
          for (String column : columns) {
            FieldVector vector = source.getVector(column);
            fields.add(vector.getField());
            vectors.add(vector);
          }
          VectorSchemaRoot projected = new VectorSchemaRoot(fields, vectors, source.getRowCount());
          return copy(projected, new Schema(fields), target);
        }
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

  private static VectorSchemaRoot copy(
      VectorSchemaRoot from, Schema schema, BufferAllocator allocator) {
    VectorSchemaRoot to = VectorSchemaRoot.create(schema, allocator);
    try {
      int rows = from.getRowCount();
      for (int c = 0; c < schema.getFields().size(); c++) {
        FieldVector target = to.getVector(c);
        target.setInitialCapacity(rows);
        target.allocateNew();
        FieldVector source = from.getVector(c);
        for (int r = 0; r < rows; r++) {
          target.copyFromSafe(r, r, source);
        }
        target.setValueCount(rows);
      }
      to.setRowCount(rows);
      return to;
    } catch (RuntimeException e) {
      to.close();
      throw e;
    }
  }

  @Override
  public void close() {
    for (Table table : tables.values()) {
      table.batches.forEach(VectorSchemaRoot::close);
    }
    tables.clear();
    allocator.close();
  }
}
