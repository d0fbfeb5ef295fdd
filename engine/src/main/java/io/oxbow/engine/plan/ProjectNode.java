package io.oxbow.engine.plan;

import io.oxbow.engine.expr.Expr;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** Computes one output column per expression; {@code schema} names and types them. */
public record ProjectNode(PlanNode input, List<Expr> expressions, Schema schema)
    implements PlanNode {
  public ProjectNode {
    expressions = List.copyOf(expressions);
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of(input);
  }
}
