package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

class TestCasts extends EngineTesting {
  private Object cast(Object value, ArrowType from, ArrowType to) {
    return evaluate(call(ScalarFunction.CAST, to, lit(value, from)));
  }

  private void assertBadCast(Object value, ArrowType from, ArrowType to, String message) {
    assertThatThrownBy(() -> cast(value, from, to))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }

  @Test
  void stringsToNumbersAndDates() {
    assertThat(cast(" 42 ", Kind.UTF8, Kind.INT32)).isEqualTo(42L);
    assertThat(cast("-9000000000", Kind.UTF8, Kind.INT64)).isEqualTo(-9_000_000_000L);
    assertThat(cast("2.5e3", Kind.UTF8, Kind.FLOAT64)).isEqualTo(2500.0);
    assertThat(cast("12.345", Kind.UTF8, Kind.decimal(10, 2))).isEqualTo(new BigDecimal("12.35"));
    assertThat(cast("1998-12-01", Kind.UTF8, Kind.DATE_DAY))
        .isEqualTo((int) LocalDate.of(1998, 12, 1).toEpochDay());
    assertThat(cast("1970-01-02 00:00:01.5", Kind.UTF8, Kind.TIMESTAMP_MICRO))
        .isEqualTo(86_401_500_000L);
    assertThat(cast("true", Kind.UTF8, Kind.BOOL)).isEqualTo(true);
  }

  @Test
  void badValuesNameTheValueAndTheTargetType() {
    assertBadCast("abc", Kind.UTF8, Kind.INT32, "Cannot cast 'abc' to INTEGER");
    assertBadCast("1.2.3", Kind.UTF8, Kind.decimal(10, 2), "Cannot cast '1.2.3' to DECIMAL(10, 2)");
    assertBadCast("1998-13-01", Kind.UTF8, Kind.DATE_DAY, "Cannot cast '1998-13-01' to DATE");
    assertBadCast("x", Kind.UTF8, Kind.FLOAT64, "Cannot cast 'x' to DOUBLE");
    assertBadCast("maybe", Kind.UTF8, Kind.BOOL, "Cannot cast 'maybe' to BOOLEAN");
    assertBadCast(300L, Kind.INT64, new ArrowType.Int(8, true), "out of range for TINYINT");
    assertBadCast(
        new BigDecimal("123.45"), Kind.decimal(5, 2), Kind.decimal(4, 2), "Decimal overflow");
  }

  @Test
  void numericConversions() {
    assertThat(cast(7L, Kind.INT64, Kind.decimal(5, 2))).isEqualTo(new BigDecimal("7.00"));
    assertThat(cast(new BigDecimal("2.50"), Kind.decimal(3, 2), Kind.INT64)).isEqualTo(3L);
    assertThat(cast(new BigDecimal("-2.50"), Kind.decimal(3, 2), Kind.INT64)).isEqualTo(-3L);
    assertThat(cast(new BigDecimal("1.005"), Kind.decimal(4, 3), Kind.decimal(3, 2)))
        .isEqualTo(new BigDecimal("1.01"));
    assertThat(cast(new BigDecimal("1.25"), Kind.decimal(3, 2), Kind.FLOAT64)).isEqualTo(1.25);
    assertThat(cast(0.1, Kind.FLOAT64, Kind.decimal(5, 3))).isEqualTo(new BigDecimal("0.100"));
    assertThat(cast(3, Kind.INT32, Kind.FLOAT64)).isEqualTo(3.0);
    assertThat(cast(2.5, Kind.FLOAT64, Kind.INT64)).isEqualTo(3L);
  }

  @Test
  void valuesToStrings() {
    assertThat(cast(new BigDecimal("1.50"), Kind.decimal(3, 2), Kind.UTF8)).isEqualTo("1.50");
    assertThat(cast(-5L, Kind.INT64, Kind.UTF8)).isEqualTo("-5");
    assertThat(cast(true, Kind.BOOL, Kind.UTF8)).isEqualTo("true");
    assertThat(cast((int) LocalDate.of(2024, 2, 29).toEpochDay(), Kind.DATE_DAY, Kind.UTF8))
        .isEqualTo("2024-02-29");
    assertThat(cast(86_401_000_000L, Kind.TIMESTAMP_MICRO, Kind.UTF8))
        .isEqualTo("1970-01-02 00:00:01");
  }

  @Test
  void datesAndTimestamps() {
    assertThat(cast(2, Kind.DATE_DAY, Kind.TIMESTAMP_MICRO)).isEqualTo(2 * 86_400_000_000L);
    assertThat(cast(86_400_000_001L, Kind.TIMESTAMP_MICRO, Kind.DATE_DAY)).isEqualTo(1);
    assertThat(cast(-1L, Kind.TIMESTAMP_MICRO, Kind.DATE_DAY)).isEqualTo(-1);
  }

  @Test
  void nullCastsToNull() {
    assertThat(cast(null, Kind.UTF8, Kind.INT32)).isNull();
  }
}
