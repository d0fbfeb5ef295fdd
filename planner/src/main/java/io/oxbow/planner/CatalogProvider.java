package io.oxbow.planner;

import io.oxbow.spi.connector.Connector;
import java.util.List;
import java.util.Optional;

/** Where the planner finds catalogs. */
public interface CatalogProvider {
  List<String> catalogNames();

  Optional<Connector> connector(String catalogName);
}
