package io.oxbow.engine.eval;

import io.oxbow.engine.exec.Page;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * Three-valued AND / OR over a shrinking list of open rows: each further argument is evaluated only
 * on the rows not yet decided (for AND: not FALSE; for OR: not TRUE), reading the argument's bits
 * straight from its buffers. AND also selects for a filter without building its own result vector.
 */
final class Logic implements FilterEvaluator {
  private static final byte FALSE = 0;
  private static final byte TRUE = 1;
  private static final byte UNKNOWN = 2;

  private final List<Evaluator> args;
  private final boolean isAnd;
  private final byte decisive;

  Logic(List<Evaluator> args, boolean isAnd) {
    this.args = List.copyOf(args);
    this.isAnd = isAnd;
    this.decisive = isAnd ? FALSE : TRUE;
  }

  @Override
  public FieldVector evaluate(Page page, BufferAllocator allocator) {
    int n = page.count();
    byte[] state = new byte[n];
    Arrays.fill(state, isAnd ? TRUE : FALSE);
    int[] open = new int[n];
    for (int i = 0; i < n; i++) {
      open[i] = i;
    }
    int[] positions = new int[n];
    int m = n;
    for (Evaluator arg : args) {
      if (m == 0) {
        break;
      }
      Page sub = page;
      if (m < n) {
        for (int j = 0; j < m; j++) {
          positions[j] = page.position(open[j]);
        }
        sub = new Page(page.root(), positions, m);
      }
      try (FieldVector v = arg.evaluate(sub, allocator)) {
        ArrowBuf validity = v.getValidityBuffer();
        ArrowBuf data = v.getDataBuffer();
        boolean noNulls = v.getNullCount() == 0;
        int k = 0;
        // branch-free: a row stays open unless its value is valid and decisive
        for (int j = 0; j < m; j++) {
          int i = open[j];
          int valid = noNulls ? 1 : BitVectorHelper.get(validity, j);
          int decided = valid & (BitVectorHelper.get(data, j) == decisive ? 1 : 0);
          state[i] = valid == 0 ? UNKNOWN : decided == 1 ? decisive : state[i];
          open[k] = i;
          k += decided ^ 1;
        }
        m = k;
      }
    }
    BitVector out = new BitVector(isAnd ? "and" : "or", allocator);
    try {
      out.allocateNew(n);
      ArrowBuf validity = out.getValidityBuffer();
      ArrowBuf data = out.getDataBuffer();
      for (int base = 0; base < n; base += 8) {
        int end = Math.min(8, n - base);
        int valid = 0;
        int bits = 0;
        for (int k = 0; k < end; k++) {
          byte s = state[base + k];
          valid |= (s == UNKNOWN ? 0 : 1) << k;
          bits |= (s == TRUE ? 1 : 0) << k;
        }
        validity.setByte(base >>> 3, valid);
        data.setByte(base >>> 3, bits);
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  @Override
  public int select(Page page, BufferAllocator allocator, int[] positions) {
    if (!isAnd) {
      return selectTrue(this, page, allocator, positions);
    }
    int n = page.count();
    for (int i = 0; i < n; i++) {
      positions[i] = page.position(i);
    }
    // rows some argument found NULL stay open (later arguments are evaluated on them, as in
    // evaluate) but are never selected
    boolean[] unknown = null;
    int m = n;
    for (Evaluator arg : args) {
      if (m == 0) {
        break;
      }
      Page sub = m == n && page.selection() == null ? page : new Page(page.root(), positions, m);
      try (FieldVector v = arg.evaluate(sub, allocator)) {
        ArrowBuf validity = v.getValidityBuffer();
        ArrowBuf data = v.getDataBuffer();
        boolean noNulls = v.getNullCount() == 0;
        int k = 0;
        if (noNulls && unknown == null) {
          for (int j = 0; j < m; j++) {
            positions[k] = positions[j];
            k += BitVectorHelper.get(data, j);
          }
          m = k;
          continue;
        }
        for (int j = 0; j < m; j++) {
          if (!noNulls && BitVectorHelper.get(validity, j) == 0) {
            if (unknown == null) {
              unknown = new boolean[n];
            }
            unknown[k] = true;
            positions[k++] = positions[j];
          } else if (BitVectorHelper.get(data, j) != 0) {
            if (unknown != null) {
              unknown[k] = unknown[j];
            }
            positions[k++] = positions[j];
          }
        }
        m = k;
      }
    }
    if (unknown == null) {
      return m;
    }
    int k = 0;
    for (int j = 0; j < m; j++) {
      if (!unknown[j]) {
        positions[k++] = positions[j];
      }
    }
    return k;
  }

  /** The TRUE rows of any boolean {@code condition}, through its result vector. */
  static int selectTrue(
      Evaluator condition, Page page, BufferAllocator allocator, int[] positions) {
    try (FieldVector v = condition.evaluate(page, allocator)) {
      ArrowBuf validity = v.getValidityBuffer();
      ArrowBuf data = v.getDataBuffer();
      boolean noNulls = v.getNullCount() == 0;
      int m = 0;
      for (int i = 0; i < page.count(); i++) {
        if ((noNulls || BitVectorHelper.get(validity, i) != 0)
            && BitVectorHelper.get(data, i) != 0) {
          positions[m++] = page.position(i);
        }
      }
      return m;
    }
  }
}
