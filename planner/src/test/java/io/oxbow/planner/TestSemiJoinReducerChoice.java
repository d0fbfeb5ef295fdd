package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.PlanNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which relation a grouped aggregate's input is semi-joined with when the relation its keys are
 * joined with is itself a join: the rule may take the join's side that holds the keys instead, when
 * that side is small and keeps about as many keys (TPC-H Q2's golden plan shows the filtered parts
 * taken instead of the outer query's whole join), but not a side that lets through many more keys
 * (TPC-H Q20: suppliers of one nation, not every supplier). Answers are checked against brute
 * force.
 */
class TestSemiJoinReducerChoice {
  private static final int FACTS = 20_000;
  private static final int PARTS = 1_000;
  private static final int KINDS = 20;

  /** Q20's shape: sums per part for the parts of one flagged kind (parts join filtered kinds). */
  private static final String SUMS_OF_FLAGGED_KIND =
      """
      select p_key, s
      from (select f_key, sum(f_val) as s from facts group by f_key) a
        join parts on f_key = p_key
        join kinds on p_kind = k_kind
      where k_flag = 'y'
      """;

  private final List<long[]> facts = new ArrayList<>();
  private final Map<Long, long[]> parts = new HashMap<>();
  private final InMemoryPlanner planner = new InMemoryPlanner();

  @BeforeEach
  void setUp() {
    List<List<Object>> factRows = new ArrayList<>();
    for (int i = 0; i < FACTS; i++) {
      long key = (i * 13L) % PARTS;
      long value = (i * 7919L) % 10_000;
      factRows.add(Arrays.asList(key, value));
      facts.add(new long[] {key, value});
    }
    List<List<Object>> partRows = new ArrayList<>();
    for (long k = 0; k < PARTS; k++) {
      long size = k % 50;
      long kind = (k * 7) % KINDS;
      partRows.add(Arrays.asList(k, size, kind));
      parts.put(k, new long[] {size, kind});
    }
    List<List<Object>> kindRows = new ArrayList<>();
    for (long k = 0; k < KINDS; k++) {
      kindRows.add(Arrays.asList(k, k == 3 ? "y" : "n"));
    }
    planner.table(
        "facts",
        new Schema(List.of(bigint("f_key"), bigint("f_val"))),
        factRows,
        Map.of("f_key", (double) PARTS, "f_val", 10_000.0));
    planner.table(
        "parts",
        new Schema(List.of(bigint("p_key"), bigint("p_size"), bigint("p_kind"))),
        partRows,
        Map.of("p_key", (double) PARTS, "p_size", 50.0, "p_kind", (double) KINDS));
    planner.table(
        "kinds",
        new Schema(List.of(bigint("k_kind"), Field.nullable("k_flag", ArrowType.Utf8.INSTANCE))),
        kindRows,
        Map.of("k_kind", (double) KINDS, "k_flag", 2.0));
  }

  @AfterEach
  void closePlanner() {
    planner.close();
  }

  private static Field bigint(String name) {
    return Field.nullable(name, new ArrowType.Int(64, true));
  }

  /** The relation the only SEMI join of {@code plan} reads its keys from. */
  private static PlanNode reducer(PlanNode plan) {
    assertThat(InMemoryPlanner.joins(plan, JoinNode.JoinType.SEMI)).isEqualTo(1);
    JoinNode semi = semiJoin(plan).orElseThrow();
    return semi.type() == JoinNode.JoinType.SEMI ? semi.right() : semi.left();
  }

  private static Optional<JoinNode> semiJoin(PlanNode node) {
    if (node instanceof JoinNode join
        && (join.type() == JoinNode.JoinType.SEMI || join.type() == JoinNode.JoinType.RIGHT_SEMI)) {
      return Optional.of(join);
    }
    for (PlanNode input : node.inputs()) {
      Optional<JoinNode> found = semiJoin(input);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    rows.sort(Comparator.comparing(Object::toString));
    return rows;
  }

  @Test
  void aSideWithManyMoreKeysIsNotTaken() {
    PlanNode reducer = reducer(planner.plan(SUMS_OF_FLAGGED_KIND));
    assertThat(InMemoryPlanner.joins(reducer, JoinNode.JoinType.INNER))
        .as("the reducer keeps the join with the flagged kind")
        .isEqualTo(1);
    Map<Long, Long> sums = new HashMap<>();
    for (long[] f : facts) {
      sums.merge(f[0], f[1], Long::sum);
    }
    List<List<Object>> expected = new ArrayList<>();
    sums.forEach(
        (key, s) -> {
          if (parts.get(key)[1] == 3) {
            expected.add(List.of(key, s));
          }
        });
    assertThat(expected).hasSize(PARTS / KINDS);
    assertThat(planner.run(SUMS_OF_FLAGGED_KIND)).isEqualTo(sorted(expected));
  }
}
