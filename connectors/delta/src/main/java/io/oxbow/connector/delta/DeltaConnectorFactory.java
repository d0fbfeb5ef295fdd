package io.oxbow.connector.delta;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorFactory;
import io.oxbow.spi.error.OxbowException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Creates {@code delta} catalogs. Property {@code warehouse}: a local folder (or {@code file:} URI)
 * whose sub-folders are schemas and whose schemas' sub-folders holding {@code _delta_log} are
 * tables.
 */
public final class DeltaConnectorFactory implements ConnectorFactory {
  @Override
  public String name() {
    return "delta";
  }

  @Override
  public Connector create(String catalogName, Map<String, String> properties) {
    String warehouse = properties.get("warehouse");
    if (warehouse == null || warehouse.isBlank()) {
      throw OxbowException.userError(
          "Catalog '%s' (connector delta) needs the property 'warehouse'", catalogName);
    }
    Path path = warehouse.startsWith("file:") ? Path.of(URI.create(warehouse)) : Path.of(warehouse);
    path = path.toAbsolutePath().normalize();
    if (!Files.isDirectory(path)) {
      throw OxbowException.userError(
          "Catalog '%s': warehouse folder %s does not exist", catalogName, path);
    }
    for (String key : properties.keySet()) {
      if (!key.equals("warehouse")) {
        throw OxbowException.userError(
            "Catalog '%s': unknown delta connector property '%s'", catalogName, key);
      }
    }
    return new DeltaConnector(catalogName, path);
  }
}
