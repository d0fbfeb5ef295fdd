package io.oxbow.planner.schema;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ProjectableFilterableTable;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.impl.AbstractTable;

/**
 * A connector table as Calcite sees it. It is "projectable" so Calcite's project-into-scan rule can
 * record which columns a query needs; Oxbow's engine, not Calcite, reads it.
 */
public final class ConnectorTable extends AbstractTable implements ProjectableFilterableTable {
  private final String catalog;
  private final SchemaTableName name;
  private final Connector connector;
  private ConnectorTableHandle handle;
  private ConnectorTableMetadata metadata;

  ConnectorTable(String catalog, String schema, String table, Connector connector) {
    this.catalog = catalog;
    this.name = new SchemaTableName(schema, table);
    this.connector = connector;
  }

  public String catalog() {
    return catalog;
  }

  public Connector connector() {
    return connector;
  }

  public synchronized ConnectorTableHandle handle() {
    if (handle == null) {
      handle =
          connector
              .metadata()
              .getTableHandle(name)
              .orElseThrow(() -> OxbowException.notFound("Table '%s.%s' not found", catalog, name));
    }
    return handle;
  }

  public synchronized ConnectorTableMetadata metadata() {
    if (metadata == null) {
      metadata = connector.metadata().getTableMetadata(handle());
    }
    return metadata;
  }

  @Override
  public RelDataType getRowType(RelDataTypeFactory typeFactory) {
    RelDataTypeFactory.Builder builder = typeFactory.builder();
    for (Field field : metadata().schema().getFields()) {
      builder.add(field.getName(), TypeMapping.toSql(field.getType(), typeFactory));
    }
    return builder.build();
  }

  @Override
  public Statistic getStatistic() {
    if (metadata().rowCount().isPresent()) {
      return Statistics.of(metadata().rowCount().getAsLong(), List.of());
    }
    return Statistics.UNKNOWN;
  }

  @Override
  public Enumerable<Object[]> scan(DataContext root, List<RexNode> filters, int[] projects) {
    throw new UnsupportedOperationException("Oxbow tables are read by the Oxbow engine");
  }
}
