package io.oxbow.spi.connector;

/**
 * An immutable, connector-defined reference to one table (and any pushed-down state).
 * Implementations must implement {@code equals}, {@code hashCode} and a readable {@code toString},
 * which EXPLAIN shows.
 */
public interface ConnectorTableHandle {
  /** The table's name, for plans and error messages. */
  SchemaTableName name();
}
