package io.oxbow.federation;

import io.oxbow.engine.ResultStream;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A query started by {@link QueryEngine}: owns its allocator and logs one line when it ends. */
final class RunningQuery implements QueryResult {
  private static final Logger LOG = LoggerFactory.getLogger(RunningQuery.class);

  private final String queryId;
  private final String user;
  private final Schema schema;
  private final ResultStream stream;
  private final BufferAllocator allocator;
  private final long startedNanos;
  private final long planningNanos;
  private final java.util.concurrent.atomic.AtomicBoolean cancelled;
  private final boolean logged;
  private final Runnable onClose;
  private boolean closed;
  private long rows;
  private long bytes;
  private String failure;

  RunningQuery(
      String queryId,
      String user,
      Schema schema,
      ResultStream stream,
      BufferAllocator allocator,
      long startedNanos,
      long planningNanos,
      java.util.concurrent.atomic.AtomicBoolean cancelled,
      boolean logged,
      Runnable onClose) {
    this.queryId = queryId;
    this.user = user;
    this.schema = schema;
    this.stream = stream;
    this.allocator = allocator;
    this.startedNanos = startedNanos;
    this.planningNanos = planningNanos;
    this.cancelled = cancelled;
    this.logged = logged;
    this.onClose = onClose;
  }

  @Override
  public String queryId() {
    return queryId;
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public synchronized VectorSchemaRoot next() {
    if (closed) {
      throw new OxbowException(ErrorCode.USER_ERROR, "Query " + queryId + " is already closed");
    }
    try {
      VectorSchemaRoot batch = stream.next();
      if (batch != null) {
        rows += batch.getRowCount();
        for (var vector : batch.getFieldVectors()) {
          bytes += vector.getBufferSize();
        }
      }
      return batch;
    } catch (RuntimeException e) {
      OxbowException error = Errors.translate(e);
      failure =
          error.code() == ErrorCode.CANCELLED
              ? "cancelled"
              : error.code() + " " + error.getMessage();
      throw error;
    }
  }

  @Override
  public void cancel() {
    // the engine checks the flag before every step of its pipelines, including the next batch
    cancelled.set(true);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.run();
    try {
      stream.close();
    } finally {
      try {
        allocator.close();
      } catch (IllegalStateException leak) {
        LOG.error("Query {} leaked memory: {}", queryId, leak.getMessage());
      }
      if (logged || LOG.isDebugEnabled()) {
        String format = "query {} user={} {} in {} ms (planning {} ms), rows={}, bytes={}";
        Object[] arguments = {
          queryId,
          user,
          failure == null ? "finished" : "failed (" + failure + ")",
          (System.nanoTime() - startedNanos) / 1_000_000,
          planningNanos / 1_000_000,
          rows,
          bytes
        };
        if (logged) {
          LOG.info(format, arguments);
        } else {
          LOG.debug(format, arguments);
        }
      }
    }
  }
}
