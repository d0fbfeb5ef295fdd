package io.oxbow.federation;

import io.oxbow.planner.CatalogProvider;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorFactory;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured catalogs, each served by a connector found with {@link ServiceLoader}. Built once
 * from {@link OxbowConfig}; closing it closes every connector.
 */
public final class CatalogRegistry implements CatalogProvider, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogRegistry.class);

  private final Map<String, Connector> connectors = new LinkedHashMap<>();

  public CatalogRegistry(List<OxbowConfig.CatalogConfig> catalogs) {
    Map<String, ConnectorFactory> factories = new LinkedHashMap<>();
    for (ConnectorFactory factory : ServiceLoader.load(ConnectorFactory.class)) {
      factories.put(factory.name(), factory);
    }
    try {
      for (OxbowConfig.CatalogConfig catalog : catalogs) {
        ConnectorFactory factory = factories.get(catalog.connector());
        if (factory == null) {
          throw new OxbowException(
              ErrorCode.USER_ERROR,
              "Catalog '"
                  + catalog.name()
                  + "' uses connector '"
                  + catalog.connector()
                  + "', which is not installed; installed connectors: "
                  + factories.keySet());
        }
        connectors.put(catalog.name(), factory.create(catalog.name(), catalog.properties()));
        LOG.info("Catalog {} ready (connector {})", catalog.name(), catalog.connector());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public List<String> catalogNames() {
    return new ArrayList<>(connectors.keySet());
  }

  @Override
  public Optional<Connector> connector(String catalogName) {
    return Optional.ofNullable(connectors.get(catalogName));
  }

  @Override
  public void close() {
    for (Map.Entry<String, Connector> entry : connectors.entrySet()) {
      try {
        entry.getValue().close();
      } catch (Exception e) {
        LOG.warn("Closing catalog {} failed", entry.getKey(), e);
      }
    }
    connectors.clear();
  }
}
