package io.oxbow.spi.connector;

import java.util.List;
import java.util.Optional;

/** Names and shapes of a catalog's schemas and tables. */
public interface ConnectorMetadata {
  List<String> listSchemaNames();

  /** Table names in a schema; empty if the schema does not exist. */
  List<String> listTables(String schemaName);

  /** The handle of a table, or empty if there is no such table. */
  Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name);

  /** Columns (as Arrow fields) and statistics of a table. */
  ConnectorTableMetadata getTableMetadata(ConnectorTableHandle table);

  /** Creates an empty table (optional capability: read-only connectors refuse). */
  default void createTable(
      SchemaTableName name, org.apache.arrow.vector.types.pojo.Schema columns) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "This catalog is read-only: cannot create table %s", name);
  }

  /**
   * Drops a table and the data it owns (optional capability: read-only connectors refuse). Scans of
   * the table that are still running may fail.
   */
  default void dropTable(ConnectorTableHandle table) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "This catalog is read-only: cannot drop table %s", table.name());
  }

  /**
   * Appends rows to a table (optional capability). {@code rows} has the table's columns in order;
   * the connector copies what it keeps, and the caller still owns {@code rows}.
   */
  default void insert(ConnectorTableHandle table, org.apache.arrow.vector.VectorSchemaRoot rows) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "This catalog is read-only: cannot insert into %s", table.name());
  }
}
