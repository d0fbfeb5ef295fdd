package io.oxbow.engine.exec;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads a connector table split by split, producing the batches its page sources return. Up to
 * {@link #LOOKAHEAD} page sources are open at once: the current one and the next splits', so a
 * connector that starts fetching a file when its page source is created (the Delta connector on S3)
 * downloads several files while this operator drains the current one. Batches come out in split
 * order, and each split's batches in the order its page source returns them. Workers of a parallel
 * pipeline each run a scan operator over one shared {@link SplitQueue}, so splits are the morsels
 * they pull.
 */
final class ScanOperator extends SourceOperator {
  /** Page sources open at once, the current one included. */
  static final int LOOKAHEAD = 4;

  private final ScanNode node;
  private final SplitQueue splits;
  private final int lookahead;
  private final BufferAllocator allocator;

  /** Open page sources in split order; the first is the one being read. */
  private final Deque<ConnectorPageSource> open = new ArrayDeque<>();

  private boolean finished;
  private long rows;

  ScanOperator(ScanNode node, BufferAllocator allocator) {
    this(new SplitQueue(node), LOOKAHEAD, allocator);
  }

  /**
   * A scan taking its splits from {@code splits}, which other scan operators (the other workers of
   * a parallel pipeline) may share, keeping up to {@code lookahead} page sources open.
   */
  ScanOperator(SplitQueue splits, int lookahead, BufferAllocator allocator) {
    this.node = splits.node();
    this.splits = splits;
    this.lookahead = Math.max(1, lookahead);
    this.allocator = allocator;
  }

  @Override
  public Page getOutput() {
    if (finished) {
      return null;
    }
    while (true) {
      openAhead();
      ConnectorPageSource current = open.peekFirst();
      if (current == null) {
        finished = true;
        return null;
      }
      VectorSchemaRoot batch = current.nextBatch();
      if (batch != null) {
        rows += batch.getRowCount();
        return Page.of(batch);
      }
      open.pollFirst().close();
    }
  }

  /** Opens page sources for the next splits until {@code lookahead} are open. */
  private void openAhead() {
    while (open.size() < lookahead) {
      ConnectorSplit split = splits.poll();
      if (split == null) {
        return;
      }
      open.addLast(
          node.pageSourceProvider()
              .createPageSource(node.table(), split, node.columns(), allocator));
    }
  }

  long rows() {
    return rows;
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  /** Closes every open page source, the read-ahead ones included. */
  @Override
  public void close() {
    RuntimeException failure = null;
    while (!open.isEmpty()) {
      try {
        open.pollFirst().close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    finished = true;
    if (failure != null) {
      throw failure;
    }
  }
}
