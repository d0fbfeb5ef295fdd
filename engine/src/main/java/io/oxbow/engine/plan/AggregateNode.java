package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Groups by {@code groupKeys} (input column indexes) and computes {@code aggregates}. Output
 * columns are the group keys, in order, then one per aggregate. With no group keys it produces
 * exactly one row, even for empty input.
 */
public record AggregateNode(
    PlanNode input, List<Integer> groupKeys, List<AggregateCall> aggregates, Schema schema)
    implements PlanNode {
  public AggregateNode {
    groupKeys = List.copyOf(groupKeys);
    aggregates = List.copyOf(aggregates);
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of(input);
  }
}
