package io.oxbow.planner;

import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.ColumnStatistics;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.SchemaTableName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** A test connector serving small in-memory tables as one Arrow batch per table. */
final class InMemoryConnector
    implements Connector, ConnectorMetadata, ConnectorSplitManager, ConnectorPageSourceProvider {
  record Table(Schema schema, List<List<Object>> rows, Map<String, ColumnStatistics> statistics) {}

  record Handle(SchemaTableName name) implements ConnectorTableHandle {}

  private record Split() implements ConnectorSplit {}

  private final String defaultSchema;
  private final Map<SchemaTableName, Table> tables = new LinkedHashMap<>();

  /** Column lists of every page source opened, to see what a query reads. */
  final List<List<String>> requestedColumns = new ArrayList<>();

  /** How many times splits were listed, to check that EXPLAIN runs nothing. */
  int splitRequests;

  InMemoryConnector(String defaultSchema) {
    this.defaultSchema = defaultSchema;
  }

  InMemoryConnector table(String name, Schema columns, List<List<Object>> rows) {
    return table(defaultSchema, name, columns, rows);
  }

  InMemoryConnector table(String schema, String name, Schema columns, List<List<Object>> rows) {
    tables.put(new SchemaTableName(schema, name), new Table(columns, rows, Map.of()));
    return this;
  }

  /** A table with column statistics (distinct values by column), for join-order tests. */
  InMemoryConnector table(
      String name, Schema columns, List<List<Object>> rows, Map<String, Double> distinctValues) {
    Map<String, ColumnStatistics> statistics = new LinkedHashMap<>();
    distinctValues.forEach(
        (column, values) ->
            statistics.put(
                column, new ColumnStatistics(OptionalLong.of(0), OptionalDouble.of(values))));
    tables.put(new SchemaTableName(defaultSchema, name), new Table(columns, rows, statistics));
    return this;
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
    return tables.keySet().stream().map(SchemaTableName::schema).distinct().toList();
  }

  @Override
  public List<String> listTables(String schemaName) {
    return tables.keySet().stream()
        .filter(n -> n.schema().equals(schemaName))
        .map(SchemaTableName::table)
        .toList();
  }

  @Override
  public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name) {
    return tables.containsKey(name) ? Optional.of(new Handle(name)) : Optional.empty();
  }

  @Override
  public ConnectorTableMetadata getTableMetadata(ConnectorTableHandle table) {
    Table t = tables.get(table.name());
    return new ConnectorTableMetadata(
        table.name(), t.schema(), OptionalLong.of(t.rows().size()), t.statistics());
  }

  @Override
  public synchronized List<ConnectorSplit> getSplits(ConnectorTableHandle table) {
    splitRequests++;
    return List.of(new Split());
  }

  @Override
  public ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator) {
    synchronized (this) {
      requestedColumns.add(columns);
    }
    Table t = tables.get(table.name());
    List<Field> fields = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (String column : columns) {
      for (int i = 0; i < t.schema().getFields().size(); i++) {
        if (t.schema().getFields().get(i).getName().equals(column)) {
          fields.add(t.schema().getFields().get(i));
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
          for (int r = 0; r < t.rows().size(); r++) {
            Values.set(v, r, t.rows().get(r).get(indexes.get(c)));
          }
          v.setValueCount(t.rows().size());
        }
        root.setRowCount(t.rows().size());
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
