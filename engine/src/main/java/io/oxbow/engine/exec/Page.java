package io.oxbow.engine.exec;

import io.oxbow.engine.type.Values;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * A batch flowing between operators: a record batch plus an optional selection vector (the
 * positions of the rows that are still alive after a filter), so filters do not copy.
 *
 * @param root the data; the page's receiver owns it and must close it
 * @param selection positions of live rows in ascending order, or null when every row is live
 * @param count the number of live rows
 */
public record Page(VectorSchemaRoot root, int[] selection, int count) {
  /** A page where every row of {@code root} is live. */
  public static Page of(VectorSchemaRoot root) {
    return new Page(root, null, root.getRowCount());
  }

  /** The position in {@link #root()} of live row {@code i}. */
  public int position(int i) {
    return selection == null ? i : selection[i];
  }

  /**
   * Returns a root holding only the live rows, allocated from {@code allocator}, and closes this
   * page.
   */
  public VectorSchemaRoot compact(BufferAllocator allocator) {
    return compact(allocator, root.getSchema());
  }

  /**
   * Like {@link #compact(BufferAllocator)}, but the result carries {@code schema} (same types as
   * the page's columns, possibly other names).
   */
  public VectorSchemaRoot compact(BufferAllocator allocator, Schema schema) {
    if (selection == null) {
      VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
      for (int c = 0; c < root.getFieldVectors().size(); c++) {
        TransferPair pair = root.getVector(c).makeTransferPair(out.getVector(c));
        pair.transfer();
      }
      out.setRowCount(root.getRowCount());
      root.close();
      return out;
    }
    VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
    try {
      for (int c = 0; c < root.getFieldVectors().size(); c++) {
        FieldVector from = root.getVector(c);
        ColumnGather.gather(from, from.getNullCount() > 0, selection, 0, count, out.getVector(c));
      }
      out.setRowCount(count);
    } catch (RuntimeException e) {
      out.close();
      throw e;
    } finally {
      root.close();
    }
    return out;
  }

  /** Reads the value of column {@code column} at live row {@code i}. */
  public Object get(int column, int i) {
    return Values.get(root.getVector(column), position(i));
  }

  /** Releases the page's data. */
  public void close() {
    root.close();
  }
}
