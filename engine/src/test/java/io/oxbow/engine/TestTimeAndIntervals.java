package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.DateTimes;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import org.apache.arrow.vector.DurationVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntervalDayVector;
import org.apache.arrow.vector.IntervalYearVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

/**
 * TIME (microseconds since midnight), year-month intervals (months) and day-time intervals
 * (microseconds): vectors, literals, casts, arithmetic, comparisons, EXTRACT, DATE_TRUNC, sorting,
 * grouping and joins. Expected values follow PostgreSQL unless a comment says otherwise.
 */
class TestTimeAndIntervals extends EngineTesting {
  private static final ArrowType TIME = Kind.TIME_MICRO;
  private static final ArrowType MONTHS = Kind.INTERVAL_MONTHS;
  private static final ArrowType MICROS = Kind.INTERVAL_MICROS;
  private static final ArrowType TS = Kind.TIMESTAMP_MICRO;

  private static long time(String text) {
    return LocalTime.parse(text).toNanoOfDay() / 1_000;
  }

  private static long ts(String text) {
    return DateTimes.toMicros(LocalDateTime.parse(text));
  }

  private static int date(String text) {
    return (int) LocalDate.parse(text).toEpochDay();
  }

  private static long hours(long h) {
    return h * DateTimes.MICROS_PER_HOUR;
  }

  private static long days(long d) {
    return d * DateTimes.MICROS_PER_DAY;
  }

  private Object cast(Object value, ArrowType from, ArrowType to) {
    return evaluate(call(ScalarFunction.CAST, to, lit(value, from)));
  }

  private Object binary(
      ScalarFunction fn, ArrowType type, Object a, ArrowType ta, Object b, ArrowType tb) {
    return evaluate(call(fn, type, lit(a, ta), lit(b, tb)));
  }

