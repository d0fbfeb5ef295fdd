package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ColumnPredicate.Op;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Time travel, DESCRIBE HISTORY, table_changes, the file column and filter pushdown, planned and
 * run over {@link VersionedTestConnector} (catalog {@code lake}, table {@code s.events}: version N
 * has ids 1..N+1, committed on 2026-01-0(N+1) UTC).
 */
class TestVersionedReads {
  private VersionedTestConnector lake;
  private InMemoryConnector mem;
  private OxbowPlanner planner;
  private final PlannerSession session = new PlannerSession("test", "lake", "s");
  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    lake = new VersionedTestConnector();
    mem =
        new InMemoryConnector("m")
            .table("t", VersionedTestConnector.HISTORY, List.of(List.of(1L, 0L, "x")));
    planner =
        new OxbowPlanner(
            new CatalogProvider() {
              @Override
              public List<String> catalogNames() {
                return List.of("lake", "mem");
              }

              @Override
              public Optional<Connector> connector(String name) {
                return switch (name) {
                  case "lake" -> Optional.of(lake);
                  case "mem" -> Optional.of(mem);
                  default -> Optional.empty();
                };
              }
            });
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  @Test
  void versionAsOf() {
    assertThat(ids("SELECT id FROM events ORDER BY id")).containsExactly(1L, 2L, 3L);
    assertThat(ids("SELECT id FROM events VERSION AS OF 0")).containsExactly(1L);
    assertThat(ids("SELECT id FROM lake.s.events FOR VERSION AS OF 1 ORDER BY id"))
        .containsExactly(1L, 2L);
    assertThat(ids("SELECT e.id FROM EVENTS VERSION AS OF 1 AS e ORDER BY e.id"))
        .containsExactly(1L, 2L);
    assertThat(ids("SELECT e.id FROM \"Events\" VERSION AS OF 1 e ORDER BY 1"))
        .containsExactly(1L, 2L);
  }

  @Test
  void versionsJoinedAndInSubqueries() {
    assertThat(
            ids(
                "SELECT a.id FROM events VERSION AS OF 2 a"
                    + " LEFT JOIN events VERSION AS OF 0 b ON a.id = b.id"
                    + " WHERE b.id IS NULL ORDER BY a.id"))
        .containsExactly(2L, 3L);
    assertThat(ids("SELECT id FROM events WHERE id NOT IN (SELECT id FROM events VERSION AS OF 1)"))
        .containsExactly(3L);
  }

