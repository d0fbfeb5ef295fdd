package io.oxbow.engine.exec;

/**
 * The one operator protocol. A driver moves pages from each operator to the next: it calls {@link
 * #getOutput()} on the upstream operator and {@link #addInput(Page)} on the downstream one while
 * {@link #needsInput()} is true, and {@link #finish()} when upstream is finished.
 */
public interface Operator extends AutoCloseable {
  /** Whether {@link #addInput(Page)} may be called now. */
  boolean needsInput();

  /** Hands a page to this operator, which then owns it. */
  void addInput(Page page);

  /** Returns an output page (owned by the caller) or null if none is ready. */
  Page getOutput();

  /** No more input will come. */
  void finish();

  /** True when this operator will produce no more output. */
  boolean isFinished();

  /** True while the operator waits for something outside the driver (always false for now). */
  default boolean isBlocked() {
    return false;
  }

  /** Releases every page and buffer the operator holds. */
  @Override
  void close();

  /** Statistics of the pipelines this operator ran itself (a build side, union inputs). */
  default java.util.List<java.util.List<io.oxbow.engine.OperatorStats>> pipelines() {
    return java.util.List.of();
  }

  /** What else the operator reports for EXPLAIN ANALYZE (e.g. a scan's dynamic filters), or "". */
  default String details() {
    return "";
  }
}
