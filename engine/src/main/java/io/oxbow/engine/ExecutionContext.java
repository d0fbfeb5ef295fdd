package io.oxbow.engine;

import io.oxbow.engine.exec.WorkerPool;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.function.BooleanSupplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What one query's execution needs from its caller.
 *
 * @param queryId for logs and errors
 * @param allocator the query's allocator (with the query's memory limit); the engine creates a
 *     child per operator and closes every child before the result stream closes
 * @param cancelled true once the caller wants the query stopped: the engine checks it between steps
 *     of every pipeline (including hash-join build sides), so a cancelled query stops within one
 *     batch of work rather than at its next result batch
 * @param parallelism how many threads may work on one pipeline of this query at once (1 runs every
 *     pipeline on the caller's thread)
 * @param spill where and whether operators spill to disk near the memory limit, and the query's
 *     spill counters
 */
public record ExecutionContext(
    String queryId,
    BufferAllocator allocator,
    BooleanSupplier cancelled,
    int parallelism,
    SpillContext spill) {
  public ExecutionContext {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
    }
  }

  /** A context spilling under the default directory ({@link SpillContext#defaults()}). */
  public ExecutionContext(
      String queryId, BufferAllocator allocator, BooleanSupplier cancelled, int parallelism) {
    this(queryId, allocator, cancelled, parallelism, SpillContext.defaults());
  }

  /** A context with the default parallelism ({@link WorkerPool#defaultThreads()}). */
  public ExecutionContext(
      String queryId, BufferAllocator allocator, BooleanSupplier cancelled, SpillContext spill) {
    this(queryId, allocator, cancelled, WorkerPool.defaultThreads(), spill);
  }

  /** A context with the default parallelism and spilling. */
  public ExecutionContext(String queryId, BufferAllocator allocator, BooleanSupplier cancelled) {
    this(queryId, allocator, cancelled, WorkerPool.defaultThreads());
  }

  /** A context that is never cancelled, with the default parallelism and spilling. */
  public ExecutionContext(String queryId, BufferAllocator allocator) {
    this(queryId, allocator, () -> false);
  }

  /** This context with another parallelism. */
  public ExecutionContext withParallelism(int threads) {
    return new ExecutionContext(queryId, allocator, cancelled, threads, spill);
  }

  /**
   * A sub-pipeline of the same query (a build side, a union input), sharing allocator,
   * cancellation, parallelism and spilling; its id is this one's followed by {@code "/" + part}.
   */
  public ExecutionContext child(String part) {
    return new ExecutionContext(queryId + "/" + part, allocator, cancelled, parallelism, spill);
  }

  /** Throws {@link ErrorCode#CANCELLED} if the query was cancelled. */
  public void checkCancelled() {
    if (cancelled.getAsBoolean()) {
      // named as the user knows it: the query's id, not a sub-pipeline's
      String query = queryId.contains("/") ? queryId.substring(0, queryId.indexOf('/')) : queryId;
      throw new OxbowException(ErrorCode.CANCELLED, "Query " + query + " was cancelled");
    }
  }
}
