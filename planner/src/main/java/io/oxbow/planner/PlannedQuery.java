package io.oxbow.planner;

import io.oxbow.engine.plan.PlanNode;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A planned statement: the engine plan and its result columns. For EXPLAIN the plan is a {@link
 * io.oxbow.engine.plan.ValuesNode} of text rows. For EXPLAIN ANALYZE ({@code analyze} true) the
 * plan is the query's own plan, which the caller runs, and {@code schema} is the single {@code
 * plan} text column of the report. For CREATE TABLE and INSERT, {@code change} says what to change
 * and {@code schema} has no columns (clients see an update); for INSERT {@code plan} produces the
 * new rows in the table's column order.
 */
public record PlannedQuery(PlanNode plan, Schema schema, boolean analyze, DataChange change) {
  public PlannedQuery(PlanNode plan, Schema schema) {
    this(plan, schema, false, null);
  }

  public PlannedQuery(PlanNode plan, Schema schema, boolean analyze) {
    this(plan, schema, analyze, null);
  }
}
