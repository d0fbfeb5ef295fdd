package io.oxbow.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.connector.delta.DeltaTableWriter;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade end to end over a real Delta table written to a temporary warehouse. */
class TestQueryEngine {
  private static final int ROWS = 50_000;

  @TempDir static Path warehouse;
  private static QueryEngine engine;
  private static Session session;

  @BeforeAll
  static void setUp() throws Exception {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("grp", ArrowType.Utf8.INSTANCE),
                new Field("amount", FieldType.nullable(new ArrowType.Decimal(15, 2, 128)), null)));
    try (BufferAllocator allocator = new RootAllocator();
        DeltaTableWriter writer =
            DeltaTableWriter.create(warehouse.resolve("s").resolve("t"), schema, 20_000)) {
      for (int start = 0; start < ROWS; start += 4096) {
        int n = Math.min(4096, ROWS - start);
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
          BigIntVector id = (BigIntVector) root.getVector(0);
          VarCharVector grp = (VarCharVector) root.getVector(1);
          DecimalVector amount = (DecimalVector) root.getVector(2);
          for (int i = 0; i < n; i++) {
            long row = start + i;
            id.setSafe(i, row);
            grp.setSafe(i, ("g" + row % 3).getBytes(StandardCharsets.UTF_8));
            if (row % 10 == 0) {
              amount.setNull(i);
            } else {
              amount.setSafe(i, BigDecimal.valueOf(row % 1000, 2));
            }
          }
          root.setRowCount(n);
          writer.write(root);
        }
      }
      writer.commit();
    }
    engine =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("lake", "delta", Map.of("warehouse", warehouse.toString()))
                .withUser("admin", "admin")
                .withDefaultNamespace("lake", "s")
                .withQueryMemoryLimit(64L << 20));
    session = engine.newSession("admin");
  }

  @AfterAll
  static void tearDown() {
    // closing the root allocator throws if any query leaked a buffer
    engine.close();
  }

  @Test
  void aggregatesExactly() {
    List<List<Object>> rows =
        run(
            "SELECT grp, count(*), count(amount), sum(amount), min(id), max(id) "
                + "FROM lake.s.t GROUP BY grp ORDER BY grp");
    List<List<Object>> expected = new ArrayList<>();
    for (int g = 0; g < 3; g++) {
      long count = 0;
      long nonNull = 0;
      long cents = 0;
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (long row = 0; row < ROWS; row++) {
        if (row % 3 != g) {
          continue;
        }
        count++;
        min = Math.min(min, row);
        max = Math.max(max, row);
        if (row % 10 != 0) {
          nonNull++;
          cents += row % 1000;
        }
      }
      expected.add(List.of("g" + g, count, nonNull, BigDecimal.valueOf(cents, 2), min, max));
    }
    assertThat(rows).isEqualTo(expected);
  }

  @Test
  void unqualifiedNamesUseTheSessionDefaults() {
    assertThat(run("SELECT count(*) FROM t WHERE id < 100")).containsExactly(List.of(100L));
  }

  @Test
  void describeReturnsTheResultColumnsWithoutRunning() {
    Schema schema = engine.describe(session, "SELECT id, amount * 2 AS twice FROM t");
    assertThat(schema.getFields()).extracting(Field::getName).containsExactly("id", "twice");
  }

  @Test
  void errorsCarryStableCodesAndTheEngineKeepsServing() {
    assertThatThrownBy(() -> engine.execute(session, "SELEC 1"))
        .isInstanceOf(OxbowException.class)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
    assertThatThrownBy(() -> engine.execute(session, "SELECT * FROM nosuch"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("nosuch")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThat(run("SELECT count(*) FROM t")).containsExactly(List.of((long) ROWS));
  }

  /** All rows of {@code sql} on {@code engine} as strings. */
  private static List<String> rowsOf(QueryEngine on, String sql) {
    List<String> rows = new java.util.ArrayList<>();
    try (QueryResult result = on.execute(on.newSession("admin"), sql)) {
      VectorSchemaRoot batch;
      while ((batch = result.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          for (int r = 0; r < b.getRowCount(); r++) {
            rows.add(b.getVector(0).getObject(r) + "," + b.getVector(1).getObject(r));
          }
        }
      }
    }
    return rows;
  }

  @Test
  void aSortOverTheMemoryLimitSpillsToTheConfiguredDirectory(@TempDir Path spill) throws Exception {
    String sql = "SELECT grp, id FROM lake.s.t ORDER BY grp DESC, id";
    OxbowConfig base =
        OxbowConfig.defaults()
            .withCatalog("lake", "delta", Map.of("warehouse", warehouse.toString()))
            .withQueryMemoryLimit(1_500_000)
            // one thread: under a limit this small, pages read ahead by parallel workers would
            // take a share of it that depends on timing
            .withQueryThreads(1);
    List<String> expected;
    try (QueryEngine unlimited =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("lake", "delta", Map.of("warehouse", warehouse.toString())))) {
      expected = rowsOf(unlimited, sql);
    }
    assertThat(expected).hasSize(ROWS);
    // without spilling the sort cannot hold the table under this limit
    try (QueryEngine noSpill = new QueryEngine(base.withSpill(spill.toString(), false))) {
      assertThatThrownBy(() -> rowsOf(noSpill, sql))
          .isInstanceOfSatisfying(
              OxbowException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    }
    // with spilling it writes sorted runs under the configured directory and gets every row right
    try (QueryEngine spilling = new QueryEngine(base.withSpill(spill.toString(), true))) {
      assertThat(rowsOf(spilling, sql)).isEqualTo(expected);
    }
    try (var left = java.nio.file.Files.list(spill)) {
      assertThat(left).as("spill folders removed").isEmpty();
    }
  }

  @Test
  void queryOverItsMemoryLimitFailsClearlyAndReleasesEverything() {
    try (QueryEngine small =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("lake", "delta", Map.of("warehouse", warehouse.toString()))
                .withQueryMemoryLimit(200_000))) {
      Session s = small.newSession("admin");
      assertThatThrownBy(
              () -> {
                try (QueryResult result = small.execute(s, "SELECT * FROM lake.s.t ORDER BY grp")) {
                  VectorSchemaRoot batch;
                  while ((batch = result.next()) != null) {
                    batch.close();
                  }
                }
              })
          .isInstanceOf(OxbowException.class)
          .satisfies(
              e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    }
  }

  @Test
  void explainAnalyzeRunsTheQueryAndReportsEachOperator() {
    List<List<Object>> lines = run("EXPLAIN ANALYZE SELECT grp, count(*) FROM t GROUP BY grp");
    String text = String.join("\n", lines.stream().map(l -> (String) l.get(0)).toList());
    assertThat(text)
        .contains("== Engine plan ==")
        .contains("HashAggregate")
        .contains("== Execution ==")
        .containsPattern("== Execution ==\nplanning: \\d+ ms\ntotal: ")
        .contains("total: ")
        .contains(", 3 rows, peak memory ")
        .contains("ScanOperator: rows=" + ROWS + ", batches=")
        .contains("HashAggregationOperator: rows=3, batches=1");

    // a join's build side and a union's inputs run as pipelines of their own, listed under them
    List<String> join =
        run(
                "EXPLAIN ANALYZE SELECT count(*) FROM t a JOIN (SELECT id FROM t WHERE grp = 'g1') b"
                    + " ON a.id = b.id")
            .stream()
            .map(l -> (String) l.get(0))
            .toList();
    int hashJoin =
        join.indexOf(
            join.stream()
                .filter(l -> l.startsWith("HashJoinOperator: "))
                .findFirst()
                .orElseThrow());
    assertThat(join.get(hashJoin + 1)).isEqualTo("  [build side]");
    // the Delta scan returns only the rows that can pass its pushed-down grp = 'g1' (row % 3 = 1)
    long g1Rows = (ROWS + 1) / 3;
    assertThat(join.subList(hashJoin + 2, join.size()))
        .anySatisfy(l -> assertThat(l).startsWith("    FilterOperator: rows=" + g1Rows + ", "))
        .anySatisfy(l -> assertThat(l).startsWith("    ScanOperator: rows=" + g1Rows + ", "));
    // the probe side's scan was offered the build side's keys
    assertThat(join.subList(hashJoin, join.size()))
        .anySatisfy(
            l -> assertThat(l).matches("  dynamic filters: id BETWEEN \\d+ AND \\d+ IN \\d+ keys"));
    List<String> union =
        run("EXPLAIN ANALYZE SELECT id FROM t UNION ALL SELECT id FROM t").stream()
            .map(l -> (String) l.get(0))
            .toList();
    assertThat(union).contains("  [input 1]", "  [input 2]");
    assertThat(union.stream().filter(l -> l.startsWith("    ScanOperator: rows=" + ROWS + ", ")))
        .hasSize(2);
  }

  @Test
  void memoryCatalogTablesAreCreatedFilledQueriedAndDropped() {
    try (QueryEngine memory =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("scratch", "memory", Map.of())
                .withCatalog("lake", "delta", Map.of("warehouse", warehouse.toString()))
                .withDefaultNamespace("scratch", "main"))) {
      Session s = memory.newSession("admin");
      assertThat(
              memory
                  .describe(s, "CREATE TABLE t (id INTEGER, name VARCHAR(10), price DECIMAL(6, 2))")
                  .getFields())
          .isEmpty();
      assertThat(
              memory.executeUpdate(
                  s, "CREATE TABLE t (id INTEGER, name VARCHAR(10), price DECIMAL(6, 2))"))
          .isZero();
      assertThat(memory.executeUpdate(s, "INSERT INTO t VALUES (1, 'a', 1.50), (2, NULL, 2)"))
          .isEqualTo(2);
      assertThat(memory.executeUpdate(s, "INSERT INTO t (price, id) VALUES (NULL, 3)"))
          .isEqualTo(1);
      assertThat(
              memory.executeUpdate(
                  s, "INSERT INTO scratch.main.t SELECT id + 10, name, price FROM t"))
          .isEqualTo(3);
      List<List<Object>> rows = new ArrayList<>();
      try (QueryResult result = memory.execute(s, "SELECT id, name, price FROM t ORDER BY id")) {
        while (true) {
          VectorSchemaRoot batch = result.next();
          if (batch == null) {
            break;
          }
          try (batch) {
            for (int r = 0; r < batch.getRowCount(); r++) {
              List<Object> row = new ArrayList<>();
              for (FieldVector v : batch.getFieldVectors()) {
                Object value = v.getObject(r);
                row.add(
                    value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
              }
              rows.add(row);
            }
          }
        }
      }
      assertThat(rows)
          .containsExactly(
              java.util.Arrays.asList(1, "a", new BigDecimal("1.50")),
              java.util.Arrays.asList(2, null, new BigDecimal("2.00")),
              java.util.Arrays.asList(3, null, null),
              java.util.Arrays.asList(11, "a", new BigDecimal("1.50")),
              java.util.Arrays.asList(12, null, new BigDecimal("2.00")),
              java.util.Arrays.asList(13, null, null));
      assertThatThrownBy(() -> memory.executeUpdate(s, "CREATE TABLE t (x INTEGER)"))
          .hasMessageContaining("already exists");
      assertThatThrownBy(() -> memory.executeUpdate(s, "INSERT INTO t (nope) VALUES (1)"))
          .hasMessageContaining("nope");
      assertThatThrownBy(() -> memory.executeUpdate(s, "CREATE TABLE nope.s.x (a INTEGER)"))
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining("Catalog 'nope' not found");
      assertThatThrownBy(() -> memory.executeUpdate(s, "SELECT 1"))
          .hasMessageContaining("Not an update");

      // indexes are accepted and kept nowhere; DROP TABLE frees the table's memory
      assertThat(memory.executeUpdate(s, "CREATE UNIQUE INDEX t_id ON t (id)")).isZero();
      assertThatThrownBy(() -> memory.executeUpdate(s, "CREATE INDEX t_x ON t (x)"))
          .isInstanceOfSatisfying(
              OxbowException.class,
              e -> assertThat(e.code()).isEqualTo(io.oxbow.spi.error.ErrorCode.NOT_FOUND))
          .hasMessage("Column 'x' not found in table t");
      assertThat(memory.executeUpdate(s, "DROP INDEX t_id")).isZero();
      assertThat(memory.executeUpdate(s, "DROP TABLE t")).isZero();
      assertThatThrownBy(() -> memory.execute(s, "SELECT id FROM t"))
          .hasMessageContaining("'t' not found");
      assertThat(memory.executeUpdate(s, "DROP TABLE IF EXISTS t")).isZero();
      assertThatThrownBy(() -> memory.executeUpdate(s, "DROP TABLE t"))
          .hasMessage("Table 't' not found");
      assertThatThrownBy(() -> memory.executeUpdate(s, "DROP TABLE lake.s.x"))
          .hasMessageContaining("not found");
      assertThat(memory.executeUpdate(s, "CREATE TABLE t (id BIGINT PRIMARY KEY)")).isZero();
      assertThat(memory.executeUpdate(s, "INSERT INTO t VALUES (7)")).isEqualTo(1);
      assertThat(memory.executeUpdate(s, "DROP TABLE scratch.main.t")).isZero();
    }
  }

  private static List<List<Object>> run(String sql) {
    List<List<Object>> rows = new ArrayList<>();
    try (QueryResult result = engine.execute(session, sql)) {
      while (true) {
        VectorSchemaRoot next = result.next();
        if (next == null) {
          break;
        }
        try (VectorSchemaRoot batch = next) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector vector : batch.getFieldVectors()) {
              Object value = vector.getObject(r);
              row.add(value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }
}
