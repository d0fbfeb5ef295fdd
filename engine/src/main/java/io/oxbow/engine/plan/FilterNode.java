package io.oxbow.engine.plan;

import io.oxbow.engine.expr.Expr;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** Keeps the rows for which {@code condition} (a Bool expression) is TRUE (not FALSE, not NULL). */
public record FilterNode(PlanNode input, Expr condition) implements PlanNode {
  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of(input);
  }
}
