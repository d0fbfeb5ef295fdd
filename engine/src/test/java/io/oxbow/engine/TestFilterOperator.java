package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestFilterOperator extends EngineTesting {
  private static final ValuesNode VALUES =
      new ValuesNode(
          schema("x", Kind.INT64, "s", Kind.UTF8),
          List.of(row(1L, "a"), row(null, "b"), row(3L, null), row(4L, "d"), row(5L, "e")));

  private static FilterNode greaterThan(io.oxbow.engine.plan.PlanNode input, long bound) {
    return new FilterNode(
        input,
        call(ScalarFunction.GREATER_THAN, Kind.BOOL, col(0, Kind.INT64), lit(bound, Kind.INT64)));
  }

  @Test
  void keepsOnlyRowsWhereTheConditionIsTrue() {
    assertThat(run(greaterThan(VALUES, 2)))
        .containsExactly(row(3L, null), row(4L, "d"), row(5L, "e"));
  }

  @Test
  void nullConditionDropsTheRow() {
    FilterNode isNotNullS =
        new FilterNode(
            VALUES, call(ScalarFunction.EQUAL, Kind.BOOL, col(1, Kind.UTF8), lit(null, Kind.UTF8)));
    assertThat(run(isNotNullS)).isEmpty();
  }

  @Test
  void stackedFiltersComposeSelections() {
    FilterNode first = greaterThan(VALUES, 1);
    FilterNode second =
        new FilterNode(
            first,
            call(ScalarFunction.NOT_EQUAL, Kind.BOOL, col(0, Kind.INT64), lit(4L, Kind.INT64)));
    ProjectNode project =
        new ProjectNode(
            second,
            List.of(
                col(1, Kind.UTF8),
                call(
                    ScalarFunction.MULTIPLY, Kind.INT64, col(0, Kind.INT64), lit(10L, Kind.INT64))),
            schema("s", Kind.UTF8, "x10", Kind.INT64));
    assertThat(run(project)).containsExactly(row(null, 30L), row("e", 50L));
  }

  @Test
  void filterThatRemovesEverythingProducesNoBatches() {
    assertThat(batchSizes(greaterThan(VALUES, 100))).isEmpty();
  }

  @Test
  void filterOverManyBatches() {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < 10_000; i++) {
      rows.add(row(i, null));
    }
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64, "s", Kind.UTF8), rows);
    FilterNode even =
        new FilterNode(
            values,
            call(
                ScalarFunction.EQUAL,
                Kind.BOOL,
                call(ScalarFunction.MOD, Kind.INT64, col(0, Kind.INT64), lit(2L, Kind.INT64)),
                lit(0L, Kind.INT64)));
    List<List<Object>> result = run(even);
    assertThat(result).hasSize(5_000);
    for (int i = 0; i < result.size(); i++) {
      assertThat(result.get(i).get(0)).isEqualTo(2L * i);
    }
  }
}
