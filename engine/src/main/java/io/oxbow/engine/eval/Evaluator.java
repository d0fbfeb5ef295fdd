package io.oxbow.engine.eval;

import io.oxbow.engine.exec.Page;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/** A compiled expression: computes one value per live row of a page. */
public interface Evaluator {
  /**
   * Returns a new vector (owned by the caller) with {@code page.count()} values: value {@code i} is
   * the expression over live row {@code i} of the page.
   */
  FieldVector evaluate(Page page, BufferAllocator allocator);
}
