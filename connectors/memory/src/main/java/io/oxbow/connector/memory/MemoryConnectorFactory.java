package io.oxbow.connector.memory;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorFactory;
import io.oxbow.spi.error.OxbowException;
import java.util.Map;

/**
 * Creates {@code memory} catalogs. Property {@code schemas}: comma-separated schema names (default
 * {@code default}). Tables are created with {@code CREATE TABLE} and filled with {@code INSERT}.
 */
public final class MemoryConnectorFactory implements ConnectorFactory {
  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Connector create(String catalogName, Map<String, String> properties) {
    for (String key : properties.keySet()) {
      if (!key.equals("schemas")) {
        throw OxbowException.userError(
            "Catalog '%s': unknown memory connector property '%s'", catalogName, key);
      }
    }
    return new MemoryConnector(properties.getOrDefault("schemas", "main").split(","));
  }
}
