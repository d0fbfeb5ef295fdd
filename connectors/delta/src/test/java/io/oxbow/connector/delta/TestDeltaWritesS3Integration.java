package io.oxbow.connector.delta;

import static io.oxbow.connector.delta.DeltaLogOracle.actions;
import static io.oxbow.connector.delta.DeltaLogOracle.latestVersion;
import static io.oxbow.connector.delta.DeltaLogOracle.liveFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.connector.delta.TestDeltaWrites.Event;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorWriter;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delta writes and {@code COPY INTO} on S3 (s3proxy, filesystem backend): a catalog whose warehouse
 * is {@code s3://lake/wh} creates, appends to (two writers at once), overwrites, rewrites and drops
 * tables, with commits as conditional PUTs. The objects land as files in the proxy's bucket folder,
 * where {@link DeltaLogOracle} replays the log and DuckDB reads the data independently.
 */
class TestDeltaWritesS3Integration {
  private static final String BUCKET = "lake";
  private static TestingS3Server server;
  private static Path bucket;
  private BufferAllocator allocator;
  private Connector connector;
  private ConnectorMetadata metadata;

  @BeforeAll
  static void start() {
    server = new TestingS3Server();
    bucket = server.createBucket(BUCKET);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    connector =
        new DeltaConnectorFactory()
            .create("lake", server.catalogProperties("s3://" + BUCKET + "/wh"));
    metadata = connector.metadata();
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close(); // fails on a leaked buffer
  }

  private void write(ConnectorWriter writer, List<Event> rows) {
    try (VectorSchemaRoot root = TestDeltaWrites.batch(allocator, rows)) {
      writer.write(root);
    }
  }

  private ConnectorTableHandle handle(SchemaTableName name) {
    return metadata.getTableHandle(name).orElseThrow();
  }

  private static void assertRows(Path table, List<String> partitions, List<Event> expected) {
    DeltaLogOracle.assertRows(
        table,
        TestDeltaWrites.DUCK_COLUMNS,
        partitions,
        expected.stream().map(Event::sql).toList());
  }

  @Test
  void createAppendOverwriteRewriteAndDropOnS3() throws Exception {
    SchemaTableName name = new SchemaTableName("sales", "events");
    metadata.createTable(
        name,
        TestDeltaWrites.SCHEMA,
        new TableOptions(
            Optional.of("delta"), List.of("region"), Optional.empty(), Map.of("owner", "etl")));
    Path table = bucket.resolve("wh").resolve("sales").resolve("events");
    assertThat(latestVersion(table)).isZero();
    assertThat(metadata.listTables("sales")).containsExactly("events");

    // two writers append at once: both land (kernel retries the second as version 2)
    ConnectorWriter first = metadata.beginInsert(handle(name), false);
    ConnectorWriter second = metadata.beginInsert(handle(name), false);
    write(first, TestDeltaWrites.events(0, 120));
    write(second, TestDeltaWrites.events(120, 200));
    List<Throwable> failures = commitTogether(first, second);
    assertThat(failures).containsOnlyNulls();
    assertThat(latestVersion(table)).isEqualTo(2);
    assertThat(actions(table, 1, "add"))
        .allSatisfy(add -> assertThat(add.get("stats").asText()).contains("\"numRecords\""));
    assertRows(table, List.of("region"), TestDeltaWrites.events(0, 200));

    // two overwrites at once: one wins, the other is a CONFLICT and leaves no files behind
    ConnectorWriter a = metadata.beginInsert(handle(name), true);
    ConnectorWriter b = metadata.beginInsert(handle(name), true);
    write(a, TestDeltaWrites.events(1000, 1010));
    write(b, TestDeltaWrites.events(2000, 2020));
    failures = commitTogether(a, b);
    assertThat(failures.stream().filter(f -> f == null).count()).isEqualTo(1);
    Throwable loser = failures.stream().filter(f -> f != null).findFirst().orElseThrow();
    assertThat(((OxbowException) loser).code()).isEqualTo(ErrorCode.CONFLICT);
    List<Event> current =
        failures.get(0) == null
            ? TestDeltaWrites.events(1000, 1010)
            : TestDeltaWrites.events(2000, 2020);
    assertThat(latestVersion(table)).isEqualTo(3);
    assertRows(table, List.of("region"), current);
    assertThat(DeltaLogOracle.parquetFilesOnDisk(table))
        .isEqualTo(liveFiles(table).size() + actions(table, 3, "remove").size());

    // rewrite the 'west' file
    ConnectorTableHandle pinned = handle(name);
    String westFile =
        liveFiles(table).values().stream()
            .filter(f -> "west".equals(f.get("partitionValues").get("region").asText(null)))
            .map(f -> f.get("path").asText())
            .findFirst()
            .orElseThrow();
    List<Event> expected = new ArrayList<>();
    List<Event> rewritten = new ArrayList<>();
    for (Event e : current) {
      if ("west".equals(e.region())) {
        rewritten.add(e.withAmount(new BigDecimal("-3.50")));
      } else {
        expected.add(e);
      }
    }
    try (ConnectorWriter writer = metadata.beginRewrite(pinned, Set.of(westFile))) {
      write(writer, rewritten);
      writer.commit();
    }
    expected.addAll(rewritten);
    assertRows(table, List.of("region"), expected);

    // external table on S3; dropping it keeps its data, dropping the managed one deletes it
    SchemaTableName external = new SchemaTableName("sales", "ext");
    metadata.createTable(
        external,
        TestDeltaWrites.SCHEMA,
        new TableOptions(
            Optional.empty(), List.of(), Optional.of("s3://" + BUCKET + "/ext/t"), Map.of()));
    try (ConnectorWriter writer = metadata.beginInsert(handle(external), false)) {
      write(writer, TestDeltaWrites.events(0, 30));
      writer.commit();
    }
    assertThat(metadata.listTables("sales")).containsExactly("events", "ext");
    metadata.dropTable(handle(external));
    metadata.dropTable(handle(name));
    assertThat(metadata.listTables("sales")).isEmpty();
    assertThat(metadata.getTableHandle(name)).isEmpty();
    assertThat(regularFiles(table)).isZero();
    assertRows(bucket.resolve("ext").resolve("t"), List.of(), TestDeltaWrites.events(0, 30));
  }

  @Test
  void copyIntoFromAnS3FolderLoadsEachFileOnce() throws Exception {
    SchemaTableName name = new SchemaTableName("etl", "loads");
    metadata.createTable(name, TestDeltaWrites.SCHEMA);
    Path incoming = bucket.resolve("incoming");
    Files.createDirectories(incoming.resolve("2024"));
    Files.writeString(
        incoming.resolve("a.csv"),
        "id,region,amount,day,ts,note\n1,east,1.50,2024-01-02,2024-01-02 03:04:05,x\n"
            + "2,,2.50,2024-01-03,2024-01-03 00:00:00.000001,\"a,b\"\n");
    Files.writeString(incoming.resolve("2024").resolve("b.csv"), "id,note\n3,deep\n");
    assertThat(metadata.copyInto(handle(name), "s3://lake/incoming/", "csv", Map.of(), allocator))
        .isEqualTo(3);
    assertThat(metadata.copyInto(handle(name), "s3://lake/incoming", "csv", Map.of(), allocator))
        .isZero();
    Files.writeString(incoming.resolve("c.csv"), "id,amount\n4,-0.01\n");
    assertThat(metadata.copyInto(handle(name), "s3a://lake/incoming", "csv", Map.of(), allocator))
        .isEqualTo(1);
    // a prefix without objects does not exist, as a missing local folder
    assertThatThrownBy(
            () ->
                metadata.copyInto(
                    handle(name), "s3://lake/no-such-prefix/", "csv", Map.of(), allocator))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("does not exist")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
    Path table = bucket.resolve("wh").resolve("etl").resolve("loads");
    assertThat(latestVersion(table)).isEqualTo(2);
    DeltaLogOracle.assertRows(
        table,
        TestDeltaWrites.DUCK_COLUMNS,
        List.of(),
        List.of(
            "(1, 'east', 1.50, DATE '2024-01-02', TIMESTAMPTZ '2024-01-02 03:04:05+00', 'x')",
            "(2, NULL, 2.50, DATE '2024-01-03', TIMESTAMPTZ '2024-01-03 00:00:00.000001+00',"
                + " 'a,b')",
            "(3, NULL, NULL, NULL, NULL, 'deep')",
            "(4, NULL, -0.01, NULL, NULL, NULL)"));
  }

  private static long regularFiles(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  private static List<Throwable> commitTogether(ConnectorWriter first, ConnectorWriter second)
      throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Throwable>> results = new ArrayList<>();
      for (ConnectorWriter writer : List.of(first, second)) {
        results.add(
            pool.submit(
                () -> {
                  try (writer) {
                    barrier.await();
                    writer.commit();
                    return null;
                  } catch (RuntimeException e) {
                    return e;
                  }
                }));
      }
      List<Throwable> failures = new ArrayList<>();
      for (Future<Throwable> result : results) {
        failures.add(result.get());
      }
      return failures;
    } finally {
      pool.shutdownNow();
    }
  }
}
