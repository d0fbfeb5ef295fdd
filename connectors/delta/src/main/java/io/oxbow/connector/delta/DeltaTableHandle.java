package io.oxbow.connector.delta;

import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;

/**
 * A Delta table: its name and the folder holding its {@code _delta_log}.
 *
 * @param location absolute path of the table folder
 */
public record DeltaTableHandle(SchemaTableName name, String location)
    implements ConnectorTableHandle {
  @Override
  public String toString() {
    return name.toString();
  }
}
