package io.oxbow.spi.error;

/**
 * The stable error categories of Oxbow. Every failure a user can see carries one of these; each
 * protocol (Flight SQL, JDBC, pgwire) maps them once to its own status codes.
 */
public enum ErrorCode {
  /** The request is wrong: bad SQL syntax, a type error, an invalid argument. SQLSTATE 42000. */
  USER_ERROR("42000"),
  /** A named catalog, schema, table, column or function does not exist. SQLSTATE 42S02. */
  NOT_FOUND("42S02"),
  /** The user may not do this. SQLSTATE 42501. */
  PERMISSION_DENIED("42501"),
  /** A limit was reached: memory, concurrency, time. SQLSTATE 53000. */
  RESOURCE_EXHAUSTED("53000"),
  /** A source (object store, database, catalog) could not be reached or failed. SQLSTATE 08006. */
  SOURCE_UNAVAILABLE("08006"),
  /**
   * A write lost a race with a concurrent write to the same table and could not be retried (the
   * table is unchanged by the failed write). SQLSTATE 40001.
   */
  CONFLICT("40001"),
  /** The query was cancelled by the user or the server. SQLSTATE 57014. */
  CANCELLED("57014"),
  /** A bug in Oxbow. SQLSTATE XX000. */
  INTERNAL("XX000");

  private final String sqlState;

  ErrorCode(String sqlState) {
    this.sqlState = sqlState;
  }

  /** The SQLSTATE reported to JDBC and PostgreSQL-wire clients. */
  public String sqlState() {
    return sqlState;
  }
}
