package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestDdlStatements extends AbstractPlannerTest {
  @Test
  void readsDropTableCreateIndexAndDropIndex() {
    assertThat(DdlStatements.parse("DROP TABLE t1"))
        .contains(new DdlStatements.DropTable(List.of("t1"), false));
    assertThat(DdlStatements.parse("drop table if exists Lake.\"Tpch\".T -- gone\n;"))
        .contains(new DdlStatements.DropTable(List.of("lake", "Tpch", "t"), true));
    assertThat(DdlStatements.parse("CREATE UNIQUE INDEX t1i0 ON t1(a1 DESC, b1)"))
        .contains(new DdlStatements.CreateIndex("t1i0", List.of("t1"), List.of("a1", "b1")));
    assertThat(DdlStatements.parse("create index if not exists i on s.t (x)"))
        .contains(new DdlStatements.CreateIndex("i", List.of("s", "t"), List.of("x")));
    assertThat(DdlStatements.parse("DROP INDEX IF EXISTS i"))
        .contains(new DdlStatements.DropIndex("i"));
  }

  @Test
  void leavesOtherStatementsToCalcite() {
    for (String sql :
        List.of(
            "SELECT 1",
            "CREATE TABLE t (a INT)",
            "DROP VIEW v",
            "select * from \"drop table x\"",
            "/* DROP TABLE t */ SELECT 1")) {
      assertThat(DdlStatements.parse(sql)).as(sql).isEmpty();
    }
  }

  @Test
  void malformedDdlSaysWhere() {
    assertThatThrownBy(() -> DdlStatements.parse("DROP TABLE"))
        .isInstanceOf(OxbowException.class)
        .hasMessage("Syntax error: Expected a name at the end of the statement");
    assertThatThrownBy(() -> DdlStatements.parse("DROP TABLE t u"))
        .hasMessage("Syntax error at line 1, column 14: Unexpected text, near \"u\"");
    assertThatThrownBy(() -> DdlStatements.parse("CREATE INDEX i ON t\n  a, b)"))
        .hasMessage("Syntax error at line 2, column 3: Expected \"(\", near \"a\"");
    assertThatThrownBy(() -> DdlStatements.parse("DROP TABLE IF t"))
        .hasMessage("Syntax error at line 1, column 15: Expected EXISTS, near \"t\"");
  }

  @Test
  void blanksColumnLevelKeysKeepingPositions() {
    String sql =
        "CREATE TABLE t1(\n  a1 INTEGER PRIMARY KEY,\n  b1 INTEGER UNIQUE,\n  x1 VARCHAR(40)\n)";
    String blanked = DdlStatements.withoutColumnKeys(sql);
    assertThat(blanked)
        .isEqualTo(
            "CREATE TABLE t1(\n  a1 INTEGER            ,\n  b1 INTEGER       ,\n"
                + "  x1 VARCHAR(40)\n)");
    // table-level constraints and other statements are left alone
    String tableKey = "CREATE TABLE t (a INT, b INT, PRIMARY KEY (a), UNIQUE (b))";
    assertThat(DdlStatements.withoutColumnKeys(tableKey)).isEqualTo(tableKey);
    String query = "SELECT a AS primary_key FROM t";
    assertThat(DdlStatements.withoutColumnKeys(query)).isEqualTo(query);
  }

  @Test
  void createTableWithColumnKeysPlans() {
    PlannedQuery planned =
        planner.plan("CREATE TABLE fresh (id BIGINT PRIMARY KEY, code VARCHAR UNIQUE)", session);
    assertThat(planned.change()).isInstanceOf(DataChange.CreateTable.class);
    DataChange.CreateTable create = (DataChange.CreateTable) planned.change();
    assertThat(create.columns().getFields())
        .extracting(f -> f.getName())
        .containsExactly("id", "code");
  }

  @Test
  void dropTablePlansAgainstAnExistingTable() {
    assertThat(planner.plan("DROP TABLE lineitem", session).change())
        .isInstanceOf(DataChange.DropTable.class);
    assertThat(planner.plan("DROP TABLE IF EXISTS nope", session).change())
        .isEqualTo(new DataChange.None("DROP TABLE"));
    assertThatThrownBy(() -> planner.plan("DROP TABLE nope", session))
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
        .hasMessage("Table 'nope' not found");
    assertThatThrownBy(() -> planner.plan("DROP TABLE nocatalog.tpch.lineitem", session))
        .hasMessage("Catalog 'nocatalog' not found");
    assertThatThrownBy(() -> planner.plan("EXPLAIN DROP TABLE lineitem", session))
        .hasMessage("EXPLAIN takes a query, not a DDL statement");
  }

  @Test
  void createIndexChecksTableAndColumnsAndChangesNothing() {
    assertThat(planner.plan("CREATE INDEX li ON lineitem (l_orderkey, l_tax)", session).change())
        .isEqualTo(new DataChange.None("CREATE INDEX"));
    assertThatThrownBy(() -> planner.plan("CREATE INDEX li ON lineitem (nope)", session))
        .hasMessage("Column 'nope' not found in table lineitem");
    assertThatThrownBy(() -> planner.plan("CREATE INDEX li ON nope (a)", session))
        .hasMessage("Table 'nope' not found");
    assertThat(planner.plan("DROP INDEX li", session).change())
        .isEqualTo(new DataChange.None("DROP INDEX"));
  }
}
