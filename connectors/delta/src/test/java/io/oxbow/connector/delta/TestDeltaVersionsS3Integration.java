package io.oxbow.connector.delta;

import static io.oxbow.connector.delta.DeltaTestTables.commitTime;
import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableVersion;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Time travel, history and the change data feed of the delta-rs table {@code deltars/cdf} stored in
 * S3 (s3proxy, filesystem backend, commit files dated by the test); expected answers are delta-rs's
 * own ({@code cdf_expected}).
 */
class TestDeltaVersionsS3Integration {
  private static final SchemaTableName CDF = new SchemaTableName("s", "cdf");
  private static TestingS3Server server;
  private BufferAllocator allocator;
  private Connector connector;

  @BeforeAll
  static void start() {
    server = new TestingS3Server();
    Path bucket = server.createBucket("lake");
    DeltaTestTables.copyTable("deltars/cdf", bucket.resolve("wh/s/cdf"), 60_000);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    connector =
        new DeltaConnectorFactory().create("lake", server.catalogProperties("s3://lake/wh"));
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close();
  }

  @Test
  void timeTravel() {
    for (long v = 0; v <= 4; v++) {
      ConnectorTableHandle handle =
          connector.metadata().getTableHandle(CDF, new TableVersion.AtVersion(v)).orElseThrow();
      List<Map<String, Object>> rows =
          DeltaTestTables.read(
              connector, handle, List.of("id", "name", "amount", "part"), allocator);
      rows.sort(Comparator.comparing(r -> (Long) r.get("id")));
      assertThat(rows)
          .isEqualTo(DeltaTestTables.expectedRows("deltars/cdf_expected/version_" + v + ".jsonl"));
    }
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, commitTime(3).plusSeconds(30));
    ConnectorTableHandle handle =
        connector
            .metadata()
            .getTableHandle(CDF, new TableVersion.AtTimestamp(micros))
            .orElseThrow();
    assertThat(connector.metadata().tableVersion(handle)).hasValue(3);
  }

  @Test
  void history() {
    ConnectorTableHandle handle = connector.metadata().getHistoryHandle(CDF).orElseThrow();
    List<Map<String, Object>> rows =
        DeltaTestTables.read(
            connector, handle, List.of("version", "timestamp", "operation"), allocator);
    List<Map<String, Object>> expected =
        DeltaTestTables.expectedRows("deltars/cdf_expected/history.jsonl");
    assertThat(rows).hasSize(expected.size());
    for (int i = 0; i < rows.size(); i++) {
      long version = (Long) expected.get(i).get("version");
      assertThat(rows.get(i))
          .isEqualTo(
              Map.of(
                  "version",
                  version,
                  "timestamp",
                  commitTime(version),
                  "operation",
                  expected.get(i).get("operation")));
    }
  }

  @Test
  void changeDataFeed() {
    ConnectorTableHandle handle =
        connector.metadata().getChangesHandle(CDF, 0, OptionalLong.empty()).orElseThrow();
    List<String> columns =
        List.of("id", "name", "amount", "part", "_change_type", "_commit_version");
    Comparator<Map<String, Object>> order =
        Comparator.<Map<String, Object>, Long>comparing(r -> (Long) r.get("_commit_version"))
            .thenComparing(r -> (Long) r.get("id"))
            .thenComparing(r -> (String) r.get("_change_type"));
    List<Map<String, Object>> rows = DeltaTestTables.read(connector, handle, columns, allocator);
    rows.sort(order);
    List<Map<String, Object>> expected =
        new java.util.ArrayList<>(
            DeltaTestTables.expectedRows("deltars/cdf_expected/changes.jsonl"));
    expected.sort(order);
    assertThat(rows).isEqualTo(expected);
  }
}
