package io.oxbow.engine;

import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** The batches of a running query, pulled by the caller. */
public interface ResultStream extends AutoCloseable {
  /** The result columns. */
  Schema schema();

  /**
   * Runs the query until the next batch is ready and returns it, or returns {@code null} at the
   * end. The caller owns the returned root and must close it. Errors are thrown as {@link
   * io.oxbow.spi.error.OxbowException}.
   */
  VectorSchemaRoot next();

  /**
   * Per-operator statistics of the main pipeline, first (source) operator first, for EXPLAIN
   * ANALYZE. Build sides of joins and inputs of unions run inside their operator and count there.
   */
  default java.util.List<OperatorStats> operatorStats() {
    return java.util.List.of();
  }

  /** Stops the query (if still running) and releases every operator's memory and files. */
  @Override
  void close();
}
