package io.oxbow.connector.delta;

import static io.oxbow.connector.delta.DeltaTestTables.commitTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableVersion;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time travel over a five-commit table written by delta-rs ({@code deltars/cdf}); the expected rows
 * of each version are delta-rs's own {@code load_as_version} output ({@code cdf_expected}).
 */
class TestDeltaTimeTravel {
  private static final SchemaTableName TABLE = new SchemaTableName("s", "cdf");
  private static final List<String> COLUMNS = List.of("id", "name", "amount", "part");

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

  private List<Map<String, Object>> rows(ConnectorTableHandle handle) {
    List<Map<String, Object>> rows = DeltaTestTables.read(connector, handle, COLUMNS, allocator);
    rows.sort(Comparator.comparing(r -> (Long) r.get("id")));
    return rows;
  }

  private ConnectorTableHandle at(TableVersion version) {
    return connector.metadata().getTableHandle(TABLE, version).orElseThrow();
  }

  private static long micros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }

  @Test
  void everyVersionReadsWhatDeltaRsRead() {
    for (long v = 0; v <= 4; v++) {
      ConnectorTableHandle handle = at(new TableVersion.AtVersion(v));
      assertThat(connector.metadata().tableVersion(handle)).hasValue(v);
      assertThat(rows(handle))
          .as("version %d", v)
          .isEqualTo(DeltaTestTables.expectedRows("deltars/cdf_expected/version_" + v + ".jsonl"));
      assertThat(handle.toString()).isEqualTo("s.cdf[version=" + v + "]");
    }
  }

  @Test
  void latestHandleIsPinned() throws Exception {
    Path log = warehouse.resolve("s/cdf/_delta_log");
    Path last = log.resolve("00000000000000000004.json");
    Path aside = warehouse.resolve("v4.json");
    Files.move(last, aside);
    ConnectorTableHandle handle = connector.metadata().getTableHandle(TABLE).orElseThrow();
    assertThat(connector.metadata().tableVersion(handle)).hasValue(3);
    Files.move(aside, last);
    // the handle keeps reading version 3 although version 4 has been committed since
    assertThat(rows(handle))
        .isEqualTo(DeltaTestTables.expectedRows("deltars/cdf_expected/version_3.jsonl"));
    ConnectorTableHandle fresh = connector.metadata().getTableHandle(TABLE).orElseThrow();
    assertThat(connector.metadata().tableVersion(fresh)).hasValue(4);
    assertThat(rows(fresh))
        .isEqualTo(DeltaTestTables.expectedRows("deltars/cdf_expected/version_4.jsonl"));
    assertThat(fresh.toString()).isEqualTo("s.cdf");
  }

  @Test
  void timestampsPickTheLatestCommitAtOrBefore() {
    // commits are at 2024-01-01T00:0v:00Z (the test sets the commit files' times)
    assertThat(version(commitTime(0))).isEqualTo(0);
    assertThat(version(commitTime(2).plusSeconds(30))).isEqualTo(2);
    assertThat(version(commitTime(3))).isEqualTo(3);
    assertThat(version(commitTime(3).minusNanos(1000))).isEqualTo(2);
    assertThat(version(commitTime(4))).isEqualTo(4);
    assertThat(rows(at(new TableVersion.AtTimestamp(micros(commitTime(1).plusSeconds(1))))))
        .isEqualTo(DeltaTestTables.expectedRows("deltars/cdf_expected/version_1.jsonl"));
  }

  private long version(Instant instant) {
    return connector
        .metadata()
        .tableVersion(at(new TableVersion.AtTimestamp(micros(instant))))
        .getAsLong();
  }

  @Test
  void missingVersionsAreUserErrorsNamingTheRange() {
    assertThatThrownBy(() -> at(new TableVersion.AtVersion(5)))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("available versions are 0 to 4")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.USER_ERROR);
    assertThatThrownBy(() -> at(new TableVersion.AtVersion(-1)))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("available versions are 0 to 4");
    assertThatThrownBy(
            () -> at(new TableVersion.AtTimestamp(micros(commitTime(0).minusSeconds(1)))))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("2024-01-01T00:00:00Z (version 0)")
        .hasMessageContaining("2024-01-01T00:04:00Z (version 4)")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.USER_ERROR);
    assertThatThrownBy(() -> at(new TableVersion.AtTimestamp(micros(commitTime(5)))))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("has no version at 2024-01-01T00:05:00Z");
    assertThat(
            connector
                .metadata()
                .getTableHandle(new SchemaTableName("s", "nope"), new TableVersion.AtVersion(0)))
        .isEmpty();
  }

  private List<Long> ids(ConnectorTableHandle handle, String column) {
    return DeltaTestTables.read(connector, handle, List.of(column), allocator).stream()
        .map(r -> (Long) r.get(column))
        .sorted(Comparator.nullsFirst(Comparator.naturalOrder()))
        .toList();
  }

  private static List<Long> range(long from, long to) {
    return java.util.stream.LongStream.range(from, to).boxed().toList();
  }

  /**
   * Golden table time-travel-start-start20-start40 (delta-io/delta GoldenTables.scala): commit v
   * appends ids 10v..10v+9, and its commit file was dated start + 20v minutes.
   */
  @Test
  void goldenTimeTravelTable() {
    DeltaTestTables.copyTable(
        "golden/time-travel-start-start20-start40", warehouse.resolve("g/tt"), 20 * 60_000);
    SchemaTableName name = new SchemaTableName("g", "tt");
    for (long v = 0; v <= 2; v++) {
      ConnectorTableHandle handle =
          connector.metadata().getTableHandle(name, new TableVersion.AtVersion(v)).orElseThrow();
      assertThat(ids(handle, "id")).isEqualTo(range(0, 10 * (v + 1)));
    }
    Instant tenMinutesIn = DeltaTestTables.FIRST_COMMIT.plusSeconds(600);
    ConnectorTableHandle handle =
        connector
            .metadata()
            .getTableHandle(name, new TableVersion.AtTimestamp(micros(tenMinutesIn)))
            .orElseThrow();
    assertThat(connector.metadata().tableVersion(handle)).hasValue(0);
    assertThat(ids(handle, "id")).isEqualTo(range(0, 10));
    handle =
        connector
            .metadata()
            .getTableHandle(
                name,
                new TableVersion.AtTimestamp(
                    micros(DeltaTestTables.FIRST_COMMIT.plusSeconds(40 * 60))))
            .orElseThrow();
    assertThat(connector.metadata().tableVersion(handle)).hasValue(2);
  }

  /**
   * Golden table time-travel-schema-changes-b: version 0 is ids 0..9 (column id only); version 1
   * appends ids 10..19 with a new column part = id (mergeSchema).
   */
  @Test
  void goldenSchemaChanges() {
    DeltaTestTables.copyTable(
        "golden/time-travel-schema-changes-b", warehouse.resolve("g/sc"), 60_000);
    SchemaTableName name = new SchemaTableName("g", "sc");
    ConnectorTableHandle v0 =
        connector.metadata().getTableHandle(name, new TableVersion.AtVersion(0)).orElseThrow();
    assertThat(connector.metadata().getTableMetadata(v0).schema().getFields())
        .extracting(f -> f.getName())
        .containsExactly("id");
    assertThat(ids(v0, "id")).isEqualTo(range(0, 10));
    ConnectorTableHandle v1 =
        connector.metadata().getTableHandle(name, new TableVersion.AtVersion(1)).orElseThrow();
    assertThat(connector.metadata().getTableMetadata(v1).schema().getFields())
        .extracting(f -> f.getName())
        .containsExactly("id", "part");
    List<Long> parts = new java.util.ArrayList<>(java.util.Collections.nCopies(10, (Long) null));
    parts.addAll(range(10, 20));
    assertThat(ids(v1, "part")).isEqualTo(parts);
  }

  /**
   * Golden table time-travel-partition-changes-b: version 0 is ids 0..9 partitioned by part5 = id %
   * 5; version 1 overwrites it with ids 10..19 partitioned by part2 = id % 2.
   */
  @Test
  void goldenPartitionChanges() {
    DeltaTestTables.copyTable(
        "golden/time-travel-partition-changes-b", warehouse.resolve("g/pc"), 60_000);
    SchemaTableName name = new SchemaTableName("g", "pc");
    ConnectorTableHandle v0 =
        connector.metadata().getTableHandle(name, new TableVersion.AtVersion(0)).orElseThrow();
    assertThat(ids(v0, "id")).isEqualTo(range(0, 10));
    assertThat(ids(v0, "part5")).isEqualTo(List.of(0L, 0L, 1L, 1L, 2L, 2L, 3L, 3L, 4L, 4L));
    ConnectorTableHandle v1 =
        connector.metadata().getTableHandle(name, new TableVersion.AtVersion(1)).orElseThrow();
    assertThat(ids(v1, "id")).isEqualTo(range(10, 20));
    assertThat(ids(v1, "part2")).isEqualTo(List.of(0L, 0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L, 1L));
  }
}
