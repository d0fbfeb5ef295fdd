package io.oxbow.engine.eval;

import io.oxbow.engine.exec.Page;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A condition that can also produce a filter's selection directly: the positions (in the page's
 * root) of the live rows where it is TRUE, without building a boolean vector.
 */
public interface FilterEvaluator extends Evaluator {
  /**
   * Writes into {@code positions} (at least {@code page.count()} long) the root positions of the
   * live rows of {@code page} where the condition is TRUE, in ascending order; returns how many.
   * Evaluates exactly what {@link #evaluate} evaluates, so it fails on the same rows.
   */
  int select(Page page, BufferAllocator allocator, int[] positions);
}
