package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.ProjectNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestConstantFolding extends AbstractPlannerTest {
  @Test
  void q1DateMinusIntervalFoldsToADateLiteral() {
    FilterNode filter = find(plan(Q1), FilterNode.class);
    assertThat(functions(filter.condition())).containsExactly(ScalarFunction.LESS_THAN_OR_EQUAL);
    assertThat(literals(filter.condition())).containsExactly(day("1998-09-02"));
    // folded by ReduceExpressionsRule already in the optimised logical plan
    assertThat(String.join("\n", explainLines("EXPLAIN " + Q1)))
        .contains("LogicalFilter(condition=[<=($6, 1998-09-02)])");
  }

  @Test
  void q6DatePlusIntervalAndDecimalArithmeticFold() {
    FilterNode filter = find(plan(Q6), FilterNode.class);
    assertThat(functions(filter.condition()))
        .doesNotContain(
            ScalarFunction.DATE_ADD_MONTHS,
            ScalarFunction.DATE_ADD_DAYS,
            ScalarFunction.ADD,
            ScalarFunction.SUBTRACT);
    assertThat(literals(filter.condition()))
        .contains(
            day("1994-01-01"), day("1995-01-01"), new BigDecimal("0.05"), new BigDecimal("0.07"));
  }

  @Test
  void constantExpressionsInTheSelectListFold() {
    ProjectNode project =
        find(
            plan(
                "SELECT 1 + 2 * 3, date '2024-01-31' + interval '1' month, upper('ab') FROM parts"),
            ProjectNode.class);
    assertThat(project.expressions())
        .allSatisfy(e -> assertThat(e).isInstanceOf(io.oxbow.engine.expr.Literal.class));
    assertThat(run("SELECT 1 + 2 * 3, date '2024-01-31' + interval '1' month, upper('ab')"))
        .containsExactly(List.of(7L, day("2024-02-29"), "AB"));
  }

  @Test
  void dateArithmeticOnColumnsBecomesEngineCalls() {
    ProjectNode project =
        find(
            plan(
                "SELECT l_shipdate + interval '3' day, l_shipdate - interval '1' year,"
                    + " l_shipdate + l_orderkey * interval '1' day FROM lineitem"),
            ProjectNode.class);
    // constant intervals become whole days or months; a computed interval is added as one
    assertThat(project.expressions().stream().map(e -> functions(e).get(0)).toList())
        .containsExactly(
            ScalarFunction.DATE_ADD_DAYS, ScalarFunction.DATE_ADD_MONTHS, ScalarFunction.ADD);
    assertThat(
            run(
                "SELECT l_shipdate + interval '3' day, l_shipdate - interval '1' year,"
                    + " l_shipdate + l_orderkey * interval '1' day FROM lineitem"
                    + " WHERE l_orderkey = 2"))
        .containsExactly(List.of(day("1997-01-31"), day("1996-01-28"), day("1997-01-30")));
  }

  @Test
  void divisionByAConstantZeroIsLeftForTheEngineToReport() {
    assertThat(functions(find(plan("SELECT 1 / 0"), ProjectNode.class).expressions().get(0)))
        .containsExactly(ScalarFunction.DIVIDE);
  }
}
