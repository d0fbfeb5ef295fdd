package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.ScanNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestProjectionPushdown extends AbstractPlannerTest {
  private List<String> scanned(String sql) {
    return find(plan(sql), ScanNode.class).columns();
  }

  @Test
  void scanListsOnlyTheColumnsTheQueryNeeds() {
    assertThat(scanned(Q6))
        .containsExactlyInAnyOrder("l_quantity", "l_extendedprice", "l_discount", "l_shipdate");
    assertThat(scanned(Q1))
        .containsExactlyInAnyOrder(
            "l_quantity",
            "l_extendedprice",
            "l_discount",
            "l_tax",
            "l_returnflag",
            "l_linestatus",
            "l_shipdate");
    assertThat(scanned("SELECT l_tax FROM lineitem WHERE l_orderkey > 1 ORDER BY l_shipdate"))
        .containsExactlyInAnyOrder("l_tax", "l_orderkey", "l_shipdate");
    assertThat(scanned("SELECT upper(l_comment) FROM lineitem")).containsExactly("l_comment");
  }

  @Test
  void scanSchemaMatchesItsColumns() {
    ScanNode scan = find(plan("SELECT l_shipdate, l_orderkey FROM lineitem"), ScanNode.class);
    assertThat(scan.schema().getFields())
        .extracting(f -> f.getName())
        .containsExactlyElementsOf(scan.columns());
    assertThat(scan.table().name().table()).isEqualTo("lineitem");
  }

  @Test
  void selectStarReadsEveryColumn() {
    assertThat(scanned("SELECT * FROM lineitem"))
        .containsExactlyElementsOf(LINEITEM.getFields().stream().map(f -> f.getName()).toList());
  }

  @Test
  void countStarReadsOnlyTheNarrowestColumn() {
    // the test's lineitem: its narrowest column is l_shipdate (a DATE, 4 bytes); BIGINT, decimals
    // and strings are wider
    assertThat(scanned("SELECT count(*) FROM lineitem")).containsExactly("l_shipdate");
    List<List<Object>> counted = run("SELECT count(*) FROM lineitem");
    assertThat(lake.requestedColumns).isNotEmpty().allMatch(c -> c.equals(List.of("l_shipdate")));
    assertThat(counted).isEqualTo(run("SELECT count(l_orderkey) FROM lineitem"));
    assertThat((Long) counted.get(0).get(0)).isPositive();
    // with a filter, the filter's columns are what is read
    assertThat(scanned("SELECT count(*) FROM lineitem WHERE l_tax > 0")).containsExactly("l_tax");
  }

  @Test
  void theConnectorIsAskedForTheSameColumnsWhenTheQueryRuns() {
    run("SELECT sum(l_tax) FROM lineitem WHERE l_returnflag = 'N'");
    assertThat(lake.requestedColumns).hasSize(1);
    assertThat(lake.requestedColumns.get(0)).containsExactlyInAnyOrder("l_tax", "l_returnflag");
  }
}
