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

  /**
   * The handle of a table as of an earlier version (time travel), or empty if there is no such
   * table. Connectors without versions refuse.
   */
  default Optional<ConnectorTableHandle> getTableHandle(
      SchemaTableName name, TableVersion version) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "Table %s is not versioned: VERSION AS OF and TIMESTAMP AS OF need a Delta table", name);
  }

  /**
   * A table of the commit history of {@code name} (for {@code DESCRIBE HISTORY}), newest first, or
   * empty if there is no such table.
   */
  default Optional<ConnectorTableHandle> getHistoryHandle(SchemaTableName name) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "Table %s has no commit history: DESCRIBE HISTORY needs a Delta table", name);
  }

  /**
   * A table of the row changes of {@code name} between two versions, both inclusive (for {@code
   * table_changes}): the table's columns, then {@code _change_type}, {@code _commit_version} and
   * {@code _commit_timestamp}. Empty if there is no such table.
   */
  default Optional<ConnectorTableHandle> getChangesHandle(
      SchemaTableName name, long startVersion, java.util.OptionalLong endVersion) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "Table %s has no change data feed: table_changes needs a Delta table", name);
  }

  /**
   * Offers the conjuncts of a filter over a scan of {@code table}. A connector that can use some of
   * them (to skip partitions, files or row groups) returns a new handle that remembers them and
   * whose {@code toString} says what they achieved (EXPLAIN shows it). Pushdown is always inexact:
   * the engine still applies the whole filter to the rows the connector returns.
   */
  default Optional<ConnectorTableHandle> applyFilter(
      ConnectorTableHandle table, List<ColumnPredicate> conjuncts) {
    return Optional.empty();
  }

  /** Creates an empty table with the clauses of {@code CREATE TABLE}. */
  default void createTable(
      SchemaTableName name,
      org.apache.arrow.vector.types.pojo.Schema columns,
      TableOptions options) {
    if (!options.isEmpty()) {
      throw io.oxbow.spi.error.OxbowException.userError(
          "Catalog of %s takes no USING, PARTITIONED BY, LOCATION or TBLPROPERTIES", name);
    }
    createTable(name, columns);
  }

  /**
   * Starts an atomic insert into {@code table}; with {@code overwrite}, committing also removes
   * every row the table had. The default writes through {@link #insert} batch by batch (not atomic)
   * and refuses overwrite.
   */
  default ConnectorWriter beginInsert(ConnectorTableHandle table, boolean overwrite) {
    if (overwrite) {
      throw io.oxbow.spi.error.OxbowException.userError(
          "INSERT OVERWRITE is not supported for %s", table.name());
    }
    ConnectorMetadata metadata = this;
    return new ConnectorWriter() {
      @Override
      public void write(org.apache.arrow.vector.VectorSchemaRoot rows) {
        metadata.insert(table, rows);
      }

      @Override
      public void commit() {}

      @Override
      public void close() {}
    };
  }

  /** The name of the extra column {@link #withFileColumn} adds: the row's data file. */
  String FILE_COLUMN = "$file";

  /**
   * The version of the table a handle reads (it stays the same for the handle's life), for
   * statements that read and then rewrite a table; empty for unversioned tables.
   */
  default java.util.OptionalLong tableVersion(ConnectorTableHandle table) {
    return java.util.OptionalLong.empty();
  }

  /**
   * The same table with one more column, {@link #FILE_COLUMN} (Utf8, not null): the file each row
   * is stored in. Used by DELETE, UPDATE and MERGE, which rewrite whole files (copy on write).
   */
  default ConnectorTableHandle withFileColumn(ConnectorTableHandle table) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "DELETE, UPDATE and MERGE are not supported for %s", table.name());
  }

  /**
   * Starts an atomic rewrite of {@code table} (a handle of a fixed {@link #tableVersion}): commit
   * removes {@code replacedFiles} (values of {@link #FILE_COLUMN}) and adds the rows written. It
   * fails with {@code CONFLICT} if the table changed since that version in a way that clashes.
   */
  default ConnectorWriter beginRewrite(
      ConnectorTableHandle table, java.util.Set<String> replacedFiles) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "DELETE, UPDATE and MERGE are not supported for %s", table.name());
  }

  /**
   * {@code COPY INTO table FROM source FILEFORMAT = format}: loads the files under {@code source}
   * that no earlier COPY INTO of this table loaded, in one atomic commit that also records them.
   *
   * @param format {@code parquet}, {@code csv} or {@code json}
   * @param options {@code FORMAT_OPTIONS} and {@code COPY_OPTIONS}, keys in lower case
   * @return the number of rows loaded
   */
  default long copyInto(
      ConnectorTableHandle table,
      String source,
      String format,
      java.util.Map<String, String> options,
      org.apache.arrow.memory.BufferAllocator allocator) {
    throw io.oxbow.spi.error.OxbowException.userError(
        "COPY INTO is not supported for %s", table.name());
  }
}
