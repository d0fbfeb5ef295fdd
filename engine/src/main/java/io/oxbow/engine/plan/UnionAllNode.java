package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** All rows of every input, in input order ({@code UNION ALL}); inputs have the same columns. */
public record UnionAllNode(List<PlanNode> inputs, Schema schema) implements PlanNode {
  public UnionAllNode {
    inputs = List.copyOf(inputs);
  }
}
