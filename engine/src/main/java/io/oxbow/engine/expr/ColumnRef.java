package io.oxbow.engine.expr;

import org.apache.arrow.vector.types.pojo.ArrowType;

/** The value of input column {@code index} (zero based). */
public record ColumnRef(int index, ArrowType type) implements Expr {
  @Override
  public String toString() {
    return "$" + index;
  }
}
