package io.oxbow.engine.eval;

import io.oxbow.engine.exec.Page;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * An argument read in place by a typed kernel: a column of the page read through the page's
 * selection (no copy at all), or the dense result of evaluating a sub-expression (owned and closed
 * here). Value {@code i} of the operand sits at {@link #position(int) position(i)} of {@link
 * #vector}.
 */
final class Operand implements AutoCloseable {
  final FieldVector vector;
  final int[] selection;
  private final boolean owned;

  private Operand(FieldVector vector, int[] selection, boolean owned) {
    this.vector = vector;
    this.selection = selection;
    this.owned = owned;
  }

  /** {@code expr} over {@code page}: read in place for a column reference, else evaluated. */
  static Operand of(Expr expr, Evaluator evaluator, Page page, BufferAllocator allocator) {
    if (expr instanceof ColumnRef ref) {
      return new Operand(page.root().getVector(ref.index()), page.selection(), false);
    }
    return new Operand(evaluator.evaluate(page, allocator), null, true);
  }

  int position(int i) {
    return selection == null ? i : selection[i];
  }

  /** Whether no value of the underlying vector is null (so no row of the operand is). */
  boolean noNulls() {
    return vector.getNullCount() == 0;
  }

  boolean isNull(int i) {
    return BitVectorHelper.get(vector.getValidityBuffer(), position(i)) == 0;
  }

  /** Sets bit {@code i} of {@code validity} for every non-null row among the first {@code n}. */
  void copyValidity(org.apache.arrow.memory.ArrowBuf validity, int n) {
    if (noNulls()) {
      validity.setOne(0L, (long) BitVectorHelper.getValidityBufferSize(n));
      return;
    }
    org.apache.arrow.memory.ArrowBuf from = vector.getValidityBuffer();
    if (selection == null) {
      validity.setBytes(0L, from, 0L, BitVectorHelper.getValidityBufferSize(n));
      return;
    }
    for (int i = 0; i < n; i++) {
      if (BitVectorHelper.get(from, selection[i]) != 0) {
        BitVectorHelper.setBit(validity, i);
      }
    }
  }

  @Override
  public void close() {
    if (owned) {
      vector.close();
    }
  }
}