  @Test
  void timestampAsOfPicksTheVersionCurrentAtThatInstant() {
    assertThat(ids("SELECT id FROM events TIMESTAMP AS OF '2026-01-01 23:59:59'"))
        .containsExactly(1L);
    assertThat(ids("SELECT id FROM events TIMESTAMP AS OF '2026-01-02' ORDER BY id"))
        .containsExactly(1L, 2L);
    assertThat(
            ids(
                "SELECT id FROM events FOR TIMESTAMP AS OF TIMESTAMP '2026-02-01 00:00:00'"
                    + " ORDER BY id"))
        .containsExactly(1L, 2L, 3L);
    assertThatThrownBy(() -> run("SELECT id FROM events TIMESTAMP AS OF '2025-12-31'"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("No version of s.events at or before that time");
  }

  @Test
  void describeHistoryIsNewestFirst() {
    List<List<Object>> rows = run("DESCRIBE HISTORY events");
    assertThat(rows)
        .containsExactly(
            List.of(2L, VersionedTestConnector.commitMicros(2), "WRITE"),
            List.of(1L, VersionedTestConnector.commitMicros(1), "WRITE"),
            List.of(0L, VersionedTestConnector.commitMicros(0), "CREATE TABLE AS SELECT"));
    assertThat(run("desc history lake.s.EVENTS limit 1"))
        .containsExactly(List.of(2L, VersionedTestConnector.commitMicros(2), "WRITE"));
    assertThat(String.join("\n", explain("EXPLAIN DESCRIBE HISTORY events")))
        .contains("handle=s.events$history");
  }

  @Test
  void tableChanges() {
    assertThat(
            run(
                "SELECT id, _change_type, _commit_version FROM table_changes('events', 1)"
                    + " ORDER BY _commit_version"))
        .containsExactly(List.of(2L, "insert", 1L), listOf(3L, "insert", 2L));
    assertThat(ids("SELECT id FROM table_changes('s.events', 1, 1)")).containsExactly(2L);
    assertThat(
            run(
                "SELECT count(*), min(_commit_timestamp) FROM"
                    + " table_changes('lake.s.events', 0, 2) c"))
        .containsExactly(List.of(3L, VersionedTestConnector.commitMicros(0)));
    assertThat(String.join("\n", explain("EXPLAIN SELECT * FROM table_changes('events', 0, 1)")))
        .contains("handle=s.events$changes@0-1");
    assertThatThrownBy(() -> run("SELECT * FROM table_changes('events')"))
        .isInstanceOf(OxbowException.class)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
    assertThatThrownBy(() -> run("SELECT * FROM table_changes('nosuch', 1)"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("not found")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  @Test
  void fileColumnSuffix() {
    assertThat(run("SELECT id, \"$file\" FROM \"events@v1$file\" ORDER BY id"))
        .containsExactly(List.of(1L, "part-0.parquet"), List.of(2L, "part-1.parquet"));
    assertThat(run("SELECT count(\"$file\") FROM lake.s.\"EVENTS$file\""))
        .containsExactly(List.of(3L));
  }

  @Test
  void unknownTablesAndVersionsAreClearErrors() {
    assertThatThrownBy(() -> run("SELECT * FROM nosuch VERSION AS OF 1"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("not found")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> run("SELECT * FROM events VERSION AS OF 9"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("Table s.events has no version 9")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }

  @Test
  void unversionedCatalogsSayWhatIsMissing() {
    assertThat(run("SELECT operation FROM mem.m.t WHERE version = 1"))
        .containsExactly(List.of("x"));
    for (String[] q :
        new String[][] {
          {"SELECT * FROM mem.m.t VERSION AS OF 1", "is not versioned"},
          {"SELECT * FROM mem.m.T TIMESTAMP AS OF '2026-01-01'", "is not versioned"},
          {"DESCRIBE HISTORY mem.m.t", "has no commit history"},
          {"SELECT * FROM table_changes('mem.m.t', 0)", "has no change data feed"}
        }) {
      assertThatThrownBy(() -> run(q[0]))
          .as(q[0])
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining(q[1])
          .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
    }
  }

  @Test
  void comparisonsAreOfferedWithValuesOfTheColumnType() {
    assertOffered("SELECT * FROM events WHERE id = 2", new ColumnPredicate("id", Op.EQ, l(2L)));
    assertOffered("SELECT * FROM events WHERE 2 < id", new ColumnPredicate("id", Op.GT, l(2L)));
    assertOffered("SELECT * FROM events WHERE id <> 2", new ColumnPredicate("id", Op.NE, l(2L)));
    assertOffered(
        "SELECT * FROM events WHERE name = 'bb'", new ColumnPredicate("name", Op.EQ, l("bb")));
    assertOffered(
        "SELECT * FROM events WHERE d >= date '2026-01-02'",
        new ColumnPredicate("d", Op.GE, l(LocalDate.parse("2026-01-02"))));
    assertOffered(
        "SELECT * FROM events WHERE d = '2026-01-02'",
        new ColumnPredicate("d", Op.EQ, l(LocalDate.parse("2026-01-02"))));
    assertOffered(
        "SELECT * FROM events WHERE ts < timestamp '2026-01-02 10:00:00.25'",
        new ColumnPredicate("ts", Op.LT, l(LocalDateTime.parse("2026-01-02T10:00:00.25"))));
    assertOffered(
        "SELECT * FROM events WHERE amount > 2",
        new ColumnPredicate("amount", Op.GT, l(new BigDecimal("2.00"))));
    assertOffered(
        "SELECT * FROM events WHERE score <= 1", new ColumnPredicate("score", Op.LE, l(1.0)));
    assertOffered("SELECT * FROM events WHERE flag", new ColumnPredicate("flag", Op.EQ, l(true)));
    assertOffered(
        "SELECT * FROM events WHERE name IS NULL", new ColumnPredicate("name", Op.IS_NULL, l()));
    assertOffered(
        "SELECT * FROM events WHERE name IS NOT NULL",
        new ColumnPredicate("name", Op.IS_NOT_NULL, l()));
  }

  @Test
  void inListsRangesAndBetween() {
    assertOffered(
        "SELECT * FROM events WHERE id IN (1, 3)", new ColumnPredicate("id", Op.IN, l(1L, 3L)));
    assertOffered(
        "SELECT * FROM events WHERE name IN ('a', 'bb')",
        new ColumnPredicate("name", Op.IN, l("a", "bb")));
    // Calcite may type 'a' and 'bb' as CHAR(2) together; the values offered are the strings
    assertOffered(
        "SELECT * FROM events WHERE name = 'a' OR name = 'bb'",
        new ColumnPredicate("name", Op.IN, l("a", "bb")));
    assertThat(run("SELECT id FROM events WHERE name = 'a' OR 'bb' = name ORDER BY id"))
        .containsExactly(List.of(1L), List.of(2L));
    assertOffered(
        "SELECT * FROM events WHERE amount BETWEEN 1 AND 2.5",
        new ColumnPredicate(
            "amount", Op.BETWEEN, l(new BigDecimal("1.00"), new BigDecimal("2.50"))));
    assertOffered(
        "SELECT * FROM events WHERE id > 1 AND id < 3",
        new ColumnPredicate("id", Op.GT, l(1L)),
        new ColumnPredicate("id", Op.LT, l(3L)));
    // two ranges: offered as the range spanning both, which the engine then narrows
    assertOffered(
        "SELECT * FROM events WHERE id < 2 OR id > 5 AND id <= 9",
        new ColumnPredicate("id", Op.LE, l(9L)));
  }

  @Test
  void otherConjunctsAreNotOfferedAndTheEngineFilterStays() {
    assertThat(run("SELECT id FROM events WHERE id + 1 = 3 OR name = 'a' ORDER BY id"))
        .containsExactly(List.of(1L), List.of(2L));
    assertThat(lake.offered).isEmpty();
    assertThat(run("SELECT id FROM events WHERE id + 1 = 3 AND name = 'bb'"))
        .containsExactly(List.of(2L));
    assertThat(lake.offered).containsExactly(List.of(new ColumnPredicate("name", Op.EQ, l("bb"))));
    PlanNode plan = planner.plan("SELECT id FROM events WHERE id > 1", session).plan();
    FilterNode filter = AbstractPlannerTest.find(plan, FilterNode.class);
    assertThat(filter).isNotNull();
    assertThat(filter.input()).isInstanceOf(ScanNode.class);
    assertThat(((ScanNode) filter.input()).table().toString()).contains("files=2/3");
  }

  @Test
  void explainShowsFilesScannedOutOfAll() {
    String plan = String.join("\n", explain("EXPLAIN SELECT name FROM events WHERE id = 2"));
    assertThat(plan).contains("handle=s.events@v2 files=1/3 filter=[id EQ 2]");
    plan =
        String.join("\n", explain("EXPLAIN SELECT name FROM events VERSION AS OF 1 WHERE id > 0"));
    assertThat(plan).contains("handle=s.events@v1 files=2/2 filter=[id GT 0]");
    assertThat(run("SELECT name FROM events WHERE id = 2")).containsExactly(List.of("bb"));
  }

  @Test
  void filtersThroughAProjectionOfColumns() {
    assertThat(
            run(
                "SELECT x FROM (SELECT id AS x, name AS n FROM events VERSION AS OF 2) WHERE n ="
                    + " 'a'"))
        .containsExactly(List.of(1L));
    assertThat(lake.offered).containsExactly(List.of(new ColumnPredicate("name", Op.EQ, l("a"))));
  }

  @Test
  void aFilterOnOneSideOfASelfJoinDoesNotNarrowTheOtherSide() {
    // both sides scan the same table with the same columns: Calcite shares one scan node
    assertThat(run("SELECT count(*) FROM events a, events b WHERE a.name = 'a'"))
        .containsExactly(List.of(3L));
    assertThat(
            run(
                "SELECT count(*) FROM events a JOIN events b ON a.score < b.score"
                    + " WHERE a.flag"))
        .containsExactly(List.of(1L));
  }

  private void assertOffered(String sql, ColumnPredicate... expected) {
    lake.offered.clear();
    planner.plan(sql, session);
    assertThat(lake.offered).as(sql).containsExactly(List.of(expected));
  }

  private static List<Object> l(Object... values) {
    return List.of(values);
  }

  private static List<Object> listOf(Object... values) {
    return List.of(values);
  }

  private List<Long> ids(String sql) {
    List<Long> ids = new ArrayList<>();
    for (List<Object> row : run(sql)) {
      ids.add((Long) row.get(0));
    }
    return ids;
  }

  private List<String> explain(String sql) {
    PlannedQuery planned = planner.plan(sql, session);
    return ((ValuesNode) planned.plan()).rows().stream().map(r -> (String) r.get(0)).toList();
  }

  private List<List<Object>> run(String sql) {
    PlannedQuery planned = planner.plan(sql, session);
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = allocator.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(planned.plan(), new ExecutionContext("q", query))) {
      VectorSchemaRoot batch;
      while ((batch = stream.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          for (int r = 0; r < b.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : b.getFieldVectors()) {
              row.add(Values.get(v, r));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }
}
