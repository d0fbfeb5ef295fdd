package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

class TestHashAggregationOperator extends EngineTesting {
  private static final ArrowType DEC = Kind.decimal(10, 2);

  // k, x (bigint), d (decimal(10,2)), f (double), flag (bool), s (varchar)
  private static final ValuesNode DATA =
      new ValuesNode(
          schema(
              "k",
              Kind.UTF8,
              "x",
              Kind.INT64,
              "d",
              DEC,
              "f",
              Kind.FLOAT64,
              "flag",
              Kind.BOOL,
              "s",
              Kind.UTF8),
          List.of(
              row("a", 1L, new BigDecimal("1.00"), 1.5, true, "pear"),
              row("a", 2L, new BigDecimal("2.00"), null, false, "apple"),
              row("a", 2L, null, 2.5, true, null),
              row("b", null, new BigDecimal("0.01"), null, null, "fig"),
              row(null, 5L, new BigDecimal("0.02"), 4.0, true, "kiwi"),
              row("b", 7L, new BigDecimal("0.02"), null, false, "fig")));

  private static AggregateCall agg(AggregateFunction fn, int column, ArrowType type) {
    return new AggregateCall(fn, column < 0 ? List.of() : List.of(column), false, -1, type);
  }

  private static AggregateCall distinct(AggregateFunction fn, int column, ArrowType type) {
    return new AggregateCall(fn, List.of(column), true, -1, type);
  }

  private List<List<Object>> runSorted(AggregateNode node) {
    return run(new SortNode(node, List.of(new SortKey(0, true, true))));
  }

