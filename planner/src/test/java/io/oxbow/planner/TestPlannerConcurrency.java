package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.PlanPrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TestPlannerConcurrency extends AbstractPlannerTest {
  @Test
  void onePlannerPlansFromManyThreadsAtOnce() throws Exception {
    List<String> queries =
        List.of(Q1, Q6, "SELECT l_tax FROM lineitem WHERE l_orderkey = 2", "EXPLAIN " + Q6);
    List<String> expected = new ArrayList<>();
    for (String sql : queries) {
      expected.add(PlanPrinter.print(plan(sql)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        int q = t % queries.size();
        results.add(
            pool.submit(() -> PlanPrinter.print(plan(queries.get(q))).equals(expected.get(q))));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
