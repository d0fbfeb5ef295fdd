package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

class TestDecimalArithmetic extends EngineTesting {
  private static Expr dec(String value, int precision, int scale) {
    return lit(new BigDecimal(value), Kind.decimal(precision, scale));
  }

  private Object apply(ScalarFunction fn, ArrowType type, Expr a, Expr b) {
    return evaluate(call(fn, type, a, b));
  }

  private static void assertUserError(Runnable r, String message) {
    assertThatThrownBy(r::run)
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }

  @Test
  void addAndSubtractAlignScales() {
    assertThat(apply(ScalarFunction.ADD, Kind.decimal(6, 3), dec("1.5", 2, 1), dec("2.25", 3, 2)))
        .isEqualTo(new BigDecimal("3.750"));
    assertThat(
            apply(
                ScalarFunction.SUBTRACT, Kind.decimal(5, 2), dec("1.00", 3, 2), dec("0.06", 3, 2)))
        .isEqualTo(new BigDecimal("0.94"));
  }

  @Test
  void multiplyKeepsExactScaleOrRoundsHalfUp() {
    assertThat(
            apply(
                ScalarFunction.MULTIPLY, Kind.decimal(10, 4), dec("1.25", 3, 2), dec("1.25", 3, 2)))
        .isEqualTo(new BigDecimal("1.5625"));
    // 1.5625 -> scale 3 half up = 1.563; scale 2 = 1.56; negative: -1.5625 -> -1.563
    assertThat(
            apply(
                ScalarFunction.MULTIPLY, Kind.decimal(10, 3), dec("1.25", 3, 2), dec("1.25", 3, 2)))
        .isEqualTo(new BigDecimal("1.563"));
    assertThat(
            apply(
                ScalarFunction.MULTIPLY, Kind.decimal(10, 2), dec("1.25", 3, 2), dec("1.25", 3, 2)))
        .isEqualTo(new BigDecimal("1.56"));
    assertThat(
            apply(
                ScalarFunction.MULTIPLY,
                Kind.decimal(10, 3),
                dec("-1.25", 3, 2),
                dec("1.25", 3, 2)))
        .isEqualTo(new BigDecimal("-1.563"));
    // exactly half: 0.125 -> 0.13 and -0.125 -> -0.13
    assertThat(
            apply(
                ScalarFunction.MULTIPLY, Kind.decimal(10, 2), dec("0.5", 2, 1), dec("0.25", 3, 2)))
        .isEqualTo(new BigDecimal("0.13"));
    assertThat(
            apply(
                ScalarFunction.MULTIPLY, Kind.decimal(10, 2), dec("-0.5", 2, 1), dec("0.25", 3, 2)))
        .isEqualTo(new BigDecimal("-0.13"));
  }

  @Test
  void divideRoundsHalfUpToTheResultScale() {
    assertThat(apply(ScalarFunction.DIVIDE, Kind.decimal(10, 4), dec("2.00", 3, 2), dec("3", 1, 0)))
        .isEqualTo(new BigDecimal("0.6667"));
    assertThat(
            apply(ScalarFunction.DIVIDE, Kind.decimal(10, 4), dec("-2.00", 3, 2), dec("3", 1, 0)))
        .isEqualTo(new BigDecimal("-0.6667"));
    assertThat(apply(ScalarFunction.DIVIDE, Kind.decimal(10, 0), dec("5", 1, 0), dec("2", 1, 0)))
        .isEqualTo(new BigDecimal("3"));
    assertThat(
            apply(ScalarFunction.DIVIDE, Kind.decimal(10, 1), dec("1", 1, 0), dec("0.004", 4, 3)))
        .isEqualTo(new BigDecimal("250.0"));
  }

  @Test
  void overflowIsAUserErrorNotAWrongAnswer() {
    assertUserError(
        () -> apply(ScalarFunction.ADD, Kind.decimal(4, 2), dec("99.99", 4, 2), dec("0.01", 3, 2)),
        "Decimal overflow");
    assertUserError(
        () ->
            apply(
                ScalarFunction.MULTIPLY,
                Kind.decimal(5, 2),
                dec("999.00", 5, 2),
                dec("2.00", 3, 2)),
        "Decimal overflow");
    // rounding can carry into a new digit: 9.995 at scale 2 is 10.00, too wide for DECIMAL(3,2)
    assertUserError(
        () ->
            apply(ScalarFunction.MULTIPLY, Kind.decimal(3, 2), dec("9.995", 4, 3), dec("1", 1, 0)),
        "Decimal overflow");
  }

