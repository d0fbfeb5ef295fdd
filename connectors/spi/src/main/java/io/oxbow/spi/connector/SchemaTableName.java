package io.oxbow.spi.connector;

import java.util.Objects;

/** A table's schema and name within one catalog; names are stored lower case. */
public record SchemaTableName(String schema, String table) {
  public SchemaTableName {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
  }

  @Override
  public String toString() {
    return schema + "." + table;
  }
}
