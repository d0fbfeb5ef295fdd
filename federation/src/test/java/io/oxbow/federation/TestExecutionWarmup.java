package io.oxbow.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.planner.PlannerWarmup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The execution warm-up: it writes its own tables into a temporary directory, runs every planner
 * warm-up query over them with results (so the executor's joins, aggregations and sorts see rows),
 * deletes the directory, and stops when its budget is spent or the engine closes.
 */
class TestExecutionWarmup {
  @Test
  void runsEveryQueryOnItsOwnTablesWithRowsAndDeletesThem() throws IOException {
    List<Path> before = warmupDirectories();
    ExecutionWarmup.Report report =
        ExecutionWarmup.run(OxbowConfig.defaults(), Duration.ofMinutes(5), 1, () -> false);
    assertThat(report.failures()).as(report.toString()).isZero();
    assertThat(report.tables()).isEqualTo(ExecutionWarmup.TABLES.size());
    assertThat(report.queries()).isEqualTo(PlannerWarmup.queries().size());
    // data shaped so that no query's joins and filters come out empty
    assertThat(report.empty()).as(report.toString()).isZero();
    assertThat(report.rows()).isGreaterThan(1000);
    assertThat(warmupDirectories()).isEqualTo(before);
  }

  @Test
  void aZeroBudgetDoesNothing() {
    ExecutionWarmup.Report report =
        ExecutionWarmup.run(OxbowConfig.defaults(), Duration.ZERO, 1, () -> false);
    assertThat(report.tables() + report.queries() + report.failures()).isZero();
  }

  @Test
  void itWaitsWhileUsersStatementsRun() throws IOException {
    List<Path> before = warmupDirectories();
    ExecutionWarmup.Report report =
        ExecutionWarmup.run(OxbowConfig.defaults(), Duration.ofMillis(700), 1, () -> true);
    assertThat(report.tables() + report.queries() + report.failures()).isZero();
    assertThat(report.millis()).isGreaterThanOrEqualTo(700);
    assertThat(warmupDirectories()).isEqualTo(before);
  }

  @Test
  void anEngineIsBusyWhileAUsersQueryIsOpen() throws Exception {
    try (QueryEngine engine = new QueryEngine(OxbowConfig.defaults())) {
      Session session = engine.newSession("admin");
      try (QueryResult result = engine.execute(session, "SELECT 1")) {
        assertThat(engine.busy()).isTrue();
        org.apache.arrow.vector.VectorSchemaRoot batch;
        while ((batch = result.next()) != null) {
          batch.close(); // the statement runs until its result is closed, not until drained
        }
        assertThat(engine.busy()).isTrue();
      }
      assertThat(engine.busy()).isFalse();
      assertThatThrownBy(() -> engine.execute(session, "SELECT * FROM nowhere"));
      assertThat(engine.busy()).isFalse();
    }
  }

  @Test
  void closingTheEngineStopsTheWarmupAndDeletesItsTables() throws Exception {
    List<Path> before = warmupDirectories();
    QueryEngine engine = new QueryEngine(OxbowConfig.defaults());
    try {
      engine.startWarmup(Duration.ZERO, Duration.ofMinutes(10));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (warmupDirectories().equals(before) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(warmupDirectories())
          .as("the warm-up's temporary warehouse")
          .hasSizeGreaterThan(before.size());
      Thread.sleep(1500); // let it write tables or run queries
    } finally {
      engine.close(); // interrupts the warm-up and waits for it (at most 10 s)
    }
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("oxbow-warmup") && t.isAlive()))
        .isEmpty();
    assertThat(warmupDirectories()).isEqualTo(before);
  }

  private static List<Path> warmupDirectories() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith("oxbow-warmup-"))
          .sorted()
          .toList();
    }
  }
}
