package io.oxbow.engine.exec;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.DynamicFilter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
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
 *
 * <p>With a {@link DynamicFilterCollector}, the scan first waits for the build sides of the joins
 * that may filter it (building them if nobody has yet), then offers their filters to the connector
 * for every split it opens; if a join's build side is empty it opens no split at all.
 */
final class ScanOperator extends SourceOperator {
  /** Page sources open at once, the current one included. */
  static final int LOOKAHEAD = 4;

  private final ScanNode node;
  private final SplitQueue splits;
  private final int lookahead;
  private final BufferAllocator allocator;
  private final DynamicFilterCollector dynamicFilters;

  /** Open page sources in split order; the first is the one being read. */
  private final Deque<ConnectorPageSource> open = new ArrayDeque<>();

  private boolean finished;
  private long rows;

  /** The dynamic filters offered with each split, once known (null: not asked yet). */
  private List<DynamicFilter> filters;

  ScanOperator(ScanNode node, BufferAllocator allocator) {
    this(new SplitQueue(node), LOOKAHEAD, allocator, null);
  }

  ScanOperator(ScanNode node, BufferAllocator allocator, DynamicFilterCollector dynamicFilters) {
    this(new SplitQueue(node), LOOKAHEAD, allocator, dynamicFilters);
  }

  /**
   * A scan taking its splits from {@code splits}, which other scan operators (the other workers of
   * a parallel pipeline) may share, keeping up to {@code lookahead} page sources open.
   */
  ScanOperator(SplitQueue splits, int lookahead, BufferAllocator allocator) {
    this(splits, lookahead, allocator, null);
  }

  /**
   * A scan like {@link #ScanOperator(SplitQueue, int, BufferAllocator)} that offers the filters of
   * {@code dynamicFilters} (null: none) with every split.
   */
  ScanOperator(
      SplitQueue splits,
      int lookahead,
      BufferAllocator allocator,
      DynamicFilterCollector dynamicFilters) {
    this.node = splits.node();
    this.splits = splits;
    this.lookahead = Math.max(1, lookahead);
    this.allocator = allocator;
    this.dynamicFilters = dynamicFilters;
  }

  @Override
  public Page getOutput() {
    if (finished) {
      return null;
    }
    if (filters == null) {
      DynamicFilterCollector.Filters known =
          dynamicFilters == null ? DynamicFilterCollector.Filters.NONE : dynamicFilters.filters();
      if (known.nothingMatches()) {
        finished = true;
        return null;
      }
      filters = known.filters();
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
          filters.isEmpty()
              ? node.pageSourceProvider()
                  .createPageSource(node.table(), split, node.columns(), allocator)
              : node.pageSourceProvider()
                  .createPageSource(node.table(), split, node.columns(), allocator, filters));
    }
  }

  long rows() {
    return rows;
  }

  /** The dynamic filters this scan offered its connector, for EXPLAIN ANALYZE. */
  @Override
  public String details() {
    DynamicFilterCollector.Filters known = dynamicFilters == null ? null : dynamicFilters.known();
    return known == null || (known.filters().isEmpty() && !known.nothingMatches())
        ? ""
        : known.describe();
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
