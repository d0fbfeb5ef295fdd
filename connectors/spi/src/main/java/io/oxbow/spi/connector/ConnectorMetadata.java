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
}
