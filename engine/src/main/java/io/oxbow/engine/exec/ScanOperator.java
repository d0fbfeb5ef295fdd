package io.oxbow.engine.exec;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Reads a connector table split by split, producing the batches its page sources return. */
final class ScanOperator extends SourceOperator {
  private final ScanNode node;
  private final BufferAllocator allocator;
  private Deque<ConnectorSplit> splits;
  private ConnectorPageSource current;
  private boolean finished;
  private long rows;

  ScanOperator(ScanNode node, BufferAllocator allocator) {
    this.node = node;
    this.allocator = allocator;
  }

  @Override
  public Page getOutput() {
    if (finished) {
      return null;
    }
    if (splits == null) {
      splits = new ArrayDeque<>(node.splitManager().getSplits(node.table()));
    }
    while (true) {
      if (current == null) {
        ConnectorSplit split = splits.poll();
        if (split == null) {
          finished = true;
          return null;
        }
        current =
            node.pageSourceProvider()
                .createPageSource(node.table(), split, node.columns(), allocator);
      }
      VectorSchemaRoot batch = current.nextBatch();
      if (batch != null) {
        rows += batch.getRowCount();
        return Page.of(batch);
      }
      current.close();
      current = null;
    }
  }

  long rows() {
    return rows;
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    finished = true;
  }
}
