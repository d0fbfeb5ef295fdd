package io.oxbow.planner;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import org.apache.arrow.vector.types.pojo.Schema;

/** A change a statement makes to a catalog, carried out by the caller of the planner. */
public sealed interface DataChange {
  /** {@code CREATE TABLE name (columns)}. */
  record CreateTable(Connector connector, SchemaTableName name, Schema columns)
      implements DataChange {}

  /** {@code DROP TABLE name}. */
  record DropTable(Connector connector, ConnectorTableHandle table) implements DataChange {}

  /**
   * A statement that was checked and changes nothing, such as {@code CREATE INDEX} (Oxbow keeps no
   * indexes) or {@code DROP TABLE IF EXISTS} of a missing table.
   */
  record None(String statement) implements DataChange {}

  /** {@code INSERT}: the planned query's rows go into {@code table}. */
  record Insert(Connector connector, ConnectorTableHandle table) implements DataChange {}
}
