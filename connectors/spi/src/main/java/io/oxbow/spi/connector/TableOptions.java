package io.oxbow.spi.connector;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The clauses of {@code CREATE TABLE} beyond its columns.
 *
 * @param format the {@code USING} format in lower case (e.g. {@code delta}), empty if not given
 * @param partitionedBy {@code PARTITIONED BY} column names, in order
 * @param location {@code LOCATION}: an external table's folder or URI; empty for a managed table,
 *     which the connector places and owns
 * @param properties {@code TBLPROPERTIES}, as written
 */
public record TableOptions(
    Optional<String> format,
    List<String> partitionedBy,
    Optional<String> location,
    Map<String, String> properties) {
  public static final TableOptions NONE =
      new TableOptions(Optional.empty(), List.of(), Optional.empty(), Map.of());

  public TableOptions {
    partitionedBy = List.copyOf(partitionedBy);
    properties = Map.copyOf(properties);
  }

  public boolean isEmpty() {
    return format.isEmpty()
        && partitionedBy.isEmpty()
        && location.isEmpty()
        && properties.isEmpty();
  }
}
