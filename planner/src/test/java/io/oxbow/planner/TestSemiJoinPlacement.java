package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.PlanNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TPC-H Q20's shape: {@code ps_part IN (few parts)} becomes a SEMI join ({@link
 * DistinctJoinToSemiJoinRule}) that moves below the join with the per-(part, supplier) sums ({@link
 * SelectiveSemiJoinTransposeRule}), whose input is then semi-joined with the remaining pairs
 * ({@link AggregateSemiJoinReductionRule}); the answer equals a brute-force evaluation, NULL keys
 * included.
 */
class TestSemiJoinPlacement {
  private static final int FACTS = 6000;
  private static final int PARTS = 400;
  private static final int SUPPLIERS = 20;

  private static final String Q20_SHAPE =
      """
      select ps_part, ps_supp
      from ps, (select f_part, f_supp, sum(f_qty) as q from facts group by f_part, f_supp) a
      where ps_part in (select p_key from part where p_name like 'forest%')
        and ps_part = f_part and ps_supp = f_supp and ps_avail > 0.5 * q
      """;

  private final List<Long[]> facts = new ArrayList<>();
  private final List<Long[]> partsupp = new ArrayList<>();
  private final Set<Long> forestParts = new HashSet<>();
  private final InMemoryPlanner planner = new InMemoryPlanner();

  @BeforeEach
  void setUp() {
    Random random = new Random(3);
    ArrowType bigint = new ArrowType.Int(64, true);
    List<List<Object>> factRows = new ArrayList<>();
    for (int i = 0; i < FACTS; i++) {
      Long part = random.nextInt(40) == 0 ? null : (long) random.nextInt(PARTS);
      Long supp = (long) random.nextInt(SUPPLIERS);
      Long qty = (long) random.nextInt(50);
      facts.add(new Long[] {part, supp, qty});
      factRows.add(Arrays.asList(part, supp, qty));
    }
    List<List<Object>> psRows = new ArrayList<>();
    for (long p = 0; p < PARTS; p++) {
      for (long s = p % 4; s < SUPPLIERS; s += 4) {
        long avail = random.nextInt(600);
        partsupp.add(new Long[] {p, s, avail});
        psRows.add(Arrays.asList(p, s, avail));
      }
    }
    List<List<Object>> partRows = new ArrayList<>();
    for (long p = 0; p < PARTS; p++) {
      String name = p % 25 == 7 ? "forest green " + p : "navy " + p;
      if (name.startsWith("forest")) {
        forestParts.add(p);
      }
      partRows.add(Arrays.asList(p, name));
    }
    planner.table(
        "facts",
        new Schema(
            List.of(
                Field.nullable("f_part", bigint),
                Field.nullable("f_supp", bigint),
                Field.nullable("f_qty", bigint))),
        factRows);
    planner.table(
        "ps",
        new Schema(
            List.of(
                Field.nullable("ps_part", bigint),
                Field.nullable("ps_supp", bigint),
                Field.nullable("ps_avail", bigint))),
        psRows);
    planner.table(
        "part",
        new Schema(
            List.of(
                Field.nullable("p_key", bigint),
                Field.nullable("p_name", ArrowType.Utf8.INSTANCE))),
        partRows);
  }

  @AfterEach
  void closePlanner() {
    planner.close();
  }

  /** Whether a SEMI join sits directly under (a filter of) the grouped aggregate. */
  private static boolean aggregateInputIsSemiJoined(PlanNode node) {
    if (node instanceof AggregateNode aggregate && !aggregate.groupKeys().isEmpty()) {
      PlanNode input = aggregate.input();
      if (input instanceof JoinNode join && join.type() == JoinNode.JoinType.SEMI) {
        return true;
      }
    }
    return node.inputs().stream().anyMatch(TestSemiJoinPlacement::aggregateInputIsSemiJoined);
  }

  @Test
  void inSubqueryMovesDownAndReducesTheAggregate() {
    PlanNode plan = planner.plan(Q20_SHAPE);
    assertThat(InMemoryPlanner.joins(plan, JoinNode.JoinType.SEMI)).isGreaterThanOrEqualTo(2);
    assertThat(aggregateInputIsSemiJoined(plan)).isTrue();

    Map<List<Long>, Long> sums = new HashMap<>();
    for (Long[] f : facts) {
      if (f[0] != null) {
        sums.merge(List.of(f[0], f[1]), f[2], Long::sum);
      }
    }
    List<List<Object>> expected = new ArrayList<>();
    for (Long[] ps : partsupp) {
      Long q = sums.get(List.of(ps[0], ps[1]));
      if (forestParts.contains(ps[0]) && q != null && ps[2] > 0.5 * q) {
        expected.add(Arrays.asList(ps[0], ps[1]));
      }
    }
    expected.sort(Comparator.comparing(Object::toString));
    assertThat(expected).hasSizeBetween(5, partsupp.size() / 10);
    assertThat(planner.run(Q20_SHAPE)).isEqualTo(expected);
  }
}
