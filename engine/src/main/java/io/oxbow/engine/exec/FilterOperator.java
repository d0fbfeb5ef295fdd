package io.oxbow.engine.exec;

import io.oxbow.engine.eval.Evaluator;
import io.oxbow.engine.eval.FilterEvaluator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;

/**
 * Narrows each page's selection vector to the rows where the condition is TRUE; copies nothing. A
 * condition that is a {@link FilterEvaluator} (AND) gives the selection directly.
 */
final class FilterOperator implements Operator {
  private final Evaluator condition;
  private final BufferAllocator allocator;
  private Page pending;
  private boolean finishing;

  FilterOperator(Evaluator condition, BufferAllocator allocator) {
    this.condition = condition;
    this.allocator = allocator;
  }

  @Override
  public boolean needsInput() {
    return pending == null && !finishing;
  }

  @Override
  public void addInput(Page page) {
    try {
      int[] selected = new int[page.count()];
      int m =
          condition instanceof FilterEvaluator selector
              ? selector.select(page, allocator, selected)
              : selectTrue(page, selected);
      if (m == 0) {
        page.close();
        return;
      }
      pending = new Page(page.root(), m == page.root().getRowCount() ? null : selected, m);
    } catch (RuntimeException e) {
      page.close();
      throw e;
    }
  }

  private int selectTrue(Page page, int[] selected) {
    try (FieldVector result = condition.evaluate(page, allocator)) {
      BitVector bits = (BitVector) result;
      int m = 0;
      for (int i = 0; i < page.count(); i++) {
        if (!bits.isNull(i) && bits.get(i) != 0) {
          selected[m++] = page.position(i);
        }
      }
      return m;
    }
  }

  @Override
  public Page getOutput() {
    Page out = pending;
    pending = null;
    return out;
  }

  @Override
  public void finish() {
    finishing = true;
  }

  @Override
  public boolean isFinished() {
    return finishing && pending == null;
  }

  @Override
  public void close() {
    if (pending != null) {
      pending.close();
      pending = null;
    }
  }
}
