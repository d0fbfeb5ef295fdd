package io.oxbow.spi.connector;

import java.util.Map;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A table's columns and statistics.
 *
 * @param name the table's name
 * @param schema the columns as Arrow fields; supported types are Bool, Int(8/16/32/64, signed),
 *     FloatingPoint(SINGLE/DOUBLE), Decimal(p, s, 128), Utf8, Date(DAY) and Timestamp(MICROSECOND)
 * @param rowCount the number of rows if known cheaply, for the optimiser
 * @param columnStatistics statistics of the columns that have any, by column name
 */
public record ConnectorTableMetadata(
    SchemaTableName name,
    Schema schema,
    OptionalLong rowCount,
    Map<String, ColumnStatistics> columnStatistics) {
  public ConnectorTableMetadata {
    columnStatistics = Map.copyOf(columnStatistics);
  }

  /** A table without column statistics. */
  public ConnectorTableMetadata(SchemaTableName name, Schema schema, OptionalLong rowCount) {
    this(name, schema, rowCount, Map.of());
  }

  /** The statistics of a column, {@link ColumnStatistics#UNKNOWN} if there are none. */
  public ColumnStatistics column(String column) {
    return columnStatistics.getOrDefault(column, ColumnStatistics.UNKNOWN);
  }
}
