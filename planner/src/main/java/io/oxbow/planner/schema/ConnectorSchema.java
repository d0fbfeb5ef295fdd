package io.oxbow.planner.schema;

import io.oxbow.spi.connector.Connector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;

/** One schema of a connector; tables are described only when a query uses them. */
public final class ConnectorSchema extends AbstractSchema {
  private final String catalog;
  private final String schema;
  private final Connector connector;
  private Map<String, Table> tables;

  ConnectorSchema(String catalog, String schema, Connector connector) {
    this.catalog = catalog;
    this.schema = schema;
    this.connector = connector;
  }

  @Override
  protected synchronized Map<String, Table> getTableMap() {
    if (tables == null) {
      tables = new LinkedHashMap<>();
      for (String name : connector.metadata().listTables(schema)) {
        tables.put(name, new ConnectorTable(catalog, schema, name, connector));
      }
    }
    return tables;
  }
}
