/**
 * The SQL planner: exposes catalogs to Apache Calcite, parses, validates and optimises a statement,
 * and converts the optimised relational plan into an engine plan ({@link
 * io.oxbow.engine.plan.PlanNode}). Calcite's own row-at-a-time execution is never used.
 */
package io.oxbow.planner;
