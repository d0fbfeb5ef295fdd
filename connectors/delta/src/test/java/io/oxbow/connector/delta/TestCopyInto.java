package io.oxbow.connector.delta;

import static io.oxbow.connector.delta.DeltaLogOracle.actions;
import static io.oxbow.connector.delta.DeltaLogOracle.latestVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code COPY INTO} from folders of CSV, JSON and Parquet files: each file loads once, later runs
 * load only new files, bad data fails with the file and line and commits nothing. Expected rows
 * come from DuckDB reading the same source files (or are written out by hand), and the table is
 * read back without Oxbow ({@link DeltaLogOracle}).
 */
class TestCopyInto {
  private static final SchemaTableName ORDERS = new SchemaTableName("etl", "orders");
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("region", ArrowType.Utf8.INSTANCE),
              Field.nullable("amount", new ArrowType.Decimal(10, 2, 128)),
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
              Field.nullable("note", ArrowType.Utf8.INSTANCE),
              Field.nullable("qty", new ArrowType.Int(32, true)),
              Field.nullable("ok", ArrowType.Bool.INSTANCE),
              Field.nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
  private static final Map<String, String> DUCK_COLUMNS = new LinkedHashMap<>();

  static {
    DUCK_COLUMNS.put("id", "BIGINT");
    DUCK_COLUMNS.put("region", "VARCHAR");
    DUCK_COLUMNS.put("amount", "DECIMAL(10,2)");
    DUCK_COLUMNS.put("day", "DATE");
    DUCK_COLUMNS.put("ts", "TIMESTAMPTZ");
    DUCK_COLUMNS.put("note", "VARCHAR");
    DUCK_COLUMNS.put("qty", "INTEGER");
    DUCK_COLUMNS.put("ok", "BOOLEAN");
    DUCK_COLUMNS.put("score", "DOUBLE");
  }

  private static final String CSV_COLUMNS =
      "{'id': 'BIGINT', 'region': 'VARCHAR', 'amount': 'DECIMAL(10,2)', 'day': 'DATE',"
          + " 'ts': 'TIMESTAMPTZ', 'note': 'VARCHAR', 'qty': 'INTEGER', 'ok': 'BOOLEAN',"
          + " 'score': 'DOUBLE'}";

