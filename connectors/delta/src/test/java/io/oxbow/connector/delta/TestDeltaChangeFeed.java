package io.oxbow.connector.delta;

import static io.oxbow.connector.delta.DeltaTestTables.commitTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * table_changes over a delta-rs table with the change data feed on (inserts, an UPDATE and a DELETE
 * that write cdc files, and plain appends); the expected rows are delta-rs's own {@code load_cdf}
 * output ({@code cdf_expected/changes.jsonl}), and commit timestamps are the commit file times the
 * test sets.
 */
class TestDeltaChangeFeed {
  private static final SchemaTableName CDF = new SchemaTableName("s", "cdf");
  private static final List<String> COLUMNS =
      List.of(
          "id", "name", "amount", "part", "_change_type", "_commit_version", "_commit_timestamp");

  @TempDir Path warehouse;
  private BufferAllocator allocator;
  private Connector connector;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    DeltaTestTables.copyDeltaRsTable(warehouse, "s", "cdf");
    DeltaTestTables.copyDeltaRsTable(warehouse, "s", "parts");
    connector =
        new DeltaConnectorFactory().create("lake", Map.of("warehouse", warehouse.toString()));
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close();
  }

  private static final Comparator<Map<String, Object>> ORDER =
      Comparator.<Map<String, Object>, Long>comparing(r -> (Long) r.get("_commit_version"))
          .thenComparing(r -> (Long) r.get("id"))
          .thenComparing(r -> (String) r.get("_change_type"));

  private List<Map<String, Object>> changes(long start, OptionalLong end) {
    ConnectorTableHandle handle =
        connector.metadata().getChangesHandle(CDF, start, end).orElseThrow();
    assertThat(connector.metadata().getTableMetadata(handle).schema().getFields())
        .extracting(Field::getName)
        .isEqualTo(COLUMNS);
    List<Map<String, Object>> rows = DeltaTestTables.read(connector, handle, COLUMNS, allocator);
    rows.sort(ORDER);
    return rows;
  }

  /** delta-rs's rows for versions start..end, with the commit timestamps the test set. */
  private static List<Map<String, Object>> expected(long start, long end) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> row :
        DeltaTestTables.expectedRows("deltars/cdf_expected/changes.jsonl")) {
      long version = (Long) row.get("_commit_version");
      if (version >= start && version <= end) {
        Map<String, Object> withTime = new HashMap<>(row);
        withTime.put("_commit_timestamp", commitTime(version));
        rows.add(withTime);
      }
    }
    rows.sort(ORDER);
    return rows;
  }

  @Test
  void wholeFeedMatchesDeltaRs() {
    assertThat(changes(0, OptionalLong.empty())).isEqualTo(expected(0, 4));
  }

  @Test
  void rangeOfVersions() {
    assertThat(changes(2, OptionalLong.of(3))).isEqualTo(expected(2, 3));
    assertThat(changes(1, OptionalLong.of(1))).isEqualTo(expected(1, 1));
    assertThat(changes(4, OptionalLong.empty())).isEqualTo(expected(4, 4));
  }

  @Test
  void onlyChangeColumns() {
    ConnectorTableHandle handle =
        connector.metadata().getChangesHandle(CDF, 2, OptionalLong.of(2)).orElseThrow();
    List<Map<String, Object>> rows =
        DeltaTestTables.read(connector, handle, List.of("_change_type"), allocator);
    assertThat(rows)
        .extracting(r -> r.get("_change_type"))
        .containsExactlyInAnyOrder("update_preimage", "update_postimage");
    assertThat(handle.toString()).isEqualTo("table_changes(s.cdf, 2, 2)");
  }

  @Test
  void clearErrors() {
    assertThatThrownBy(
            () ->
                connector
                    .metadata()
                    .getChangesHandle(new SchemaTableName("s", "parts"), 0, OptionalLong.empty()))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("delta.enableChangeDataFeed")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.USER_ERROR);
    assertThatThrownBy(() -> connector.metadata().getChangesHandle(CDF, 3, OptionalLong.of(2)))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("start version is after the end version");
    assertThatThrownBy(() -> connector.metadata().getChangesHandle(CDF, 0, OptionalLong.of(9)))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("versions must be between 0 and 4")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.USER_ERROR);
    assertThat(
            connector
                .metadata()
                .getChangesHandle(new SchemaTableName("s", "nope"), 0, OptionalLong.empty()))
        .isEmpty();
  }

  /**
   * Golden table basic-dv-no-checkpoint (Apache Spark): version 0 writes ids 0..9 in two files,
   * version 1 deletes ids 0 and 1 through a deletion vector (a remove and an add of the same file),
   * with no change data files. The copy here turns the change data feed on in version 0's metadata.
   */
  @Test
  void deletionVectorDeletesWithoutChangeFilesAreRefused() throws Exception {
    Path table =
        DeltaTestTables.copyTable(
            "golden/basic-dv-no-checkpoint", warehouse.resolve("g/dv"), 60_000);
    Path first = table.resolve("_delta_log/00000000000000000000.json");
    java.nio.file.attribute.FileTime time = java.nio.file.Files.getLastModifiedTime(first);
    String log = java.nio.file.Files.readString(first);
    String enabled =
        log.replace(
            "\"configuration\":{\"delta.enableDeletionVectors\":\"true\"}",
            "\"configuration\":{\"delta.enableDeletionVectors\":\"true\","
                + "\"delta.enableChangeDataFeed\":\"true\"}");
    assertThat(enabled).isNotEqualTo(log);
    java.nio.file.Files.writeString(first, enabled);
    java.nio.file.Files.setLastModifiedTime(first, time);
    SchemaTableName dv = new SchemaTableName("g", "dv");

    ConnectorTableHandle inserts =
        connector.metadata().getChangesHandle(dv, 0, OptionalLong.of(0)).orElseThrow();
    List<Map<String, Object>> rows =
        DeltaTestTables.read(
            connector, inserts, List.of("id", "_change_type", "_commit_version"), allocator);
    assertThat(rows)
        .extracting(r -> r.get("id"))
        .containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
    assertThat(rows).extracting(r -> r.get("_change_type")).containsOnly("insert");

    ConnectorTableHandle deletes =
        connector.metadata().getChangesHandle(dv, 0, OptionalLong.empty()).orElseThrow();
    assertThatThrownBy(() -> connector.splitManager().getSplits(deletes))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("cannot read version 1 yet")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.USER_ERROR);
  }
}
