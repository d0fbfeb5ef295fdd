package io.oxbow.engine;

import io.oxbow.engine.exec.PipelineBuilder;
import io.oxbow.engine.exec.SharedResults;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

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
    SharedResults shared = null;
    try {
      if (context.shared() == null) {
        shared = SharedResults.of(plan, context.allocator(), context.queryId());
        if (shared != null) {
          context = context.withShared(shared);
        }
      }
      ResultStream stream = PipelineBuilder.build(plan, context);
      return shared == null ? stream : new WithShared(stream, shared);
    } catch (RuntimeException e) {
      if (shared != null) {
        shared.close();
      }
      if (e instanceof OxbowException oxbow) {
        throw oxbow;
      }
      throw new OxbowException(
          ErrorCode.INTERNAL, "Cannot prepare the plan for execution: " + e.getMessage(), e);
    }
  }

  /** A query's stream that releases its shared results when it closes. */
  private record WithShared(ResultStream stream, SharedResults shared) implements ResultStream {
    @Override
    public Schema schema() {
      return stream.schema();
    }

    @Override
    public VectorSchemaRoot next() {
      return stream.next();
    }

    @Override
    public List<OperatorStats> operatorStats() {
      return stream.operatorStats();
    }

    @Override
    public void close() {
      try {
        stream.close();
      } finally {
        shared.close();
      }
    }
  }
}