  @TempDir Path warehouse;
  @TempDir Path source;
  private BufferAllocator allocator;
  private Connector connector;
  private ConnectorMetadata metadata;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    connector =
        new DeltaConnectorFactory().create("lake", Map.of("warehouse", warehouse.toString()));
    metadata = connector.metadata();
    metadata.createTable(
        ORDERS,
        SCHEMA,
        new TableOptions(Optional.of("delta"), List.of("region"), Optional.empty(), Map.of()));
  }

  @AfterEach
  void tearDown() {
    connector.close();
    allocator.close(); // throws if a buffer leaked
  }

  private Path table() {
    return warehouse.resolve("etl").resolve("orders");
  }

  private ConnectorTableHandle handle() {
    return metadata.getTableHandle(ORDERS).orElseThrow();
  }

  private long copy(String from, String format, Map<String, String> options) {
    return metadata.copyInto(handle(), from, format, options, allocator);
  }

  private static void duck(String... statements) throws Exception {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = duck.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private String csvQuery(String file) {
    return "SELECT id, region, amount, day, ts, note, qty, ok, score FROM read_csv('"
        + source.resolve(file)
        + "', header = true, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false,"
        + " columns = "
        + CSV_COLUMNS
        + ")";
  }

  @Test
  void csvFilesLoadOnceAndLaterRunsLoadOnlyNewFiles() throws Exception {
    Files.writeString(
        source.resolve("a.csv"),
        "id,region,amount,day,ts,note,qty,ok,score\n"
            + "1,east,12.50,2024-01-05,2024-01-05 10:00:00,\"hello, world\",3,true,1.5\n"
            + "2,west,-0.75,2024-02-29,2024-02-29 23:59:59.123456,\"multi\nline\",,false,\n"
            + "3,,100,2024-03-01,2024-03-01 00:00:00,\"\",7,true,-2000\n");
    // columns in another order and case, one the table lacks, some missing
    Files.writeString(
        source.resolve("b.csv"),
        "ID,Note,Region,extra,amount\n10,x,north,zzz,1.00\n11,\"say \"\"hi\"\"\",east,yyy,2.00\n");
    Files.createDirectories(source.resolve("sub"));
    Files.writeString(
        source.resolve("sub").resolve("c.csv"),
        "id,region,amount,day,ts,note,qty,ok,score\n20,west,0.01,2023-12-31,2023-12-31"
            + " 23:00:00,ü ✓,-5,false,0.25\n");
    // never loaded: hidden, or not CSV
    Files.writeString(source.resolve("_partial.csv"), "garbage\n\"\n");
    Files.writeString(source.resolve("notes.txt"), "not data");

    assertThat(copy(source.toString(), "csv", Map.of())).isEqualTo(6);
    Path table = table();
    assertThat(latestVersion(table)).isEqualTo(1);
    String bExpected =
        "SELECT \"ID\" AS id, \"Region\" AS region, amount, NULL AS day, NULL AS ts,"
            + " \"Note\" AS note, NULL AS qty, NULL AS ok, NULL AS score FROM read_csv('"
            + source.resolve("b.csv")
            + "', header = true, columns = {'ID': 'BIGINT', 'Note': 'VARCHAR', 'Region':"
            + " 'VARCHAR', 'extra': 'VARCHAR', 'amount': 'DECIMAL(10,2)'})";
    String expected =
        csvQuery("a.csv") + " UNION ALL " + bExpected + " UNION ALL " + csvQuery("sub/c.csv");
    DeltaLogOracle.assertRowsEqualQuery(table, DUCK_COLUMNS, List.of("region"), expected);
    JsonNode loaded = copyIntoDomain(table, 1);
    assertThat(loaded.get("files")).hasSize(3);
    assertThat(loaded.get("files").get(0).get("path").asText())
        .isEqualTo(source.resolve("a.csv").toString());
    assertThat(loaded.get("files").get(0).get("size").asLong())
        .isEqualTo(Files.size(source.resolve("a.csv")));

    // the same statement again loads nothing and commits nothing
    assertThat(copy(source.toString(), "csv", Map.of())).isZero();
    assertThat(latestVersion(table)).isEqualTo(1);

    // a new file: only it is loaded
    Files.writeString(source.resolve("d.csv"), "id,region\n30,north\n31,north\n");
    assertThat(copy("file:" + source + "/", "CSV", Map.of())).isEqualTo(2);
    assertThat(latestVersion(table)).isEqualTo(2);
    String dExpected =
        "SELECT id, region, NULL AS amount, NULL AS day, NULL AS ts, NULL AS note, NULL AS qty,"
            + " NULL AS ok, NULL AS score FROM read_csv('"
            + source.resolve("d.csv")
            + "', header = true, columns = {'id': 'BIGINT', 'region': 'VARCHAR'})";
    DeltaLogOracle.assertRowsEqualQuery(
        table, DUCK_COLUMNS, List.of("region"), expected + " UNION ALL " + dExpected);
    assertThat(copyIntoDomain(table, 2).get("files")).hasSize(4);

    // force reloads every file
    assertThat(copy(source.toString(), "csv", Map.of("force", "true"))).isEqualTo(8);
  }

  private static JsonNode copyIntoDomain(Path table, long version) throws Exception {
    JsonNode domain =
        actions(table, version, "domainMetadata").stream()
            .filter(d -> d.get("domain").asText().equals("oxbow.copyInto"))
            .findFirst()
            .orElseThrow();
    return DeltaLogOracle.JSON.readTree(domain.get("configuration").asText());
  }

  @Test
  void parquetFilesWrittenByDuckDbLoadByColumnName() throws Exception {
    Path p1 = source.resolve("part-1.parquet");
    Path p2 = source.resolve("part-2.parquet");
    duck(
        "COPY (SELECT i::BIGINT AS \"ID\", (i * 3.25)::DECIMAL(10,2) AS amount,"
            + " ['east','west','north'][i % 3 + 1] AS region, DATE '2024-01-01' + i::INTEGER AS day,"
            + " TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL 61 MINUTE AS ts,"
            + " CASE WHEN i % 4 = 0 THEN NULL ELSE 'n' || i END AS note, (i % 100)::INTEGER AS"
            + " qty, i % 2 = 0 AS ok, i / 8.0 AS score, 'ignored' AS extra"
            + " FROM range(0, 3000) t(i)) TO '"
            + p1
            + "' (FORMAT parquet)",
        "COPY (SELECT i::BIGINT AS id, 'south' AS region, (i * 3.25)::DECIMAL(10,2) AS amount"
            + " FROM range(5000, 5100) t(i)) TO '"
            + p2
            + "' (FORMAT parquet)");
    assertThat(copy(source.toString(), "parquet", Map.of())).isEqualTo(3100);
    String expected =
        "SELECT \"ID\" AS id, region, amount, day, ts, note, qty, ok, score FROM read_parquet('"
            + p1
            + "') UNION ALL SELECT id, region, amount, NULL, NULL, NULL, NULL, NULL, NULL FROM"
            + " read_parquet('"
            + p2
            + "')";
    DeltaLogOracle.assertRowsEqualQuery(table(), DUCK_COLUMNS, List.of("region"), expected);
    assertThat(copy(source.toString(), "parquet", Map.of())).isZero();

    // a column of the wrong type is a clear error naming the file
    Path bad = source.resolve("part-3.parquet");
    duck("COPY (SELECT 1::BIGINT AS id, 'x' AS qty) TO '" + bad + "' (FORMAT parquet)");
    assertUserError(() -> copy(source.toString(), "parquet", Map.of()), "part-3.parquet");
    assertThat(latestVersion(table())).isEqualTo(1);
  }

  @Test
  void jsonLinesAndArraysLoadWithConversions() throws Exception {
    Files.writeString(
        source.resolve("a.json"),
        "{\"id\": 1, \"region\": \"east\", \"amount\": 12.5, \"day\": \"2024-01-05\","
            + " \"ts\": \"2024-01-05T10:00:00Z\", \"note\": \"a\", \"qty\": 3, \"ok\": true,"
            + " \"score\": 1.5, \"unknown\": [1]}\n"
            + "\n"
            + "{\"ID\": 2, \"amount\": \"3.25\", \"note\": {\"nested\": [1, 2]}, \"qty\": null,"
            + " \"ts\": \"2024-01-05 12:30:00+02:00\"}\n");
    Files.writeString(
        source.resolve("b.jsonl"),
        "[{\"id\": 3, \"region\": \"west\", \"score\": -1e-3, \"ok\": false},\n"
            + " {\"id\": 4, \"region\": null, \"qty\": 2147483647}]");
    assertThat(copy(source.toString(), "json", Map.of())).isEqualTo(4);
    DeltaLogOracle.assertRows(
        table(),
        DUCK_COLUMNS,
        List.of("region"),
        List.of(
            "(1, 'east', 12.50, DATE '2024-01-05', TIMESTAMPTZ '2024-01-05 10:00:00+00', 'a', 3,"
                + " true, 1.5)",
            "(2, NULL, 3.25, NULL, TIMESTAMPTZ '2024-01-05 10:30:00+00',"
                + " '{\"nested\":[1,2]}', NULL, NULL, NULL)",
            "(3, 'west', NULL, NULL, NULL, NULL, NULL, false, -0.001)",
            "(4, NULL, NULL, NULL, NULL, NULL, 2147483647, NULL, NULL)"));

    Files.writeString(source.resolve("c.json"), "{\"id\": 5}\n{\"id\": 6, \"qty\": 2147483648}\n");
    assertUserError(
        () -> copy(source.toString(), "json", Map.of()), "c.json line 2: cannot read JSON value");
    Files.writeString(source.resolve("c.json"), "{\"id\": 5}\n{\"id\": 6,\n");
    assertUserError(
        () -> copy(source.toString(), "json", Map.of()),
        "invalid JSON (in the record that starts on line 2)");
    assertThat(latestVersion(table())).isEqualTo(1);
  }

  @Test
  void badCsvDataFailsNamingFileAndLineAndCommitsNothing() throws Exception {
    Files.writeString(source.resolve("a.csv"), "id,region,amount\n1,east,1.00\n");
    Files.writeString(
        source.resolve("b.csv"), "id,region,amount\n2,west,2.00\n3,west,abc\n4,west,4.00\n");
    assertUserError(
        () -> copy(source.toString(), "csv", Map.of()),
        "b.csv line 3: cannot read 'abc' as Decimal(10, 2, 128) for column amount");
    assertThat(latestVersion(table())).isZero();
    assertThat(DeltaLogOracle.parquetFilesOnDisk(table())).isZero();

    Files.writeString(source.resolve("b.csv"), "id,region,amount\n2,west,2.00\n3,west\n");
    assertUserError(
        () -> copy(source.toString(), "csv", Map.of()),
        "b.csv line 3: the record has 2 fields but the header has 3");
    Files.writeString(source.resolve("b.csv"), "id,region,amount\n2,west,\"2.00\n");
    assertUserError(() -> copy(source.toString(), "csv", Map.of()), "is never closed");
    assertThat(latestVersion(table())).isZero();

    // fixed: both files load
    Files.writeString(source.resolve("b.csv"), "id,region,amount\n2,west,2.00\n");
    assertThat(copy(source.toString(), "csv", Map.of())).isEqualTo(2);
  }

  @Test
  void csvOptionsSeparatorQuoteNullValueAndNoHeader() throws Exception {
    Files.writeString(
        source.resolve("x.csv"),
        "1;east;5.00;NA;NA;'semi;colon';NA\r\n\r\n2;NA;NA;2024-06-01;2024-06-01 08:00:00;NA;9\r\n\n");
    assertThat(
            copy(
                source.toString(),
                "csv",
                Map.of("header", "false", "sep", ";", "quote", "'", "nullValue", "NA")))
        .isEqualTo(2);
    DeltaLogOracle.assertRows(
        table(),
        DUCK_COLUMNS,
        List.of("region"),
        List.of(
            "(1, 'east', 5.00, NULL, NULL, 'semi;colon', NULL, NULL, NULL)",
            "(2, NULL, NULL, DATE '2024-06-01', TIMESTAMPTZ '2024-06-01 08:00:00+00', NULL, 9,"
                + " NULL, NULL)"));
  }

  @Test
  void leadingByteOrderMarkIsSkipped() throws Exception {
    Files.writeString(source.resolve("a.csv"), "\uFEFFid,region,amount\n1,east,1.00\n");
    Files.writeString(source.resolve("b.json"), "\uFEFF{\"id\": 2, \"region\": \"west\"}\n");
    assertThat(copy(source.toString(), "csv", Map.of())).isEqualTo(1);
    assertThat(copy(source.toString(), "json", Map.of())).isEqualTo(1);
    DeltaLogOracle.assertRows(
        table(),
        DUCK_COLUMNS,
        List.of("region"),
        List.of(
            "(1, 'east', 1.00, NULL, NULL, NULL, NULL, NULL, NULL)",
            "(2, 'west', NULL, NULL, NULL, NULL, NULL, NULL, NULL)"));
  }

  @Test
  void badStatementsAreUserErrors() {
    assertUserError(() -> copy(source.toString(), "avro", Map.of()), "FILEFORMAT avro");
    assertUserError(
        () -> copy(source.toString(), "csv", Map.of("colour", "red")), "unknown option 'colour'");
    assertUserError(
        () -> copy(source.resolve("missing").toString(), "csv", Map.of()), "does not exist");
    assertUserError(
        () -> copy(source.toString(), "csv", Map.of("mergeSchema", "true")), "mergeSchema");
    assertThat(latestVersion(table())).isZero();
  }

  private static void assertUserError(Runnable action, String message) {
    assertThatThrownBy(action::run)
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }
}
