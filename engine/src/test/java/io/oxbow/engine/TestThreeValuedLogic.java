package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestThreeValuedLogic extends EngineTesting {
  private static final Boolean T = true;
  private static final Boolean F = false;
  private static final Boolean N = null;
  private static final Boolean[] TRUTH = {T, F, N};

  /** All nine combinations of (a, b), a major. */
  private static final ValuesNode PAIRS;

  static {
    List<List<Object>> rows = new ArrayList<>();
    for (Boolean a : TRUTH) {
      for (Boolean b : TRUTH) {
        rows.add(row(a, b));
      }
    }
    PAIRS = new ValuesNode(schema("a", Kind.BOOL, "b", Kind.BOOL), rows);
  }

  private static final Expr A = col(0, Kind.BOOL);
  private static final Expr B = col(1, Kind.BOOL);

  @Test
  void andTruthTable() {
    // a = T: T F N; a = F: F F F; a = N: N F N
    assertThat(evaluate(PAIRS, call(ScalarFunction.AND, Kind.BOOL, A, B)))
        .containsExactly(T, F, N, F, F, F, N, F, N);
  }

  @Test
  void orTruthTable() {
    assertThat(evaluate(PAIRS, call(ScalarFunction.OR, Kind.BOOL, A, B)))
        .containsExactly(T, T, T, T, F, N, T, N, N);
  }

  @Test
  void notAndNAryAndOr() {
    assertThat(evaluate(PAIRS, call(ScalarFunction.NOT, Kind.BOOL, A)))
        .containsExactly(F, F, F, T, T, T, N, N, N);
    // a AND b AND TRUE, a OR b OR FALSE behave like the binary forms
    assertThat(evaluate(PAIRS, call(ScalarFunction.AND, Kind.BOOL, A, B, lit(true, Kind.BOOL))))
        .containsExactly(T, F, N, F, F, F, N, F, N);
    assertThat(evaluate(PAIRS, call(ScalarFunction.OR, Kind.BOOL, A, B, lit(false, Kind.BOOL))))
        .containsExactly(T, T, T, T, F, N, T, N, N);
    assertThat(evaluate(PAIRS, call(ScalarFunction.AND, Kind.BOOL, A, B, lit(null, Kind.BOOL))))
        .containsExactly(N, F, N, F, F, F, N, F, N);
  }

  @Test
  void isTestsAreNeverNull() {
    ValuesNode single =
        new ValuesNode(schema("a", Kind.BOOL), List.of(row(T), row(F), row((Object) null)));
    assertThat(evaluate(single, call(ScalarFunction.IS_NULL, Kind.BOOL, A)))
        .containsExactly(F, F, T);
    assertThat(evaluate(single, call(ScalarFunction.IS_NOT_NULL, Kind.BOOL, A)))
        .containsExactly(T, T, F);
    assertThat(evaluate(single, call(ScalarFunction.IS_TRUE, Kind.BOOL, A)))
        .containsExactly(T, F, F);
    assertThat(evaluate(single, call(ScalarFunction.IS_NOT_TRUE, Kind.BOOL, A)))
        .containsExactly(F, T, T);
    assertThat(evaluate(single, call(ScalarFunction.IS_FALSE, Kind.BOOL, A)))
        .containsExactly(F, T, F);
    assertThat(evaluate(single, call(ScalarFunction.IS_NOT_FALSE, Kind.BOOL, A)))
        .containsExactly(T, F, T);
  }

  @Test
  void comparisonsPropagateNullAndDistinctFromDoesNot() {
    ValuesNode ints =
        new ValuesNode(
            schema("x", Kind.INT64, "y", Kind.INT64),
            List.of(row(1L, 2L), row(2L, 2L), row(3L, 2L), row(null, 2L), row(null, null)));
    Expr x = col(0, Kind.INT64);
    Expr y = col(1, Kind.INT64);
    assertThat(evaluate(ints, call(ScalarFunction.EQUAL, Kind.BOOL, x, y)))
        .containsExactly(F, T, F, N, N);
    assertThat(evaluate(ints, call(ScalarFunction.NOT_EQUAL, Kind.BOOL, x, y)))
        .containsExactly(T, F, T, N, N);
    assertThat(evaluate(ints, call(ScalarFunction.LESS_THAN, Kind.BOOL, x, y)))
        .containsExactly(T, F, F, N, N);
    assertThat(evaluate(ints, call(ScalarFunction.LESS_THAN_OR_EQUAL, Kind.BOOL, x, y)))
        .containsExactly(T, T, F, N, N);
    assertThat(evaluate(ints, call(ScalarFunction.GREATER_THAN, Kind.BOOL, x, y)))
        .containsExactly(F, F, T, N, N);
    assertThat(evaluate(ints, call(ScalarFunction.GREATER_THAN_OR_EQUAL, Kind.BOOL, x, y)))
        .containsExactly(F, T, T, N, N);
    assertThat(evaluate(ints, call(ScalarFunction.IS_DISTINCT_FROM, Kind.BOOL, x, y)))
        .containsExactly(T, F, T, T, F);
    assertThat(evaluate(ints, call(ScalarFunction.IS_NOT_DISTINCT_FROM, Kind.BOOL, x, y)))
        .containsExactly(F, T, F, F, T);
  }

  @Test
  void comparisonsOfEveryType() {
    assertThat(
            evaluate(
                call(
                    ScalarFunction.LESS_THAN,
                    Kind.BOOL,
                    lit("apple", Kind.UTF8),
                    lit("apples", Kind.UTF8))))
        .isEqualTo(T);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.EQUAL,
                    Kind.BOOL,
                    lit(new java.math.BigDecimal("1.50"), Kind.decimal(5, 2)),
                    lit(new java.math.BigDecimal("1.5000"), Kind.decimal(9, 4)))))
        .isEqualTo(T);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.GREATER_THAN,
                    Kind.BOOL,
                    lit(new java.math.BigDecimal("2.01"), Kind.decimal(5, 2)),
                    lit(2L, Kind.INT64))))
        .isEqualTo(T);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.LESS_THAN,
                    Kind.BOOL,
                    lit(1.5, Kind.FLOAT64),
                    lit(2L, Kind.INT64))))
        .isEqualTo(T);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.LESS_THAN,
                    Kind.BOOL,
                    lit(10, Kind.DATE_DAY),
                    lit(11, Kind.DATE_DAY))))
        .isEqualTo(T);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.EQUAL,
                    Kind.BOOL,
                    lit(1, Kind.DATE_DAY),
                    lit(86_400_000_000L, Kind.TIMESTAMP_MICRO))))
        .isEqualTo(T);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.GREATER_THAN,
                    Kind.BOOL,
                    lit(true, Kind.BOOL),
                    lit(false, Kind.BOOL))))
        .isEqualTo(T);
  }

  @Test
  void inFollowsSqlNullRules() {
    ValuesNode values =
        new ValuesNode(schema("x", Kind.INT64), List.of(row(1L), row(5L), row((Object) null)));
    Expr x = col(0, Kind.INT64);
    assertThat(
            evaluate(
                values,
                call(ScalarFunction.IN, Kind.BOOL, x, lit(1L, Kind.INT64), lit(2L, Kind.INT64))))
        .containsExactly(T, F, N);
    assertThat(
            evaluate(
                values,
                call(ScalarFunction.IN, Kind.BOOL, x, lit(1L, Kind.INT64), lit(null, Kind.INT64))))
        .containsExactly(T, N, N);
  }

  @Test
  void caseAndCoalesce() {
    ValuesNode values =
        new ValuesNode(schema("x", Kind.INT64), List.of(row(1L), row(5L), row((Object) null)));
    Expr x = col(0, Kind.INT64);
    Expr caseExpr =
        call(
            ScalarFunction.CASE,
            Kind.UTF8,
            call(ScalarFunction.LESS_THAN, Kind.BOOL, x, lit(3L, Kind.INT64)),
            lit("small", Kind.UTF8),
            call(ScalarFunction.LESS_THAN, Kind.BOOL, x, lit(10L, Kind.INT64)),
            lit("medium", Kind.UTF8),
            lit(null, Kind.UTF8));
    assertThat(evaluate(values, caseExpr)).containsExactly("small", "medium", null);
    Expr coalesce =
        call(ScalarFunction.COALESCE, Kind.INT64, lit(null, Kind.INT64), x, lit(-1L, Kind.INT64));
    assertThat(evaluate(values, coalesce)).containsExactly(1L, 5L, -1L);
  }

  @Test
  void andShortCircuitsSoTheRightSideIsNotEvaluatedWhereTheLeftIsFalse() {
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64), List.of(row(0L), row(2L)));
    Expr x = col(0, Kind.INT64);
    Expr guarded =
        call(
            ScalarFunction.AND,
            Kind.BOOL,
            call(ScalarFunction.NOT_EQUAL, Kind.BOOL, x, lit(0L, Kind.INT64)),
            call(
                ScalarFunction.GREATER_THAN,
                Kind.BOOL,
                call(ScalarFunction.DIVIDE, Kind.INT64, lit(10L, Kind.INT64), x),
                lit(1L, Kind.INT64)));
    assertThat(evaluate(values, guarded)).containsExactly(F, T);
  }
}
