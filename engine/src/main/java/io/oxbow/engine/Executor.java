package io.oxbow.engine;

import io.oxbow.engine.exec.PipelineBuilder;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;

/**
 * Runs engine plans: the entry point the planner and the federation layer call. Plans become a
 * pipeline of operators driven on the caller's thread as it pulls batches.
 */
public final class Executor {
  private Executor() {}

  /**
   * Prepares {@code plan} for execution; work happens as the caller pulls batches from the returned
   * stream, which the caller must close.
   */
  public static ResultStream execute(PlanNode plan, ExecutionContext context) {
    try {
      return PipelineBuilder.build(plan, context);
    } catch (OxbowException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new OxbowException(
          ErrorCode.INTERNAL, "Cannot prepare the plan for execution: " + e.getMessage(), e);
    }
  }
}
