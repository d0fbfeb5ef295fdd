package io.oxbow.planner.schema;

import io.oxbow.spi.connector.Connector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.impl.AbstractSchema;

/** One catalog: its sub-schemas are the connector's schemas. */
public final class CatalogSchema extends AbstractSchema {
  private final String catalog;
  private final Connector connector;
  private Map<String, Schema> schemas;

  public CatalogSchema(String catalog, Connector connector) {
    this.catalog = catalog;
    this.connector = connector;
  }

  @Override
  protected synchronized Map<String, Schema> getSubSchemaMap() {
    if (schemas == null) {
      schemas = new LinkedHashMap<>();
      for (String name : connector.metadata().listSchemaNames()) {
        schemas.put(name, new ConnectorSchema(catalog, name, connector));
      }
    }
    return schemas;
  }
}
