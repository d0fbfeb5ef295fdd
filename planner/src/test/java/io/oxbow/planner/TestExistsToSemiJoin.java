package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.PlanNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EXISTS and NOT EXISTS over a correlated filter become SEMI and ANTI joins (TPC-H Q4, Q21, Q22),
 * and every answer equals a brute-force evaluation of the subquery per outer row with SQL's
 * three-valued logic (NULL keys, NULL comparisons). Subqueries of other shapes keep Calcite's
 * rewrite and their answers.
 */
class TestExistsToSemiJoin {
  private static final int OUTER = 400;
  private static final int INNER = 1500;

  /** o_key, o_a; some NULLs. */
  private final List<Long[]> outer = new ArrayList<>();

  /** t_key, t_a, t_x; some NULLs. */
  private final List<Long[]> inner = new ArrayList<>();

  private final InMemoryPlanner planner = new InMemoryPlanner();

  @BeforeEach
  void setUp() {
    Random random = new Random(11);
    List<List<Object>> outerRows = new ArrayList<>();
    for (int i = 0; i < OUTER; i++) {
      Long key = random.nextInt(25) == 0 ? null : (long) random.nextInt(300);
      Long a = random.nextInt(20) == 0 ? null : (long) random.nextInt(6);
      outer.add(new Long[] {key, a});
      outerRows.add(Arrays.asList(key, a));
    }
    List<List<Object>> innerRows = new ArrayList<>();
    for (int i = 0; i < INNER; i++) {
      Long key = random.nextInt(30) == 0 ? null : (long) random.nextInt(250);
      Long a = random.nextInt(20) == 0 ? null : (long) random.nextInt(6);
      Long x = random.nextInt(15) == 0 ? null : (long) random.nextInt(100);
      inner.add(new Long[] {key, a, x});
      innerRows.add(Arrays.asList(key, a, x));
    }
    ArrowType bigint = new ArrowType.Int(64, true);
    planner.table(
        "o",
        new Schema(List.of(Field.nullable("o_key", bigint), Field.nullable("o_a", bigint))),
        outerRows);
    planner.table(
        "t",
        new Schema(
            List.of(
                Field.nullable("t_key", bigint),
                Field.nullable("t_a", bigint),
                Field.nullable("t_x", bigint))),
        innerRows);
  }

  @AfterEach
  void closePlanner() {
    planner.close();
  }

  private PlanNode plan(String sql) {
    return planner.plan(sql);
  }

  private List<List<Object>> run(String sql) {
    return planner.run(sql);
  }

  private static int joins(PlanNode node, JoinNode.JoinType type) {
    return InMemoryPlanner.joins(node, type);
  }

  /** SQL {@code x = y}, {@code x <> y}...: TRUE only when both are non-null and it holds. */
  private static boolean holds(Long x, Long y, BiPredicate<Long, Long> op) {
    return x != null && y != null && op.test(x, y);
  }

  /** The outer rows (o_key, o_a) for which {@code keep} holds, sorted like {@link #run}. */
  private List<List<Object>> expected(java.util.function.Predicate<Long[]> keep) {
    List<List<Object>> rows = new ArrayList<>();
    for (Long[] o : outer) {
      if (keep.test(o)) {
        rows.add(Arrays.asList(o[0], o[1]));
      }
    }
    rows.sort(Comparator.comparing(Object::toString));
    return rows;
  }

