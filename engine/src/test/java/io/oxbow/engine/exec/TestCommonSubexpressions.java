package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which calls {@link CommonSubexpressions} shares, and how it rewrites the expressions. */
class TestCommonSubexpressions {
  private static final ColumnRef A = new ColumnRef(0, Kind.INT64);
  private static final ColumnRef B = new ColumnRef(1, Kind.INT64);

  private static Call call(ScalarFunction f, Expr... args) {
    return new Call(f, List.of(args), args[0].type());
  }

  private static Literal lit(long v) {
    return new Literal(v, Kind.INT64);
  }

  @Test
  void theLargestRepeatedCallIsSharedOnceAndItsPartsAreNot() {
    Call inner = call(ScalarFunction.SUBTRACT, lit(1), B);
    Call product = call(ScalarFunction.MULTIPLY, A, inner);
    Call charged = call(ScalarFunction.MULTIPLY, product, call(ScalarFunction.ADD, lit(1), B));
    CommonSubexpressions cse = CommonSubexpressions.of(List.of(A, product, charged), 2);
    assertThat(cse.shared()).containsExactly(product);
    ColumnRef shared = new ColumnRef(2, Kind.INT64);
    assertThat(cse.rewritten())
        .containsExactly(
            A, shared, call(ScalarFunction.MULTIPLY, shared, call(ScalarFunction.ADD, lit(1), B)));
  }

  @Test
  void aCallRepeatedInsideOneExpressionIsShared() {
    Call sum = call(ScalarFunction.ADD, A, B);
    CommonSubexpressions cse =
        CommonSubexpressions.of(List.of(call(ScalarFunction.MULTIPLY, sum, sum)), 2);
    assertThat(cse.shared()).containsExactly(sum);
    ColumnRef ref = new ColumnRef(2, Kind.INT64);
    assertThat(cse.rewritten()).containsExactly(call(ScalarFunction.MULTIPLY, ref, ref));
  }

  @Test
  void callsOnlyUnderConditionsOrWithoutColumnsAreNotShared() {
    Call quotient = call(ScalarFunction.DIVIDE, lit(100), A);
    Call guard = new Call(ScalarFunction.GREATER_THAN, List.of(A, lit(0)), Kind.BOOL);
    Call caseOne = call(ScalarFunction.CASE, guard, quotient, lit(0));
    Call coalesce = call(ScalarFunction.COALESCE, B, quotient);
    Call constant = call(ScalarFunction.ADD, lit(1), lit(2));
    List<Expr> expressions =
        List.of(caseOne, coalesce, call(ScalarFunction.ADD, constant, B), constant);
    CommonSubexpressions cse = CommonSubexpressions.of(expressions, 2);
    assertThat(cse.shared()).isEmpty();
    assertThat(cse.rewritten()).isEqualTo(expressions);
  }

  @Test
  void aConditionalRepeatIsSharedWhenOneOccurrenceIsUnconditional() {
    Call quotient = call(ScalarFunction.DIVIDE, lit(100), A);
    Call guard = new Call(ScalarFunction.GREATER_THAN, List.of(A, lit(0)), Kind.BOOL);
    CommonSubexpressions cse =
        CommonSubexpressions.of(
            List.of(call(ScalarFunction.CASE, guard, quotient, lit(0)), quotient), 1);
    assertThat(cse.shared()).containsExactly(quotient);
    ColumnRef ref = new ColumnRef(1, Kind.INT64);
    assertThat(cse.rewritten()).containsExactly(call(ScalarFunction.CASE, guard, ref, lit(0)), ref);
  }
}
