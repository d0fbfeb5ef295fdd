package io.oxbow.spi.connector;

import org.apache.arrow.vector.VectorSchemaRoot;

/** A reader of one split that yields Arrow record batches. */
public interface ConnectorPageSource extends AutoCloseable {
  /**
   * Returns the next batch (about 4096 rows), or {@code null} when the split is exhausted. The
   * caller owns the returned root and must close it. The root's fields are the requested columns in
   * the requested order.
   */
  VectorSchemaRoot nextBatch();

  /** Bytes read from the source so far. */
  long completedBytes();

  /** Releases files and buffers; safe to call more than once and before exhaustion. */
  @Override
  void close();
}