  @Test
  void wideDecimalsBeyond64Bits() {
    Expr big = dec("12345678901234567890.12", 22, 2);
    assertThat(apply(ScalarFunction.ADD, Kind.decimal(23, 2), big, big))
        .isEqualTo(new BigDecimal("24691357802469135780.24"));
    assertThat(apply(ScalarFunction.MULTIPLY, Kind.decimal(38, 4), big, dec("10.00", 4, 2)))
        .isEqualTo(new BigDecimal("123456789012345678901.2000"));
    // the 64-bit product overflows, the exact path takes over
    Expr nearLong = dec("9000000000.000000000", 19, 9);
    assertThat(apply(ScalarFunction.MULTIPLY, Kind.decimal(38, 18), nearLong, nearLong))
        .isEqualTo(new BigDecimal("81000000000000000000.000000000000000000"));
    assertUserError(
        () ->
            apply(
                ScalarFunction.MULTIPLY,
                Kind.decimal(38, 0),
                dec("99999999999999999999", 20, 0),
                dec("99999999999999999999", 20, 0)),
        "Decimal overflow");
  }

  @Test
  void mixedDecimalAndIntegerOperands() {
    assertThat(
            apply(ScalarFunction.ADD, Kind.decimal(12, 2), dec("1.25", 3, 2), lit(2L, Kind.INT64)))
        .isEqualTo(new BigDecimal("3.25"));
    assertThat(
            apply(
                ScalarFunction.MULTIPLY,
                Kind.decimal(12, 2),
                lit(3, Kind.INT32),
                dec("1.25", 3, 2)))
        .isEqualTo(new BigDecimal("3.75"));
  }

  @Test
  void divisionByZeroIsAUserErrorForEveryType() {
    assertUserError(
        () ->
            apply(ScalarFunction.DIVIDE, Kind.decimal(10, 2), dec("1.00", 3, 2), dec("0.00", 3, 2)),
        "Division by zero");
    assertUserError(
        () -> apply(ScalarFunction.DIVIDE, Kind.INT64, lit(1L, Kind.INT64), lit(0L, Kind.INT64)),
        "Division by zero");
    assertUserError(
        () -> apply(ScalarFunction.MOD, Kind.INT32, lit(1, Kind.INT32), lit(0, Kind.INT32)),
        "Division by zero");
    assertUserError(
        () ->
            apply(
                ScalarFunction.DIVIDE,
                Kind.FLOAT64,
                lit(1.0, Kind.FLOAT64),
                lit(0.0, Kind.FLOAT64)),
        "Division by zero");
    assertUserError(
        () -> apply(ScalarFunction.MOD, Kind.decimal(3, 2), dec("1.00", 3, 2), dec("0", 1, 0)),
        "Division by zero");
  }

  @Test
  void integerDivisionTruncatesAndModKeepsTheDividendSign() {
    assertThat(apply(ScalarFunction.DIVIDE, Kind.INT64, lit(-7L, Kind.INT64), lit(2L, Kind.INT64)))
        .isEqualTo(-3L);
    assertThat(apply(ScalarFunction.MOD, Kind.INT64, lit(-7L, Kind.INT64), lit(2L, Kind.INT64)))
        .isEqualTo(-1L);
    assertThat(apply(ScalarFunction.MOD, Kind.decimal(3, 1), dec("7.5", 2, 1), dec("2", 1, 0)))
        .isEqualTo(new BigDecimal("1.5"));
    assertUserError(
        () ->
            apply(
                ScalarFunction.ADD,
                Kind.INT64,
                lit(Long.MAX_VALUE, Kind.INT64),
                lit(1L, Kind.INT64)),
        "Integer overflow");
  }

  @Test
  void nullOperandsGiveNull() {
    assertThat(
            apply(
                ScalarFunction.ADD,
                Kind.decimal(5, 2),
                dec("1.00", 3, 2),
                lit(null, Kind.decimal(3, 2))))
        .isNull();
    assertThat(apply(ScalarFunction.DIVIDE, Kind.INT64, lit(null, Kind.INT64), lit(0L, Kind.INT64)))
        .isNull();
  }
}
