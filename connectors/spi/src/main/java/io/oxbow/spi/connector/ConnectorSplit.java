package io.oxbow.spi.connector;

/** An immutable unit of reading work (for example one Parquet file), defined by the connector. */
public interface ConnectorSplit {}
