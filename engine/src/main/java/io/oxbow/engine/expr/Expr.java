package io.oxbow.engine.expr;

import org.apache.arrow.vector.types.pojo.ArrowType;

/** A typed scalar expression evaluated over the rows of one input batch. */
public sealed interface Expr permits ColumnRef, Literal, Call {
  /** The result type. */
  ArrowType type();
}
