package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/** A node of the engine plan. Immutable. */
public sealed interface PlanNode
    permits ScanNode,
        FilterNode,
        ProjectNode,
        AggregateNode,
        SortNode,
        LimitNode,
        ValuesNode,
        JoinNode,
        UnionAllNode,
        WindowNode {
  /** The columns this node produces, in order. Field names are for display only. */
  Schema schema();

  /** Child nodes, in order. */
  List<PlanNode> inputs();
}
