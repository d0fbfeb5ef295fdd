package io.oxbow.connector.delta;

import io.oxbow.spi.connector.ConnectorSplit;
import java.util.Map;

/**
 * One data file of a Delta table.
 *
 * @param path absolute path (or file: URI) of the Parquet file
 * @param size file size in bytes
 * @param partitionValues partition column values as Delta stores them (strings; null for NULL)
 */
public record DeltaSplit(String path, long size, Map<String, String> partitionValues)
    implements ConnectorSplit {}
