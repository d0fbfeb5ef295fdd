package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.math.BigDecimal;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

class TestProjectOperator extends EngineTesting {
  private static final ValuesNode VALUES =
      new ValuesNode(
          schema("i", Kind.INT32, "l", Kind.INT64, "d", Kind.FLOAT64, "s", Kind.UTF8),
          List.of(row(1, 10L, 0.5, "a"), row(2, null, 1.5, "b"), row(-3, 30L, null, null)));

  @Test
  void reordersColumnsAndComputesExpressions() {
    ProjectNode project =
        new ProjectNode(
            VALUES,
            List.of(
                col(3, Kind.UTF8),
                call(ScalarFunction.ADD, Kind.INT32, col(0, Kind.INT32), lit(100, Kind.INT32)),
                call(ScalarFunction.SUBTRACT, Kind.INT64, col(1, Kind.INT64), lit(1L, Kind.INT64)),
                call(
                    ScalarFunction.MULTIPLY,
                    Kind.FLOAT64,
                    col(2, Kind.FLOAT64),
                    lit(2.0, Kind.FLOAT64)),
                lit(new BigDecimal("1.50"), Kind.decimal(3, 2)),
                call(ScalarFunction.NEGATE, Kind.INT64, col(1, Kind.INT64))),
            schema(
                "s",
                Kind.UTF8,
                "i",
                Kind.INT32,
                "l",
                Kind.INT64,
                "d",
                Kind.FLOAT64,
                "k",
                Kind.decimal(3, 2),
                "neg",
                Kind.INT64));
    assertThat(run(project))
        .containsExactly(
            row("a", 101L, 9L, 1.0, new BigDecimal("1.50"), -10L),
            row("b", 102L, null, 3.0, new BigDecimal("1.50"), null),
            row(null, 97L, 29L, null, new BigDecimal("1.50"), -30L));
  }

  @Test
  void projectAfterFilterSeesOnlyLiveRows() {
    FilterNode filter =
        new FilterNode(
            VALUES,
            call(ScalarFunction.LESS_THAN, Kind.BOOL, col(0, Kind.INT32), lit(2, Kind.INT32)));
    ProjectNode project =
        new ProjectNode(
            filter,
            List.of(col(0, Kind.INT32), col(3, Kind.UTF8)),
            schema("i", Kind.INT32, "s", Kind.UTF8));
    assertThat(run(project)).containsExactly(row(1L, "a"), row(-3L, null));
  }

