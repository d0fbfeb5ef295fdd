/**
 * The engine plan: an immutable tree of relational nodes (scan, filter, project, aggregate, sort,
 * limit, values) produced by the planner and executed by the engine.
 */
package io.oxbow.engine.plan;
