package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.ProjectNode;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestExpressions extends AbstractPlannerTest {
  private List<ScalarFunction> filterFunctions(String condition) {
    return functions(
        find(plan("SELECT l_orderkey FROM lineitem WHERE " + condition), FilterNode.class)
            .condition());
  }

  private List<ScalarFunction> projectFunctions(String expression) {
    return functions(
        find(plan("SELECT " + expression + " FROM lineitem"), ProjectNode.class)
            .expressions()
            .get(0));
  }

  private long count(String condition) {
    return (Long) run("SELECT count(*) FROM lineitem WHERE " + condition).get(0).get(0);
  }

  @Test
  void sqlOperatorsMapToEngineFunctions() {
    assertThat(filterFunctions("l_comment LIKE 'a%'")).containsExactly(ScalarFunction.LIKE);
    assertThat(filterFunctions("l_comment NOT LIKE 'a%'"))
        .containsExactly(ScalarFunction.NOT, ScalarFunction.LIKE);
    assertThat(filterFunctions("l_orderkey != 3")).containsExactly(ScalarFunction.NOT_EQUAL);
    assertThat(filterFunctions("(l_comment = 'a') IS NOT TRUE"))
        .containsExactly(ScalarFunction.IS_NOT_TRUE, ScalarFunction.EQUAL);
    // IN lists arrive as Calcite SEARCH ranges and are expanded into comparisons
    assertThat(filterFunctions("l_orderkey IN (1, 3)"))
        .containsOnly(ScalarFunction.OR, ScalarFunction.EQUAL);
    // Calcite's validator rewrites COALESCE into CASE; either runs in the engine
    assertThat(projectFunctions("coalesce(l_comment, 'none')"))
        .containsAnyOf(ScalarFunction.COALESCE, ScalarFunction.CASE);
    assertThat(projectFunctions("CASE WHEN l_tax > 0 THEN 1 END"))
        .containsExactly(ScalarFunction.CASE, ScalarFunction.GREATER_THAN);
    assertThat(projectFunctions("cast(l_tax AS double)")).containsExactly(ScalarFunction.CAST);
    assertThat(projectFunctions("extract(year FROM l_shipdate)"))
        .containsExactly(ScalarFunction.EXTRACT);
    assertThat(projectFunctions("substring(l_comment FROM 2 FOR 1)"))
        .containsExactly(ScalarFunction.SUBSTRING);
    assertThat(projectFunctions("char_length(l_comment)"))
        .containsExactly(ScalarFunction.CHAR_LENGTH);
    assertThat(projectFunctions("trim(l_comment)")).containsExactly(ScalarFunction.TRIM);
    assertThat(projectFunctions("l_comment || l_returnflag"))
        .containsExactly(ScalarFunction.CONCAT);
    assertThat(projectFunctions("-l_tax % 2")).contains(ScalarFunction.MOD, ScalarFunction.NEGATE);
  }

  @Test
  void mixedExpressionsGiveHandComputedResults() {
    assertThat(
            run(
                "SELECT l_orderkey, CASE WHEN l_discount > 0.05 THEN 'high' ELSE 'low' END, "
                    + "upper(l_returnflag) || lower(l_linestatus), extract(year from l_shipdate) "
                    + "FROM lineitem WHERE l_returnflag LIKE 'R%' AND l_orderkey IN (3, 5) "
                    + "ORDER BY l_shipdate DESC LIMIT 1"))
        .containsExactly(List.of(3L, "high", "Rf", 1994L));
  }

  @Test
  void stringDateAndNumericFunctionsGiveHandComputedResults() {
    List<List<Object>> rows =
        run(
            "SELECT substring(l_returnflag || l_linestatus FROM 2 FOR 1),"
                + " char_length(l_returnflag || 'xyz'), coalesce(l_comment, 'none'),"
                + " l_comment IS NULL, cast(l_quantity AS integer), l_quantity / 4,"
                + " extract(month FROM l_shipdate), extract(day FROM l_shipdate)"
                + " FROM lineitem WHERE l_orderkey = 2");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).subList(0, 5)).containsExactly("O", 4L, "none", true, 38L);
    assertThat((BigDecimal) rows.get(0).get(5)).isEqualByComparingTo("9.5");
    assertThat(rows.get(0).subList(6, 8)).containsExactly(1L, 28L);
    assertThat(run("SELECT trim(' ' || l_comment || '  ') FROM lineitem WHERE l_orderkey = 4"))
        .containsExactly(List.of("f"));
  }

  @Test
  void predicatesFollowSqlNullSemantics() {
    assertThat(count("l_comment IS DISTINCT FROM 'a'")).isEqualTo(6);
    assertThat(count("l_comment IS NOT DISTINCT FROM null")).isEqualTo(1);
    assertThat(count("l_comment NOT LIKE '%c%'")).isEqualTo(5);
    assertThat(count("(l_comment = 'a') IS NOT TRUE")).isEqualTo(6);
    assertThat(count("(l_comment = 'a') IS FALSE")).isEqualTo(5);
    assertThat(count("l_orderkey NOT IN (1, 3)")).isEqualTo(2);
    assertThat(count("l_orderkey != 3")).isEqualTo(4);
    assertThat(count("l_orderkey <> 3 AND NOT (l_returnflag = 'A') OR l_tax = 0.08")).isEqualTo(4);
  }

  @Test
  void aggregatesWithDistinctAndFilterGiveHandComputedResults() {
    assertThat(
            run(
                "SELECT l_returnflag, count(*), count(DISTINCT l_orderkey),"
                    + " sum(l_quantity) FILTER (WHERE l_discount > 0.05), min(l_shipdate),"
                    + " max(l_extendedprice), count(l_comment)"
                    + " FROM lineitem GROUP BY l_returnflag ORDER BY l_returnflag"))
        .containsExactly(
            List.of(
                "A",
                1L,
                1L,
                new BigDecimal("20.00"),
                day("1994-06-01"),
                new BigDecimal("28029.00"),
                1L),
            List.of(
                "N",
                4L,
                3L,
                new BigDecimal("36.00"),
                day("1996-03-13"),
                new BigDecimal("45983.16"),
                3L),
            List.of(
                "R",
                2L,
                1L,
                new BigDecimal("94.00"),
                day("1993-11-09"),
                new BigDecimal("54058.05"),
                2L));
    assertThat(run("SELECT avg(p_size), sum(p_size), count(p_size) FROM parts"))
        .containsExactly(List.of(20.0, 40L, 2L));
  }

  @Test
  void realAndTimestampColumnsRoundTrip() {
    assertThat(
            run(
                "SELECT p_id, p_weight * 2, p_size + 1, p_added FROM parts"
                    + " WHERE p_weight IS NOT NULL ORDER BY p_id"))
        .containsExactly(
            List.of(1L, 3.0, 11L, micros("2024-01-01T10:00:00")),
            Arrays.asList(2L, 0.5, null, null));
    assertThat(run("SELECT p_id FROM parts WHERE p_added > timestamp '2024-02-01 00:00:00'"))
        .containsExactly(List.of(3L));
  }

  @Test
  void sortLimitAndOffset() {
    assertThat(run("SELECT p_name FROM parts ORDER BY p_name"))
        .containsExactly(List.of("Nut"), List.of("bolt"), Arrays.asList((Object) null));
    assertThat(run("SELECT p_name FROM parts ORDER BY p_name DESC"))
        .containsExactly(Arrays.asList((Object) null), List.of("bolt"), List.of("Nut"));
    assertThat(run("SELECT l_orderkey FROM lineitem ORDER BY l_orderkey LIMIT 2 OFFSET 3"))
        .containsExactly(List.of(3L), List.of(3L));
    assertThat(run("VALUES (1), (2), (3) ORDER BY 1 DESC OFFSET 1"))
        .containsExactly(List.of(2L), List.of(1L));
    assertThat(run("SELECT 1 + 2, 'x' || 'y'")).containsExactly(List.of(3L, "xy"));
  }
}
