package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestTpchQueries extends AbstractPlannerTest {
  private static BigDecimal d(String value) {
    return new BigDecimal(value);
  }

  @Test
  void q1PlansAsSortOverAggregateOverProjectOverFilterOverScan() {
    PlanNode plan = plan(Q1);
    assertThat(spine(plan)).containsExactly("Sort", "Aggregate", "Project", "Filter", "Scan");
    assertThat(((SortNode) plan).keys())
        .containsExactly(new SortKey(0, true, false), new SortKey(1, true, false));
    AggregateNode aggregate = find(plan, AggregateNode.class);
    assertThat(aggregate.groupKeys()).containsExactly(0, 1);
    assertThat(aggregate.aggregates())
        .extracting(c -> c.function())
        .containsExactly(
            AggregateFunction.SUM,
            AggregateFunction.SUM,
            AggregateFunction.SUM,
            AggregateFunction.SUM,
            AggregateFunction.AVG,
            AggregateFunction.AVG,
            AggregateFunction.AVG,
            AggregateFunction.COUNT_STAR);
  }

  @Test
  void q6PlansAsAggregateOverProjectOverFilterOverScan() {
    PlanNode plan = plan(Q6);
    assertThat(spine(plan)).containsExactly("Aggregate", "Project", "Filter", "Scan");
    AggregateNode aggregate = (AggregateNode) plan;
    assertThat(aggregate.groupKeys()).isEmpty();
    assertThat(aggregate.aggregates())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.function()).isEqualTo(AggregateFunction.SUM);
              assertThat(c.arguments()).containsExactly(0);
            });
    assertThat(aggregate.schema().getFields().get(0).getName()).isEqualTo("revenue");
  }

  @Test
  void q1GivesHandComputedAnswers() {
    // 1998-11-01 is after the cut-off 1998-09-02, so N/O has three rows
    assertThat(run(Q1))
        .containsExactly(
            List.of(
                "A",
                "F",
                d("20.00"),
                d("28029.00"),
                d("26347.2600"),
                d("27401.150400"),
                d("20.000000"),
                d("28029.000000"),
                d("0.060000"),
                1L),
            List.of(
                "N",
                "O",
                d("91.00"),
                d("111845.85"),
                d("106860.6364"),
                d("112012.469952"),
                d("30.333333"),
                d("37281.950000"),
                d("0.043333"),
                3L),
            List.of(
                "R",
                "F",
                d("94.00"),
                d("100854.52"),
                d("92931.3900"),
                d("92931.390000"),
                d("47.000000"),
                d("50427.260000"),
                d("0.080000"),
                2L));
  }

  @Test
  void q6GivesTheHandComputedAnswer() {
    // in 1994 with discount 0.05..0.07 and quantity < 24: only 28029.00 * 0.06
    assertThat(run(Q6)).containsExactly(List.of(d("1681.7400")));
  }

  @Test
  void q1ProjectionFeedsTheAggregateByPosition() {
    AggregateNode aggregate = find(plan(Q1), AggregateNode.class);
    var project = (io.oxbow.engine.plan.ProjectNode) aggregate.input();
    assertThat(project.expressions().get(0)).isInstanceOf(ColumnRef.class);
    assertThat(project.schema().getFields()).hasSizeGreaterThanOrEqualTo(7);
  }
}
