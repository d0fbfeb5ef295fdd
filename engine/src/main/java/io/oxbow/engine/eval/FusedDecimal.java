package io.oxbow.engine.eval;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A tree of two or more decimal additions, subtractions and multiplications, such as TPC-H's {@code
 * l_extendedprice * (1 - l_discount) * (1 + l_tax)}, computed in one pass over 64-bit unscaled
 * values: the operands are read once, every intermediate result stays a {@code long[]}, and only
 * the final result is written as a 128-bit decimal vector. Operation by operation, the general path
 * writes each intermediate result as a decimal vector and reads it back.
 *
 * <p>It takes a tree only where no step rounds (a sum's scale is its operands' larger one, a
 * product's their sum, as the planner derives them), its inputs are decimal or integer expressions
 * and its literals fit 62 bits. For a batch where some value (a NULL slot's too) needs more than 64
 * bits, or an intermediate result exceeds its type's precision, it returns the general path's
 * result instead, which computes exactly and reports overflow; so the values and errors are the
 * general path's.
 */
final class FusedDecimal {
  private sealed interface Node permits Input, Constant, Operation {}

  /** The {@code index}-th input expression, evaluated per batch. */
  private record Input(int index, int scale) implements Node {}

  /** A literal's unscaled value at its type's scale. */
  private record Constant(long unscaled) implements Node {}

  /**
   * {@code left fn right}, each side first multiplied by its factor (sums and differences align
   * scales); {@code limit} is 10^precision of the result when under 19 digits, else 0 (the 64 bits
   * are the bound).
   */
  private record Operation(
      ScalarFunction fn, Node left, Node right, long leftFactor, long rightFactor, long limit)
      implements Node {}

  private final Node root;
  private final List<Evaluator> inputs;
  private final ArrowType.Decimal type;
  private final Evaluator general;

  private FusedDecimal(
      Node root, List<Evaluator> inputs, ArrowType.Decimal type, Evaluator general) {
    this.root = root;
    this.inputs = inputs;
    this.type = type;
    this.general = general;
  }

  /**
   * An evaluator of {@code call} through one 64-bit pass, falling back to {@code general} per
   * batch; null when {@code call} is not such a tree of at least two operations. {@code build}
   * compiles the tree's inputs.
   */
  static Evaluator of(Call call, Function<Expr, Evaluator> build, Evaluator general) {
    if (!fusable(call)) {
      return null;
    }
    List<Expr> inputs = new ArrayList<>();
    int[] operations = {0};
    Node root = node(call, inputs, operations);
    if (root == null || operations[0] < 2) {
      return null;
    }
    List<Evaluator> compiled = new ArrayList<>();
    for (Expr input : inputs) {
      compiled.add(build.apply(input));
    }
    FusedDecimal fused =
        new FusedDecimal(root, List.copyOf(compiled), (ArrowType.Decimal) call.type(), general);
    return fused::evaluate;
  }

  private static boolean fusable(Call call) {
    ScalarFunction fn = call.function();
    return (fn == ScalarFunction.ADD
            || fn == ScalarFunction.SUBTRACT
            || fn == ScalarFunction.MULTIPLY)
        && call.args().size() == 2
        && Kind.of(call.type()) == Kind.DECIMAL
        && exact(call.args().get(0).type())
        && exact(call.args().get(1).type());
  }

  private static boolean exact(ArrowType type) {
    Kind kind = Kind.of(type);
    return kind == Kind.DECIMAL || kind == Kind.INTEGER;
  }

  private static int scale(ArrowType type) {
    return type instanceof ArrowType.Decimal d ? d.getScale() : 0;
  }

  private static Node node(Expr expr, List<Expr> inputs, int[] operations) {
    if (expr instanceof Call call && fusable(call)) {
      Node left = node(call.args().get(0), inputs, operations);
      Node right = left == null ? null : node(call.args().get(1), inputs, operations);
      if (right == null || left instanceof Constant && right instanceof Constant) {
        return null;
      }
      int sa = scale(call.args().get(0).type());
      int sb = scale(call.args().get(1).type());
      ArrowType.Decimal type = (ArrowType.Decimal) call.type();
      int rs = type.getScale();
      long fa = 1;
      long fb = 1;
      if (call.function() == ScalarFunction.MULTIPLY) {
        if (rs != sa + sb) {
          return null;
        }
      } else {
        if (rs != Math.max(sa, sb) || rs >= Kernels.POW10.length) {
          return null;
        }
        fa = Kernels.POW10[rs - sa];
        fb = Kernels.POW10[rs - sb];
      }
      operations[0]++;
      int precision = type.getPrecision();
      long limit = precision < 19 ? Kernels.POW10[precision] : 0;
      return new Operation(call.function(), left, right, fa, fb, limit);
    }
    if (expr instanceof Literal literal) {
      Object value = ExpressionCompiler.normalize(literal.value(), literal.type());
      if (value instanceof Long l) {
        return Math.abs(l) < (1L << 62) ? new Constant(l) : null;
      }
      if (value instanceof BigDecimal d && d.unscaledValue().bitLength() <= 62) {
        return new Constant(d.unscaledValue().longValue());
      }
      return null; // NULL, or too wide
    }
    if (!exact(expr.type())) {
      return null;
    }
    inputs.add(expr);
    return new Input(inputs.size() - 1, scale(expr.type()));
  }

  private FieldVector evaluate(io.oxbow.engine.exec.Page page, BufferAllocator allocator) {
    int n = page.count();
    FieldVector[] vectors = new FieldVector[inputs.size()];
    FieldVector result = null;
    try {
      long[][] values = new long[vectors.length][];
      boolean fits = true;
      for (int i = 0; i < vectors.length; i++) {
        vectors[i] = inputs.get(i).evaluate(page, allocator);
        values[i] = Kernels.unscaled64(vectors[i], n);
        if (values[i] == null) {
          fits = false;
          break;
        }
      }
      if (fits) {
        long[] unscaled;
        try {
          unscaled = compute(root, values, vectors, n);
        } catch (ArithmeticException overflow) {
          unscaled = null; // the general path computes exactly, or reports the overflow
        }
        if (unscaled != null) {
          result = Kernels.decimalVector("fused", unscaled, type, n, allocator, vectors);
        }
      }
    } finally {
      for (FieldVector v : vectors) {
        if (v != null) {
          v.close();
        }
      }
    }
    return result != null ? result : general.evaluate(page, allocator);
  }

  /**
   * The node's unscaled values, in an array of its own (the inputs' arrays are each used once and
   * reused for results); null when an input's vector has another scale than its type.
   */
  private static long[] compute(Node node, long[][] values, FieldVector[] vectors, int n) {
    if (node instanceof Input input) {
      FieldVector v = vectors[input.index()];
      int actual = v instanceof DecimalVector d ? d.getScale() : 0;
      return actual == input.scale() ? values[input.index()] : null;
    }
    Operation op = (Operation) node;
    long fa = op.leftFactor();
    long fb = op.rightFactor();
    long[] r;
    if (op.left() instanceof Constant c) {
      long[] y = compute(op.right(), values, vectors, n);
      if (y == null) {
        return null;
      }
      r = constantFirst(op.fn(), Math.multiplyExact(c.unscaled(), fa), y, fb, n);
    } else if (op.right() instanceof Constant c) {
      long[] x = compute(op.left(), values, vectors, n);
      if (x == null) {
        return null;
      }
      r = constantSecond(op.fn(), x, fa, Math.multiplyExact(c.unscaled(), fb), n);
    } else {
      long[] x = compute(op.left(), values, vectors, n);
      long[] y = x == null ? null : compute(op.right(), values, vectors, n);
      if (y == null) {
        return null;
      }
      r = both(op.fn(), x, fa, y, fb, n);
    }
    long limit = op.limit();
    if (limit != 0) {
      for (int i = 0; i < n; i++) {
        if (r[i] >= limit || r[i] <= -limit) {
          throw new ArithmeticException("precision");
        }
      }
    }
    return r;
  }

  private static long[] both(ScalarFunction fn, long[] x, long fa, long[] y, long fb, int n) {
    switch (fn) {
      case MULTIPLY -> {
        for (int i = 0; i < n; i++) {
          x[i] = Math.multiplyExact(x[i], y[i]);
        }
      }
      case ADD -> {
        if (fa == 1 && fb == 1) {
          for (int i = 0; i < n; i++) {
            x[i] = Math.addExact(x[i], y[i]);
          }
        } else {
          for (int i = 0; i < n; i++) {
            x[i] = Math.addExact(Math.multiplyExact(x[i], fa), Math.multiplyExact(y[i], fb));
          }
        }
      }
      default -> {
        if (fa == 1 && fb == 1) {
          for (int i = 0; i < n; i++) {
            x[i] = Math.subtractExact(x[i], y[i]);
          }
        } else {
          for (int i = 0; i < n; i++) {
            x[i] = Math.subtractExact(Math.multiplyExact(x[i], fa), Math.multiplyExact(y[i], fb));
          }
        }
      }
    }
    return x;
  }

  /** {@code x op c}, with {@code c} already at the result's scale (or a factor, for products). */
  private static long[] constantSecond(ScalarFunction fn, long[] x, long fa, long c, int n) {
    switch (fn) {
      case MULTIPLY -> {
        for (int i = 0; i < n; i++) {
          x[i] = Math.multiplyExact(x[i], c);
        }
      }
      case ADD -> {
        for (int i = 0; i < n; i++) {
          x[i] = Math.addExact(Math.multiplyExact(x[i], fa), c);
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          x[i] = Math.subtractExact(Math.multiplyExact(x[i], fa), c);
        }
      }
    }
    return x;
  }

  /** {@code c op y}, with {@code c} already at the result's scale (or a factor, for products). */
  private static long[] constantFirst(ScalarFunction fn, long c, long[] y, long fb, int n) {
    switch (fn) {
      case MULTIPLY -> {
        for (int i = 0; i < n; i++) {
          y[i] = Math.multiplyExact(c, y[i]);
        }
      }
      case ADD -> {
        for (int i = 0; i < n; i++) {
          y[i] = Math.addExact(c, Math.multiplyExact(y[i], fb));
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          y[i] = Math.subtractExact(c, Math.multiplyExact(y[i], fb));
        }
      }
    }
    return y;
  }
}
