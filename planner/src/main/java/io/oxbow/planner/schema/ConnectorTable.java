package io.oxbow.planner.schema;

import io.oxbow.spi.connector.ColumnStatistics;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.DataContext;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.metadata.BuiltInMetadata;
import org.apache.calcite.rel.metadata.RelMdUtil;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.schema.ProjectableFilterableTable;
import org.apache.calcite.schema.Statistic;
import org.apache.calcite.schema.Statistics;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * A connector table as Calcite sees it. It is "projectable" so Calcite's project-into-scan rule can
 * record which columns a query needs; Oxbow's engine, not Calcite, reads it.
 */
public final class ConnectorTable extends AbstractTable implements ProjectableFilterableTable {
  private final String catalog;
  private final SchemaTableName name;
  private final TableVariant variant;
  private final Connector connector;
  private ConnectorTableHandle handle;
  private ConnectorTableMetadata metadata;

  ConnectorTable(String catalog, String schema, String table, Connector connector) {
    this(catalog, schema, TableVariant.of(table), connector);
  }

  /**
   * A variant of a table (time travel, history, changes, file column): see {@link TableVariant}.
   */
  ConnectorTable(String catalog, String schema, TableVariant variant, Connector connector) {
    this.catalog = catalog;
    this.name = new SchemaTableName(schema, variant.table());
    this.variant = variant;
    this.connector = connector;
  }

  /** Which variant of the table this is. */
  public TableVariant variant() {
    return variant;
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
          variant
              .resolve(connector.metadata(), name.schema())
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

  /** Distinct values of table columns from connector statistics, for the optimiser. */
  @Override
  public <C> C unwrap(Class<C> type) {
    if (type == BuiltInMetadata.DistinctRowCount.Handler.class) {
      return type.cast(
          (BuiltInMetadata.DistinctRowCount.Handler)
              (rel, mq, columns, predicate) -> distinctValues(rel, mq, columns, predicate));
    }
    return super.unwrap(type);
  }

  /**
   * The distinct values of a set of columns: the product of each column's estimate, at most the row
   * count, reduced for a predicate as Calcite does; null when a column has no estimate.
   */
  private Double distinctValues(
      RelNode rel, RelMetadataQuery mq, ImmutableBitSet columns, RexNode predicate) {
    List<Field> fields = metadata().schema().getFields();
    Double rows = mq.getRowCount(rel);
    if (rows == null) {
      return null;
    }
    double product = 1;
    List<Integer> projects =
        rel instanceof org.apache.calcite.interpreter.Bindables.BindableTableScan scan
                && !scan.projects.isEmpty()
            ? scan.projects
            : null;
    for (int output : columns) {
      int column = projects == null ? output : output < projects.size() ? projects.get(output) : -1;
      if (column < 0 || column >= fields.size()) {
        return null;
      }
      ColumnStatistics statistics = metadata().column(fields.get(column).getName());
      if (statistics.distinctValues().isEmpty()) {
        return null;
      }
      // nulls group together: one more value
      double values =
          statistics.distinctValues().getAsDouble()
              + (statistics.nullCount().orElse(0) > 0 ? 1 : 0);
      product *= Math.max(values, 1);
    }
    double distinct = Math.min(product, rows);
    if (predicate == null || predicate.isAlwaysTrue()) {
      return distinct;
    }
    Double selectivity = mq.getSelectivity(rel, predicate);
    return selectivity == null ? distinct : RelMdUtil.numDistinctVals(distinct, rows * selectivity);
  }

  @Override
  public Enumerable<Object[]> scan(DataContext root, List<RexNode> filters, int[] projects) {
    throw new UnsupportedOperationException("Oxbow tables are read by the Oxbow engine");
  }
}
