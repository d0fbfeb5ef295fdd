package io.oxbow.engine.eval;

import org.apache.arrow.vector.types.pojo.ArrowType;

/** Converts literal Java values (as documented on {@link io.oxbow.engine.expr.Literal}). */
public final class Literals {
  private Literals() {}

  /** The engine's value representation of a literal value of {@code type}. */
  public static Object normalize(Object value, ArrowType type) {
    return ExpressionCompiler.normalize(value, type);
  }
}
