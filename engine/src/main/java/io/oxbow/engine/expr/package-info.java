/**
 * Typed scalar expressions the planner hands to the engine: column references, literals and calls
 * of {@link io.oxbow.engine.expr.ScalarFunction}s. Types are Arrow types.
 */
package io.oxbow.engine.expr;
