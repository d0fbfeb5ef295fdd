package io.oxbow.spi.connector;

import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One atomic write to a table: rows are added with {@link #write}, and nothing is visible to
 * readers until {@link #commit} succeeds. Closing without committing abandons the write and leaves
 * the table as it was.
 */
public interface ConnectorWriter extends AutoCloseable {
  /**
   * Adds rows. {@code rows} has the table's columns in table order (same names and types); the
   * writer copies what it keeps, and the caller still owns {@code rows}.
   */
  void write(VectorSchemaRoot rows);

  /**
   * Makes everything written (and any files this write replaces) visible in one step.
   *
   * @throws io.oxbow.spi.error.OxbowException with {@link io.oxbow.spi.error.ErrorCode#CONFLICT}
   *     when a concurrent write makes this one impossible to commit; the caller may re-run the
   *     whole statement against the new table version
   */
  void commit();

  /** Releases buffers and, if not committed, abandons the write. Safe to call more than once. */
  @Override
  void close();
}
