package io.oxbow.connector.delta;

import static io.oxbow.connector.delta.DeltaTestTables.commitTime;
import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESCRIBE HISTORY data of a five-commit delta-rs table; the expected versions and operations are
 * delta-rs's own {@code DeltaTable.history()} output ({@code cdf_expected/history.jsonl}).
 */
class TestDeltaHistory {
  private static final List<String> COLUMNS =
      List.of(
          "version",
          "timestamp",
          "operation",
          "operationParameters",
          "engineInfo",
          "isBlindAppend",
          "operationMetrics");

  @TempDir Path warehouse;
  private BufferAllocator allocator;
  private Connector connector;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    DeltaTestTables.copyDeltaRsTable(warehouse, "s", "cdf");
    connector =
        new DeltaConnectorFactory().create("lake", Map.of("warehouse", warehouse.toString()));
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close();
  }

  @Test
  void oneRowPerCommitNewestFirst() throws Exception {
    ConnectorTableHandle handle =
        connector.metadata().getHistoryHandle(new SchemaTableName("s", "cdf")).orElseThrow();
    assertThat(connector.metadata().getTableMetadata(handle).schema().getFields())
        .extracting(Field::getName)
        .isEqualTo(COLUMNS);
    List<Map<String, Object>> rows = DeltaTestTables.read(connector, handle, COLUMNS, allocator);
    List<Map<String, Object>> expected =
        DeltaTestTables.expectedRows("deltars/cdf_expected/history.jsonl");
    assertThat(rows).hasSize(5);
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> row = rows.get(i);
      long version = (Long) expected.get(i).get("version");
      assertThat(row.get("version")).isEqualTo(version);
      assertThat(row.get("operation")).isEqualTo(expected.get(i).get("operation"));
      assertThat(row.get("timestamp")).isEqualTo(commitTime(version));
      assertThat(row.get("engineInfo")).isEqualTo("delta-rs:py-1.6.6");
      // delta-rs does not record isBlindAppend
      assertThat(row.get("isBlindAppend")).isNull();
    }
    // the UPDATE commit's parameters and metrics, as delta-rs wrote them into commit 2
    Map<String, Object> update = rows.get(2);
    assertThat(update.get("operation")).isEqualTo("UPDATE");
    assertThat(DeltaTestTables.JSON.readTree((String) update.get("operationParameters")))
        .isEqualTo(DeltaTestTables.JSON.readTree("{\"predicate\":\"id = 2\"}"));
    assertThat(
            DeltaTestTables.JSON
                .readTree((String) update.get("operationMetrics"))
                .get("num_updated_rows")
                .asText())
        .isEqualTo("1");
  }

  @Test
  void projectsAnySubsetOfColumns() {
    ConnectorTableHandle handle =
        connector.metadata().getHistoryHandle(new SchemaTableName("s", "cdf")).orElseThrow();
    List<Map<String, Object>> rows =
        DeltaTestTables.read(connector, handle, List.of("operation", "version"), allocator);
    assertThat(rows).extracting(r -> r.get("version")).containsExactly(4L, 3L, 2L, 1L, 0L);
    assertThat(rows)
        .extracting(r -> r.get("operation"))
        .containsExactly("WRITE", "DELETE", "UPDATE", "WRITE", "WRITE");
    assertThat(handle.toString()).isEqualTo("history(s.cdf)");
    assertThat(connector.metadata().getHistoryHandle(new SchemaTableName("s", "nope"))).isEmpty();
  }

  /**
   * Golden table deltalog-getChanges (written by Apache Spark): three commits whose commitInfo
   * records isBlindAppend true, false, true.
   */
  @Test
  void sparkWrittenCommitInfo() {
    DeltaTestTables.copyTable("golden/deltalog-getChanges", warehouse.resolve("g/gc"), 60_000);
    ConnectorTableHandle handle =
        connector.metadata().getHistoryHandle(new SchemaTableName("g", "gc")).orElseThrow();
    List<Map<String, Object>> rows = DeltaTestTables.read(connector, handle, COLUMNS, allocator);
    assertThat(rows).extracting(r -> r.get("version")).containsExactly(2L, 1L, 0L);
    assertThat(rows).extracting(r -> r.get("isBlindAppend")).containsExactly(true, false, true);
    assertThat(rows).extracting(r -> r.get("operation")).containsOnly("Manual Update");
    assertThat(rows)
        .extracting(r -> r.get("engineInfo"))
        .containsOnly("Apache-Spark/3.5.0 Delta-Lake/3.1.0-SNAPSHOT");
    assertThat(rows)
        .extracting(r -> r.get("timestamp"))
        .containsExactly(commitTime(2), commitTime(1), commitTime(0));
    assertThat(rows).extracting(r -> r.get("operationParameters")).containsOnly("{}");
  }
}
