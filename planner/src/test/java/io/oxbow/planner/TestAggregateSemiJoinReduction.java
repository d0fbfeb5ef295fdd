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
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A grouped aggregate inner-joined on its group keys with a much smaller relation gets its input
 * semi-joined with that relation (TPC-H Q17's shape), and answers as computed by brute force here;
 * a relation as large as the aggregate's input leaves the plan alone.
 */
class TestAggregateSemiJoinReduction {
  private static final int FACTS = 3000;
  private static final int KEYS = 300;

  /** The aggregate's keys joined with the few tagged dimension rows. */
  private static final String JOINED_AGGREGATE =
      """
      select d_key, s, c
      from (select f_key, sum(f_val) as s, count(*) as c from facts group by f_key) a
        join dims on f_key = d_key
      where d_tag = 'a'
      """;

  /** Q17's shape: a correlated average per key, decorrelated into a grouped aggregate. */
  private static final String CORRELATED =
      """
      select sum(f_val) as total, count(*) as n
      from facts, dims
      where d_key = f_key and d_tag = 'a'
        and f_val > (select avg(f2.f_val) from facts f2 where f2.f_key = d_key)
      """;

  /** Every dimension row: as many as there are keys, nothing to reduce by. */
  private static final String UNFILTERED =
      """
      select d_key, s
      from (select f_key, sum(f_val) as s from facts group by f_key) a join dims on f_key = d_key
      """;

  private final List<long[]> facts = new ArrayList<>();
  private final Map<Long, String> dims = new HashMap<>();
  private final InMemoryPlanner planner = new InMemoryPlanner();

  @BeforeEach
  void setUp() {
    List<List<Object>> factRows = new ArrayList<>();
    for (int i = 0; i < FACTS; i++) {
      // keys 0..KEYS-1, plus a few NULL keys that must never match
      Long key = i % 97 == 5 ? null : (long) ((i * 7) % KEYS);
      long value = (i * 31L) % 1000;
      factRows.add(Arrays.asList(key, value));
      if (key != null) {
        facts.add(new long[] {key, value});
      }
    }
    List<List<Object>> dimRows = new ArrayList<>();
    // keys KEYS..KEYS+9 have no facts; tag 'a' on every 20th key
    for (long k = 0; k < KEYS + 10; k++) {
      String tag = k % 20 == 3 ? "a" : "b";
      dimRows.add(Arrays.asList(k, tag));
      dims.put(k, tag);
    }
    planner.table(
        "facts",
        new Schema(
            List.of(
                Field.nullable("f_key", new ArrowType.Int(64, true)),
                Field.nullable("f_val", new ArrowType.Int(64, true)))),
        factRows);
    planner.table(
        "dims",
        new Schema(
            List.of(
                Field.nullable("d_key", new ArrowType.Int(64, true)),
                Field.nullable("d_tag", ArrowType.Utf8.INSTANCE))),
        dimRows);
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

  private static int semiJoins(PlanNode node) {
    return InMemoryPlanner.joins(node, JoinNode.JoinType.SEMI);
  }

  @Test
  void aggregateJoinedOnItsKeyIsReducedAndKeepsItsAnswer() {
    assertThat(semiJoins(plan(JOINED_AGGREGATE))).isEqualTo(1);
    Map<Long, long[]> groups = new TreeMap<>();
    for (long[] f : facts) {
      long[] g = groups.computeIfAbsent(f[0], k -> new long[2]);
      g[0] += f[1];
      g[1]++;
    }
    List<List<Object>> expected = new ArrayList<>();
    groups.forEach(
        (key, g) -> {
          if ("a".equals(dims.get(key))) {
            expected.add(List.of(key, g[0], g[1]));
          }
        });
    expected.sort(Comparator.comparing(Object::toString));
    assertThat(expected).hasSize(KEYS / 20);
    assertThat(run(JOINED_AGGREGATE)).isEqualTo(expected);
  }

  @Test
  void correlatedAverageLikeQ17KeepsItsAnswer() {
    assertThat(semiJoins(plan(CORRELATED))).isEqualTo(1);
    Map<Long, double[]> averages = new HashMap<>();
    for (long[] f : facts) {
      double[] a = averages.computeIfAbsent(f[0], k -> new double[2]);
      a[0] += f[1];
      a[1]++;
    }
    long total = 0;
    long n = 0;
    for (long[] f : facts) {
      double[] a = averages.get(f[0]);
      if ("a".equals(dims.get(f[0])) && f[1] > a[0] / a[1]) {
        total += f[1];
        n++;
      }
    }
    assertThat(n).isPositive();
    List<List<Object>> rows = run(CORRELATED);
    assertThat(rows).hasSize(1);
    assertThat(((Number) rows.get(0).get(0)).longValue()).isEqualTo(total);
    assertThat(((Number) rows.get(0).get(1)).longValue()).isEqualTo(n);
  }

  @Test
  void relationAsLargeAsTheInputLeavesThePlanAlone() {
    assertThat(semiJoins(plan(UNFILTERED))).isZero();
    Map<Long, Long> sums = new TreeMap<>();
    for (long[] f : facts) {
      sums.merge(f[0], f[1], Long::sum);
    }
    List<List<Object>> expected = new ArrayList<>();
    sums.forEach((key, s) -> expected.add(List.of(key, s)));
    expected.sort(Comparator.comparing(Object::toString));
    assertThat(run(UNFILTERED)).isEqualTo(expected);
  }
}
