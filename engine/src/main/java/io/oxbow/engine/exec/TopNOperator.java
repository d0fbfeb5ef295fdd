package io.oxbow.engine.exec;

import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * {@code ORDER BY .. LIMIT k}: keeps only the {@code k} first rows in sort order and emits them
 * sorted, in memory proportional to {@code k} rather than to the input.
 *
 * <p>The rows kept so far live in one sorted batch; its last row, once it holds {@code k} rows, is
 * the cutoff. Each input page is compared with the cutoff row only (a one-row batch, so the check
 * costs the page's own rows), and only rows that sort strictly before it are copied into a buffer.
 * When the buffer reaches {@code max(k, 4096)} rows, kept and buffered rows go through a bounded
 * max-heap of {@code k} references, and the winners are copied, sorted, into a new kept batch that
 * replaces the old one and the buffer. Rows equal to the cutoff are dropped: ties may come out in
 * any order, as SQL allows.
 */
final class TopNOperator implements Operator {
  /** Above this many rows (offset + limit) the planner's Sort + Limit is used instead. */
  static final long MAX_ROWS = 100_000;

  private static final int BATCH = 4096;

  private final List<SortKey> keys;
  private final Schema schema;
  private final int k;
  private final BufferAllocator allocator;
  private final int bufferLimit;

  /** Rows kept so far, in sort order; null before the first merge and once handed over. */
  private VectorSchemaRoot kept;

  /** The last row of {@link #kept} once it holds k rows: rows must sort before it to enter. */
  private VectorSchemaRoot cutoff;

  /** Input rows that beat the cutoff, not merged yet. */
  private final List<VectorSchemaRoot> buffered = new ArrayList<>();

  private int bufferedRows;
  private int emitted;
  private boolean finishing;

  /**
   * How many rows a top-N must keep to replace {@code node}, a sort, followed by {@code parent}, a
   * limit (its offset plus its limit), or -1 when {@code node} is no sort, {@code parent} is no
   * limit, the limit is unbounded or more than {@link #MAX_ROWS} rows would be kept (then Sort +
   * Limit run as planned).
   */
  static int rowsToKeep(PlanNode node, PlanNode parent) {
    if (node instanceof SortNode
        && parent instanceof LimitNode limit
        && limit.limit() >= 0
        && limit.offset() >= 0
        && limit.limit() <= MAX_ROWS
        && limit.offset() <= MAX_ROWS - limit.limit()) {
      return (int) (limit.offset() + limit.limit());
    }
    return -1;
  }

  /**
   * @param k how many rows to keep (a LIMIT's offset plus its limit)
   */
  TopNOperator(List<SortKey> keys, Schema schema, int k, BufferAllocator allocator) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0: " + k);
    }
    this.keys = List.copyOf(keys);
    this.schema = schema;
    this.k = k;
    this.allocator = allocator;
    this.bufferLimit = Math.max(k, BATCH);
  }

  @Override
  public boolean needsInput() {
    return !finishing && k > 0;
  }

  @Override
  public void addInput(Page page) {
    if (page.count() == 0 || k == 0) {
      page.close();
      return;
    }
    Page candidates = page;
    if (cutoff != null) {
      candidates = beatingCutoff(page);
      if (candidates == null) {
        return;
      }
    }
    VectorSchemaRoot batch = candidates.compact(allocator);
    buffered.add(batch);
    bufferedRows += batch.getRowCount();
    if (bufferedRows >= bufferLimit) {
      merge();
    }
  }

  /**
   * The rows of {@code page} that sort strictly before the cutoff, as a page over the same data, or
   * null (and the page closed) when there are none.
   */
  private Page beatingCutoff(Page page) {
    int[] selection = new int[page.count()];
    int n = 0;
    try {
      Comparators c = new Comparators(List.of(cutoff, page.root()));
      for (int i = 0; i < page.count(); i++) {
        int position = page.position(i);
        if (c.compare(1, position, 0, 0) < 0) {
          selection[n++] = position;
        }
      }
    } catch (RuntimeException e) {
      page.close();
      throw e;
    }
    if (n == 0) {
      page.close();
      return null;
    }
    return n == page.count() ? page : new Page(page.root(), selection, n);
  }

  /** Replaces the kept rows and the buffer by the k best of them, sorted. */
  private void merge() {
    List<VectorSchemaRoot> batches = new ArrayList<>();
    if (kept != null) {
      batches.add(kept);
    }
    batches.addAll(buffered);
    Comparators c = new Comparators(batches);
    LongSort.LongComparator order =
        (x, y) -> c.compare((int) (x >>> 32), (int) x, (int) (y >>> 32), (int) y);
    // a max-heap of references (batch << 32 | row): the worst kept row is at the top
    long[] heap = new long[k];
    int size = 0;
    for (int b = 0; b < batches.size(); b++) {
      int rows = batches.get(b).getRowCount();
      for (int r = 0; r < rows; r++) {
        long ref = ((long) b << 32) | r;
        if (size < k) {
          heap[size] = ref;
          siftUp(heap, size++, order);
        } else if (order.compare(ref, heap[0]) < 0) {
          heap[0] = ref;
          siftDown(heap, size, order);
        }
      }
    }
    long[] winners = size == k ? heap : Arrays.copyOf(heap, size);
    LongSort.sort(winners, order);
    VectorSchemaRoot merged = copy(batches, winners, 0, winners.length);
    VectorSchemaRoot newCutoff = null;
    try {
      if (winners.length == k) {
        newCutoff = copy(batches, winners, k - 1, 1);
      }
    } catch (RuntimeException e) {
      merged.close();
      throw e;
    }
    batches.forEach(VectorSchemaRoot::close);
    buffered.clear();
    bufferedRows = 0;
    kept = merged;
    if (cutoff != null) {
      cutoff.close();
    }
    cutoff = newCutoff;
  }

  private static void siftUp(long[] heap, int i, LongSort.LongComparator order) {
    long v = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (order.compare(heap[parent], v) >= 0) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = v;
  }

  private static void siftDown(long[] heap, int size, LongSort.LongComparator order) {
    long v = heap[0];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && order.compare(heap[child + 1], heap[child]) > 0) {
        child++;
      }
      if (order.compare(v, heap[child]) >= 0) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = v;
  }

  /** Copies the rows {@code refs[from, from + n)} of {@code batches} into a new batch. */
  private VectorSchemaRoot copy(List<VectorSchemaRoot> batches, long[] refs, int from, int n) {
    VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
    try {
      for (int col = 0; col < schema.getFields().size(); col++) {
        FieldVector to = out.getVector(col);
        to.setInitialCapacity(n);
        to.allocateNew();
        for (int i = 0; i < n; i++) {
          long ref = refs[from + i];
          to.copyFromSafe((int) ref, i, batches.get((int) (ref >>> 32)).getVector(col));
        }
        to.setValueCount(n);
      }
      out.setRowCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  @Override
  public void finish() {
    if (finishing) {
      return;
    }
    finishing = true;
    if (!buffered.isEmpty()) {
      merge();
    }
  }

  @Override
  public Page getOutput() {
    if (!finishing || kept == null || emitted >= kept.getRowCount()) {
      return null;
    }
    if (emitted == 0 && kept.getRowCount() <= BATCH) {
      // the usual small k: hand the kept batch over instead of copying it
      Page all = Page.of(kept);
      emitted = kept.getRowCount();
      kept = null;
      return all;
    }
    int n = Math.min(BATCH, kept.getRowCount() - emitted);
    long[] refs = new long[n];
    for (int i = 0; i < n; i++) {
      refs[i] = emitted + i;
    }
    VectorSchemaRoot out = copy(List.of(kept), refs, 0, n);
    emitted += n;
    return Page.of(out);
  }

  @Override
  public boolean isFinished() {
    return k == 0 || (finishing && (kept == null || emitted >= kept.getRowCount()));
  }

  @Override
  public void close() {
    buffered.forEach(VectorSchemaRoot::close);
    buffered.clear();
    if (kept != null) {
      kept.close();
      kept = null;
    }
    if (cutoff != null) {
      cutoff.close();
      cutoff = null;
    }
  }

  /** One {@link SortKeyComparator} per key over the same batches, applied in key order. */
  private final class Comparators {
    private final SortKeyComparator[] comparators;

    Comparators(List<VectorSchemaRoot> batches) {
      comparators = new SortKeyComparator[keys.size()];
      for (int key = 0; key < keys.size(); key++) {
        List<FieldVector> column = new ArrayList<>(batches.size());
        for (VectorSchemaRoot b : batches) {
          column.add(b.getVector(keys.get(key).column()));
        }
        comparators[key] = SortKeyComparator.create(column, keys.get(key));
      }
    }

    int compare(int ba, int ra, int bb, int rb) {
      for (SortKeyComparator c : comparators) {
        int r = c.compare(ba, ra, bb, rb);
        if (r != 0) {
          return r;
        }
      }
      return 0;
    }
  }
}
