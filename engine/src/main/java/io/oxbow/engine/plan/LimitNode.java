package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** Skips {@code offset} rows then passes at most {@code limit} rows ({@code -1}: no limit). */
public record LimitNode(PlanNode input, long offset, long limit) implements PlanNode {
  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of(input);
  }
}
