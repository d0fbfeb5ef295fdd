package io.oxbow.federation;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A running query's result. Pull batches with {@link #next()}; close it when done (also after an
 * error), which releases the query's memory.
 */
public interface QueryResult extends AutoCloseable {
  String queryId();

  Schema schema();

  /**
   * Returns the next batch, owned by the caller (close it), or {@code null} at the end. Throws
   * {@link io.oxbow.spi.error.OxbowException} on failure.
   */
  VectorSchemaRoot next();

  /** Asks a running query to stop; a later {@link #next()} throws CANCELLED. */
  void cancel();

  @Override
  void close();
}
