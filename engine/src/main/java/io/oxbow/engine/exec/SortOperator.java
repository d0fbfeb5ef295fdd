package io.oxbow.engine.exec;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.spill.MemoryThreshold;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.spill.SpillDirectory;
import io.oxbow.engine.spill.SpillFile;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sorts all input: keeps compacted input batches (moved into this operator's allocator), sorts a
 * primitive index of (batch, row) references with typed per-key comparators, and emits the rows in
 * order in new batches of up to 4096 rows. Stable: equal keys keep their input order.
 *
 * <p>External sort: when the query's memory passes its spill threshold ({@link MemoryThreshold})
 * the operator sorts what it holds, writes it as a sorted run to a spill file and releases it. At
 * the end it merges the runs, oldest first, and the rows still in memory (the newest) with a heap
 * of run cursors that reads each run batch by batch; equal keys come out in run order and, within a
 * run, in its (stable) order, so the result is the same as sorting everything in memory. When the
 * runs are too many to hold one batch of each within the threshold, consecutive runs are first
 * merged into longer ones. Spill files are deleted when the operator closes. The rows of one run
 * are also bounded by the Java heap their sort needs (references and key arrays, outside the Arrow
 * limit): at most 1/8 of the maximum heap, so a sort of many narrow rows spills rather than running
 * out of heap.
 *
 * <p>Parallel sort. With {@code parallelism} above one and at least {@value
 * #PARALLEL_SORT_MIN_ROWS} rows to sort (in memory, or in a run about to be spilled), the rows are
 * cut, in input order, into one slice per thread; each slice is sorted (stably) on a thread of the
 * {@link WorkerPool} and the sorted slices are merged, ties going to the earlier slice, so that the
 * order is the same as one sort's. The caller waits for every slice, also on failure, before it
 * goes on: no thread reads the batches after this operator returns.
 */
final class SortOperator implements Operator {
  private static final int BATCH = 4096;
  private static final int MIN_SPILL_BATCH = 64;

  /** Fewer rows than this are sorted on the caller's thread alone. */
  static final int PARALLEL_SORT_MIN_ROWS = 32_768;

  /**
   * At most this much Java heap for sorting one run: a sorted run is spilled before it needs more.
   */
  private static final long MAX_SORT_HEAP = Runtime.getRuntime().maxMemory() / 8;

  private final long maxSortHeap;
  private final List<SortKey> keys;
  private final Schema schema;
  private final BufferAllocator allocator;
  private final SpillContext spill;
  private final MemoryThreshold threshold;
  private final Runnable checkCancelled;
  private final int parallelism;
  private final List<VectorSchemaRoot> batches = new ArrayList<>();
  private final List<SpillFile> runs = new ArrayList<>();
  private long heldRows;
  private SpillDirectory directory;
  private long runBatchBytes;
  private Merger merger;
  private boolean finishing;
  private boolean done;

  SortOperator(
      List<SortKey> keys, Schema schema, BufferAllocator allocator, ExecutionContext context) {
    this(keys, schema, allocator, context, MAX_SORT_HEAP);
  }

  /** With {@code maxSortHeap} bytes of Java heap for sorting one run (for tests). */
  SortOperator(
      List<SortKey> keys,
      Schema schema,
      BufferAllocator allocator,
      ExecutionContext context,
      long maxSortHeap) {
    this.maxSortHeap = maxSortHeap;
    this.keys = keys;
    this.schema = schema;
    this.allocator = allocator;
    this.spill = context.spill();
    this.threshold = new MemoryThreshold(allocator, spill.threshold());
    this.checkCancelled = context::checkCancelled;
    this.parallelism = context.parallelism();
  }

  @Override
  public boolean needsInput() {
    return !finishing;
  }

  @Override
  public void addInput(Page page) {
    if (page.count() == 0) {
      page.close();
      return;
    }
    if (spill.enabled()
        && !batches.isEmpty()
        && (threshold.limited() && threshold.exceeded(compactionBytes(page))
            || sortHeapBytes(heldRows + page.count()) > maxSortHeap)) {
      try {
        spillRun();
      } catch (RuntimeException e) {
        page.close();
        throw e;
      }
    }
    batches.add(page.compact(allocator));
    heldRows += page.count();
  }

  /**
   * Java heap the in-memory sort of {@code rows} rows takes (outside the Arrow limit): two {@code
   * long[]} of references and, per key, its values and null flags.
   */
  private long sortHeapBytes(long rows) {
    return rows * (16 + 17L * keys.size());
  }

  /** About what compacting {@code page} newly allocates: nothing when it is moved as it is. */
  private static long compactionBytes(Page page) {
    if (page.selection() == null || page.root().getRowCount() == 0) {
      return 0;
    }
    long bytes = 0;
    for (FieldVector v : page.root().getFieldVectors()) {
      bytes += v.getBufferSize();
    }
    return bytes * page.count() / page.root().getRowCount();
  }

  /** Sorts the batches held in memory into a new run on disk and releases them. */
  private void spillRun() {
    if (directory == null) {
      directory = spill.newDirectory(allocator.getName());
    }
    SpillFile run = directory.create(schema);
    runs.add(run);
    int rowsPerBatch = spillBatchRows();
    try (Merger sorted = new Merger(List.of(), batches, sortedOrder())) {
      VectorSchemaRoot batch;
      while ((batch = sorted.next(rowsPerBatch)) != null) {
        try (VectorSchemaRoot written = batch) {
          run.write(written);
        }
        checkCancelled.run();
      }
    }
    run.finishWriting();
    runBatchBytes = Math.max(runBatchBytes, run.largestBatchBytes());
    batches.forEach(VectorSchemaRoot::close);
    batches.clear();
    heldRows = 0;
  }

  /**
   * Rows per spilled batch: small enough that a merge can hold a batch of many runs at once (about
   * 1/128 of the memory limit, at least 64 KB), at most 4096.
   */
  private int spillBatchRows() {
    long rowBytes = Math.max(1, allocator.getAllocatedMemory() / Math.max(1, heldRows));
    long target = Math.max(64 << 10, threshold.limit() / 128);
    return (int) Math.max(MIN_SPILL_BATCH, Math.min(BATCH, target / rowBytes));
  }

  @Override
  public void finish() {
    if (finishing) {
      return;
    }
    finishing = true;
    if (runs.isEmpty()) {
      merger = new Merger(List.of(), batches, sortedOrder());
      return;
    }
    // a run being merged holds one batch read back (rounded up by the allocator: twice its size)
    long perRun = 2 * Math.max(1, runBatchBytes);
    long output = 2 * BATCH * Math.max(1, runBatchBytes / spillBatchRowsWritten());
    long held = allocator.getAllocatedMemory();
    // what the merge may use: what the query may still take below its threshold, plus what this
    // operator holds now, less an output batch
    long headroom = threshold.headroom();
    long available = headroom == Long.MAX_VALUE ? Long.MAX_VALUE / 4 : headroom + held - output;
    if (!batches.isEmpty() && (available - held) / perRun < runs.size()) {
      spillRun(); // no room to merge the runs next to the rows still held: make those a run too
    }
    if (batches.isEmpty()) {
      int fanIn = (int) Math.max(2, Math.min(Integer.MAX_VALUE, available / perRun));
      while (runs.size() > fanIn) {
        mergeRuns(fanIn);
      }
    }
    merger = new Merger(runs, batches, batches.isEmpty() ? null : sortedOrder());
  }

  /** Rows per batch of the runs written so far (their batches are all but the last this big). */
  private long spillBatchRowsWritten() {
    long most = 1;
    for (SpillFile run : runs) {
      if (run.batches() > 0) {
        most = Math.max(most, (run.rows() + run.batches() - 1) / run.batches());
      }
    }
    return most;
  }

  /** Merges the oldest {@code fanIn} runs into one that takes their place (keeping run order). */
  private void mergeRuns(int fanIn) {
    List<SpillFile> inputs = new ArrayList<>(runs.subList(0, fanIn));
    SpillFile merged = directory.create(schema);
    int rowsPerBatch = (int) Math.min(BATCH, spillBatchRowsWritten());
    try (Merger merging = new Merger(inputs, List.of(), null)) {
      VectorSchemaRoot batch;
      while ((batch = merging.next(rowsPerBatch)) != null) {
        try (VectorSchemaRoot written = batch) {
          merged.write(written);
        }
        checkCancelled.run();
      }
    }
    merged.finishWriting();
    runBatchBytes = Math.max(runBatchBytes, merged.largestBatchBytes());
    runs.subList(0, fanIn).clear();
    runs.add(0, merged);
    inputs.forEach(SpillFile::close);
  }

  /** The held rows in sorted order, as (batch << 32 | row) references. */
  private long[] sortedOrder() {
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
    LongSort.LongComparator order =
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
        };
    if (parallelism > 1 && refs.length >= PARALLEL_SORT_MIN_ROWS) {
      return sortInParallel(refs, order, parallelism, checkCancelled);
    }
    LongSort.sort(refs, order);
    return refs;
  }

  /**
   * {@code values} sorted stably under {@code order}: cut into {@code slices} slices sorted on as
   * many threads (the first on the caller's), then merged. Waits for every slice's thread before it
   * returns or throws.
   */
  static long[] sortInParallel(
      long[] values, LongSort.LongComparator order, int slices, Runnable checkCancelled) {
    long[][] sorted = new long[slices][];
    List<Future<?>> tasks = new ArrayList<>();
    Throwable failure = null;
    try {
      for (int s = 1; s < slices; s++) {
        int slice = s;
        tasks.add(
            WorkerPool.executor()
                .submit(() -> sorted[slice] = sortSlice(values, slice, slices, order)));
      }
      sorted[0] = sortSlice(values, 0, slices, order);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<?> task : tasks) {
      while (true) {
        try {
          task.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the slices still read the batches: wait for them all the same
        } catch (ExecutionException e) {
          failure = failure == null ? e.getCause() : failure;
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new OxbowException(ErrorCode.CANCELLED, "Interrupted while sorting");
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new OxbowException(ErrorCode.INTERNAL, "A sort thread failed: " + failure, failure);
    }
    checkCancelled.run();
    // merge pairs of neighbouring slices until one is left; ties go to the earlier slice
    for (int left = slices; left > 1; ) {
      int merged = (left + 1) / 2;
      for (int s = 0; s < merged; s++) {
        sorted[s] =
            2 * s + 1 < left ? merge(sorted[2 * s], sorted[2 * s + 1], order) : sorted[2 * s];
      }
      left = merged;
    }
    return sorted[0];
  }

  private static long[] sortSlice(
      long[] values, int slice, int slices, LongSort.LongComparator order) {
    int from = (int) ((long) values.length * slice / slices);
    int to = (int) ((long) values.length * (slice + 1) / slices);
    long[] part = Arrays.copyOfRange(values, from, to);
    LongSort.sort(part, order);
    return part;
  }

  /** The stable merge of sorted {@code a} and {@code b}: on ties, {@code a}'s first. */
  private static long[] merge(long[] a, long[] b, LongSort.LongComparator order) {
    long[] out = new long[a.length + b.length];
    int i = 0;
    int j = 0;
    int o = 0;
    while (i < a.length && j < b.length) {
      out[o++] = order.compare(b[j], a[i]) < 0 ? b[j++] : a[i++];
    }
    System.arraycopy(a, i, out, o, a.length - i);
    o += a.length - i;
    System.arraycopy(b, j, out, o, b.length - j);
    return out;
  }

  @Override
  public Page getOutput() {
    if (!finishing || done) {
      return null;
    }
    VectorSchemaRoot out = merger.next(BATCH);
    if (out == null) {
      done = true;
      close();
      return null;
    }
    return Page.of(out);
  }

  @Override
  public boolean isFinished() {
    return done;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    if (merger != null) {
      try {
        merger.close();
      } catch (RuntimeException e) {
        failure = e;
      }
      merger = null;
    }
    batches.forEach(VectorSchemaRoot::close);
    batches.clear();
    runs.clear();
    if (directory != null) {
      try {
        directory.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
      directory = null;
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * A k-way merge of sorted runs: spill files (read a batch at a time) followed, optionally, by the
   * rows held in memory in a given order, which counts as the newest run. The smallest current row
   * wins; ties go to the older run. Rows are copied into the output as they are taken; a run's file
   * is deleted once read to its end.
   */
  private final class Merger implements AutoCloseable {
    private final List<VectorSchemaRoot> memory;
    private final long[] memoryOrder;
    private final int files;
    private final int runCount;
    private final SpillFile[] fileRuns;
    private final SpillFile.Reader[] readers;
    private final VectorSchemaRoot[] current;
    private final int[] position;
    private final SortKeyComparator[] comparators;
    private final int[] keyColumns;

    /** Whether rows of different runs are compared (not with a single run). */
    private final boolean comparing;

    /** Per comparator slot (memory batches, then one per file run), the columns to copy from. */
    private final ValueVector[][] slotColumns;

    private final int[] heap;
    private int heapSize;
    private long remaining;
    private boolean closed;

    /**
     * @param fileRuns sorted runs on disk, oldest first
     * @param memory batches held in memory
     * @param memoryOrder the memory batches' rows in sorted order, or null if they are not a run
     */
    Merger(List<SpillFile> fileRuns, List<VectorSchemaRoot> memory, long[] memoryOrder) {
      this.memory = memory;
      this.memoryOrder = memoryOrder;
      this.files = fileRuns.size();
      this.runCount = files + (memoryOrder == null ? 0 : 1);
      this.fileRuns = fileRuns.toArray(new SpillFile[0]);
      this.readers = new SpillFile.Reader[files];
      this.current = new VectorSchemaRoot[files];
      this.position = new int[runCount];
      this.comparing = runCount > 1;
      int slots = memory.size() + files;
      this.keyColumns = new int[keys.size()];
      this.comparators = new SortKeyComparator[keys.size()];
      for (int k = 0; k < keys.size(); k++) {
        keyColumns[k] = keys.get(k).column();
        comparators[k] =
            SortKeyComparator.create(
                schema.getFields().get(keyColumns[k]).getType(), slots, keys.get(k));
      }
      this.slotColumns = new ValueVector[slots][];
      for (int b = 0; b < memory.size(); b++) {
        load(b, memory.get(b));
      }
      this.heap = new int[runCount];
      remaining = memoryOrder == null ? 0 : memoryOrder.length;
      for (SpillFile run : fileRuns) {
        remaining += run.rows();
      }
      try {
        for (int r = 0; r < files; r++) {
          readers[r] = fileRuns.get(r).openReader(allocator);
          if (nextBatch(r)) {
            push(r);
          }
        }
        if (memoryOrder != null && memoryOrder.length > 0) {
          push(files);
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private void load(int slot, VectorSchemaRoot batch) {
      for (int k = 0; comparing && k < comparators.length; k++) {
        comparators[k].load(slot, batch.getVector(keyColumns[k]));
      }
      ValueVector[] columns = new ValueVector[batch.getFieldVectors().size()];
      for (int c = 0; c < columns.length; c++) {
        columns[c] = batch.getVector(c);
      }
      slotColumns[slot] = columns;
    }

    /**
     * Moves file run {@code r} to its next non-empty batch; false when it has no more (then its
     * file is deleted).
     */
    private boolean nextBatch(int r) {
      if (current[r] != null) {
        current[r].close();
        current[r] = null;
      }
      VectorSchemaRoot batch;
      while ((batch = readers[r].next()) != null && batch.getRowCount() == 0) {
        batch.close();
      }
      if (batch == null) {
        fileRuns[r].close(); // read to the end: closes the reader and deletes the file
        return false;
      }
      current[r] = batch;
      position[r] = 0;
      load(memory.size() + r, batch);
      return true;
    }

    /** The comparator slot of run {@code r}'s current row. */
    private int slot(int r) {
      return r < files ? memory.size() + r : (int) (memoryOrder[position[r]] >>> 32);
    }

    /** The row within its slot of run {@code r}'s current row. */
    private int row(int r) {
      return r < files ? position[r] : (int) memoryOrder[position[r]];
    }

    /** Orders runs by their current rows, the older run first on equal keys. */
    private boolean before(int a, int b) {
      int sa = slot(a);
      int ra = row(a);
      int sb = slot(b);
      int rb = row(b);
      for (SortKeyComparator c : comparators) {
        int r = c.compare(sa, ra, sb, rb);
        if (r != 0) {
          return r < 0;
        }
      }
      return a < b;
    }

    private void push(int r) {
      int i = heapSize++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (!before(r, heap[parent])) {
          break;
        }
        heap[i] = heap[parent];
        i = parent;
      }
      heap[i] = r;
    }

    private void siftDown() {
      int r = heap[0];
      int i = 0;
      while (true) {
        int child = 2 * i + 1;
        if (child >= heapSize) {
          break;
        }
        if (child + 1 < heapSize && before(heap[child + 1], heap[child])) {
          child++;
        }
        if (!before(heap[child], r)) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = r;
    }

    /** Moves run {@code r} past its current row; false when it is exhausted. */
    private boolean advance(int r) {
      if (r < files) {
        return ++position[r] < current[r].getRowCount() || nextBatch(r);
      }
      return ++position[r] < memoryOrder.length;
    }

    /** The next up to {@code maxRows} rows in order (owned by the caller), or null at the end. */
    VectorSchemaRoot next(int maxRows) {
      if (heapSize == 0) {
        return null;
      }
      int capacity = (int) Math.max(1, Math.min(maxRows, remaining));
      VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
      try {
        List<FieldVector> vectors = out.getFieldVectors();
        FieldVector[] to = vectors.toArray(new FieldVector[0]);
        for (FieldVector v : to) {
          v.setInitialCapacity(capacity);
          v.allocateNew();
        }
        int n = 0;
        while (n < maxRows && heapSize > 0) {
          int r = heap[0];
          ValueVector[] from = slotColumns[slot(r)];
          int row = row(r);
          for (int c = 0; c < to.length; c++) {
            to[c].copyFromSafe(row, n, from[c]);
          }
          n++;
          if (!advance(r)) {
            heap[0] = heap[--heapSize];
          }
          if (heapSize > 1) {
            siftDown();
          }
        }
        for (FieldVector v : to) {
          v.setValueCount(n);
        }
        out.setRowCount(n);
        remaining -= n;
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    }

    /** Releases the batches read from disk and closes the readers (the memory batches stay). */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      for (int r = 0; r < files; r++) {
        if (current[r] != null) {
          current[r].close();
          current[r] = null;
        }
        if (readers[r] != null) {
          readers[r].close();
        }
      }
    }
  }
}