  /** Whether some inner row matches Q21's correlation: same key, other a, x over 40. */
  private boolean q21Match(Long[] o, boolean withX) {
    for (Long[] t : inner) {
      if (holds(t[0], o[0], Long::equals)
          && holds(t[1], o[1], (p, q) -> !p.equals(q))
          && (!withX || holds(t[2], 40L, (p, q) -> p > q))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void existsWithAnEqualityAndANonEqualityBecomesASemiJoin() {
    String sql =
        "select o_key, o_a from o where exists"
            + " (select * from t where t_key = o_key and t_a <> o_a and t_x > 40)";
    assertThat(joins(plan(sql), JoinNode.JoinType.SEMI)).isEqualTo(1);
    List<List<Object>> expected = expected(o -> q21Match(o, true));
    assertThat(expected).hasSizeBetween(20, OUTER - 20);
    assertThat(run(sql)).isEqualTo(expected);
  }

  @Test
  void notExistsBecomesAnAntiJoinAndKeepsRowsWithNullKeys() {
    String sql =
        "select o_key, o_a from o where not exists"
            + " (select 1 from t where t_key = o_key and t_a <> o_a and t_x > 40)";
    assertThat(joins(plan(sql), JoinNode.JoinType.ANTI)).isEqualTo(1);
    List<List<Object>> expected = expected(o -> !q21Match(o, true));
    // outer rows with a NULL key or NULL a have no match, so NOT EXISTS keeps them
    assertThat(expected).anyMatch(row -> row.get(0) == null);
    assertThat(expected).anyMatch(row -> row.get(1) == null);
    assertThat(run(sql)).isEqualTo(expected);
  }

  @Test
  void existsAndNotExistsTogetherLikeQ21() {
    String sql =
        "select o_key, o_a from o where o_a < 5"
            + " and exists (select * from t t1 where t1.t_key = o_key and t1.t_a <> o_a)"
            + " and not exists (select * from t t2 where t2.t_key = o_key and t2.t_a <> o_a"
            + " and t2.t_x > 40)";
    PlanNode plan = plan(sql);
    assertThat(joins(plan, JoinNode.JoinType.SEMI)).isEqualTo(1);
    assertThat(joins(plan, JoinNode.JoinType.ANTI)).isEqualTo(1);
    List<List<Object>> expected =
        expected(o -> holds(o[1], 5L, (p, q) -> p < q) && q21Match(o, false) && !q21Match(o, true));
    assertThat(expected).isNotEmpty();
    assertThat(run(sql)).isEqualTo(expected);
  }

  @Test
  void aCorrelationWithoutEqualityIsASemiJoinWithoutKeys() {
    String sql = "select o_key, o_a from o where exists (select * from t where t_x < o_a)";
    assertThat(joins(plan(sql), JoinNode.JoinType.SEMI)).isEqualTo(1);
    List<List<Object>> expected =
        expected(o -> inner.stream().anyMatch(t -> holds(t[2], o[1], (p, q) -> p < q)));
    assertThat(expected).hasSizeBetween(1, OUTER - 1);
    assertThat(run(sql)).isEqualTo(expected);
  }

  @Test
  void otherShapesKeepCalcitesRewriteAndTheirAnswers() {
    // EXISTS under OR, and an uncorrelated EXISTS, are not conjunct-level correlated filters
    String underOr =
        "select o_key, o_a from o where o_a = 0 or exists (select * from t where t_key = o_key)";
    assertThat(joins(plan(underOr), JoinNode.JoinType.SEMI)).isZero();
    assertThat(run(underOr))
        .isEqualTo(
            expected(
                o ->
                    holds(o[1], 0L, Long::equals)
                        || inner.stream().anyMatch(t -> holds(t[0], o[0], Long::equals))));
    String uncorrelated = "select o_key, o_a from o where exists (select * from t where t_x > 98)";
    boolean any = inner.stream().anyMatch(t -> holds(t[2], 98L, (p, q) -> p > q));
    assertThat(run(uncorrelated)).isEqualTo(expected(o -> any));
  }

  private static int exactly(PlanNode node, JoinNode.JoinType type) {
    int count = node instanceof JoinNode join && join.type() == type ? 1 : 0;
    for (PlanNode input : node.inputs()) {
      count += exactly(input, type);
    }
    return count;
  }

  @Test
  void theHashTableIsBuiltOnTheSmallerSide() {
    // o (400 rows) preserved, t (1500 rows) probed: built on o, a RIGHT_SEMI / RIGHT_ANTI join
    String exists =
        "select o_key, o_a from o where exists"
            + " (select * from t where t_key = o_key and t_a <> o_a)";
    PlanNode plan = plan(exists);
    assertThat(exactly(plan, JoinNode.JoinType.RIGHT_SEMI)).isEqualTo(1);
    assertThat(exactly(plan, JoinNode.JoinType.SEMI)).isZero();
    String notExists =
        "select o_key, o_a from o where not exists"
            + " (select * from t where t_key = o_key and t_a <> o_a)";
    assertThat(exactly(plan(notExists), JoinNode.JoinType.RIGHT_ANTI)).isEqualTo(1);
    assertThat(run(exists)).isEqualTo(expected(o -> q21Match(o, false)));
    assertThat(run(notExists)).isEqualTo(expected(o -> !q21Match(o, false)));
    // t preserved, o probed: built on o as before, a plain SEMI join
    PlanNode reverse =
        plan("select t_key from t where exists (select * from o where o_key = t_key)");
    assertThat(exactly(reverse, JoinNode.JoinType.SEMI)).isEqualTo(1);
    assertThat(exactly(reverse, JoinNode.JoinType.RIGHT_SEMI)).isZero();
  }
}
