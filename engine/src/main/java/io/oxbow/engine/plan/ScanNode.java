package io.oxbow.engine.plan;

import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads {@code columns} (in that order) of a connector table.
 *
 * @param catalog the catalog name, for EXPLAIN
 * @param schema the output fields, one per column name, in the same order
 */
public record ScanNode(
    String catalog,
    ConnectorTableHandle table,
    List<String> columns,
    ConnectorSplitManager splitManager,
    ConnectorPageSourceProvider pageSourceProvider,
    Schema schema)
    implements PlanNode {
  public ScanNode {
    columns = List.copyOf(columns);
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of();
  }
}
