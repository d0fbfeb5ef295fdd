package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class TestCreateTableOptions extends AbstractPlannerTest {
  @Test
  void readsDeltaClausesInAnyOrder() {
    String sql =
        "CREATE TABLE IF NOT EXISTS s.events (id BIGINT, day DATE, kind STRING)\n"
            + "TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', delta.appendOnly = false)\n"
            + "PARTITIONED BY (day, Kind) USING DELTA COMMENT 'all events'\n"
            + "LOCATION 's3://bkt/events'";
    RowLevelStatements.CreateTable create =
        (RowLevelStatements.CreateTable) RowLevelStatements.parse(sql).orElseThrow();
    assertThat(create.name()).containsExactly("s", "events");
    assertThat(create.ifNotExists()).isTrue();
    assertThat(create.comment()).contains("all events");
    assertThat(create.options())
        .isEqualTo(
            new TableOptions(
                Optional.of("delta"),
                List.of("day", "kind"),
                Optional.of("s3://bkt/events"),
                Map.of("delta.enableChangeDataFeed", "true", "delta.appendOnly", "false")));
    // the clauses are blanked for Calcite, keeping every position
    String calcite = create.calciteText().orElseThrow();
    assertThat(calcite).hasSameSizeAs(sql);
    assertThat(calcite.strip())
        .isEqualTo("CREATE TABLE IF NOT EXISTS s.events (id BIGINT, day DATE, kind STRING)");
  }

  @Test
  void plainCreateTableIsLeftToCalcite() {
    assertThat(RowLevelStatements.parse("CREATE TABLE t (a INT)")).isEmpty();
    assertThat(RowLevelStatements.parse("CREATE TABLE t AS SELECT 1 AS a")).isEmpty();
  }

  @Test
  void plansCreateUsingDeltaWithOptions() {
    PlannedQuery planned =
        planner.plan(
            "CREATE TABLE fresh (id BIGINT, name STRING, n LONG) USING DELTA PARTITIONED BY (name)"
                + " TBLPROPERTIES ('k' = 'v')",
            session);
    DataChange.CreateTable create = (DataChange.CreateTable) planned.change();
    assertThat(create.name().toString()).isEqualTo("tpch.fresh");
    assertThat(create.columns())
        .isEqualTo(
            new Schema(
                List.of(
                    Field.nullable("id", new ArrowType.Int(64, true)),
                    Field.nullable("name", ArrowType.Utf8.INSTANCE),
                    Field.nullable("n", new ArrowType.Int(64, true)))));
    assertThat(create.options().format()).contains("delta");
    assertThat(create.options().partitionedBy()).containsExactly("name");
    assertThat(create.options().properties()).containsEntry("k", "v");
  }

  @Test
  void plansCreateTableAsSelect() {
    PlannedQuery planned =
        planner.plan(
            "CREATE TABLE copy USING DELTA PARTITIONED BY (flag) AS"
                + " SELECT l_orderkey AS Id, l_returnflag AS flag FROM lineitem",
            session);
    DataChange.CreateTableAs create = (DataChange.CreateTableAs) planned.change();
    assertThat(create.name().toString()).isEqualTo("tpch.copy");
    assertThat(create.options().partitionedBy()).containsExactly("flag");
    assertThat(planned.plan().schema())
        .isEqualTo(
            new Schema(
                List.of(
                    Field.nullable("id", new ArrowType.Int(64, true)),
                    Field.nullable("flag", ArrowType.Utf8.INSTANCE))));
    // without Delta clauses too
    assertThat(planner.plan("CREATE TABLE c2 AS SELECT 1 AS one", session).change())
        .isInstanceOf(DataChange.CreateTableAs.class);
  }

  @Test
  void registersAnExistingTableByLocation() {
    DataChange.CreateTable create =
        (DataChange.CreateTable)
            planner.plan("CREATE TABLE ext USING DELTA LOCATION 's3://bkt/ext'", session).change();
    assertThat(create.columns().getFields()).isEmpty();
    assertThat(create.options().location()).contains("s3://bkt/ext");
  }

  @Test
  void existingTablesAndBadClausesAreClearErrors() {
    assertThatThrownBy(() -> planner.plan("CREATE TABLE parts (a INT) USING DELTA", session))
        .isInstanceOf(OxbowException.class)
        .hasMessage(
            "Table lake.tpch.parts already exists (use CREATE TABLE IF NOT EXISTS to skip it)");
    assertThat(
            planner.plan("CREATE TABLE IF NOT EXISTS parts (a INT) USING DELTA", session).change())
        .isEqualTo(new DataChange.None("CREATE TABLE"));
    assertThatThrownBy(
            () -> planner.plan("CREATE TABLE t2 (a INT) USING DELTA PARTITIONED BY (b)", session))
        .hasMessage("Column 'b' not found in table tpch.t2");
    assertThatThrownBy(
            () -> planner.plan("CREATE TABLE t2 (a INT) USING DELTA CLUSTER BY (a)", session))
        .hasMessageContaining(
            "Expected USING, PARTITIONED BY, LOCATION, COMMENT, TBLPROPERTIES or AS");
    assertThatThrownBy(() -> planner.plan("CREATE TABLE t2 USING DELTA", session))
        .hasMessageContaining("needs columns, AS <query>, or LOCATION of an existing table");
  }
}
