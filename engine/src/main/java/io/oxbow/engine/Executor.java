package io.oxbow.engine;

import io.oxbow.engine.exec.PipelineBuilder;
import io.oxbow.engine.plan.PlanNode;

/** Runs engine plans. */
public final class Executor {
  private Executor() {}

  /**
   * Prepares {@code plan} for execution; work happens as the caller pulls batches from the returned
   * stream, which the caller must close.
   */
  public static ResultStream execute(PlanNode plan, ExecutionContext context) {
    return PipelineBuilder.build(plan, context);
  }
}
