package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.planner.DataChange.Assignment;
import io.oxbow.planner.DataChange.MergeAction;
import io.oxbow.planner.DataChange.MergeClause;
import io.oxbow.planner.DataChange.MergeMatch;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestRowLevelStatements extends AbstractPlannerTest {
  private static RowLevelStatements.Statement parse(String sql) {
    return RowLevelStatements.parse(sql).orElseThrow();
  }

  @Test
  void readsDelete() {
    assertThat(parse("DELETE FROM t"))
        .isEqualTo(new RowLevelStatements.Delete(List.of("t"), Optional.empty(), Optional.empty()));
    assertThat(parse("delete from Lake.S.\"T\" AS x WHERE x.a IN (1, 2) AND (b > 3);"))
        .isEqualTo(
            new RowLevelStatements.Delete(
                List.of("lake", "s", "T"),
                Optional.of("x"),
                Optional.of("x.a IN (1, 2) AND (b > 3)")));
    assertThat(parse("DELETE FROM t u WHERE CASE WHEN a = 1 THEN true END"))
        .isEqualTo(
            new RowLevelStatements.Delete(
                List.of("t"), Optional.of("u"), Optional.of("CASE WHEN a = 1 THEN true END")));
  }

  @Test
  void readsUpdate() {
    assertThat(parse("UPDATE t SET a = a + 1, t.b = 'x, y' WHERE c = (SELECT max(c) FROM u)"))
        .isEqualTo(
            new RowLevelStatements.Update(
                List.of("t"),
                Optional.empty(),
                List.of(new Assignment("a", "a + 1"), new Assignment("b", "'x, y'")),
                Optional.of("c = (SELECT max(c) FROM u)")));
    assertThat(parse("update s.t as z set Z = coalesce(z, 0)"))
        .isEqualTo(
            new RowLevelStatements.Update(
                List.of("s", "t"),
                Optional.of("z"),
                List.of(new Assignment("z", "coalesce(z, 0)")),
                Optional.empty()));
  }

  @Test
  void readsMergeWithEveryClauseKind() {
    String sql =
        """
        MERGE INTO lake.s.target t
        USING (SELECT * FROM src WHERE ok) AS s
        ON t.id = s.id AND s.v IS NOT NULL
        WHEN MATCHED AND s.op = 'd' THEN DELETE
        WHEN MATCHED AND s.v > 10 THEN UPDATE SET v = s.v, note = CASE WHEN s.v > 5 THEN 'big' ELSE 'small' END
        WHEN MATCHED THEN UPDATE SET *
        WHEN NOT MATCHED AND s.v > 0 THEN INSERT (id, v) VALUES (s.id, s.v * 2)
        WHEN NOT MATCHED BY TARGET THEN INSERT *
        WHEN NOT MATCHED BY SOURCE AND t.v < 0 THEN DELETE
        WHEN NOT MATCHED BY SOURCE THEN UPDATE SET v = 0
        """;
    RowLevelStatements.Merge merge = (RowLevelStatements.Merge) parse(sql);
    assertThat(merge.table()).containsExactly("lake", "s", "target");
    assertThat(merge.alias()).contains("t");
    assertThat(merge.source()).isEqualTo("(SELECT * FROM src WHERE ok)");
    assertThat(merge.sourceName()).isEmpty();
    assertThat(merge.sourceAlias()).contains("s");
    assertThat(merge.on()).isEqualTo("t.id = s.id AND s.v IS NOT NULL");
    assertThat(merge.clauses())
        .containsExactly(
            new MergeClause(
                MergeMatch.MATCHED,
                Optional.of("s.op = 'd'"),
                MergeAction.DELETE,
                List.of(),
                false),
            new MergeClause(
                MergeMatch.MATCHED,
                Optional.of("s.v > 10"),
                MergeAction.UPDATE,
                List.of(
                    new Assignment("v", "s.v"),
                    new Assignment("note", "CASE WHEN s.v > 5 THEN 'big' ELSE 'small' END")),
                false),
            new MergeClause(
                MergeMatch.MATCHED, Optional.empty(), MergeAction.UPDATE, List.of(), true),
            new MergeClause(
                MergeMatch.NOT_MATCHED,
                Optional.of("s.v > 0"),
                MergeAction.INSERT,
                List.of(new Assignment("id", "s.id"), new Assignment("v", "s.v * 2")),
                false),
            new MergeClause(
                MergeMatch.NOT_MATCHED, Optional.empty(), MergeAction.INSERT, List.of(), true),
            new MergeClause(
                MergeMatch.NOT_MATCHED_BY_SOURCE,
                Optional.of("t.v < 0"),
                MergeAction.DELETE,
                List.of(),
                false),
            new MergeClause(
                MergeMatch.NOT_MATCHED_BY_SOURCE,
                Optional.empty(),
                MergeAction.UPDATE,
                List.of(new Assignment("v", "0")),
                false));
  }

  @Test
  void mergeSourceTableIsQuoted() {
    RowLevelStatements.Merge merge =
        (RowLevelStatements.Merge)
            parse("MERGE INTO t USING other.S.Src ON t.id = src.id WHEN MATCHED THEN DELETE");
    assertThat(merge.source()).isEqualTo("\"other\".\"s\".\"src\"");
    assertThat(merge.sourceName()).contains(List.of("other", "s", "src"));
    assertThat(merge.alias()).isEmpty();
    assertThat(merge.sourceAlias()).isEmpty();
  }

  @Test
  void readsCopyInto() {
    assertThat(
            parse(
                "COPY INTO s.t FROM 's3://bkt/in/' FILEFORMAT = CSV"
                    + " FORMAT_OPTIONS ('header' = 'true', 'Delimiter' = ';')"
                    + " COPY_OPTIONS ('force' = 'true')"))
        .isEqualTo(
            new RowLevelStatements.CopyInto(
                List.of("s", "t"),
                "s3://bkt/in/",
                "csv",
                Map.of("header", "true", "delimiter", ";", "force", "true")));
    assertThatThrownBy(() -> parse("COPY INTO t FROM '/x' FILEFORMAT = AVRO"))
        .hasMessageContaining("FILEFORMAT must be PARQUET, CSV or JSON, not AVRO");
  }

  @Test
  void rewritesInsertOverwriteKeepingPositions() {
    RowLevelStatements.Insert insert =
        (RowLevelStatements.Insert) parse("INSERT OVERWRITE TABLE t SELECT 1");
    assertThat(insert.overwrite()).isTrue();
    assertThat(insert.calciteText()).isEqualTo("INSERT INTO            t SELECT 1");
    insert = (RowLevelStatements.Insert) parse("insert into table t values (1)");
    assertThat(insert.overwrite()).isFalse();
    assertThat(insert.calciteText()).isEqualTo("insert into       t values (1)");
    assertThat(RowLevelStatements.parse("INSERT INTO t VALUES (1)")).isEmpty();
  }

  @Test
  void malformedStatementsSayWhere() {
    assertThatThrownBy(() -> parse("DELETE FROM t WHERE"))
        .isInstanceOf(OxbowException.class)
        .hasMessage("Syntax error: Expected a condition after WHERE at the end of the statement");
    assertThatThrownBy(() -> parse("UPDATE t SET a 1"))
        .hasMessage("Syntax error at line 1, column 16: Expected \"=\", near \"1\"");
    assertThatThrownBy(() -> parse("MERGE INTO t USING s ON t.a = s.a"))
        .hasMessage("Syntax error: Expected WHEN at the end of the statement");
    assertThatThrownBy(() -> parse("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN INSERT *"))
        .hasMessageContaining("Expected UPDATE or DELETE after WHEN MATCHED ... THEN");
    assertThatThrownBy(
            () ->
                parse(
                    "MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE"
                        + " WHEN MATCHED AND s.b THEN UPDATE SET a = 1"))
        .hasMessageContaining("only the last one may omit its AND condition");
    assertThatThrownBy(
            () ->
                parse(
                    "MERGE INTO t USING s ON t.a = s.a"
                        + " WHEN NOT MATCHED THEN INSERT (a, b) VALUES (s.a)"))
        .hasMessage("MERGE: INSERT has 2 columns but 1 values");
  }

  @Test
  void leavesOtherStatementsAlone() {
    for (String sql :
        List.of("SELECT 1", "CREATE TABLE t (a INT)", "INSERT INTO t SELECT 1", "DROP TABLE t")) {
      assertThat(RowLevelStatements.parse(sql)).as(sql).isEmpty();
    }
  }

  @Test
  void plansDeleteUpdateAndMergeWithResolvedTables() {
    DataChange.Delete delete =
        (DataChange.Delete) planner.plan("DELETE FROM parts WHERE p_size > 3", session).change();
    assertThat(delete.table().catalog()).isEqualTo("lake");
    assertThat(delete.table().name().toString()).isEqualTo("tpch.parts");
    assertThat(delete.alias()).isEqualTo("parts");
    assertThat(delete.condition()).contains("p_size > 3");
    assertThat(delete.table().columns()).isEqualTo(PARTS);

    DataChange.Update update =
        (DataChange.Update)
            planner.plan("UPDATE lake.tpch.parts p SET p_size = 1", session).change();
    assertThat(update.alias()).isEqualTo("p");
    assertThat(update.set()).containsExactly(new Assignment("p_size", "1"));

    DataChange.Merge merge =
        (DataChange.Merge)
            planner
                .plan(
                    "MERGE INTO parts USING sales.orders ON p_id = o_orderkey"
                        + " WHEN MATCHED THEN DELETE",
                    session)
                .change();
    assertThat(merge.alias()).isEqualTo("parts");
    assertThat(merge.sourceAlias()).isEqualTo("orders");
  }

  @Test
  void unknownTablesAndColumnsAreNamed() {
    assertThatThrownBy(() -> planner.plan("DELETE FROM nope WHERE x = 1", session))
        .isInstanceOf(OxbowException.class)
        .hasMessage("Table 'nope' not found")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThatThrownBy(() -> planner.plan("UPDATE parts SET colour = 'red'", session))
        .hasMessage("Column 'colour' not found in table tpch.parts");
    assertThatThrownBy(
            () ->
                planner.plan(
                    "MERGE INTO parts p USING parts p ON p.p_id = p.p_id WHEN MATCHED THEN DELETE",
                    session))
        .hasMessageContaining("give one of them an alias");
    assertThatThrownBy(() -> planner.plan("EXPLAIN DELETE FROM parts", session))
        .hasMessage("EXPLAIN takes a query, not a statement that changes data");
  }

  @Test
  void plansInsertOverwrite() {
    PlannedQuery planned = planner.plan("INSERT OVERWRITE TABLE parts (p_id) VALUES (7)", session);
    DataChange.Insert insert = (DataChange.Insert) planned.change();
    assertThat(insert.overwrite()).isTrue();
    assertThat(planned.plan().schema()).isEqualTo(PARTS);
    assertThat(
            ((DataChange.Insert)
                    planner.plan("INSERT INTO parts (p_id) VALUES (7)", session).change())
                .overwrite())
        .isFalse();
  }

  @Test
  void plansCopyInto() {
    DataChange.CopyInto copy =
        (DataChange.CopyInto)
            planner.plan("COPY INTO parts FROM '/data/in' FILEFORMAT = PARQUET", session).change();
    assertThat(copy.table().name().toString()).isEqualTo("tpch.parts");
    assertThat(copy.source()).isEqualTo("/data/in");
    assertThat(copy.format()).isEqualTo("parquet");
    assertThat(copy.options()).isEmpty();
  }
}
