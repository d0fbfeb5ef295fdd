package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Test helpers: copies the delta-rs test tables into a warehouse and reads tables through the SPI.
 */
final class DeltaTestTables {
  static final ObjectMapper JSON = new ObjectMapper();

  /** When the tests say commit {@code v} of a copied table happened: 2024-01-01 plus v minutes. */
  static final Instant FIRST_COMMIT = Instant.parse("2024-01-01T00:00:00Z");

  private DeltaTestTables() {}

  static Instant commitTime(long version) {
    return FIRST_COMMIT.plusSeconds(60 * version);
  }

  /** The folder of a test resource. */
  static Path resource(String name) {
    try {
      return Path.of(DeltaTestTables.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Copies the delta-rs table {@code deltars/<table>} to {@code warehouse/<schema>/<table>} and
   * sets each commit file's modification time to {@link #commitTime}.
   */
  static Path copyDeltaRsTable(Path warehouse, String schema, String table) {
    return copyTable("deltars/" + table, warehouse.resolve(schema).resolve(table), 60_000);
  }

  /**
   * Copies the table folder {@code resource} to {@code to}; commit {@code v}'s file gets the
   * modification time {@link #FIRST_COMMIT} plus {@code v * stepMillis}.
   */
  static Path copyTable(String resource, Path to, long stepMillis) {
    Path from = resource(resource);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
        }
      }
      try (Stream<Path> commits = Files.list(to.resolve("_delta_log"))) {
        for (Path commit : commits.toList()) {
          String name = commit.getFileName().toString();
          if (name.matches("\\d{20}\\.json")) {
            long version = Long.parseLong(name.substring(0, 20));
            Files.setLastModifiedTime(
                commit, FileTime.from(FIRST_COMMIT.plusMillis(version * stepMillis)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }

  /** Rows of a JSON-lines expectation file, as maps of column to Java value. */
  static List<Map<String, Object>> expectedRows(String resource) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(resource(resource))) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode node = JSON.readTree(line);
        Map<String, Object> row = new HashMap<>();
        node.fields().forEachRemaining(e -> row.put(e.getKey(), value(e.getValue())));
        rows.add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private static Object value(JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    return node.asText();
  }

  /**
   * Reads every split of a handle: one map per row, column name to value (integers as Long,
   * floating point as Double, strings as String, timestamps as Instant, other types as Arrow gives
   * them).
   */
  static List<Map<String, Object>> read(
      Connector connector, ConnectorTableHandle handle, List<String> columns, BufferAllocator a) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ConnectorSplit split : connector.splitManager().getSplits(handle)) {
      rows.addAll(readSplit(connector, handle, split, columns, a));
    }
    return rows;
  }

  static List<Map<String, Object>> readSplit(
      Connector connector,
      ConnectorTableHandle handle,
      ConnectorSplit split,
      List<String> columns,
      BufferAllocator allocator) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (ConnectorPageSource source =
        connector.pageSourceProvider().createPageSource(handle, split, columns, allocator)) {
      VectorSchemaRoot batch;
      while ((batch = source.nextBatch()) != null) {
        try (VectorSchemaRoot b = batch) {
          assertThat(b.getSchema().getFields()).extracting(Field::getName).isEqualTo(columns);
          for (int r = 0; r < b.getRowCount(); r++) {
            Map<String, Object> row = new HashMap<>();
            for (FieldVector v : b.getFieldVectors()) {
              row.put(v.getName(), get(v, r));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  static Object get(FieldVector v, int i) {
    if (v.isNull(i)) {
      return null;
    }
    if (v instanceof TimeStampVector t) {
      long micros = t.get(i);
      return Instant.EPOCH.plusNanos(micros * 1000);
    }
    Object o = v.getObject(i);
    if (o instanceof Float || o instanceof Double) {
      return ((Number) o).doubleValue();
    }
    if (o instanceof Byte || o instanceof Short || o instanceof Integer || o instanceof Long) {
      return ((Number) o).longValue();
    }
    return o instanceof org.apache.arrow.vector.util.Text t ? t.toString() : o;
  }
}
