package io.oxbow.engine.exec;

import io.oxbow.engine.plan.SortKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sorts all input: keeps compacted input batches (moved into this operator's allocator), sorts a
 * primitive index of (batch, row) references with typed per-key comparators, and emits the rows in
 * order in new batches of up to 4096 rows. Stable: equal keys keep their input order.
 */
final class SortOperator implements Operator {
  private static final int BATCH = 4096;

  private final List<SortKey> keys;
  private final Schema schema;
  private final BufferAllocator allocator;
  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  private long[] order;
  private int emitted;
  private boolean finishing;

  SortOperator(List<SortKey> keys, Schema schema, BufferAllocator allocator) {
    this.keys = keys;
    this.schema = schema;
    this.allocator = allocator;
  }

  @Override
  public boolean needsInput() {
    return !finishing;
  }

  @Override
  public void addInput(Page page) {
    batches.add(page.compact(allocator));
  }

  @Override
  public void finish() {
    if (finishing) {
      return;
    }
    finishing = true;
    int total = 0;
    for (VectorSchemaRoot b : batches) {
      total += b.getRowCount();
    }
    long[] refs = new long[total];
    int n = 0;
    for (int b = 0; b < batches.size(); b++) {
      for (int r = 0; r < batches.get(b).getRowCount(); r++) {
        refs[n++] = ((long) b << 32) | r;
      }
    }
    SortKeyComparator[] comparators = new SortKeyComparator[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      List<FieldVector> column = new ArrayList<>();
      for (VectorSchemaRoot b : batches) {
        column.add(b.getVector(keys.get(k).column()));
      }
      comparators[k] = SortKeyComparator.create(column, keys.get(k));
    }
    LongSort.sort(
        refs,
        (x, y) -> {
          int bx = (int) (x >>> 32);
          int rx = (int) x;
          int by = (int) (y >>> 32);
          int ry = (int) y;
          for (SortKeyComparator c : comparators) {
            int r = c.compare(bx, rx, by, ry);
            if (r != 0) {
              return r;
            }
          }
          return 0;
        });
    order = refs;
  }

  @Override
  public Page getOutput() {
    if (!finishing || order == null || emitted >= order.length) {
      return null;
    }
    int n = Math.min(BATCH, order.length - emitted);
    VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
    try {
      for (int c = 0; c < schema.getFields().size(); c++) {
        FieldVector to = out.getVector(c);
        to.setInitialCapacity(n);
        to.allocateNew();
        for (int i = 0; i < n; i++) {
          long ref = order[emitted + i];
          to.copyFromSafe((int) ref, i, batches.get((int) (ref >>> 32)).getVector(c));
        }
        to.setValueCount(n);
      }
      out.setRowCount(n);
      emitted += n;
      return Page.of(out);
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  @Override
  public boolean isFinished() {
    return finishing && (order == null || emitted >= order.length);
  }

  @Override
  public void close() {
    batches.forEach(VectorSchemaRoot::close);
    batches.clear();
  }
}
