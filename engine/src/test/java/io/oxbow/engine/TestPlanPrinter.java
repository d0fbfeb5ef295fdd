package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestPlanPrinter extends EngineTesting {
  @Test
  void printsEveryNodeWithItsAttributes() {
    MemoryConnector connector =
        new MemoryConnector(schema("a", Kind.INT64, "b", Kind.UTF8, "c", Kind.BOOL), List.of());
    FilterNode filter =
        new FilterNode(
            connector.scan("a", "b", "c"),
            call(ScalarFunction.GREATER_THAN, Kind.BOOL, col(0, Kind.INT64), lit(5L, Kind.INT64)));
    ProjectNode project =
        new ProjectNode(
            filter,
            List.of(
                col(1, Kind.UTF8),
                call(ScalarFunction.ADD, Kind.INT64, col(0, Kind.INT64), lit(1L, Kind.INT64)),
                col(2, Kind.BOOL)),
            schema("b", Kind.UTF8, "a1", Kind.INT64, "c", Kind.BOOL));
    AggregateNode aggregate =
        new AggregateNode(
            project,
            List.of(0),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
                new AggregateCall(AggregateFunction.SUM, List.of(1), true, 2, Kind.INT64)),
            schema("b", Kind.UTF8, "n", Kind.INT64, "s", Kind.INT64));
    SortNode sort =
        new SortNode(aggregate, List.of(new SortKey(2, false, true), new SortKey(0, true, false)));
    String text = PlanPrinter.print(new LimitNode(sort, 10, 5));
    assertThat(text)
        .isEqualTo(
            "Limit[offset=10, limit=5]\n"
                + "  Sort[$2 desc nulls first, $0 asc nulls last]\n"
                + "    HashAggregate[keys=[$0], aggregates=[n=count_star(*),"
                + " s=sum(distinct $1) filter $2]]\n"
                + "      Project[b=$1, a1=add($0, 1), c=$2]\n"
                + "        Filter[condition=greater_than($0, 5)]\n"
                + "          Scan[table=mem.test.t, columns=[a, b, c], handle=MemoryTable[table=t]]\n");
  }

  @Test
  void printsValues() {
    ValuesNode values =
        new ValuesNode(
            schema("x", Kind.INT64, "y", Kind.UTF8), List.of(row(1L, "a"), row(2L, "b")));
    assertThat(PlanPrinter.print(values)).isEqualTo("Values[rows=2, columns=[x, y]]\n");
  }
}
