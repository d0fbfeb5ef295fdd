package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

class TestValuesOperator extends EngineTesting {
  @Test
  void everySupportedTypeRoundTrips() {
    ValuesNode values =
        new ValuesNode(
            schema(
                "b", Kind.BOOL,
                "i8", new ArrowType.Int(8, true),
                "i16", new ArrowType.Int(16, true),
                "i32", Kind.INT32,
                "i64", Kind.INT64,
                "f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE),
                "f64", Kind.FLOAT64,
                "d", Kind.decimal(38, 4),
                "s", Kind.UTF8,
                "dt", Kind.DATE_DAY,
                "ts", Kind.TIMESTAMP_MICRO),
            List.of(
                row(
                    true,
                    (byte) -8,
                    (short) 300,
                    70_000,
                    1L << 40,
                    1.5f,
                    -2.25,
                    new BigDecimal("12345678901234567890123456789012.3456"),
                    "héllo",
                    19_000,
                    1_700_000_000_123_456L),
                row(null, null, null, null, null, null, null, null, null, null, null)));
    assertThat(run(values))
        .containsExactly(
            row(
                true,
                -8L,
                300L,
                70_000L,
                1L << 40,
                1.5,
                -2.25,
                new BigDecimal("12345678901234567890123456789012.3456"),
                "héllo",
                19_000,
                1_700_000_000_123_456L),
            row(null, null, null, null, null, null, null, null, null, null, null));
  }

  @Test
  void largeInputIsSplitIntoBatchesOf4096Rows() {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < 10_000; i++) {
      rows.add(row(i));
    }
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64), rows);
    assertThat(batchSizes(values)).containsExactly(4096, 4096, 1808);
    assertThat(run(values)).isEqualTo(rows);
  }

  @Test
  void emptyValuesProduceNoRows() {
    assertThat(run(new ValuesNode(schema("x", Kind.INT64), List.of()))).isEmpty();
  }
}