  private void assertUserError(Expr expr, String... messageParts) {
    assertThatThrownBy(() -> evaluate(expr))
        .isInstanceOf(OxbowException.class)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR))
        .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
  }

  @Test
  void arrowTypesMapToKinds() {
    assertThat(Kind.of(TIME)).isEqualTo(Kind.TIME);
    assertThat(Kind.of(new ArrowType.Time(TimeUnit.MILLISECOND, 32))).isEqualTo(Kind.TIME);
    assertThat(Kind.of(MONTHS)).isEqualTo(Kind.INTERVAL_YEAR_MONTH);
    assertThat(Kind.of(MICROS)).isEqualTo(Kind.INTERVAL_DAY_TIME);
    assertThat(Kind.of(new ArrowType.Interval(IntervalUnit.DAY_TIME)))
        .isEqualTo(Kind.INTERVAL_DAY_TIME);
    assertThatThrownBy(() -> Kind.of(new ArrowType.Interval(IntervalUnit.MONTH_DAY_NANO)))
        .hasMessageContaining("is not supported yet");
  }

  @Test
  void vectorsHoldTheDocumentedJavaValues() {
    try (FieldVector t = Values.newVector("t", TIME, root);
        FieldVector m = Values.newVector("m", MONTHS, root);
        FieldVector d = Values.newVector("d", MICROS, root);
        TimeMilliVector millis = new TimeMilliVector("ms", root);
        IntervalDayVector dayTime = new IntervalDayVector("dt", root);
        DurationVector seconds =
            (DurationVector) Values.newVector("s", new ArrowType.Duration(TimeUnit.SECOND), root)) {
      assertThat(t).isInstanceOf(TimeMicroVector.class);
      assertThat(m).isInstanceOf(IntervalYearVector.class);
      assertThat(d).isInstanceOf(DurationVector.class);
      Values.set(t, 0, time("12:34:56.789012"));
      Values.set(m, 0, 14L);
      Values.set(d, 0, days(2) + 3L);
      Values.set(millis, 0, time("01:02:03.004"));
      Values.set(dayTime, 0, days(-1) - hours(2));
      Values.set(seconds, 0, 90_000_000L);
      Values.setNull(t, 1);
      Values.setNull(d, 1);
      assertThat(Values.get(t, 0)).isEqualTo(time("12:34:56.789012"));
      assertThat(Values.get(m, 0)).isEqualTo(14L);
      assertThat(Values.get(d, 0)).isEqualTo(days(2) + 3L);
      assertThat(Values.get(millis, 0)).isEqualTo(time("01:02:03.004"));
      assertThat(Values.get(dayTime, 0)).isEqualTo(days(-1) - hours(2));
      assertThat(Values.get(seconds, 0)).isEqualTo(90_000_000L);
      assertThat(((DurationVector) d).getObject(0))
          .isEqualTo(java.time.Duration.ofDays(2).plusNanos(3_000));
      assertThat(((IntervalYearVector) m).getObject(0)).isEqualTo(java.time.Period.ofMonths(14));
      assertThat(Values.get(t, 1)).isNull();
      assertThat(Values.get(d, 1)).isNull();
    }
  }

  @Test
  void literalsEvaluateToTheirValues() {
    assertThat(evaluate(lit(time("23:59:59.999999"), TIME))).isEqualTo(time("23:59:59.999999"));
    assertThat(evaluate(lit(-5L, MONTHS))).isEqualTo(-5L);
    assertThat(evaluate(lit(days(3) + hours(4), MICROS))).isEqualTo(days(3) + hours(4));
    assertThat(lit(time("12:00:00.5"), TIME).toString()).isEqualTo("time '12:00:00.5'");
    assertThat(lit(days(2) + hours(3), MICROS).toString()).isEqualTo("interval '2 days 03:00:00'");
    assertThat(lit(14L, MONTHS).toString()).isEqualTo("interval '1 year 2 mons'");
  }

  @Test
  void stringsCastToTime() {
    assertThat(cast("12:00:00", Kind.UTF8, TIME)).isEqualTo(time("12:00:00"));
    assertThat(cast(" 12:34:56.789 ", Kind.UTF8, TIME)).isEqualTo(time("12:34:56.789"));
    assertThat(cast("12:34", Kind.UTF8, TIME)).isEqualTo(time("12:34:00"));
    assertThat(cast("1:02:03", Kind.UTF8, TIME)).isEqualTo(time("01:02:03"));
    // digits past microseconds round half up, as PostgreSQL's time input does
    assertThat(cast("00:00:00.0000005", Kind.UTF8, TIME)).isEqualTo(1L);
    for (String bad : List.of("abc", "25:00:00", "12:60:00", "")) {
      assertUserError(
          call(ScalarFunction.CAST, TIME, lit(bad, Kind.UTF8)),
          "Cannot cast '" + bad + "' to TIME");
    }
  }

  @Test
  void timestampsCastToTimeOfDay() {
    assertThat(cast(ts("2024-05-06T07:08:09.123456"), TS, TIME)).isEqualTo(time("07:08:09.123456"));
    // before 1970 the time of day still counts from that day's midnight
    assertThat(cast(ts("1969-12-31T23:00:00"), TS, TIME)).isEqualTo(time("23:00:00"));
    assertUserError(
        call(ScalarFunction.CAST, TS, lit(time("10:00:00"), TIME)),
        "Cannot cast TIME '10:00:00' to TIMESTAMP");
    assertUserError(
        call(ScalarFunction.CAST, Kind.INT64, lit(time("10:00:00"), TIME)),
        "Cannot cast TIME '10:00:00' to BIGINT");
    assertUserError(
        call(ScalarFunction.CAST, Kind.DATE_DAY, lit(days(1), MICROS)),
        "Cannot cast INTERVAL DAY TO SECOND '1 day' to DATE");
    // an interval as a number is its count of microseconds or months
    assertThat(cast(days(1), MICROS, Kind.INT64)).isEqualTo(86_400_000_000L);
    assertThat(cast(-14L, MONTHS, Kind.INT32)).isEqualTo(-14L);
  }

  @Test
  void timesAndTimestampsCastToPostgresText() {
    // PostgreSQL prints time and timestamp seconds always, the fraction without trailing zeros
    assertThat(cast(time("12:34:56.789"), TIME, Kind.UTF8)).isEqualTo("12:34:56.789");
    assertThat(cast(time("12:00:00"), TIME, Kind.UTF8)).isEqualTo("12:00:00");
    assertThat(cast(time("00:00:00.000001"), TIME, Kind.UTF8)).isEqualTo("00:00:00.000001");
    assertThat(cast(time("23:59:59.5"), TIME, Kind.UTF8)).isEqualTo("23:59:59.5");
    assertThat(cast(ts("2024-01-01T00:00:00"), TS, Kind.UTF8)).isEqualTo("2024-01-01 00:00:00");
    assertThat(cast(ts("2024-01-01T10:00:01.5"), TS, Kind.UTF8)).isEqualTo("2024-01-01 10:00:01.5");
  }

  @Test
  void intervalsCastToPostgresText() {
    // PostgreSQL's IntervalStyle 'postgres' (its default): "1 year 2 mons", "2 days 03:04:05"
    assertThat(cast(14L, MONTHS, Kind.UTF8)).isEqualTo("1 year 2 mons");
    assertThat(cast(24L, MONTHS, Kind.UTF8)).isEqualTo("2 years");
    assertThat(cast(1L, MONTHS, Kind.UTF8)).isEqualTo("1 mon");
    assertThat(cast(-14L, MONTHS, Kind.UTF8)).isEqualTo("-1 years -2 mons");
    assertThat(cast(0L, MONTHS, Kind.UTF8)).isEqualTo("00:00:00");
    long d3h4m5s6 = days(2) + hours(3) + 4 * DateTimes.MICROS_PER_MINUTE + 5_000_000L;
    assertThat(cast(d3h4m5s6, MICROS, Kind.UTF8)).isEqualTo("2 days 03:04:05");
    assertThat(cast(days(1), MICROS, Kind.UTF8)).isEqualTo("1 day");
    assertThat(cast(hours(10), MICROS, Kind.UTF8)).isEqualTo("10:00:00");
    assertThat(cast(1_500_000L, MICROS, Kind.UTF8)).isEqualTo("00:00:01.5");
    assertThat(cast(0L, MICROS, Kind.UTF8)).isEqualTo("00:00:00");
    assertThat(cast(-days(1) - hours(2), MICROS, Kind.UTF8)).isEqualTo("-1 days -02:00:00");
    assertThat(cast(-hours(10), MICROS, Kind.UTF8)).isEqualTo("-10:00:00");
  }

  @Test
  void timePlusIntervalWrapsAroundMidnight() {
    // PostgreSQL: time '23:30' + interval '1 hour' = 00:30:00, time '00:15' - interval '30 min'
    // = 23:45:00, and whole days (and months) leave a time unchanged
    assertThat(binary(ScalarFunction.ADD, TIME, time("23:30:00"), TIME, hours(1), MICROS))
        .isEqualTo(time("00:30:00"));
    assertThat(
            binary(
                ScalarFunction.SUBTRACT,
                TIME,
                time("00:15:00"),
                TIME,
                30 * DateTimes.MICROS_PER_MINUTE,
                MICROS))
        .isEqualTo(time("23:45:00"));
    assertThat(binary(ScalarFunction.ADD, TIME, time("10:00:00"), TIME, hours(49), MICROS))
        .isEqualTo(time("11:00:00"));
    assertThat(binary(ScalarFunction.SUBTRACT, TIME, time("10:00:00"), TIME, hours(49), MICROS))
        .isEqualTo(time("09:00:00"));
    assertThat(binary(ScalarFunction.ADD, TIME, hours(1), MICROS, time("23:59:59.999999"), TIME))
        .isEqualTo(time("00:59:59.999999"));
    assertThat(binary(ScalarFunction.ADD, TIME, time("10:00:00"), TIME, 13L, MONTHS))
        .isEqualTo(time("10:00:00"));
    assertThat(binary(ScalarFunction.ADD, TIME, time("23:59:59.999999"), TIME, 1L, MICROS))
        .isEqualTo(0L);
  }

  @Test
  void timestampPlusDayTimeIntervalIsExactInMicroseconds() {
    assertThat(binary(ScalarFunction.ADD, TS, ts("2024-01-01T23:30:00"), TS, hours(1) + 1L, MICROS))
        .isEqualTo(ts("2024-01-02T00:30:00.000001"));
    assertThat(
            binary(ScalarFunction.SUBTRACT, TS, ts("2024-03-01T00:00:00"), TS, 1_500_000L, MICROS))
        .isEqualTo(ts("2024-02-29T23:59:58.5"));
    assertThat(binary(ScalarFunction.ADD, TS, days(-1), MICROS, ts("1970-01-01T00:00:00"), TS))
        .isEqualTo(ts("1969-12-31T00:00:00"));
    assertUserError(
        call(ScalarFunction.ADD, TS, lit(Long.MAX_VALUE - 1, TS), lit(days(1), MICROS)),
        "Datetime overflow");
  }

  @Test
  void monthArithmeticClampsToTheEndOfTheMonth() {
    // PostgreSQL: timestamp '2024-01-31 10:00' + interval '1 month' = 2024-02-29 10:00:00
    assertThat(binary(ScalarFunction.ADD, TS, ts("2024-01-31T10:00:00"), TS, 1L, MONTHS))
        .isEqualTo(ts("2024-02-29T10:00:00"));
    assertThat(binary(ScalarFunction.ADD, TS, ts("2023-01-31T10:00:00"), TS, 1L, MONTHS))
        .isEqualTo(ts("2023-02-28T10:00:00"));
    assertThat(binary(ScalarFunction.SUBTRACT, TS, ts("2024-03-31T00:00:01"), TS, 1L, MONTHS))
        .isEqualTo(ts("2024-02-29T00:00:01"));
    assertThat(binary(ScalarFunction.ADD, TS, ts("2024-02-29T00:00:00"), TS, 12L, MONTHS))
        .isEqualTo(ts("2025-02-28T00:00:00"));
    assertThat(
            binary(
                ScalarFunction.ADD, Kind.DATE_DAY, date("2024-05-31"), Kind.DATE_DAY, 1L, MONTHS))
        .isEqualTo(date("2024-06-30"));
    assertThat(
            binary(
                ScalarFunction.SUBTRACT,
                Kind.DATE_DAY,
                date("2024-01-01"),
                Kind.DATE_DAY,
                days(1),
                MICROS))
        .isEqualTo(date("2023-12-31"));
    assertUserError(
        call(
            ScalarFunction.ADD,
            Kind.DATE_DAY,
            lit(date("2024-01-01"), Kind.DATE_DAY),
            lit(hours(12), MICROS)),
        "needs whole days",
        "cast the DATE to TIMESTAMP");
  }

  @Test
  void datetimeDifferencesAreIntervals() {
    assertThat(
            binary(
                ScalarFunction.SUBTRACT,
                MICROS,
                ts("2024-03-01T00:00:00"),
                TS,
                ts("2024-02-28T12:00:00.5"),
                TS))
        .isEqualTo(days(1) + hours(11) + 59 * DateTimes.MICROS_PER_MINUTE + 59_500_000L);
    assertThat(
            binary(
                ScalarFunction.SUBTRACT,
                MICROS,
                date("2024-03-01"),
                Kind.DATE_DAY,
                date("2024-01-01"),
                Kind.DATE_DAY))
        .isEqualTo(days(60));
    assertThat(
            binary(ScalarFunction.SUBTRACT, MICROS, time("01:00:00"), TIME, time("03:30:00"), TIME))
        .isEqualTo(-hours(2) - 30 * DateTimes.MICROS_PER_MINUTE);
    // whole months: 2024-01-31 + 1 month = 2024-02-29 <= 2024-02-29, + 2 months = 2024-03-31 > it
    assertThat(
            binary(
                ScalarFunction.SUBTRACT,
                MONTHS,
                ts("2024-02-29T00:00:00"),
                TS,
                ts("2024-01-31T00:00:00"),
                TS))
        .isEqualTo(1L);
    assertThat(
            binary(
                ScalarFunction.SUBTRACT,
                MONTHS,
                ts("2024-02-14T00:00:00"),
                TS,
                ts("2024-01-15T00:00:00"),
                TS))
        .isEqualTo(0L);
    assertThat(
            binary(
                ScalarFunction.SUBTRACT,
                MONTHS,
                date("2023-01-15"),
                Kind.DATE_DAY,
                date("2024-03-15"),
                Kind.DATE_DAY))
        .isEqualTo(-14L);
  }

  @Test
  void intervalArithmetic() {
    assertThat(binary(ScalarFunction.ADD, MICROS, days(1), MICROS, hours(1), MICROS))
        .isEqualTo(days(1) + hours(1));
    assertThat(binary(ScalarFunction.SUBTRACT, MONTHS, 12L, MONTHS, 14L, MONTHS)).isEqualTo(-2L);
    assertThat(binary(ScalarFunction.MULTIPLY, MICROS, days(2), MICROS, 3L, Kind.INT64))
        .isEqualTo(days(6));
    assertThat(binary(ScalarFunction.MULTIPLY, MONTHS, 3L, Kind.INT64, 14L, MONTHS)).isEqualTo(42L);
    // PostgreSQL: interval '3 days' / 2 = 1 day 12:00:00; '1 hour' * 1.5 = 01:30:00
    assertThat(binary(ScalarFunction.DIVIDE, MICROS, days(3), MICROS, 2L, Kind.INT64))
        .isEqualTo(days(1) + hours(12));
    assertThat(
            binary(
                ScalarFunction.MULTIPLY,
                MICROS,
                hours(1),
                MICROS,
                new BigDecimal("1.5"),
                Kind.decimal(2, 1)))
        .isEqualTo(hours(1) + 30 * DateTimes.MICROS_PER_MINUTE);
    // one microsecond / 3 rounds half up to whole microseconds
    assertThat(binary(ScalarFunction.DIVIDE, MICROS, 2L, MICROS, 3L, Kind.INT64)).isEqualTo(1L);
    assertThat(evaluate(call(ScalarFunction.NEGATE, MICROS, lit(hours(1), MICROS))))
        .isEqualTo(-hours(1));
    assertUserError(
        call(ScalarFunction.DIVIDE, MICROS, lit(days(1), MICROS), lit(0L, Kind.INT64)),
        "Division by zero");
    assertThat(binary(ScalarFunction.ADD, MICROS, null, MICROS, hours(1), MICROS)).isNull();
  }

  @Test
  void comparisonsOrderTimesAndIntervals() {
    ValuesNode times =
        new ValuesNode(
            schema("t", TIME, "i", MICROS),
            List.of(
                row(time("09:00:00"), days(1)),
                row(time("12:00:00"), hours(25)),
                row(null, hours(24))));
    Expr noon = lit(time("12:00:00"), TIME);
    assertThat(evaluate(times, call(ScalarFunction.LESS_THAN, Kind.BOOL, col(0, TIME), noon)))
        .containsExactly(true, false, null);
    assertThat(
            evaluate(
                times, call(ScalarFunction.EQUAL, Kind.BOOL, col(1, MICROS), lit(days(1), MICROS))))
        .containsExactly(true, false, true);
    assertThat(
            evaluate(
                times,
                call(ScalarFunction.GREATER_THAN, Kind.BOOL, col(1, MICROS), lit(days(1), MICROS))))
        .containsExactly(false, true, false);
    assertThat(
            evaluate(
                times, call(ScalarFunction.IS_NOT_DISTINCT_FROM, Kind.BOOL, col(0, TIME), noon)))
        .containsExactly(false, true, false);
  }

  @Test
  void extractFieldsOfTimesTimestampsAndIntervals() {
    long t = time("10:11:12.345678");
    assertThat(extract("HOUR", t, TIME)).isEqualTo(10L);
    assertThat(extract("minute", t, TIME)).isEqualTo(11L);
    // SECOND is whole seconds (the result is BIGINT); MILLISECOND and MICROSECOND include the
    // seconds, as PostgreSQL's milliseconds and microseconds fields do
    assertThat(extract("SECOND", t, TIME)).isEqualTo(12L);
    assertThat(extract("MILLISECOND", t, TIME)).isEqualTo(12_345L);
    assertThat(extract("MICROSECOND", t, TIME)).isEqualTo(12_345_678L);
    assertThat(extract("EPOCH", t, TIME)).isEqualTo(36_672L);
    long stamp = ts("2024-02-29T13:14:15.5");
    assertThat(extract("HOUR", stamp, TS)).isEqualTo(13L);
    assertThat(extract("MILLISECOND", stamp, TS)).isEqualTo(15_500L);
    assertThat(extract("EPOCH", stamp, TS)).isEqualTo(1_709_212_455L);
    assertThat(extract("EPOCH", ts("1969-12-31T23:59:59.5"), TS)).isEqualTo(-1L);
    assertThat(extract("EPOCH", date("1970-01-02"), Kind.DATE_DAY)).isEqualTo(86_400L);
    long interval = days(2) + hours(3) + 4 * DateTimes.MICROS_PER_MINUTE + 5_000_000L;
    assertThat(extract("DAY", interval, MICROS)).isEqualTo(2L);
    assertThat(extract("HOUR", interval, MICROS)).isEqualTo(3L);
    assertThat(extract("MINUTE", interval, MICROS)).isEqualTo(4L);
    assertThat(extract("SECOND", interval, MICROS)).isEqualTo(5L);
    assertThat(extract("EPOCH", interval, MICROS)).isEqualTo(183_845L);
    assertThat(extract("YEAR", -14L, MONTHS)).isEqualTo(-1L);
    assertThat(extract("MONTH", -14L, MONTHS)).isEqualTo(-2L);
    assertUserError(
        call(ScalarFunction.EXTRACT, Kind.INT64, lit("DOW", Kind.UTF8), lit(t, TIME)),
        "EXTRACT(DOW) from a TIME is not supported");
  }

  private Object extract(String field, Object value, ArrowType type) {
    return evaluate(
        call(ScalarFunction.EXTRACT, Kind.INT64, lit(field, Kind.UTF8), lit(value, type)));
  }

  @Test
  void dateTruncOnTimesAndTimestamps() {
    long t = time("10:11:12.345678");
    assertThat(trunc("hour", t, TIME)).isEqualTo(time("10:00:00"));
    assertThat(trunc("minute", t, TIME)).isEqualTo(time("10:11:00"));
    assertThat(trunc("second", t, TIME)).isEqualTo(time("10:11:12"));
    assertThat(trunc("millisecond", t, TIME)).isEqualTo(time("10:11:12.345"));
    long stamp = ts("2024-02-29T13:14:15.5");
    assertThat(trunc("hour", stamp, TS)).isEqualTo(ts("2024-02-29T13:00:00"));
    assertThat(trunc("minute", stamp, TS)).isEqualTo(ts("2024-02-29T13:14:00"));
    assertThat(trunc("second", stamp, TS)).isEqualTo(ts("2024-02-29T13:14:15"));
    assertThat(trunc("month", stamp, TS)).isEqualTo(ts("2024-02-01T00:00:00"));
    // before 1970 truncation still goes down to the start of the hour
    assertThat(trunc("hour", ts("1969-12-31T23:30:00"), TS)).isEqualTo(ts("1969-12-31T23:00:00"));
    assertUserError(
        call(ScalarFunction.DATE_TRUNC, TIME, lit("day", Kind.UTF8), lit(t, TIME)),
        "DATE_TRUNC unit 'day' is not supported for TIME");
  }

  private Object trunc(String unit, Object value, ArrowType type) {
    return evaluate(call(ScalarFunction.DATE_TRUNC, type, lit(unit, Kind.UTF8), lit(value, type)));
  }

  private static final ValuesNode SHIFTS =
      new ValuesNode(
          schema("start", TIME, "length", MICROS, "shift", Kind.UTF8),
          List.of(
              row(time("22:00:00"), hours(8), "night"),
              row(time("06:00:00"), hours(8), "early"),
              row(null, null, "none"),
              row(time("14:00:00"), hours(8), "late"),
              row(time("06:00:00"), hours(4), "half")));

  @Test
  void sortingGroupingAndMinMaxUseTheTimeOfDay() {
    assertThat(run(new SortNode(SHIFTS, List.of(new SortKey(0, true, false)))))
        .extracting(r -> r.get(2))
        .containsExactly("early", "half", "late", "night", "none");
    assertThat(
            run(
                new SortNode(
                    SHIFTS, List.of(new SortKey(1, false, false), new SortKey(2, true, false)))))
        .extracting(r -> r.get(2))
        .containsExactly("early", "late", "night", "half", "none");
    AggregateNode byStart =
        new AggregateNode(
            SHIFTS,
            List.of(0),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
                new AggregateCall(AggregateFunction.MAX, List.of(1), false, -1, MICROS)),
            schema("start", TIME, "n", Kind.INT64, "longest", MICROS));
    assertThat(run(new SortNode(byStart, List.of(new SortKey(0, true, true)))))
        .containsExactly(
            row(null, 1L, null),
            row(time("06:00:00"), 2L, hours(8)),
            row(time("14:00:00"), 1L, hours(8)),
            row(time("22:00:00"), 1L, hours(8)));
    AggregateNode range =
        new AggregateNode(
            SHIFTS,
            List.of(),
            List.of(
                new AggregateCall(AggregateFunction.MIN, List.of(0), false, -1, TIME),
                new AggregateCall(AggregateFunction.MAX, List.of(0), false, -1, TIME),
                new AggregateCall(AggregateFunction.MIN, List.of(1), false, -1, MICROS)),
            schema("first", TIME, "last", TIME, "shortest", MICROS));
    assertThat(run(range)).containsExactly(row(time("06:00:00"), time("22:00:00"), hours(4)));
  }

  @Test
  void hashJoinsMatchTimeKeys() {
    ValuesNode breaks =
        new ValuesNode(
            schema("at", TIME, "what", Kind.UTF8),
            List.of(row(time("06:00:00"), "coffee"), row(time("22:00:00"), "tea"), row(null, "x")));
    JoinNode join =
        new JoinNode(
            SHIFTS,
            breaks,
            JoinNode.JoinType.INNER,
            List.of(0),
            List.of(0),
            null,
            schema(
                "start", TIME, "length", MICROS, "shift", Kind.UTF8, "at", TIME, "what",
                Kind.UTF8));
    assertThat(run(new SortNode(join, List.of(new SortKey(2, true, false)))))
        .extracting(r -> r.get(2) + "/" + r.get(4))
        .containsExactly("early/coffee", "half/coffee", "night/tea");
  }
}
