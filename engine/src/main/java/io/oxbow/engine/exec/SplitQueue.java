package io.oxbow.engine.exec;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.connector.ConnectorSplit;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The splits of one scan, handed out one at a time to whichever scan operator asks first: the
 * morsel source that the workers of a parallel pipeline share. The connector is asked for the
 * splits once, when they are first needed.
 */
final class SplitQueue {
  private final ScanNode node;
  private volatile ConcurrentLinkedQueue<ConnectorSplit> splits;
  private int total;

  SplitQueue(ScanNode node) {
    this.node = node;
  }

  /** Asks the connector for the splits (once) and returns how many there are. */
  synchronized int load() {
    if (splits == null) {
      List<ConnectorSplit> all = node.splitManager().getSplits(node.table());
      total = all.size();
      splits = new ConcurrentLinkedQueue<>(all);
    }
    return total;
  }

  /** The next split nobody has taken yet, or null when all are taken. */
  ConnectorSplit poll() {
    if (splits == null) {
      load();
    }
    return splits.poll();
  }

  ScanNode node() {
    return node;
  }
}
