package io.oxbow.planner;

import io.oxbow.engine.plan.PlanNode;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A planned statement: the engine plan and its result columns. For EXPLAIN the plan is a {@link
 * io.oxbow.engine.plan.ValuesNode} of text rows.
 */
public record PlannedQuery(PlanNode plan, Schema schema) {}
