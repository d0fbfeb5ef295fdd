package io.oxbow.spi.connector;

/** Which version of a table a query reads (time travel). */
public sealed interface TableVersion {
  /** The table as of this version number (Delta: the commit version). */
  record AtVersion(long version) implements TableVersion {}

  /**
   * The latest version committed at or before this instant.
   *
   * @param epochMicros microseconds since 1970-01-01 00:00:00 UTC
   */
  record AtTimestamp(long epochMicros) implements TableVersion {}
}
