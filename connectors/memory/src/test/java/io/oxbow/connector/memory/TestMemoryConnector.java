package io.oxbow.connector.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class TestMemoryConnector {
  private static final Schema COLUMNS =
      new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
  private static final SchemaTableName T = new SchemaTableName("main", "t");

  private static void insert(MemoryConnector connector, BufferAllocator allocator, long... ids) {
    ConnectorTableHandle handle = connector.getTableHandle(T).orElseThrow();
    try (VectorSchemaRoot rows = VectorSchemaRoot.create(COLUMNS, allocator)) {
      BigIntVector id = (BigIntVector) rows.getVector(0);
      for (int i = 0; i < ids.length; i++) {
        id.setSafe(i, ids[i]);
      }
      rows.setRowCount(ids.length);
      connector.insert(handle, rows);
    }
  }

  @Test
  void dropTableFreesItsBatchesAndFailsScansStillOpen() {
    try (BufferAllocator allocator = new RootAllocator();
        MemoryConnector connector =
            (MemoryConnector) new MemoryConnectorFactory().create("m", Map.of())) {
      connector.createTable(T, COLUMNS);
      insert(connector, allocator, 1, 2, 3);
      insert(connector, allocator, 4);
      ConnectorTableHandle handle = connector.getTableHandle(T).orElseThrow();
      assertThat(connector.getTableMetadata(handle).rowCount()).hasValue(4);
      var splits = connector.getSplits(handle);
      assertThat(splits).hasSize(2);
      try (ConnectorPageSource first =
              connector.createPageSource(handle, splits.get(0), List.of("id"), allocator);
          ConnectorPageSource second =
              connector.createPageSource(handle, splits.get(1), List.of("id"), allocator)) {
        try (VectorSchemaRoot batch = first.nextBatch()) {
          assertThat(batch.getRowCount()).isEqualTo(3);
        }
        connector.dropTable(handle);
        assertThatThrownBy(second::nextBatch)
            .isInstanceOfSatisfying(
                OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
            .hasMessage("Table 'main.t' was dropped");
      }
      assertThat(connector.getTableHandle(T)).isEmpty();
      assertThat(connector.listTables("main")).isEmpty();
      assertThatThrownBy(() -> connector.dropTable(handle)).hasMessage("Table 'main.t' not found");
      // the name can be used again, for a new empty table
      connector.createTable(T, COLUMNS);
      assertThat(connector.getTableMetadata(connector.getTableHandle(T).orElseThrow()).rowCount())
          .hasValue(0);
    }
  }
}
