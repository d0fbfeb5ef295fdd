package io.oxbow.engine.exec;

import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.type.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sorts all input: keeps compacted input batches (moved into this operator's allocator), sorts an
 * index of (batch, row) references by the keys, and emits the rows in order in new batches.
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
    Long[] refs = new Long[total];
    int n = 0;
    for (int b = 0; b < batches.size(); b++) {
      for (int r = 0; r < batches.get(b).getRowCount(); r++) {
        refs[n++] = ((long) b << 32) | r;
      }
    }
    Object[][][] columns = new Object[keys.size()][][];
    for (int k = 0; k < keys.size(); k++) {
      columns[k] = new Object[batches.size()][];
      for (int b = 0; b < batches.size(); b++) {
        FieldVector v = batches.get(b).getVector(keys.get(k).column());
        Object[] values = new Object[v.getValueCount()];
        for (int r = 0; r < values.length; r++) {
          values[r] = Values.get(v, r);
        }
        columns[k][b] = values;
      }
    }
    Comparator<Long> comparator =
        (x, y) -> {
          for (int k = 0; k < keys.size(); k++) {
            SortKey key = keys.get(k);
            Object a = columns[k][(int) (x >>> 32)][(int) (long) x];
            Object b = columns[k][(int) (y >>> 32)][(int) (long) y];
            int c;
            if (a == null || b == null) {
              if (a == b) {
                continue;
              }
              c = (a == null) == key.nullsFirst() ? -1 : 1;
              return c;
            }
            c = Values.compare(a, b);
            if (c != 0) {
              return key.ascending() ? c : -c;
            }
          }
          return 0;
        };
    Arrays.sort(refs, comparator);
    order = new long[total];
    for (int i = 0; i < total; i++) {
      order[i] = refs[i];
    }
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
