/**
 * Evaluation of {@link io.oxbow.engine.expr.Expr} trees over pages: each expression is compiled
 * once into an {@link io.oxbow.engine.eval.Evaluator} that produces a whole result vector per page.
 */
package io.oxbow.engine.eval;
