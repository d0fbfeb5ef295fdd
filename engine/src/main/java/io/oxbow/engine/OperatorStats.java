package io.oxbow.engine;

import java.util.List;

/**
 * What one operator did in a query.
 *
 * @param operator the operator's name
 * @param rows rows it produced
 * @param batches batches it produced
 * @param nanos time spent in the operator (its own work, including build sides it runs)
 * @param peakBytes the peak memory of its allocator
 * @param pipelines the pipelines this operator ran itself (a hash join's build side, each input of
 *     a union), each listed from its source to its last operator
 * @param details what else the operator reports about its run, e.g. the dynamic filters a scan
 *     applied (empty for none)
 */
public record OperatorStats(
    String operator,
    long rows,
    long batches,
    long nanos,
    long peakBytes,
    List<List<OperatorStats>> pipelines,
    String details) {
  public OperatorStats {
    pipelines = List.copyOf(pipelines);
    details = details == null ? "" : details;
  }

  /** An operator with nothing to report beyond the numbers. */
  public OperatorStats(
      String operator,
      long rows,
      long batches,
      long nanos,
      long peakBytes,
      List<List<OperatorStats>> pipelines) {
    this(operator, rows, batches, nanos, peakBytes, pipelines, "");
  }

  /** An operator that runs no pipelines of its own. */
  public OperatorStats(String operator, long rows, long batches, long nanos, long peakBytes) {
    this(operator, rows, batches, nanos, peakBytes, List.of());
  }
}
