package io.oxbow.engine.exec;

import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.ResultStream;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Runs one pipeline (a chain of operators whose first is a source) on the caller's thread, moving
 * pages downstream until the last operator has output. Owns the operators and their allocators; the
 * batches it returns are allocated from the query's allocator and belong to the caller, so they
 * stay valid after the stream is closed.
 */
public final class Driver implements ResultStream {
  private final List<Operator> operators;
  private final List<BufferAllocator> allocators;
  private final BufferAllocator outputAllocator;
  private final Schema schema;
  private final long memoryLimit;
  private final Runnable checkCancelled;
  private final boolean[] finishSignalled;
  private final long[] rows;
  private final long[] batches;
  private final long[] nanos;
  private boolean closed;

  Driver(
      List<Operator> operators,
      List<BufferAllocator> allocators,
      BufferAllocator outputAllocator,
      Schema schema,
      long memoryLimit,
      Runnable checkCancelled) {
    this.operators = new ArrayList<>(operators);
    this.allocators = new ArrayList<>(allocators);
    this.outputAllocator = outputAllocator;
    this.schema = schema;
    this.memoryLimit = memoryLimit;
    this.checkCancelled = checkCancelled;
    this.finishSignalled = new boolean[operators.size()];
    this.rows = new long[operators.size()];
    this.batches = new long[operators.size()];
    this.nanos = new long[operators.size()];
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public VectorSchemaRoot next() {
    if (closed) {
      throw new OxbowException(ErrorCode.USER_ERROR, "The result is already closed");
    }
    try {
      return advance();
    } catch (RuntimeException | Error e) {
      throw translate(e);
    }
  }

  /**
   * Maps any failure to an {@link OxbowException}, recognising memory exhaustion anywhere in it.
   */
  RuntimeException translate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryException) {
        return new OxbowException(
            ErrorCode.RESOURCE_EXHAUSTED,
            "Query exceeded its memory limit of " + memoryLimit + " bytes",
            e);
      }
    }
    if (e instanceof OxbowException oxbow) {
      return oxbow;
    }
    if (e instanceof Error error && !(e instanceof StackOverflowError)) {
      throw error;
    }
    return new OxbowException(
        ErrorCode.INTERNAL,
        "Internal error in the engine: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
        e);
  }

  private VectorSchemaRoot advance() {
    int lastIndex = operators.size() - 1;
    Operator last = operators.get(lastIndex);
    while (true) {
      checkCancelled.run();
      Page out = output(lastIndex);
      if (out != null) {
        if (out.count() == 0) {
          out.close();
          continue;
        }
        return out.compact(outputAllocator, schema);
      }
      if (last.isFinished()) {
        return null;
      }
      boolean progress = false;
      for (int i = 0; i < lastIndex; i++) {
        Operator current = operators.get(i);
        Operator next = operators.get(i + 1);
        if (next.isFinished()) {
          continue;
        }
        if (!current.isFinished() && next.needsInput()) {
          Page page = output(i);
          if (page != null) {
            long started = System.nanoTime();
            next.addInput(page);
            nanos[i + 1] += System.nanoTime() - started;
            progress = true;
          }
        }
        if (current.isFinished() && !finishSignalled[i + 1]) {
          finishSignalled[i + 1] = true;
          long started = System.nanoTime();
          next.finish();
          nanos[i + 1] += System.nanoTime() - started;
          progress = true;
        }
      }
      if (!progress && lastIndex > 0 && operators.stream().noneMatch(Operator::isBlocked)) {
        // every operator waits for output that cannot come: a bug, not a hang
        throw new IllegalStateException("Pipeline made no progress");
      }
    }
  }

  /** Takes an operator's output, counting its rows, batches and time. */
  private Page output(int index) {
    long started = System.nanoTime();
    Page page = operators.get(index).getOutput();
    nanos[index] += System.nanoTime() - started;
    if (page != null) {
      rows[index] += page.count();
      batches[index]++;
    }
    return page;
  }

  @Override
  public List<OperatorStats> operatorStats() {
    List<OperatorStats> stats = new ArrayList<>();
    for (int i = 0; i < operators.size(); i++) {
      if (operators.get(i) instanceof ParallelSourceOperator parallel) {
        // the operators its workers ran, in place of the operator that ran them
        stats.addAll(parallel.workerStats());
        continue;
      }
      stats.add(
          new OperatorStats(
              operators.get(i).getClass().getSimpleName(),
              rows[i],
              batches[i],
              nanos[i],
              allocators.get(i).getPeakMemoryAllocation(),
              operators.get(i).pipelines(),
              operators.get(i).details()));
    }
    return stats;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    // downstream first: an operator may still hold pages that an upstream one allocated
    for (int i = operators.size() - 1; i >= 0; i--) {
      Operator operator = operators.get(i);
      try {
        operator.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    for (int i = allocators.size() - 1; i >= 0; i--) {
      try {
        allocators.get(i).close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw new OxbowException(ErrorCode.INTERNAL, "Releasing query resources failed", failure);
    }
  }
}
