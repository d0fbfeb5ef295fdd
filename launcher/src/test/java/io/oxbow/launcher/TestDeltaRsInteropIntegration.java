package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oxbow.connector.delta.TestingS3Server;
import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.flight.OxbowFlightServer;
import io.oxbow.testing.TestingPythonEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oxbow and delta-rs (the Python {@code deltalake} package) read each other's Delta tables: tables
 * delta-rs wrote (partitions, deletes, updates, a checkpoint, timestamp without time zone, an added
 * column, the change data feed) read the same through Oxbow as through delta-rs (a column-mapped
 * table, which delta-rs itself reads back as NULLs, as the rows written), and a table Oxbow wrote
 * with CREATE, INSERT, UPDATE, DELETE and MERGE reads the same through delta-rs as the contents
 * worked out by hand. The checks themselves are in {@code delta_rs_interop.py}.
 */
class TestDeltaRsInteropIntegration {
  /** Check name to the number of rows delta-rs (or the hand-written answer) has. */
  private static final Map<String, Integer> EXPECTED_ROWS = new LinkedHashMap<>();

  static {
    EXPECTED_ROWS.put("events_latest", 130);
    EXPECTED_ROWS.put("events_version_1", 150);
    EXPECTED_ROWS.put("events_filtered", 43);
    EXPECTED_ROWS.put("column_mapping", 4);
    EXPECTED_ROWS.put("timestamp_ntz_added_column", 4);
    EXPECTED_ROWS.put("table_changes", 9);
    EXPECTED_ROWS.put("oxbow_written_read_by_delta_rs", 5);
    EXPECTED_ROWS.put("oxbow_written_read_by_oxbow", 5);
    EXPECTED_ROWS.put("oxbow_commits_seen_by_delta_rs", 6);
  }

  @Test
  void localWarehouse(@TempDir Path warehouse) throws IOException {
    Files.createDirectories(warehouse.resolve("rs"));
    Files.createDirectories(warehouse.resolve("oxw"));
    JsonNode results =
        run(Map.of("warehouse", warehouse.toString()), warehouse.toString(), Map.of());
    assertAllPassed(results);
  }

  @Test
  void s3Warehouse() throws IOException {
    try (TestingS3Server s3 = new TestingS3Server()) {
      Path bucket = s3.createBucket("lake");
      // schemas are prefixes; a marker object makes each one exist before any table does
      for (String schema : List.of("rs", "oxw")) {
        Files.createDirectories(bucket.resolve("wh").resolve(schema));
        Files.writeString(bucket.resolve("wh").resolve(schema).resolve(".keep"), "");
      }
      Map<String, String> storage =
          Map.of(
              "AWS_ENDPOINT_URL", s3.endpoint(),
              "AWS_ACCESS_KEY_ID", s3.accessKey(),
              "AWS_SECRET_ACCESS_KEY", s3.secretKey(),
              "AWS_REGION", s3.region(),
              "AWS_ALLOW_HTTP", "true");
      JsonNode results = run(s3.catalogProperties("s3://lake/wh"), "s3://lake/wh", storage);
      assertAllPassed(results);
    }
  }

  static JsonNode run(
      Map<String, String> catalogProperties, String warehouseUri, Map<String, String> storage)
      throws IOException {
    String script;
    try (InputStream in =
        TestDeltaRsInteropIntegration.class.getResourceAsStream("delta_rs_interop.py")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (QueryEngine engine =
            new QueryEngine(
                OxbowConfig.defaults()
                    .withCatalog("delta", "delta", catalogProperties)
                    .withUser("admin", "admin")
                    .withDefaultNamespace("delta", "rs")
                    .withFlightPort(0));
        OxbowFlightServer server = OxbowFlightServer.start(engine)) {
      String out =
          TestingPythonEnvironment.runScript(
              script,
              List.of(
                  "grpc://127.0.0.1:" + server.port(),
                  warehouseUri,
                  new ObjectMapper().writeValueAsString(storage)));
      return new ObjectMapper().readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
    }
  }

  static void assertAllPassed(JsonNode results) {
    assertThat(results.fieldNames()).toIterable().containsExactlyElementsOf(EXPECTED_ROWS.keySet());
    EXPECTED_ROWS.forEach(
        (check, rows) -> {
          JsonNode result = results.get(check);
          assertThat(result.get("ok").asBoolean())
              .as("%s: %s", check, result.get("detail").asText())
              .isTrue();
          assertThat(result.get("rows").asInt()).as(check).isEqualTo(rows);
        });
  }
}
