package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.connector.delta.fs.RequestCounters;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Delta table written to S3 (s3proxy) with {@link DeltaTableWriter} and read back through a
 * catalog whose warehouse is {@code s3://bucket/wh}; the same rows written to a local folder and
 * read by DuckDB are the expected answer. The object-store request counters show the read needs no
 * HEAD and few requests per file.
 */
class TestDeltaConnectorS3Integration {
  private static final String BUCKET = "lake";
  private static final int ROWS = 20_000;
  private static final int ROWS_PER_FILE = 5_000;
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("qty", new ArrowType.Int(32, true)),
              Field.nullable("price", new ArrowType.Decimal(15, 2, 128)),
              Field.nullable("ratio", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
              Field.nullable("name", ArrowType.Utf8.INSTANCE),
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("flag", ArrowType.Bool.INSTANCE)));

  private static TestingS3Server server;
  @TempDir static Path local;
  private BufferAllocator allocator;

  @BeforeAll
  static void start() {
    server = new TestingS3Server();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close(); // fails on a leaked buffer
  }

  private void fill(DeltaTableWriter writer) {
    for (int start = 0; start < ROWS; start += 1000) {
      try (VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
        root.allocateNew();
        for (int i = 0; i < 1000; i++) {
          int r = start + i;
          ((BigIntVector) root.getVector(0)).setSafe(i, r);
          if (r % 11 == 0) {
            ((IntVector) root.getVector(1)).setNull(i);
          } else {
            ((IntVector) root.getVector(1)).setSafe(i, r % 97);
          }
          ((DecimalVector) root.getVector(2)).setSafe(i, BigDecimal.valueOf(r * 37L - 5000, 2));
          ((Float8Vector) root.getVector(3)).setSafe(i, r / 8.0);
          if (r % 13 == 0) {
            ((VarCharVector) root.getVector(4)).setNull(i);
          } else {
            ((VarCharVector) root.getVector(4))
                .setSafe(i, ("name " + r + (r % 5 == 0 ? " ünïcode" : "")).getBytes());
          }
          ((DateDayVector) root.getVector(5)).setSafe(i, 10_000 + r % 400);
          ((BitVector) root.getVector(6)).setSafe(i, r % 3 == 0 ? 1 : 0);
        }
        root.setRowCount(1000);
        writer.write(root);
      }
    }
    writer.commit();
  }

  @Test
  void readsATableOnS3LikeDuckDbReadsTheSameRows() throws Exception {
    try (DeltaFileIO io = new DeltaFileIO(server.s3Options())) {
      try (DeltaTableWriter writer =
          DeltaTableWriter.create(
              io, "s3://" + BUCKET + "/wh/sales/orders", SCHEMA, ROWS_PER_FILE)) {
        fill(writer);
      }
      // one conditional PUT for the commit, one PUT per data file, and no HEAD: the writer's
      // file-status check after each Parquet file is answered from what was uploaded
      assertThat(io.requestCounters().heads()).isZero();
      assertThat(io.requestCounters().puts()).isEqualTo(ROWS / ROWS_PER_FILE + 1);
    }
    Path localTable = local.resolve("orders");
    try (DeltaTableWriter writer = DeltaTableWriter.create(localTable, SCHEMA, ROWS_PER_FILE)) {
      fill(writer);
    }
    // folders that are not tables are not listed
    server
        .client()
        .putObject(
            r -> r.bucket(BUCKET).key("wh/sales/notes/readme.txt"),
            software.amazon.awssdk.core.sync.RequestBody.fromString("not a table"));
    server
        .client()
        .putObject(
            r -> r.bucket(BUCKET).key("wh/_tmp/x"),
            software.amazon.awssdk.core.sync.RequestBody.fromString("hidden"));

    try (Connector connector =
        new DeltaConnectorFactory().create("lake", server.catalogProperties("s3://lake/wh"))) {
      RequestCounters counters = ((DeltaConnector) connector).fileIO().requestCounters();
      assertThat(connector.metadata().listSchemaNames()).containsExactly("sales");
      assertThat(connector.metadata().listTables("sales")).containsExactly("orders");
      assertThat(connector.metadata().listTables("nosuchschema")).isEmpty();
      assertThat(connector.metadata().getTableHandle(new SchemaTableName("sales", "notes")))
          .isEmpty();
      assertThat(counters.heads()).isZero();

      counters.reset();
      ConnectorTableHandle table =
          connector.metadata().getTableHandle(new SchemaTableName("sales", "orders")).orElseThrow();
      List<ConnectorSplit> splits = connector.splitManager().getSplits(table);
      assertThat(splits).hasSize(ROWS / ROWS_PER_FILE);
      long metadataLists = counters.lists();
      long metadataGets = counters.gets();
      List<String> columns = SCHEMA.getFields().stream().map(Field::getName).toList();
      List<List<Object>> rows = read(connector, table, splits, columns);

      assertThat(sorted(rows)).isEqualTo(duckDb(localTable, "*"));
      // one LIST for the table's existence, one for its log; no HEAD at all
      assertThat(counters.heads()).isZero();
      assertThat(metadataLists).isLessThanOrEqualTo(2);
      assertThat(counters.lists()).isEqualTo(metadataLists);
      // per data file: the footer tail and the first row group's column chunks
      assertThat(counters.gets() - metadataGets).isLessThanOrEqualTo(2L * splits.size());

      // looking the table up again reuses its snapshot: its log is listed, not read
      counters.reset();
      ConnectorTableHandle again =
          connector.metadata().getTableHandle(new SchemaTableName("sales", "orders")).orElseThrow();
      assertThat(connector.splitManager().getSplits(again)).hasSize(ROWS / ROWS_PER_FILE);
      assertThat(counters.gets()).isZero();
      assertThat(counters.heads()).isZero();
      assertThat(counters.lists()).isLessThanOrEqualTo(2);

      // a projection fetches only its columns' chunks
      counters.reset();
      List<List<Object>> names = read(connector, table, splits, List.of("name"));
      assertThat(sorted(names)).isEqualTo(duckDb(localTable, "name"));
      assertThat(counters.heads()).isZero();
      assertThat(counters.gets()).isLessThanOrEqualTo(2L * splits.size() + 2);

      // page sources start fetching their files as soon as they are created, in parallel
      counters.reset();
      List<ConnectorPageSource> sources = new ArrayList<>();
      try {
        for (ConnectorSplit split : splits) {
          sources.add(
              connector.pageSourceProvider().createPageSource(table, split, columns, allocator));
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (counters.gets() < 2L * splits.size() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        // footer tail and first row group of every file, before any batch was asked for
        assertThat(counters.gets()).isEqualTo(2L * splits.size());
        long total = 0;
        for (ConnectorPageSource source : sources) {
          VectorSchemaRoot batch;
          while ((batch = source.nextBatch()) != null) {
            total += batch.getRowCount();
            batch.close();
          }
        }
        assertThat(total).isEqualTo(ROWS);
        // everything was served from what had been fetched ahead
        assertThat(counters.gets()).isEqualTo(2L * splits.size());
      } finally {
        sources.forEach(ConnectorPageSource::close);
      }
    }
  }

  @Test
  void keyLikeColumnsAreSampledWithAFewSmallReads() {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("repeated", new ArrowType.Int(64, true)),
                Field.nullable("unique", new ArrowType.Int(64, true))));
    int rows = 40_000;
    try (DeltaFileIO io = new DeltaFileIO(server.s3Options());
        DeltaTableWriter writer =
            DeltaTableWriter.create(io, "s3://" + BUCKET + "/keys/s/keyed", schema, rows)) {
      for (int start = 0; start < rows; start += 4000) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
          root.allocateNew();
          for (int i = 0; i < 4000; i++) {
            ((BigIntVector) root.getVector(0)).setSafe(i, ((start + i) / 4) * 4L);
            ((BigIntVector) root.getVector(1)).setSafe(i, start + i);
          }
          root.setRowCount(4000);
          writer.write(root);
        }
      }
      writer.commit();
    }
    try (Connector connector =
        new DeltaConnectorFactory().create("lake", server.catalogProperties("s3://lake/keys"))) {
      RequestCounters counters = ((DeltaConnector) connector).fileIO().requestCounters();
      counters.reset();
      ConnectorTableHandle table =
          connector.metadata().getTableHandle(new SchemaTableName("s", "keyed")).orElseThrow();
      var metadata = connector.metadata().getTableMetadata(table);
      assertThat(metadata.column("repeated").distinctValues().getAsDouble()).isEqualTo(10_000.0);
      assertThat(metadata.column("unique").distinctValues().getAsDouble()).isEqualTo(40_000.0);
      // three GETs read the log (as without sampling); then the data file's footer tail and one
      // small ranged read for "repeated" ("unique" is stored plain: Parquet's writer drops a
      // dictionary that saves nothing, and a column without one is not read)
      assertThat(counters.gets()).isEqualTo(5);
      assertThat(counters.heads()).isZero();
    }
  }

  @Test
  void catalogPropertiesAreChecked() {
    Map<String, String> properties = new HashMap<>(server.catalogProperties("s3://lake/wh"));
    properties.put("s3.unknown", "x");
    assertThatThrownBy(() -> new DeltaConnectorFactory().create("c", properties))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("unknown delta connector property 's3.unknown'");
    properties.remove("s3.unknown");
    properties.remove(DeltaConnectorFactory.S3_SECRET_KEY);
    assertThatThrownBy(() -> new DeltaConnectorFactory().create("c", properties))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("s3.aws-secret-key");
    properties.put(DeltaConnectorFactory.S3_SECRET_KEY, server.secretKey());
    properties.put(DeltaConnectorFactory.S3_PATH_STYLE_ACCESS, "yes");
    assertThatThrownBy(() -> new DeltaConnectorFactory().create("c", properties))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("must be true or false");
    properties.put(DeltaConnectorFactory.S3_PATH_STYLE_ACCESS, "true");
    properties.put(DeltaConnectorFactory.S3_MAX_CONNECTIONS, "0");
    assertThatThrownBy(() -> new DeltaConnectorFactory().create("c", properties))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("positive");
    properties.put(DeltaConnectorFactory.S3_MAX_CONNECTIONS, "8");
    properties.put(DeltaConnectorFactory.WAREHOUSE, "s3://");
    assertThatThrownBy(() -> new DeltaConnectorFactory().create("c", properties))
        .isInstanceOf(RuntimeException.class);

    // wrong keys: listing fails with a clear source error, not an internal one
    properties.put(DeltaConnectorFactory.WAREHOUSE, "s3://lake/wh");
    properties.put(DeltaConnectorFactory.S3_SECRET_KEY, "wrong");
    try (Connector connector = new DeltaConnectorFactory().create("c", properties)) {
      assertThatThrownBy(() -> connector.metadata().listSchemaNames())
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining("s3://lake/wh");
    }
  }

  private List<List<Object>> read(
      Connector connector,
      ConnectorTableHandle table,
      List<ConnectorSplit> splits,
      List<String> columns) {
    List<List<Object>> rows = new ArrayList<>();
    for (ConnectorSplit split : splits) {
      try (ConnectorPageSource source =
          connector.pageSourceProvider().createPageSource(table, split, columns, allocator)) {
        VectorSchemaRoot batch;
        while ((batch = source.nextBatch()) != null) {
          try (VectorSchemaRoot b = batch) {
            for (int r = 0; r < b.getRowCount(); r++) {
              List<Object> row = new ArrayList<>();
              for (FieldVector vector : b.getFieldVectors()) {
                row.add(normalize(vector.isNull(r) ? null : vector.getObject(r), vector));
              }
              rows.add(row);
            }
          }
        }
      }
    }
    return rows;
  }

  private static Object normalize(Object value, FieldVector vector) {
    if (value == null) {
      return null;
    }
    if (vector instanceof DateDayVector) {
      return LocalDate.ofEpochDay(((Number) value).longValue()).toString();
    }
    if (value instanceof Number n && !(value instanceof BigDecimal) && !(value instanceof Double)) {
      return n.longValue();
    }
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return value instanceof org.apache.arrow.vector.util.Text ? value.toString() : value;
  }

  private static List<List<Object>> duckDb(Path table, String columns) throws Exception {
    List<List<Object>> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT "
                    + columns
                    + " FROM read_parquet('"
                    + table.toString().replace("'", "''")
                    + "/*.parquet')")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          if (v == null) {
            row.add(null);
          } else if (v instanceof BigDecimal d) {
            row.add(d.toPlainString());
          } else if (v instanceof java.sql.Date || v instanceof LocalDate) {
            row.add(v.toString());
          } else if (v instanceof Number num && !(v instanceof Double)) {
            row.add(num.longValue());
          } else {
            row.add(v);
          }
        }
        rows.add(row);
      }
    }
    return sorted(rows);
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> copy = new ArrayList<>(rows);
    copy.sort((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
    return copy;
  }
}
