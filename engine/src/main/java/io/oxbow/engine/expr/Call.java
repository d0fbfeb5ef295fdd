package io.oxbow.engine.expr;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A call of a scalar function. The planner has already made argument types agree with the
 * function's rules (implicit casts are explicit {@link ScalarFunction#CAST} calls), and {@code
 * type} is the result type the planner derived; the engine produces exactly that type (for
 * decimals: that precision and scale, rounding half up, and an error rather than a wrong answer on
 * overflow).
 */
public record Call(ScalarFunction function, List<Expr> args, ArrowType type) implements Expr {
  public Call {
    args = List.copyOf(args);
  }

  @Override
  public String toString() {
    return function.name().toLowerCase()
        + args.stream().map(Object::toString).collect(Collectors.joining(", ", "(", ")"));
  }
}
