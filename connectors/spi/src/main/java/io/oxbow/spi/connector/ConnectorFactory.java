package io.oxbow.spi.connector;

import java.util.Map;

/** Creates connectors of one kind (for example {@code delta}); registered via ServiceLoader. */
public interface ConnectorFactory {
  /** The connector kind named in configuration, e.g. {@code delta}. */
  String name();

  /**
   * Creates a connector for one catalog.
   *
   * @param catalogName the catalog this connector serves
   * @param properties the catalog's configuration properties (connector specific)
   */
  Connector create(String catalogName, Map<String, String> properties);
}
