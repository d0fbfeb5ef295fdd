package io.oxbow.engine.exec;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.OperatorStats;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The parallel part of a pipeline, seen by the rest of the pipeline as its source. {@code workers}
 * threads each run their own copy of the pipeline's first operators (a scan over a shared {@link
 * SplitQueue}, then filters, projections and hash-join probes against shared build tables), pulling
 * splits as morsels until none are left. Their output pages meet in a bounded queue that this
 * operator drains on the pipeline's own thread.
 *
 * <p>When the parallel part ends in a hash aggregation, each worker aggregates into its own hash
 * table, and once every worker is done the tables are merged, whose groups this operator then
 * emits. With many groups ({@link HashAggregationOperator#mergesInParallel}) the merge runs in
 * parallel too: a task per worker lists its table's groups by partition (a hash of their key
 * values, one partition per worker; {@link HashAggregationOperator#groupsByPartition}), then a task
 * per partition merges that partition of every worker's table into a table of its own ({@link
 * HashAggregationOperator#mergePartitionFrom}) and prepares its output; the partitions' groups,
 * disjoint, are then emitted one partition after the other. With few groups, or when a worker has
 * spilled, the tables are merged into the first on the pipeline's thread ({@link
 * HashAggregationOperator#mergeFrom}).
 *
 * <p>Failures and cancellation in any worker stop them all and surface here; {@link #close()} stops
 * the workers, waits for them, and releases every worker's operators and memory.
 */
final class ParallelSourceOperator extends SourceOperator {
  /** Creates one worker's operators, from its source to the last parallel operator. */
  @FunctionalInterface
  interface WorkerChain {
    List<Operator> create(int worker, List<BufferAllocator> allocators);
  }

  private static final long POLL_MILLIS = 10;

  private final List<String> names;
  private final int workers;
  private final boolean endsInAggregation;
  private final WorkerChain factory;
  private final Runnable beforeStart;
  private final List<BufferAllocator> shared;
  private final BufferAllocator allocator;
  private final ExecutionContext context;
  private final BlockingQueue<Page> queue;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final List<List<Operator>> chains = new ArrayList<>();
  private final List<List<BufferAllocator>> allocators = new ArrayList<>();
  private final List<Future<?>> futures = new ArrayList<>();
  private final long[][] rows;
  private final long[][] batches;
  private final long[][] nanos;
  private volatile boolean stopped;
  private boolean closed;
  private boolean started;
  private boolean finished;
  private HashAggregationOperator aggregation;

  /** After a parallel merge: one table per partition, null once emitted and closed. */
  private List<HashAggregationOperator> merged;

  private final List<BufferAllocator> mergeAllocators = new ArrayList<>();
  private int emitting;

  /**
   * @param names the class names of the operators each worker runs, for statistics
   * @param endsInAggregation whether the last operator is a {@link HashAggregationOperator} whose
   *     workers' tables are merged
   * @param beforeStart runs on the pipeline's thread before any worker starts (builds the hash
   *     tables the workers' joins probe, so that no worker thread ever waits for another pipeline)
   * @param shared allocators of what the workers share (join tables), closed after the workers'
   * @param allocator this operator's allocator, the parent of the parallel merge's tables'
   */
  ParallelSourceOperator(
      List<String> names,
      int workers,
      boolean endsInAggregation,
      WorkerChain factory,
      Runnable beforeStart,
      List<BufferAllocator> shared,
      BufferAllocator allocator,
      ExecutionContext context) {
    this.names = List.copyOf(names);
    this.workers = workers;
    this.endsInAggregation = endsInAggregation;
    this.factory = factory;
    this.beforeStart = beforeStart;
    this.shared = List.copyOf(shared);
    this.allocator = allocator;
    this.context = context;
    this.queue = new ArrayBlockingQueue<>(2 * workers);
    this.rows = new long[workers][names.size()];
    this.batches = new long[workers][names.size()];
    this.nanos = new long[workers][names.size()];
  }

  private void start() {
    started = true;
    for (int w = 0; w < workers; w++) {
      List<BufferAllocator> own = new ArrayList<>();
      allocators.add(own);
      chains.add(factory.create(w, own));
    }
    // after the operators exist, so that closing them releases the tables however this ends
    beforeStart.run();
    running.set(workers);
    for (int w = 0; w < workers; w++) {
      int worker = w;
      futures.add(WorkerPool.executor().submit(() -> runWorker(worker)));
    }
  }

  private void runWorker(int worker) {
    try {
      drive(worker);
    } catch (Throwable e) {
      // the first failure is the one reported; later ones are usually its consequences
      failure.compareAndSet(null, e);
      stopped = true;
    } finally {
      running.decrementAndGet();
    }
  }

  /** One worker's driver loop: like {@link Driver}, but its output goes to the shared queue. */
  private void drive(int worker) throws InterruptedException {
    List<Operator> operators = chains.get(worker);
    int last = operators.size() - 1;
    boolean[] finishSignalled = new boolean[operators.size()];
    while (!stopped) {
      context.checkCancelled();
      if (!endsInAggregation) {
        Page out = output(worker, last);
        if (out != null) {
          if (out.count() == 0) {
            out.close();
          } else {
            offer(out);
          }
          continue;
        }
        if (operators.get(last).isFinished()) {
          return;
        }
      } else if (operators.get(last - 1).isFinished() && finishSignalled[last]) {
        return;
      }
      boolean progress = false;
      for (int i = 0; i < last; i++) {
        Operator current = operators.get(i);
        Operator next = operators.get(i + 1);
        if (next.isFinished()) {
          continue;
        }
        if (!current.isFinished() && next.needsInput()) {
          Page page = output(worker, i);
          if (page != null) {
            long began = System.nanoTime();
            next.addInput(page);
            nanos[worker][i + 1] += System.nanoTime() - began;
            progress = true;
          }
        }
        if (current.isFinished() && !finishSignalled[i + 1]) {
          finishSignalled[i + 1] = true;
          // the aggregation at the end is finished after the merge, on the pipeline's thread
          if (!(endsInAggregation && i + 1 == last)) {
            long began = System.nanoTime();
            next.finish();
            nanos[worker][i + 1] += System.nanoTime() - began;
          }
          progress = true;
        }
      }
      if (!progress && last > 0) {
        throw new IllegalStateException("Parallel pipeline made no progress");
      }
    }
  }

  private Page output(int worker, int index) {
    long began = System.nanoTime();
    Page page = chains.get(worker).get(index).getOutput();
    nanos[worker][index] += System.nanoTime() - began;
    if (page != null) {
      rows[worker][index] += page.count();
      batches[worker][index]++;
    }
    return page;
  }

  /** Hands a page to the pipeline's thread, waiting while the queue is full. */
  private void offer(Page page) throws InterruptedException {
    while (!queue.offer(page, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
      if (stopped) {
        page.close();
        return;
      }
    }
  }

  @Override
  public Page getOutput() {
    if (finished) {
      return null;
    }
    if (!started) {
      start();
    }
    if (endsInAggregation) {
      return aggregationOutput();
    }
    try {
      while (true) {
        boolean allDone = running.get() == 0;
        Page page = queue.poll(allDone ? 0 : POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (page != null && failure.get() != null) {
          page.close();
        }
        rethrowFailure();
        if (page != null) {
          return page;
        }
        if (allDone) {
          finished = true;
          return null;
        }
        context.checkCancelled();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OxbowException(ErrorCode.CANCELLED, "Interrupted while waiting for workers", e);
    }
  }

  private Page aggregationOutput() {
    int last = names.size() - 1;
    if (aggregation == null && merged == null) {
      awaitWorkers();
      rethrowFailure();
      List<HashAggregationOperator> tables = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        tables.add((HashAggregationOperator) chains.get(w).get(last));
      }
      if (HashAggregationOperator.mergesInParallel(tables)) {
        mergeInParallel(tables, last);
        return partitionsOutput(last);
      }
      aggregation = tables.get(0);
      for (int w = 1; w < workers; w++) {
        HashAggregationOperator other = (HashAggregationOperator) chains.get(w).get(last);
        context.checkCancelled();
        long began = System.nanoTime();
        aggregation.mergeFrom(other);
        nanos[0][last] += System.nanoTime() - began;
        other.close();
        chains.get(w).set(last, null); // released early; close() skips it
      }
      aggregation.finish();
    }
    if (merged != null) {
      return partitionsOutput(last);
    }
    long began = System.nanoTime();
    Page page = aggregation.getOutput();
    nanos[0][last] += System.nanoTime() - began;
    if (page != null) {
      rows[0][last] += page.count();
      batches[0][last]++;
      return page;
    }
    if (aggregation.isFinished()) {
      finished = true;
    }
    return null;
  }

  /**
   * Splits each worker's groups into partitions (a task per worker), then merges partition p of
   * every worker's table into a new table on task p, in parallel, waiting for each step; then
   * releases the workers' tables.
   */
  private void mergeInParallel(List<HashAggregationOperator> tables, int last) {
    int partitions = workers;
    int[][][] groups = new int[workers][][];
    for (int w = 0; w < workers; w++) {
      int worker = w;
      futures.add(
          WorkerPool.executor()
              .submit(
                  () ->
                      runMergeStep(
                          worker,
                          last,
                          () ->
                              groups[worker] = tables.get(worker).groupsByPartition(partitions))));
    }
    awaitWorkers();
    rethrowFailure();
    merged = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      BufferAllocator target =
          allocator.newChildAllocator(
              allocator.getName() + "/" + last + "-merge" + p + "-" + names.get(last),
              0,
              Long.MAX_VALUE);
      mergeAllocators.add(target);
      merged.add(tables.get(0).emptyCopy(target));
    }
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      HashAggregationOperator into = merged.get(p);
      futures.add(
          WorkerPool.executor()
              .submit(
                  () ->
                      runMergeStep(
                          partition,
                          last,
                          () -> {
                            // room for every worker's groups of the partition at once: one
                            // table size instead of a rehash per worker
                            int total = 0;
                            for (int w = 0; w < workers; w++) {
                              total += groups[w][partition].length;
                            }
                            into.reserve(total);
                            for (int w = 0; w < workers && !stopped; w++) {
                              context.checkCancelled();
                              into.mergePartitionFrom(tables.get(w), groups[w][partition]);
                            }
                            into.prepareOutput();
                          })));
    }
    awaitWorkers();
    rethrowFailure();
    for (int w = 0; w < workers; w++) {
      tables.get(w).close();
      chains.get(w).set(last, null); // released early; close() skips it
    }
  }

  /** Runs one task of the parallel merge as worker {@code worker}, recording time and failure. */
  private void runMergeStep(int worker, int last, Runnable step) {
    long began = System.nanoTime();
    try {
      if (!stopped) {
        context.checkCancelled();
        step.run();
      }
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
      stopped = true;
    } finally {
      nanos[worker][last] += System.nanoTime() - began;
    }
  }

  /** The next page of the merged partitions' groups, partition after partition. */
  private Page partitionsOutput(int last) {
    while (emitting < merged.size()) {
      HashAggregationOperator partition = merged.get(emitting);
      long began = System.nanoTime();
      Page page = partition.getOutput();
      nanos[0][last] += System.nanoTime() - began;
      if (page != null) {
        rows[0][last] += page.count();
        batches[0][last]++;
        return page;
      }
      if (!partition.isFinished()) {
        return null;
      }
      partition.close();
      merged.set(emitting, null);
      emitting++;
    }
    finished = true;
    return null;
  }

  /** Waits until every worker has stopped, checking for cancellation while it waits. */
  private void awaitWorkers() {
    for (Future<?> future : futures) {
      while (true) {
        try {
          future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          if (failure.get() != null) {
            stopped = true;
          }
          context.checkCancelled();
        } catch (ExecutionException e) {
          break; // runWorker records its failures itself
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopped = true;
          throw new OxbowException(ErrorCode.CANCELLED, "Interrupted while waiting for workers", e);
        }
      }
    }
  }

  private void rethrowFailure() {
    Throwable e = failure.get();
    if (e == null) {
      return;
    }
    stopped = true;
    if (e instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (e instanceof Error error) {
      throw error;
    }
    throw new OxbowException(ErrorCode.INTERNAL, "A worker failed: " + e, e);
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  /**
   * Per operator of the parallel part, the statistics of all workers added up (peak memory: the
   * largest worker's), in the order of the pipeline.
   */
  List<OperatorStats> workerStats() {
    List<OperatorStats> stats = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      long r = 0;
      long b = 0;
      long t = 0;
      long peak = 0;
      List<List<OperatorStats>> pipelines = new ArrayList<>();
      String details = "";
      for (int w = 0; w < chains.size(); w++) {
        r += rows[w][i];
        b += batches[w][i];
        t += nanos[w][i];
        if (i < allocators.get(w).size()) {
          peak = Math.max(peak, allocators.get(w).get(i).getPeakMemoryAllocation());
        }
        if (i == names.size() - 1 && w < mergeAllocators.size()) {
          peak = Math.max(peak, mergeAllocators.get(w).getPeakMemoryAllocation());
        }
        if (w == 0 && chains.get(w).get(i) != null) {
          pipelines.addAll(chains.get(w).get(i).pipelines());
          details = chains.get(w).get(i).details();
        }
      }
      stats.add(new OperatorStats(names.get(i), r, b, t, peak, pipelines, details));
    }
    return stats;
  }

  /** Stops and waits for the workers, then releases their pages, operators and allocators. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopped = true;
    RuntimeException closeFailure = null;
    for (Future<?> future : futures) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        // recorded by the worker itself
      }
    }
    futures.clear();
    for (Page page; (page = queue.poll()) != null; ) {
      page.close();
    }
    for (int w = 0; w < chains.size(); w++) {
      List<Operator> chain = chains.get(w);
      for (int i = chain.size() - 1; i >= 0; i--) {
        if (chain.get(i) == null) {
          continue;
        }
        try {
          chain.get(i).close();
        } catch (RuntimeException e) {
          closeFailure = closeFailure == null ? e : closeFailure;
        }
      }
    }
    if (merged != null) {
      for (HashAggregationOperator partition : merged) {
        if (partition == null) {
          continue;
        }
        try {
          partition.close();
        } catch (RuntimeException e) {
          closeFailure = closeFailure == null ? e : closeFailure;
        }
      }
      merged = null;
    }
    for (int i = mergeAllocators.size() - 1; i >= 0; i--) {
      try {
        mergeAllocators.get(i).close();
      } catch (RuntimeException e) {
        closeFailure = closeFailure == null ? e : closeFailure;
      }
    }
    mergeAllocators.clear();
    for (List<BufferAllocator> own : allocators) {
      for (int i = own.size() - 1; i >= 0; i--) {
        try {
          own.get(i).close();
        } catch (RuntimeException e) {
          closeFailure = closeFailure == null ? e : closeFailure;
        }
      }
    }
    for (int i = shared.size() - 1; i >= 0; i--) {
      try {
        shared.get(i).close();
      } catch (RuntimeException e) {
        closeFailure = closeFailure == null ? e : closeFailure;
      }
    }
    finished = true;
    if (closeFailure != null) {
      throw closeFailure;
    }
  }
}
