package io.oxbow.spi.connector;

import java.util.List;

/** Divides a table scan into independently readable splits. */
public interface ConnectorSplitManager {
  List<ConnectorSplit> getSplits(ConnectorTableHandle table);
}
