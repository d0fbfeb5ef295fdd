package io.oxbow.spi.connector;

import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/** Opens readers over splits. */
public interface ConnectorPageSourceProvider {
  /**
   * Opens a reader for one split that produces only the named columns, in that order (projection
   * pushdown: other columns are not decoded).
   *
   * @param allocator where every buffer of the produced batches is allocated from
   */
  ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator);

  /**
   * Opens a reader for one split like {@link #createPageSource(ConnectorTableHandle,
   * ConnectorSplit, List, BufferAllocator)}, offering filters learned while the query runs (see
   * {@link DynamicFilter}). A connector may skip data no filter can match; it need not, and the
   * default ignores them.
   */
  default ConnectorPageSource createPageSource(
      ConnectorTableHandle table,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator,
      List<DynamicFilter> dynamicFilters) {
    return createPageSource(table, split, columns, allocator);
  }
}
