/**
 * The vectorized execution engine: runs a {@link io.oxbow.engine.plan.PlanNode} tree as a pipeline
 * of Arrow operators allocating from one per-query allocator.
 */
package io.oxbow.engine;
