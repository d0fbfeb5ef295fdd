package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Constant rows (for {@code VALUES} and {@code SELECT} without {@code FROM}). Each value uses the
 * Java representation documented on {@link io.oxbow.engine.expr.Literal}.
 */
public record ValuesNode(Schema schema, List<List<Object>> rows) implements PlanNode {
  public ValuesNode {
    rows = List.copyOf(rows);
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of();
  }
}
