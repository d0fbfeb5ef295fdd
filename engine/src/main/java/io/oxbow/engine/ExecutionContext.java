package io.oxbow.engine;

import io.oxbow.engine.exec.SharedResults;
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
 * @param dynamicFilters whether hash joins offer their build keys to the probe side's scan (see
 *     {@link io.oxbow.spi.connector.DynamicFilter}); the default is the {@value
 *     #DYNAMIC_FILTERS_PROPERTY} system property, true unless it is {@code false}
 * @param shared the aggregations the query computes once and replays (see {@link SharedResults}),
 *     or null: {@link io.oxbow.engine.Executor#execute} finds them
 */
public record ExecutionContext(
    String queryId,
    BufferAllocator allocator,
    BooleanSupplier cancelled,
    int parallelism,
    SpillContext spill,
    boolean dynamicFilters,
    SharedResults shared) {
  /** System property that turns dynamic filters off by default when {@code false}. */
  public static final String DYNAMIC_FILTERS_PROPERTY = "oxbow.engine.dynamic-filters";

  public ExecutionContext {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
    }
  }

  /** A context without shared results (the executor adds them). */
  public ExecutionContext(
      String queryId,
      BufferAllocator allocator,
      BooleanSupplier cancelled,
      int parallelism,
      SpillContext spill,
      boolean dynamicFilters) {
    this(queryId, allocator, cancelled, parallelism, spill, dynamicFilters, null);
  }

  /**
   * A context with dynamic filters as the system property says ({@link #dynamicFiltersDefault}).
   */
  public ExecutionContext(
      String queryId,
      BufferAllocator allocator,
      BooleanSupplier cancelled,
      int parallelism,
      SpillContext spill) {
    this(queryId, allocator, cancelled, parallelism, spill, dynamicFiltersDefault());
  }

  /** Whether dynamic filters are on unless the caller says: the system property, else true. */
  public static boolean dynamicFiltersDefault() {
    return !"false".equalsIgnoreCase(System.getProperty(DYNAMIC_FILTERS_PROPERTY, "true").trim());
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
    return new ExecutionContext(
        queryId, allocator, cancelled, threads, spill, dynamicFilters, shared);
  }

  /** This context with dynamic filters on or off. */
  public ExecutionContext withDynamicFilters(boolean enabled) {
    return new ExecutionContext(queryId, allocator, cancelled, parallelism, spill, enabled, shared);
  }

  /**
   * A sub-pipeline of the same query (a build side, a union input), sharing allocator,
   * cancellation, parallelism, spilling and dynamic filters; its id is this one's followed by
   * {@code "/" + part}.
   */
  public ExecutionContext child(String part) {
    return new ExecutionContext(
        queryId + "/" + part, allocator, cancelled, parallelism, spill, dynamicFilters, shared);
  }

  /** This context with {@code results} as its shared results. */
  public ExecutionContext withShared(SharedResults results) {
    return new ExecutionContext(
        queryId, allocator, cancelled, parallelism, spill, dynamicFilters, results);
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