  @Test
  void columnsReadTwiceAfterAFilterAreGatheredOnceAndGiveTheSameRows() {
    // rows 0..999: i, l (NULL every 7th), d, s (NULL every 5th); the filter keeps i % 3 != 0
    List<List<Object>> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(row(i, i % 7 == 0 ? null : (long) i * 10, i * 0.5, i % 5 == 0 ? null : "s" + i));
    }
    ValuesNode values =
        new ValuesNode(
            schema("i", Kind.INT32, "l", Kind.INT64, "d", Kind.FLOAT64, "s", Kind.UTF8), rows);
    FilterNode filter =
        new FilterNode(
            values,
            call(
                ScalarFunction.NOT_EQUAL,
                Kind.BOOL,
                call(ScalarFunction.MOD, Kind.INT32, col(0, Kind.INT32), lit(3, Kind.INT32)),
                lit(0, Kind.INT32)));
    ProjectNode project =
        new ProjectNode(
            filter,
            List.of(
                col(3, Kind.UTF8),
                call(ScalarFunction.ADD, Kind.INT64, col(1, Kind.INT64), col(1, Kind.INT64)),
                col(1, Kind.INT64),
                call(ScalarFunction.CONCAT, Kind.UTF8, col(3, Kind.UTF8), col(3, Kind.UTF8)),
                col(0, Kind.INT32)),
            schema(
                "s",
                Kind.UTF8,
                "ll",
                Kind.INT64,
                "l",
                Kind.INT64,
                "ss",
                Kind.UTF8,
                "i",
                Kind.INT32));
    List<List<Object>> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      if (i % 3 != 0) {
        Long l = i % 7 == 0 ? null : (long) i * 10;
        String str = i % 5 == 0 ? null : "s" + i;
        expected.add(
            row(str, l == null ? null : 2 * l, l, str == null ? null : str + str, (long) i));
      }
    }
    assertThat(run(project)).containsExactlyElementsOf(expected);
  }

  @Test
  void int32ArithmeticOverflowIsAUserError() {
    ProjectNode project =
        new ProjectNode(
            VALUES,
            List.of(
                call(
                    ScalarFunction.MULTIPLY,
                    Kind.INT32,
                    col(0, Kind.INT32),
                    lit(Integer.MAX_VALUE, Kind.INT32))),
            schema("x", Kind.INT32));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(project))
        .isInstanceOf(io.oxbow.spi.error.OxbowException.class)
        .hasMessageContaining("Integer overflow")
        .hasMessageContaining("INTEGER");
  }

  @Test
  void smallIntegerTypesAreWritten() {
    ArrowType int16 = new ArrowType.Int(16, true);
    ProjectNode project =
        new ProjectNode(
            new ValuesNode(schema("a", int16), List.of(row((short) 7), row((Object) null))),
            List.of(call(ScalarFunction.ADD, int16, col(0, int16), lit((short) 5, int16))),
            schema("x", int16));
    assertThat(run(project)).containsExactly(row(12L), row((Object) null));
  }

  @Test
  void sharedCallsAfterAFilterAreComputedOnceAndGiveTheSameRows() {
    // TPC-H Q1's shape: p * (1 - d) alone and times (1 + t), over decimals with NULLs, after a
    // filter
    ArrowType dec = Kind.decimal(15, 2);
    List<List<Object>> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      rows.add(
          row(
              i,
              i % 11 == 0 ? null : new BigDecimal(i).movePointLeft(1),
              new BigDecimal(i % 10).movePointLeft(2),
              new BigDecimal(i % 9).movePointLeft(2)));
    }
    ValuesNode values = new ValuesNode(schema("i", Kind.INT32, "p", dec, "d", dec, "t", dec), rows);
    FilterNode filter =
        new FilterNode(
            values,
            call(
                ScalarFunction.NOT_EQUAL,
                Kind.BOOL,
                call(ScalarFunction.MOD, Kind.INT32, col(0, Kind.INT32), lit(4, Kind.INT32)),
                lit(0, Kind.INT32)));
    ArrowType d16 = Kind.decimal(16, 2);
    ArrowType d32 = Kind.decimal(32, 4);
    ArrowType d38 = Kind.decimal(38, 6);
    var one = lit(BigDecimal.ONE, Kind.decimal(1, 0));
    var discounted =
        call(
            ScalarFunction.MULTIPLY,
            d32,
            col(1, dec),
            call(ScalarFunction.SUBTRACT, d16, one, col(2, dec)));
    var charged =
        call(
            ScalarFunction.MULTIPLY,
            d38,
            discounted,
            call(ScalarFunction.ADD, d16, one, col(3, dec)));
    ProjectNode project =
        new ProjectNode(
            filter,
            List.of(col(0, Kind.INT32), discounted, charged, col(1, dec)),
            schema("i", Kind.INT32, "disc", d32, "charge", d38, "p", dec));
    List<List<Object>> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      if (i % 4 != 0) {
        BigDecimal p = i % 11 == 0 ? null : new BigDecimal(i).movePointLeft(1);
        BigDecimal d = new BigDecimal(i % 10).movePointLeft(2);
        BigDecimal t = new BigDecimal(i % 9).movePointLeft(2);
        BigDecimal disc = p == null ? null : p.multiply(BigDecimal.ONE.subtract(d)).setScale(4);
        BigDecimal charge = disc == null ? null : disc.multiply(BigDecimal.ONE.add(t)).setScale(6);
        expected.add(row((long) i, disc, charge, p == null ? null : p.setScale(2)));
      }
    }
    assertThat(run(project)).containsExactlyElementsOf(expected);
  }

  @Test
  void aCallRepeatedOnlyUnderCaseGuardsIsNotEvaluatedForEveryRow() {
    // 100 / i twice, each guarded by i <> 0: computing it ahead for every row would divide by zero
    var guard = call(ScalarFunction.NOT_EQUAL, Kind.BOOL, col(0, Kind.INT32), lit(0, Kind.INT32));
    var quotient =
        call(ScalarFunction.DIVIDE, Kind.INT32, lit(100, Kind.INT32), col(0, Kind.INT32));
    var nothing = lit(null, Kind.INT32);
    ProjectNode project =
        new ProjectNode(
            new ValuesNode(schema("i", Kind.INT32), List.of(row(0), row(5), row(-4))),
            List.of(
                call(ScalarFunction.CASE, Kind.INT32, guard, quotient, nothing),
                call(
                    ScalarFunction.CASE,
                    Kind.INT32,
                    guard,
                    call(ScalarFunction.ADD, Kind.INT32, quotient, lit(1, Kind.INT32)),
                    nothing)),
            schema("q", Kind.INT32, "q1", Kind.INT32));
    assertThat(run(project)).containsExactly(row(null, null), row(20L, 21L), row(-25L, -24L));
  }
}
