package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.PlanPrinter;
import io.oxbow.engine.plan.ValuesNode;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;

class TestExplain extends AbstractPlannerTest {
  @Test
  void explainIsOneTextColumnOfLogicalThenEnginePlanLines() {
    for (String sql : List.of("EXPLAIN " + Q6, "explain plan for " + Q6, "  Explain\n" + Q6)) {
      PlannedQuery planned = planner.plan(sql, session);
      assertThat(planned.plan()).isInstanceOf(ValuesNode.class);
      assertThat(planned.schema().getFields()).hasSize(1);
      Field field = planned.schema().getFields().get(0);
      assertThat(field.getName()).isEqualTo("plan");
      assertThat(field.getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
      assertThat(planned.plan().schema()).isEqualTo(planned.schema());

      List<String> lines = explainLines(sql);
      String engine = PlanPrinter.print(plan(Q6));
      int split = lines.indexOf("== Engine plan ==");
      assertThat(lines.get(0)).isEqualTo("== Logical plan ==");
      assertThat(lines.subList(1, split))
          .containsExactly(
              "LogicalAggregate(group=[{}], revenue=[SUM($0)])",
              "  LogicalProject($f0=[*($1, $2)])",
              "    LogicalFilter(condition=[AND(SEARCH($3, Sarg[[1994-01-01..1995-01-01)]),"
                  + " SEARCH($2, Sarg[[0.05:DECIMAL(4, 2)..0.07:DECIMAL(4, 2)]]:DECIMAL(4, 2)),"
                  + " <($0, 24))])",
              "      BindableTableScan(table=[[lake, tpch, lineitem]], projects=[[1, 2, 3, 7]])");
      assertThat(lines.subList(split + 1, lines.size()))
          .containsExactlyElementsOf(Arrays.asList(engine.split("\n")));
      assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    }
  }

  @Test
  void explainDoesNotRunTheQuery() {
    explainLines("EXPLAIN " + Q1);
    explainLines("EXPLAIN PLAN FOR SELECT * FROM lineitem");
    assertThat(lake.requestedColumns).isEmpty();
    assertThat(lake.splitRequests).isZero();
  }

  @Test
  void explainResultRunsAsAnOrdinaryValuesPlan() {
    List<List<Object>> rows = run("EXPLAIN SELECT l_tax FROM lineitem");
    assertThat(rows).extracting(r -> r.get(0)).contains("== Logical plan ==", "== Engine plan ==");
    assertThat(lake.requestedColumns).isEmpty();
  }
}
