package io.oxbow.spi.connector;

/** One configured catalog's access to a source: its metadata, its splits and its readers. */
public interface Connector extends AutoCloseable {
  ConnectorMetadata metadata();

  ConnectorSplitManager splitManager();

  ConnectorPageSourceProvider pageSourceProvider();

  /** Releases pools, clients and caches. */
  @Override
  default void close() {}
}
