package io.oxbow.engine.exec;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.DynamicFilter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

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

  /** Whether runs of small batches of one split are returned as one (see {@link #coalesce}). */
  private boolean coalesce;

  /** Whether the first open page source has returned its last batch. */
  private boolean currentDone;

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
      VectorSchemaRoot batch = currentDone ? null : current.nextBatch();
      if (batch != null) {
        if (coalesce && batch.getRowCount() < SMALL_BATCH) {
          batch = coalesce(current, batch);
        }
        rows += batch.getRowCount();
        return Page.of(batch);
      }
      currentDone = false;
      open.pollFirst().close();
    }
  }

  /** Batches smaller than this are appended to the ones that follow them in the same split. */
  static final int SMALL_BATCH = 1024;

  /** A run of small batches stops growing at this many rows. */
  static final int COALESCED_ROWS = 2048;

  /**
   * Returns runs of small batches of one split (a selective filter or dynamic filter applied in the
   * connector keeps few rows of each batch it decodes) as one batch of at least {@link
   * #COALESCED_ROWS} rows where the split has them, so that the operators downstream do their
   * per-batch work once per thousands of rows, not per handful. Only for pipelines that consume
   * every row anyway: not ahead of a LIMIT that could stop the scan early.
   */
  ScanOperator coalesceSmallBatches(boolean coalesce) {
    this.coalesce = coalesce;
    return this;
  }

  /**
   * {@code first} (fewer than {@link #SMALL_BATCH} rows) and the batches of {@code source} after
   * it, until {@link #COALESCED_ROWS} rows, a batch that is not small, or the end of the source.
   */
  private VectorSchemaRoot coalesce(ConnectorPageSource source, VectorSchemaRoot first) {
    List<VectorSchemaRoot> parts = new ArrayList<>();
    parts.add(first);
    VectorSchemaRoot out = null;
    try {
      int total = first.getRowCount();
      while (total < COALESCED_ROWS) {
        VectorSchemaRoot next = source.nextBatch();
        if (next == null) {
          currentDone = true;
          break;
        }
        parts.add(next);
        total += next.getRowCount();
        if (next.getRowCount() >= SMALL_BATCH) {
          break;
        }
      }
      if (parts.size() == 1) {
        return first;
      }
      out = VectorSchemaRoot.create(first.getSchema(), allocator);
      for (FieldVector v : out.getFieldVectors()) {
        v.setInitialCapacity(total);
        v.allocateNew();
      }
      VectorSchemaRootAppender.append(false, out, parts.toArray(new VectorSchemaRoot[0]));
      parts.forEach(VectorSchemaRoot::close);
      return out;
    } catch (RuntimeException | Error e) {
      if (out != null) {
        out.close();
      }
      parts.forEach(VectorSchemaRoot::close);
      throw e;
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
