package io.oxbow.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine's background planner warm-up: one thread at a time, which closing the engine stops
 * long before its budget runs out, and which leaves the engine serving queries meanwhile.
 */
class TestPlannerWarmupThread {
  @Test
  void closingTheEngineStopsTheWarmupThread() throws Exception {
    QueryEngine engine = new QueryEngine(OxbowConfig.defaults().withUser("admin", "admin"));
    try {
      engine.startWarmup(Duration.ofMinutes(10), Duration.ofMinutes(10));
      // a second call starts nothing more
      engine.startWarmup(Duration.ofMinutes(10), Duration.ofMinutes(10));
      assertThat(warmupThreads()).hasSize(1);
      assertThat(engine.plan(engine.newSession("admin"), "SELECT 1 + 1").schema().getFields())
          .hasSize(1);
    } finally {
      engine.close();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!warmupThreads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(warmupThreads()).isEmpty();
  }

  @Test
  void warmingUpOnTheCallingThreadReportsWhatItDid() {
    try (QueryEngine engine = new QueryEngine(OxbowConfig.defaults())) {
      assertThat(engine.warmUpPlanner(Duration.ZERO)).matches("0 plans in \\d+ ms");
      assertThat(engine.warmUpPlanner(Duration.ofSeconds(2)))
          .matches("[1-9][0-9]* plans in \\d+ ms");
    }
  }

  private static List<Thread> warmupThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("oxbow-warmup") && t.isAlive())
        .toList();
  }
}
