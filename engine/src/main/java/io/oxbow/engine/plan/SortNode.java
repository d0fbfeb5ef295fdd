package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** Orders all input rows by {@code keys}. */
public record SortNode(PlanNode input, List<SortKey> keys) implements PlanNode {
  public SortNode {
    keys = List.copyOf(keys);
  }

  @Override
  public Schema schema() {
    return input.schema();
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of(input);
  }
}
