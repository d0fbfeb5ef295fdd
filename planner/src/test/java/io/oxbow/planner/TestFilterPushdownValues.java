package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

/** Values offered to connectors for floating-point columns keep the engine's comparison. */
class TestFilterPushdownValues {
  private static final ArrowType REAL = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
  private static final ArrowType DOUBLE =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  @Test
  void realColumnsAreOfferedOnlyValuesAFloatHoldsExactly() {
    // the engine compares real_col > 0.1 in double: 0.1f (0.10000000149...) is greater than 0.1,
    // so a connector that narrowed 0.1 to float would skip a file whose maximum is 0.1f
    assertThat(FilterPushdown.value(new BigDecimal("0.1"), REAL)).isNull();
    assertThat(FilterPushdown.value(new BigDecimal("0.5"), REAL)).isEqualTo(0.5);
    assertThat(FilterPushdown.value(new BigDecimal("3"), REAL)).isEqualTo(3.0);
    assertThat(FilterPushdown.value(new BigDecimal("0.1"), DOUBLE)).isEqualTo(0.1);
  }
}
