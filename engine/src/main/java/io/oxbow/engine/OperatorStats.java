package io.oxbow.engine;

/**
 * What one operator did in a query.
 *
 * @param operator the operator's name
 * @param rows rows it produced
 * @param batches batches it produced
 * @param nanos time spent in the operator (its own work, including build sides it runs)
 * @param peakBytes the peak memory of its allocator
 */
public record OperatorStats(String operator, long rows, long batches, long nanos, long peakBytes) {}