  @Test
  void everyAggregateWithGroupKeys() {
    AggregateNode node =
        new AggregateNode(
            DATA,
            List.of(0),
            List.of(
                agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64),
                agg(AggregateFunction.COUNT, 1, Kind.INT64),
                agg(AggregateFunction.SUM, 1, Kind.INT64),
                agg(AggregateFunction.AVG, 1, Kind.FLOAT64),
                agg(AggregateFunction.MIN, 1, Kind.INT64),
                agg(AggregateFunction.MAX, 5, Kind.UTF8),
                agg(AggregateFunction.SUM, 2, Kind.decimal(20, 2)),
                agg(AggregateFunction.SUM, 3, Kind.FLOAT64)),
            schema(
                "k",
                Kind.UTF8,
                "cs",
                Kind.INT64,
                "c",
                Kind.INT64,
                "s",
                Kind.INT64,
                "a",
                Kind.FLOAT64,
                "mn",
                Kind.INT64,
                "mx",
                Kind.UTF8,
                "sd",
                Kind.decimal(20, 2),
                "sf",
                Kind.FLOAT64));
    assertThat(runSorted(node))
        .containsExactly(
            row(null, 1L, 1L, 5L, 5.0, 5L, "kiwi", new BigDecimal("0.02"), 4.0),
            row("a", 3L, 3L, 5L, 5.0 / 3, 1L, "pear", new BigDecimal("3.00"), 4.0),
            row("b", 2L, 1L, 7L, 7.0, 7L, "fig", new BigDecimal("0.03"), null));
  }

  @Test
  void globalAggregateOverEmptyInputIsOneRow() {
    ValuesNode empty = new ValuesNode(DATA.schema(), List.of());
    AggregateNode node =
        new AggregateNode(
            empty,
            List.of(),
            List.of(
                agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64),
                agg(AggregateFunction.COUNT, 1, Kind.INT64),
                agg(AggregateFunction.SUM, 1, Kind.INT64),
                agg(AggregateFunction.AVG, 2, Kind.decimal(14, 6)),
                agg(AggregateFunction.MIN, 5, Kind.UTF8),
                distinct(AggregateFunction.COUNT, 1, Kind.INT64)),
            schema(
                "cs",
                Kind.INT64,
                "c",
                Kind.INT64,
                "s",
                Kind.INT64,
                "a",
                Kind.decimal(14, 6),
                "m",
                Kind.UTF8,
                "cd",
                Kind.INT64));
    assertThat(run(node)).containsExactly(row(0L, 0L, null, null, null, 0L));
  }

  @Test
  void groupedAggregateOverEmptyInputHasNoRows() {
    ValuesNode empty = new ValuesNode(DATA.schema(), List.of());
    AggregateNode node =
        new AggregateNode(
            empty,
            List.of(0),
            List.of(agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64)),
            schema("k", Kind.UTF8, "c", Kind.INT64));
    assertThat(run(node)).isEmpty();
  }

  @Test
  void allNullInputGivesNullExceptCounts() {
    ValuesNode nulls =
        new ValuesNode(schema("x", Kind.INT64), List.of(row((Object) null), row((Object) null)));
    AggregateNode node =
        new AggregateNode(
            nulls,
            List.of(),
            List.of(
                agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64),
                agg(AggregateFunction.COUNT, 0, Kind.INT64),
                agg(AggregateFunction.SUM, 0, Kind.INT64),
                agg(AggregateFunction.MAX, 0, Kind.INT64),
                agg(AggregateFunction.AVG, 0, Kind.FLOAT64)),
            schema(
                "a",
                Kind.INT64,
                "b",
                Kind.INT64,
                "c",
                Kind.INT64,
                "d",
                Kind.INT64,
                "e",
                Kind.FLOAT64));
    assertThat(run(node)).containsExactly(row(2L, 0L, null, null, null));
  }

  @Test
  void distinctVariants() {
    AggregateNode node =
        new AggregateNode(
            DATA,
            List.of(),
            List.of(
                distinct(AggregateFunction.COUNT, 1, Kind.INT64),
                distinct(AggregateFunction.SUM, 1, Kind.INT64),
                distinct(AggregateFunction.AVG, 2, Kind.decimal(12, 4)),
                distinct(AggregateFunction.COUNT, 5, Kind.INT64),
                distinct(AggregateFunction.MIN, 2, DEC)),
            schema(
                "c",
                Kind.INT64,
                "s",
                Kind.INT64,
                "a",
                Kind.decimal(12, 4),
                "cs",
                Kind.INT64,
                "m",
                DEC));
    // distinct x: 1, 2, 5, 7; distinct d: 1.00, 2.00, 0.01, 0.02 -> avg 3.03 / 4 = 0.7575
    assertThat(run(node))
        .containsExactly(row(4L, 15L, new BigDecimal("0.7575"), 4L, new BigDecimal("0.01")));
  }

  @Test
  void filterColumnRestrictsTheRowsOfOneAggregate() {
    AggregateNode node =
        new AggregateNode(
            DATA,
            List.of(),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, 4, Kind.INT64),
                new AggregateCall(AggregateFunction.SUM, List.of(1), false, 4, Kind.INT64),
                agg(AggregateFunction.SUM, 1, Kind.INT64)),
            schema("c", Kind.INT64, "s", Kind.INT64, "all", Kind.INT64));
    // flag true on rows x=1, x=2, x=5 (null flag and false are excluded)
    assertThat(run(node)).containsExactly(row(3L, 8L, 17L));
  }

  @Test
  void decimalAverageRoundsHalfUpAndSumIsExact() {
    ValuesNode values =
        new ValuesNode(
            schema("d", DEC),
            List.of(
                row(new BigDecimal("0.01")),
                row(new BigDecimal("0.01")),
                row(new BigDecimal("0.02")),
                row(new BigDecimal("-0.00"))));
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(),
            List.of(
                agg(AggregateFunction.AVG, 0, DEC),
                agg(AggregateFunction.AVG, 0, Kind.decimal(10, 3)),
                agg(AggregateFunction.SUM, 0, Kind.decimal(38, 2))),
            schema("a2", DEC, "a3", Kind.decimal(10, 3), "s", Kind.decimal(38, 2)));
    // sum 0.04 / 4 = 0.01 exactly; with three values 0.04/3 would round
    assertThat(run(node))
        .containsExactly(
            row(new BigDecimal("0.01"), new BigDecimal("0.010"), new BigDecimal("0.04")));

    ValuesNode three =
        new ValuesNode(
            schema("d", DEC),
            List.of(
                row(new BigDecimal("0.01")),
                row(new BigDecimal("0.01")),
                row(new BigDecimal("0.03"))));
    AggregateNode avg =
        new AggregateNode(
            three,
            List.of(),
            List.of(
                agg(AggregateFunction.AVG, 0, DEC),
                agg(AggregateFunction.AVG, 0, Kind.decimal(10, 4))),
            schema("a", DEC, "b", Kind.decimal(10, 4)));
    // 0.05 / 3 = 0.016666.. -> 0.02 and 0.0167
    assertThat(run(avg)).containsExactly(row(new BigDecimal("0.02"), new BigDecimal("0.0167")));
  }

  @Test
  void decimalSumBeyondLongRangeStaysExact() {
    ArrowType big = Kind.decimal(38, 2);
    BigDecimal value = new BigDecimal("90000000000000000.00"); // unscaled 9e18, near Long.MAX_VALUE
    ValuesNode values =
        new ValuesNode(
            schema("d", Kind.decimal(19, 2)), List.of(row(value), row(value), row(value)));
    AggregateNode node =
        new AggregateNode(
            values, List.of(), List.of(agg(AggregateFunction.SUM, 0, big)), schema("s", big));
    assertThat(run(node)).containsExactly(row(new BigDecimal("270000000000000000.00")));
  }

  @Test
  void decimalSumThatOverflowsTheResultTypeIsAUserError() {
    ArrowType small = Kind.decimal(4, 2);
    ValuesNode values =
        new ValuesNode(
            schema("d", small),
            List.of(row(new BigDecimal("99.99")), row(new BigDecimal("99.99"))));
    AggregateNode node =
        new AggregateNode(
            values, List.of(), List.of(agg(AggregateFunction.SUM, 0, small)), schema("s", small));
    assertThatThrownBy(() -> run(node))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("overflow")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }

  @Test
  void integerAverageToDouble() {
    ValuesNode values = new ValuesNode(schema("x", Kind.INT32), List.of(row(1), row(2), row(4)));
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(),
            List.of(agg(AggregateFunction.AVG, 0, Kind.FLOAT64)),
            schema("a", Kind.FLOAT64));
    assertThat(run(node)).containsExactly(row(7.0 / 3));
  }

  @Test
  void manyGroupsAcrossBatches() {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < 30_000; i++) {
      rows.add(row(i % 10_000, i));
    }
    ValuesNode values = new ValuesNode(schema("g", Kind.INT64, "x", Kind.INT64), rows);
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(0),
            List.of(
                agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64),
                agg(AggregateFunction.SUM, 1, Kind.INT64)),
            schema("g", Kind.INT64, "c", Kind.INT64, "s", Kind.INT64));
    List<List<Object>> result = run(new SortNode(node, List.of(new SortKey(0, true, false))));
    assertThat(result).hasSize(10_000);
    for (int g = 0; g < 10_000; g++) {
      assertThat(result.get(g)).isEqualTo(row((long) g, 3L, 3L * g + 30_000L));
    }
  }

  @Test
  void multipleGroupKeysIncludingNulls() {
    ValuesNode values =
        new ValuesNode(
            schema("a", Kind.UTF8, "b", Kind.INT64),
            List.of(row("x", 1L), row("x", null), row("x", 1L), row(null, null), row(null, null)));
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(0, 1),
            List.of(agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64)),
            schema("a", Kind.UTF8, "b", Kind.INT64, "c", Kind.INT64));
    assertThat(
            run(
                new SortNode(
                    node, List.of(new SortKey(0, true, true), new SortKey(1, true, true)))))
        .containsExactly(row(null, null, 2L), row("x", null, 1L), row("x", 1L, 2L));
  }

  @Test
  void decimalSumsBeyondLongAndBeyond128BitsStayExact() {
    ArrowType d18 = Kind.decimal(18, 0);
    List<List<Object>> rows = new ArrayList<>();
    BigDecimal big = new BigDecimal("999999999999999999");
    for (int i = 0; i < 20; i++) {
      rows.add(row(big));
    }
    rows.add(row(new BigDecimal("-1")));
    AggregateNode node =
        new AggregateNode(
            new ValuesNode(schema("d", d18), rows),
            List.of(),
            List.of(
                agg(AggregateFunction.SUM, 0, Kind.decimal(38, 0)),
                agg(AggregateFunction.AVG, 0, Kind.decimal(38, 2))),
            schema("s", Kind.decimal(38, 0), "a", Kind.decimal(38, 2)));
    BigDecimal sum = big.multiply(BigDecimal.valueOf(20)).subtract(BigDecimal.ONE);
    assertThat(run(node))
        .containsExactly(
            row(sum, sum.divide(BigDecimal.valueOf(21), 2, java.math.RoundingMode.HALF_UP)));

    // decimal(38) values whose running sum leaves 128 bits and comes back
    ArrowType d38 = Kind.decimal(38, 0);
    BigDecimal huge = new BigDecimal("99999999999999999999999999999999999999");
    AggregateNode wide =
        new AggregateNode(
            new ValuesNode(
                schema("d", d38),
                List.of(
                    row(huge),
                    row(huge),
                    row(huge.negate()),
                    row(huge.negate()),
                    row(new BigDecimal("7")))),
            List.of(),
            List.of(agg(AggregateFunction.SUM, 0, d38), agg(AggregateFunction.MAX, 0, d38)),
            schema("s", d38, "m", d38));
    assertThat(run(wide)).containsExactly(row(new BigDecimal("7"), huge));
  }

  @Test
  void integerSumOverflowingBigintIsAUserErrorUnlessItComesBack() {
    ValuesNode back =
        new ValuesNode(
            schema("x", Kind.INT64),
            List.of(row(Long.MAX_VALUE), row(Long.MAX_VALUE), row(-Long.MAX_VALUE), row(-5L)));
    AggregateNode node =
        new AggregateNode(
            back,
            List.of(),
            List.of(
                agg(AggregateFunction.SUM, 0, Kind.INT64),
                agg(AggregateFunction.AVG, 0, Kind.FLOAT64)),
            schema("s", Kind.INT64, "a", Kind.FLOAT64));
    assertThat(run(node)).containsExactly(row(Long.MAX_VALUE - 5, (Long.MAX_VALUE - 5) / 4.0));

    ValuesNode over =
        new ValuesNode(schema("x", Kind.INT64), List.of(row(Long.MAX_VALUE), row(Long.MAX_VALUE)));
    AggregateNode overflow =
        new AggregateNode(
            over,
            List.of(),
            List.of(agg(AggregateFunction.SUM, 0, Kind.INT64)),
            schema("s", Kind.INT64));
    assertThatThrownBy(() -> run(overflow))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("SUM overflows BIGINT");
  }

  @Test
  void negativeDecimalAverageRoundsHalfAwayFromZero() {
    ValuesNode values =
        new ValuesNode(
            schema("g", Kind.INT64, "d", DEC),
            List.of(
                row(1L, new BigDecimal("-0.01")),
                row(1L, new BigDecimal("-0.02")),
                row(2L, new BigDecimal("0.01")),
                row(2L, new BigDecimal("0.02")),
                row(3L, new BigDecimal("-0.01")),
                row(3L, new BigDecimal("-0.01")),
                row(3L, new BigDecimal("-0.03"))));
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(0),
            List.of(agg(AggregateFunction.AVG, 0 + 1, DEC)),
            schema("g", Kind.INT64, "a", DEC));
    assertThat(runSorted(node))
        .containsExactly(
            row(1L, new BigDecimal("-0.02")),
            row(2L, new BigDecimal("0.02")),
            row(3L, new BigDecimal("-0.02")));
  }

  @Test
  void doubleKeysGroupAllNaNsTogetherAndZeroWithNegativeZero() {
    ValuesNode values =
        new ValuesNode(
            schema("f", Kind.FLOAT64),
            List.of(
                row(0.0),
                row(-0.0),
                row(Double.NaN),
                row(Double.longBitsToDouble(0x7ff8000000000abcL)),
                row(Double.longBitsToDouble(0xfff0000000000001L)),
                row((Object) null),
                row(1.0)));
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(0),
            List.of(agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64)),
            schema("f", Kind.FLOAT64, "c", Kind.INT64));
    assertThat(runSorted(node))
        .containsExactly(row(null, 1L), row(0.0, 2L), row(1.0, 1L), row(Double.NaN, 3L));
  }

  @Test
  void singleValueFailsOnASecondRowOfAGroup() {
    ValuesNode one =
        new ValuesNode(
            schema("g", Kind.INT64, "s", Kind.UTF8), List.of(row(1L, "a"), row(2L, null)));
    AggregateNode node =
        new AggregateNode(
            one,
            List.of(0),
            List.of(agg(AggregateFunction.SINGLE_VALUE, 1, Kind.UTF8)),
            schema("g", Kind.INT64, "v", Kind.UTF8));
    assertThat(runSorted(node)).containsExactly(row(1L, "a"), row(2L, null));

    ValuesNode two =
        new ValuesNode(
            schema("g", Kind.INT64, "s", Kind.UTF8), List.of(row(1L, "a"), row(1L, "b")));
    AggregateNode failing =
        new AggregateNode(
            two,
            List.of(0),
            List.of(agg(AggregateFunction.SINGLE_VALUE, 1, Kind.UTF8)),
            schema("g", Kind.INT64, "v", Kind.UTF8));
    assertThatThrownBy(() -> run(failing))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("A scalar subquery returned more than one row");
  }

  @Test
  void minAndMaxOfStringsFollowCodePointOrder() {
    // UTF-16 order puts the surrogate pair of U+1F600 before U+FFFD; code point order does not
    ValuesNode values =
        new ValuesNode(
            schema("s", Kind.UTF8),
            List.of(row("\uFFFD"), row("\uD83D\uDE00"), row("z"), row((Object) null)));
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(),
            List.of(
                agg(AggregateFunction.MIN, 0, Kind.UTF8), agg(AggregateFunction.MAX, 0, Kind.UTF8)),
            schema("mn", Kind.UTF8, "mx", Kind.UTF8));
    assertThat(run(node)).containsExactly(row("z", "\uD83D\uDE00"));
  }

  @Test
  void keysOfEveryFixedWidthTypeRoundTrip() {
    ArrowType[] types = {
      Kind.BOOL,
      new ArrowType.Int(8, true),
      new ArrowType.Int(16, true),
      Kind.INT32,
      Kind.DATE_DAY,
      Kind.TIMESTAMP_MICRO,
      Kind.decimal(18, 3),
      Kind.decimal(38, 3),
      new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE),
      Kind.TIME_MICRO,
      Kind.INTERVAL_MONTHS,
      Kind.INTERVAL_MICROS
    };
    Object[][] samples = {
      {true, false},
      {-128L, 127L},
      {-32768L, 32767L},
      {Long.valueOf(Integer.MIN_VALUE), 7L},
      {-719162, 2932896},
      {-62135596800000000L, 253402300799999999L},
      {new BigDecimal("-999999999999999.999"), new BigDecimal("0.001")},
      {new BigDecimal("-99999999999999999999999999999999999.999"), new BigDecimal("1.000")},
      {-1.5, 3.25},
      {0L, 86_399_999_999L},
      {-5L, 1200L},
      {-1L, 86_400_000_000L}
    };
    for (int t = 0; t < types.length; t++) {
      ArrowType type = types[t];
      List<List<Object>> rows = new ArrayList<>();
      for (Object v : samples[t]) {
        rows.add(row(v, 1L));
        rows.add(row(v, 2L));
      }
      rows.add(row(null, 5L));
      // alone (packed), and with a string key (serialised)
      AggregateNode packed =
          new AggregateNode(
              new ValuesNode(schema("k", type, "x", Kind.INT64), rows),
              List.of(0),
              List.of(
                  agg(AggregateFunction.SUM, 1, Kind.INT64),
                  agg(AggregateFunction.MIN, 0, type),
                  agg(AggregateFunction.MAX, 0, type)),
              schema("k", type, "s", Kind.INT64, "mn", type, "mx", type));
      List<List<Object>> expected = new ArrayList<>();
      expected.add(row(null, 5L, null, null));
      for (Object v : samples[t]) {
        expected.add(row(v, 3L, v, v));
      }
      List<List<Object>> actual = run(packed);
      assertThat(actual).as(type.toString()).containsExactlyInAnyOrderElementsOf(expected);

      List<List<Object>> withString = new ArrayList<>();
      for (List<Object> r : rows) {
        withString.add(row(r.get(0), r.get(1), "s"));
      }
      AggregateNode serialised =
          new AggregateNode(
              new ValuesNode(schema("k", type, "x", Kind.INT64, "s", Kind.UTF8), withString),
              List.of(2, 0),
              List.of(agg(AggregateFunction.SUM, 1, Kind.INT64)),
              schema("s", Kind.UTF8, "k", type, "x", Kind.INT64));
      List<List<Object>> expectedSerialised = new ArrayList<>();
      for (List<Object> e : expected) {
        expectedSerialised.add(row("s", e.get(0), e.get(1)));
      }
      assertThat(run(serialised))
          .as(type.toString())
          .containsExactlyInAnyOrderElementsOf(expectedSerialised);
    }
  }

  @Test
  void keyOfAnotherTypeThanItsOutputColumnIsConverted() {
    ValuesNode values =
        new ValuesNode(schema("k", Kind.INT32), List.of(row(7L), row(7L), row((Object) null)));
    AggregateNode node =
        new AggregateNode(
            values,
            List.of(0),
            List.of(agg(AggregateFunction.COUNT_STAR, -1, Kind.INT64)),
            schema("k", Kind.INT64, "c", Kind.INT64));
    assertThat(runSorted(node)).containsExactly(row(null, 1L), row(7L, 2L));
  }

  /** 4 splits of 20 batches of 4096 rows (k = id % groups, v = id). */
  private static MemoryConnector keysAndValues(int groups) {
    List<ConnectorSplit> splits = new ArrayList<>();
    long id = 0;
    for (int s = 0; s < 4; s++) {
      List<List<List<Object>>> batches = new ArrayList<>();
      for (int b = 0; b < 20; b++) {
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < 4096; r++, id++) {
          rows.add(row(id % groups, id));
        }
        batches.add(rows);
      }
      splits.add(new MemorySplit(batches));
    }
    return new MemoryConnector(schema("k", Kind.INT64, "v", Kind.INT64), splits);
  }

  private static final long ROWS = 4 * 20 * 4096;

  /** GROUP BY k: SUM(v), COUNT(*). */
  private static AggregateNode sumByKey(MemoryConnector connector) {
    return new AggregateNode(
        connector.scan("k", "v"),
        List.of(0),
        List.of(
            new AggregateCall(AggregateFunction.SUM, List.of(1), false, -1, Kind.INT64),
            new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64)),
        schema("k", Kind.INT64, "s", Kind.INT64, "c", Kind.INT64));
  }

  private List<List<Object>> run(PlanNode plan, long limit, SpillContext spill) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, limit);
        ResultStream stream =
            Executor.execute(plan, new ExecutionContext("q", query, () -> false, 2, spill))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          rows.addAll(rows(batch));
        }
      }
    }
    return rows;
  }

  @Test
  void parallelGroupByOverTheMemoryLimitSpillsAndIsExact() throws IOException {
    int groups = 150_000;
    Path spillRoot = Files.createTempDirectory("test-hash-aggregation-spill");
    try {
      SpillContext spill = new SpillContext(spillRoot, true, 0.6);
      List<List<Object>> rows = run(sumByKey(keysAndValues(groups)), 8 << 20, spill);
      long[] sum = new long[groups];
      long[] count = new long[groups];
      for (long id = 0; id < ROWS; id++) {
        sum[(int) (id % groups)] += id;
        count[(int) (id % groups)]++;
      }
      assertThat(rows).hasSize(groups);
      boolean[] seen = new boolean[groups];
      for (List<Object> r : rows) {
        int k = (int) (long) (Long) r.get(0);
        assertThat(seen[k]).isFalse();
        seen[k] = true;
        assertThat(r.get(1)).isEqualTo(sum[k]);
        assertThat(r.get(2)).isEqualTo(count[k]);
      }
      assertThat(spill.bytesWritten()).isPositive();
      assertThat(spill.filesOpen()).isZero();
      try (Stream<Path> left = Files.list(spillRoot)) {
        assertThat(left).isEmpty();
      }
    } finally {
      Files.deleteIfExists(spillRoot);
    }
  }

  @Test
  void groupTableOverTheMemoryLimitWithoutSpillingIsResourceExhaustedNamingTheLimit() {
    assertThatThrownBy(
            () -> run(sumByKey(keysAndValues(300_000)), 2_000_000, SpillContext.disabled()))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("memory limit of 2000000 bytes")
        .satisfies(
            e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
    assertThat(root.getAllocatedMemory()).isZero();
  }

  @Test
  void limitTooSmallEvenWithSpillingIsResourceExhaustedNamingTheLimit() throws IOException {
    Path spillRoot = Files.createTempDirectory("test-hash-aggregation-spill");
    try {
      SpillContext spill = new SpillContext(spillRoot, true, 0.6);
      // the tables frozen at the spill threshold leave too little to aggregate a partition (or,
      // depending on how the two workers interleave, one worker's table alone passes the limit,
      // or the scan's next page does): which allocation fails first depends on timing, the error
      // does not
      assertThatThrownBy(() -> run(sumByKey(keysAndValues(300_000)), 1_300_000, spill))
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining("memory limit of 1300000 bytes")
          .satisfies(
              e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
      assertThat(root.getAllocatedMemory()).isZero();
      assertThat(spill.filesOpen()).isZero();
      try (Stream<Path> left = Files.list(spillRoot)) {
        assertThat(left).isEmpty();
      }
    } finally {
      Files.deleteIfExists(spillRoot);
    }
  }

  @Test
  void groupedWideSumsThatLeave128BitsAndComeBackStayExact() {
    // two groups of 200 rows each, in one page (summed a group's run at a time): the running sums
    // pass 2^127 and come back, so they go through the BigDecimal path and must stay exact
    ArrowType d38 = Kind.decimal(38, 0);
    BigDecimal big = new BigDecimal("90000000000000000000000000000000000000");
    List<List<Object>> rows = new java.util.ArrayList<>();
    BigDecimal[] expected = {BigDecimal.ZERO, BigDecimal.ZERO};
    for (int i = 0; i < 400; i++) {
      int g = i % 2;
      int k = i / 2;
      BigDecimal v = (k % 4 < 2 ? big : big.negate()).add(BigDecimal.valueOf(k));
      rows.add(row((long) g, v));
      expected[g] = expected[g].add(v);
    }
    AggregateNode node = sumByGroup(rows, d38);
    assertThat(run(node)).containsExactlyInAnyOrder(row(0L, expected[0]), row(1L, expected[1]));
  }

  /** {@code SELECT g, sum(d) ... GROUP BY g} over rows of (g BIGINT, d of {@code type}). */
  private static AggregateNode sumByGroup(List<List<Object>> rows, ArrowType type) {
    return new AggregateNode(
        new ValuesNode(schema("g", Kind.INT64, "d", type), rows),
        List.of(0),
        List.of(agg(AggregateFunction.SUM, 1, type)),
        schema("g", Kind.INT64, "s", type));
  }

  @Test
  void groupedWideSumPast128BitsIsAnOverflowErrorNotAWrappedValue() {
    // group 0 sums to 2^128 + 7 over 200 rows: kept in 128 bits it would wrap around to 7
    ArrowType d38 = Kind.decimal(38, 0);
    BigDecimal quarter = new BigDecimal(java.math.BigInteger.ONE.shiftLeft(126));
    List<List<Object>> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int g = i % 2;
      int k = i / 2;
      BigDecimal v =
          g == 1
              ? BigDecimal.valueOf(k)
              : k < 4 ? quarter : k == 4 ? BigDecimal.valueOf(7) : BigDecimal.ZERO;
      rows.add(row((long) g, v));
    }
    AggregateNode node = sumByGroup(rows, d38);
    assertThatThrownBy(() -> run(node))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("overflow");
  }
}
