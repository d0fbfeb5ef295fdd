package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestScalarFunctions extends EngineTesting {
  private static final ValuesNode STRINGS =
      new ValuesNode(
          schema("s", Kind.UTF8),
          List.of(
              row("50% off"),
              row("500 off"),
              row("a_b"),
              row("axb"),
              row("line\nbreak"),
              row((Object) null)));

  private List<Object> like(String pattern, String escape) {
    Expr p = lit(pattern, Kind.UTF8);
    Expr call =
        escape == null
            ? call(ScalarFunction.LIKE, Kind.BOOL, col(0, Kind.UTF8), p)
            : call(ScalarFunction.LIKE, Kind.BOOL, col(0, Kind.UTF8), p, lit(escape, Kind.UTF8));
    return evaluate(STRINGS, call);
  }

  @Test
  void likeWildcards() {
    assertThat(like("50%", null)).containsExactly(true, true, false, false, false, null);
    assertThat(like("a_b", null)).containsExactly(false, false, true, true, false, null);
    assertThat(like("%", null)).containsExactly(true, true, true, true, true, null);
    assertThat(like("line_break", null)).containsExactly(false, false, false, false, true, null);
    assertThat(like("500 off", null)).containsExactly(false, true, false, false, false, null);
  }

  @Test
  void likeWithEscape() {
    assertThat(like("50!%%", "!")).containsExactly(true, false, false, false, false, null);
    assertThat(like("a!_b", "!")).containsExactly(false, false, true, false, false, null);
    assertThat(like("a\\_b", "\\")).containsExactly(false, false, true, false, false, null);
    // regex metacharacters in the pattern are literal
    ValuesNode dots = new ValuesNode(schema("s", Kind.UTF8), List.of(row("a.c"), row("abc")));
    assertThat(
            evaluate(
                dots,
                call(ScalarFunction.LIKE, Kind.BOOL, col(0, Kind.UTF8), lit("a.c", Kind.UTF8))))
        .containsExactly(true, false);
    assertThatThrownBy(() -> like("abc!", "!"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("ends with the escape character");
  }

  @Test
  void stringFunctions() {
    Expr s = lit("Héllo World", Kind.UTF8);
    assertThat(evaluate(call(ScalarFunction.UPPER, Kind.UTF8, s))).isEqualTo("HÉLLO WORLD");
    assertThat(evaluate(call(ScalarFunction.LOWER, Kind.UTF8, s))).isEqualTo("héllo world");
    assertThat(evaluate(call(ScalarFunction.CHAR_LENGTH, Kind.INT64, s))).isEqualTo(11L);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.SUBSTRING,
                    Kind.UTF8,
                    s,
                    lit(2L, Kind.INT64),
                    lit(4L, Kind.INT64))))
        .isEqualTo("éllo");
    assertThat(evaluate(call(ScalarFunction.SUBSTRING, Kind.UTF8, s, lit(7L, Kind.INT64))))
        .isEqualTo("World");
    assertThat(
            evaluate(
                call(
                    ScalarFunction.CONCAT,
                    Kind.UTF8,
                    lit("a", Kind.UTF8),
                    lit("b", Kind.UTF8),
                    lit("c", Kind.UTF8))))
        .isEqualTo("abc");
    assertThat(
            evaluate(
                call(ScalarFunction.CONCAT, Kind.UTF8, lit("a", Kind.UTF8), lit(null, Kind.UTF8))))
        .isNull();
    assertThat(
            evaluate(
                call(
                    ScalarFunction.TRIM,
                    Kind.UTF8,
                    lit("BOTH", Kind.UTF8),
                    lit(" ", Kind.UTF8),
                    lit("  x y  ", Kind.UTF8))))
        .isEqualTo("x y");
    assertThat(
            evaluate(
                call(
                    ScalarFunction.TRIM,
                    Kind.UTF8,
                    lit("LEADING", Kind.UTF8),
                    lit("x", Kind.UTF8),
                    lit("xxaxx", Kind.UTF8))))
        .isEqualTo("axx");
  }

  @Test
  void extractAndDateArithmetic() {
    int date = (int) LocalDate.of(1996, 3, 31).toEpochDay();
    Expr d = lit(date, Kind.DATE_DAY);
    assertThat(evaluate(call(ScalarFunction.EXTRACT, Kind.INT64, lit("YEAR", Kind.UTF8), d)))
        .isEqualTo(1996L);
    assertThat(evaluate(call(ScalarFunction.EXTRACT, Kind.INT64, lit("MONTH", Kind.UTF8), d)))
        .isEqualTo(3L);
    assertThat(evaluate(call(ScalarFunction.EXTRACT, Kind.INT64, lit("DAY", Kind.UTF8), d)))
        .isEqualTo(31L);
    assertThat(evaluate(call(ScalarFunction.EXTRACT, Kind.INT64, lit("QUARTER", Kind.UTF8), d)))
        .isEqualTo(1L);
    assertThat(evaluate(call(ScalarFunction.DATE_ADD_DAYS, Kind.DATE_DAY, d, lit(1L, Kind.INT64))))
        .isEqualTo((int) LocalDate.of(1996, 4, 1).toEpochDay());
    assertThat(
            evaluate(call(ScalarFunction.DATE_ADD_MONTHS, Kind.DATE_DAY, d, lit(-1L, Kind.INT64))))
        .isEqualTo((int) LocalDate.of(1996, 2, 29).toEpochDay());
    assertThat(
            evaluate(call(ScalarFunction.DATE_ADD_MONTHS, Kind.DATE_DAY, d, lit(12L, Kind.INT64))))
        .isEqualTo((int) LocalDate.of(1997, 3, 31).toEpochDay());
  }

  @Test
  void numericFunctions() {
    assertThat(evaluate(call(ScalarFunction.ABS, Kind.INT64, lit(-4L, Kind.INT64)))).isEqualTo(4L);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.ABS,
                    Kind.decimal(3, 2),
                    lit(new BigDecimal("-1.25"), Kind.decimal(3, 2)))))
        .isEqualTo(new BigDecimal("1.25"));
    assertThat(
            evaluate(
                call(
                    ScalarFunction.ROUND,
                    Kind.decimal(4, 1),
                    lit(new BigDecimal("2.45"), Kind.decimal(3, 2)),
                    lit(1L, Kind.INT64))))
        .isEqualTo(new BigDecimal("2.5"));
    assertThat(evaluate(call(ScalarFunction.FLOOR, Kind.FLOAT64, lit(-1.5, Kind.FLOAT64))))
        .isEqualTo(-2.0);
    assertThat(evaluate(call(ScalarFunction.CEIL, Kind.FLOAT64, lit(1.2, Kind.FLOAT64))))
        .isEqualTo(2.0);
    assertThat(
            evaluate(
                call(
                    ScalarFunction.CEIL,
                    Kind.decimal(3, 0),
                    lit(new BigDecimal("1.01"), Kind.decimal(3, 2)))))
        .isEqualTo(new BigDecimal("2"));
    assertThat(evaluate(call(ScalarFunction.NEGATE, Kind.FLOAT64, lit(1.5, Kind.FLOAT64))))
        .isEqualTo(-1.5);
  }
}
