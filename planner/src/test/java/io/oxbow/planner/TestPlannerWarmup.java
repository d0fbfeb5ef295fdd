package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.UnionAllNode;
import io.oxbow.engine.plan.WindowNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The planner warm-up plans every one of its queries over its own catalog, covers the plan shapes
 * it is there for, stops at its budget and when interrupted, and never reads its catalog.
 */
class TestPlannerWarmup {
  @Test
  void oneRoundPlansEveryQueryWithoutFailures() {
    PlannerWarmup.Report report = PlannerWarmup.run(Duration.ofMinutes(10), 1);
    assertThat(report.rounds()).isEqualTo(1);
    assertThat(report.plans()).isEqualTo(PlannerWarmup.QUERIES.size());
    assertThat(report.failures()).isZero();
  }

  @Test
  void theQueriesCoverJoinsSubqueriesAggregatesWindowsAndUnions() {
    OxbowPlanner planner = new OxbowPlanner(PlannerWarmup.catalog());
    PlannerSession session =
        new PlannerSession("warmup", PlannerWarmup.CATALOG, PlannerWarmup.SCHEMA);
    int maxJoins = 0;
    int withJoins = 0;
    boolean aggregate = false;
    boolean limit = false;
    boolean window = false;
    boolean union = false;
    for (String sql : PlannerWarmup.QUERIES) {
      List<PlanNode> nodes = new ArrayList<>();
      collect(planner.plan(sql, session).plan(), nodes);
      assertThat(nodes).as(sql).anyMatch(ScanNode.class::isInstance);
      long joins = nodes.stream().filter(JoinNode.class::isInstance).count();
      maxJoins = Math.max(maxJoins, (int) joins);
      withJoins += joins > 0 ? 1 : 0;
      aggregate |= nodes.stream().anyMatch(AggregateNode.class::isInstance);
      limit |= nodes.stream().anyMatch(LimitNode.class::isInstance);
      window |= nodes.stream().anyMatch(WindowNode.class::isInstance);
      union |= nodes.stream().anyMatch(UnionAllNode.class::isInstance);
    }
    assertThat(withJoins).isGreaterThanOrEqualTo(PlannerWarmup.QUERIES.size() - 3);
    assertThat(maxJoins).isGreaterThanOrEqualTo(7);
    assertThat(List.of(aggregate, limit, window, union)).containsOnly(true);
  }

  @Test
  void stopsAtItsBudget() {
    PlannerWarmup.Report report = PlannerWarmup.run(Duration.ZERO, Integer.MAX_VALUE);
    assertThat(report.plans()).isZero();
    assertThat(report.rounds()).isZero();
  }

  @Test
  void stopsWhenInterrupted() {
    Thread.currentThread().interrupt();
    try {
      PlannerWarmup.Report report = PlannerWarmup.run(Duration.ofSeconds(20), Integer.MAX_VALUE);
      assertThat(report.plans()).isZero();
      assertThat(report.failures()).isZero();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void itsCatalogHasNoDataToRead() {
    var connector = PlannerWarmup.catalog().connector(PlannerWarmup.CATALOG).orElseThrow();
    var handle =
        connector
            .metadata()
            .getTableHandle(new io.oxbow.spi.connector.SchemaTableName("shop", "purchase"))
            .orElseThrow();
    assertThat(connector.metadata().getTableMetadata(handle).rowCount()).hasValue(3_000_000);
    assertThatThrownBy(() -> connector.splitManager().getSplits(handle))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(PlannerWarmup.catalog().connector("demo")).isEmpty();
  }

  private static void collect(PlanNode node, List<PlanNode> nodes) {
    nodes.add(node);
    for (PlanNode input : node.inputs()) {
      collect(input, nodes);
    }
  }
}
