package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.type.DateTimes;
import io.oxbow.engine.type.Kind;
import io.oxbow.planner.schema.TypeMapping;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TIME, interval values and TIMESTAMP / TIME / DATE arithmetic with intervals, planned and run.
 * Expected values are PostgreSQL's unless a comment says otherwise; where Calcite folds a constant
 * expression before the engine sees it, the tests use columns so that the engine computes.
 */
class TestTimeAndIntervalQueries extends AbstractPlannerTest {
  static final Schema EVENTS =
      new Schema(
          List.of(
              Field.nullable("id", Kind.INT64),
              Field.nullable("at", Kind.TIMESTAMP_MICRO),
              Field.nullable("t", Kind.TIME_MICRO),
              Field.nullable("d", Kind.DATE_DAY),
              Field.nullable("dur", Kind.INTERVAL_MICROS),
              Field.nullable("ym", Kind.INTERVAL_MONTHS),
              Field.nullable("s", Kind.UTF8)));

  static long time(String text) {
    return LocalTime.parse(text).toNanoOfDay() / 1_000;
  }

  static long ts(String text) {
    return DateTimes.toMicros(LocalDateTime.parse(text));
  }

  static long hours(double h) {
    return Math.round(h * DateTimes.MICROS_PER_HOUR);
  }

  static long days(long d) {
    return d * DateTimes.MICROS_PER_DAY;
  }

  @BeforeEach
  void events() {
    lake.table(
        "events",
        EVENTS,
        List.of(
            row(
                1L,
                ts("2024-01-31T23:30:00"),
                time("23:30:00"),
                day("2024-01-31"),
                days(1) + hours(2),
                14L,
                "12:00:00"),
            row(
                2L,
                ts("2024-02-29T00:15:00.000001"),
                time("00:15:00"),
                day("2024-02-29"),
                1_500_000L,
                -1L,
                "1:02:03.5"),
            row(3L, null, null, null, null, null, null),
            row(
                4L,
                ts("2023-12-31T12:00:00.5"),
                time("12:00:00.5"),
                day("2023-12-31"),
                hours(1.5),
                0L,
                "23:59:59.999999")));
  }

  /** Rows of {@code sql} over events ordered by id, without the id. */
  private List<List<Object>> byId(String columns) {
    return run("SELECT id, " + columns + " FROM events ORDER BY id").stream()
        .map(r -> r.subList(1, r.size()))
        .toList();
  }

  @Test
  void timeAndIntervalLiteralsAreResultValues() {
    assertThat(
            run(
                "SELECT TIME '12:34:56.789', TIME '12:34:56.123456', INTERVAL '2' DAY,"
                    + " INTERVAL '1-2' YEAR TO MONTH, INTERVAL '3 04:05:06' DAY TO SECOND,"
                    + " INTERVAL '-90' MINUTE"))
        .containsExactly(
            List.of(
                time("12:34:56.789"),
                time("12:34:56.123456"),
                days(2),
                14L,
                days(3) + hours(4) + 5 * DateTimes.MICROS_PER_MINUTE + 6_000_000L,
                -hours(1.5)));
    assertThat(
            planner
                .plan(
                    "SELECT TIME '12:00:00', INTERVAL '2' DAY, INTERVAL '1' YEAR,"
                        + " INTERVAL '1:30' HOUR TO MINUTE",
                    session)
                .schema()
                .getFields())
        .extracting(f -> f.getType().toString())
        .containsExactly(
            "Time(MICROSECOND, 64)",
            "Duration(MICROSECOND)",
            "Interval(YEAR_MONTH)",
            "Duration(MICROSECOND)");
  }

  @Test
  void constantExpressionsAreLeftToTheEngineWhereCalciteWouldLosePrecision() {
    // Calcite folds constants in milliseconds and prints its own text; these must match the column
    // results above (PostgreSQL: 23:59:59.999999 + 1 second = 00:00:00.999999)
    assertThat(
            run(
                "SELECT CAST(INTERVAL '2' DAY AS VARCHAR), CAST(TIME '12:34:56.789' AS VARCHAR),"
                    + " TIME '23:59:59.999999' + INTERVAL '1' SECOND,"
                    + " TIMESTAMP '2024-01-01 10:00:00.123456' + INTERVAL '1' HOUR"))
        .containsExactly(
            List.of(
                "2 days",
                "12:34:56.789",
                time("00:00:00.999999"),
                ts("2024-01-01T11:00:00.123456")));
    // date arithmetic in whole days is still folded at plan time (TPC-H's shipdate bound)
    assertThat(explainLines("EXPLAIN SELECT DATE '1998-12-01' - INTERVAL '90' DAY"))
        .anySatisfy(line -> assertThat(line).contains("1998-09-02"));
  }

  @Test
  void timesAndTimestampsKeepMicroseconds() {
    // TIME and TIMESTAMP default to (and allow up to) 6 fractional digits, as in PostgreSQL; with
    // Calcite's default of 0 the cast below would drop the half second
    assertThat(
            run(
                "SELECT CAST('12:00:00.5' AS TIME), TIMESTAMP '2024-01-01 00:00:00.123456',"
                    + " CAST('2024-01-01 10:00:00.5' AS TIMESTAMP)"))
        .containsExactly(
            List.of(
                time("12:00:00.5"), ts("2024-01-01T00:00:00.123456"), ts("2024-01-01T10:00:00.5")));
    assertThat(planner.plan("SELECT CAST(t AS TIME(3)) FROM events", session).schema().getFields())
        .extracting(f -> f.getType())
        .containsExactly(Kind.TIME_MICRO);
  }

  @Test
  void arrowColumnTypesMapToSqlTypesAndBack() {
    assertThat(planner.plan("SELECT * FROM events", session).schema()).isEqualTo(EVENTS);
    JavaTypeFactoryImpl types = new JavaTypeFactoryImpl(OxbowTypeSystem.INSTANCE);
    assertThat(TypeMapping.toSql(new ArrowType.Time(TimeUnit.MILLISECOND, 32), types).toString())
        .isEqualTo("TIME(3)");
    assertThat(TypeMapping.toSql(Kind.TIME_MICRO, types).toString()).isEqualTo("TIME(6)");
    assertThat(TypeMapping.toSql(Kind.INTERVAL_MICROS, types).toString())
        .isEqualTo("INTERVAL DAY TO SECOND");
    assertThat(TypeMapping.toSql(new ArrowType.Duration(TimeUnit.SECOND), types).toString())
        .isEqualTo("INTERVAL DAY TO SECOND");
    assertThat(TypeMapping.toSql(Kind.INTERVAL_MONTHS, types).toString())
        .isEqualTo("INTERVAL YEAR TO MONTH");
    assertThat(
            TypeMapping.toArrow(
                TypeMapping.toSql(new ArrowType.Interval(IntervalUnit.DAY_TIME), types)))
        .isEqualTo(Kind.INTERVAL_MICROS);
    assertThatThrownBy(
            () -> TypeMapping.toSql(new ArrowType.Interval(IntervalUnit.MONTH_DAY_NANO), types))
        .hasMessageContaining("is not supported yet");
  }

  @Test
  void castsToAndFromTime() {
    assertThat(
            byId(
                "CAST(at AS TIME), CAST(t AS VARCHAR), CAST(at AS VARCHAR),"
                    + " CAST(CAST(at AS TIME) AS VARCHAR)"))
        .containsExactly(
            List.of(time("23:30:00"), "23:30:00", "2024-01-31 23:30:00", "23:30:00"),
            List.of(
                time("00:15:00.000001"),
                "00:15:00",
                "2024-02-29 00:15:00.000001",
                "00:15:00.000001"),
            Arrays.asList(null, null, null, null),
            List.of(time("12:00:00.5"), "12:00:00.5", "2023-12-31 12:00:00.5", "12:00:00.5"));
    // from a VARCHAR column: PostgreSQL accepts a one-digit hour
    assertThat(byId("CAST(s AS TIME)"))
        .containsExactly(
            List.of(time("12:00:00")),
            List.of(time("01:02:03.5")),
            Arrays.asList((Object) null),
            List.of(time("23:59:59.999999")));
    assertThat(run("SELECT CAST('12:00:00' AS TIME)")).containsExactly(List.of(time("12:00:00")));
    for (String sql :
        List.of(
            "SELECT CAST('noon' AS TIME)",
            "SELECT CAST(x AS TIME) FROM (VALUES ('12:00:00'), ('noon')) v(x)")) {
      assertThatThrownBy(() -> run(sql))
          .isInstanceOfSatisfying(
              OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USER_ERROR))
          .hasMessageContaining("Cannot cast 'noon' to TIME");
    }
  }

  @Test
  void intervalsCastToPostgresText() {
    // PostgreSQL's default IntervalStyle: 1 day 02:00:00, 00:00:01.5, 1 year 2 mons, -1 mons
    assertThat(byId("CAST(dur AS VARCHAR), CAST(ym AS VARCHAR)"))
        .containsExactly(
            List.of("1 day 02:00:00", "1 year 2 mons"),
            List.of("00:00:01.5", "-1 mons"),
            Arrays.asList(null, null),
            List.of("01:30:00", "00:00:00"));
  }

  @Test
  void timestampPlusAndMinusIntervals() {
    assertThat(
            byId(
                "at + INTERVAL '1' HOUR, at - INTERVAL '0.5' SECOND, at + dur, at + ym,"
                    + " at + INTERVAL '1' MONTH, at - INTERVAL '1' DAY"))
        .containsExactly(
            List.of(
                ts("2024-02-01T00:30:00"),
                ts("2024-01-31T23:29:59.5"),
                ts("2024-02-02T01:30:00"),
                // 2024-01-31 + 14 months = 2025-03-31; + 1 month clamps to 2024-02-29
                ts("2025-03-31T23:30:00"),
                ts("2024-02-29T23:30:00"),
                ts("2024-01-30T23:30:00")),
            List.of(
                ts("2024-02-29T01:15:00.000001"),
                ts("2024-02-29T00:14:59.500001"),
                ts("2024-02-29T00:15:01.500001"),
                ts("2024-01-29T00:15:00.000001"),
                ts("2024-03-29T00:15:00.000001"),
                ts("2024-02-28T00:15:00.000001")),
            Arrays.asList(null, null, null, null, null, null),
            List.of(
                ts("2023-12-31T13:00:00.5"),
                ts("2023-12-31T12:00:00"),
                ts("2023-12-31T13:30:00.5"),
                ts("2023-12-31T12:00:00.5"),
                ts("2024-01-31T12:00:00.5"),
                ts("2023-12-30T12:00:00.5")));
    // interval first, and a computed number of minutes
    assertThat(
            run(
                "SELECT INTERVAL '90' MINUTE + at, at + id * INTERVAL '1' MINUTE FROM events"
                    + " WHERE id = 2"))
        .containsExactly(
            List.of(ts("2024-02-29T01:45:00.000001"), ts("2024-02-29T00:17:00.000001")));
  }

  @Test
  void timePlusIntervalWrapsAroundMidnight() {
    // PostgreSQL: time '23:30' + interval '1 hour' = 00:30:00; time '00:15' - '30 minutes' = 23:45
    assertThat(
            byId(
                "t + INTERVAL '1' HOUR, t - INTERVAL '30' MINUTE, t + dur,"
                    + " t + INTERVAL '1' DAY, t + INTERVAL '1' MONTH"))
        .containsExactly(
            List.of(
                time("00:30:00"),
                time("23:00:00"),
                time("01:30:00"),
                time("23:30:00"),
                time("23:30:00")),
            List.of(
                time("01:15:00"),
                time("23:45:00"),
                time("00:15:01.5"),
                time("00:15:00"),
                time("00:15:00")),
            Arrays.asList(null, null, null, null, null),
            List.of(
                time("13:00:00.5"),
                time("11:30:00.5"),
                time("13:30:00.5"),
                time("12:00:00.5"),
                time("12:00:00.5")));
    // a constant expression is folded by Calcite, with the same wrap
    assertThat(run("SELECT TIME '23:30:00' + INTERVAL '1' HOUR"))
        .containsExactly(List.of(time("00:30:00")));
  }

  @Test
  void datetimeDifferencesAreIntervals() {
    assertThat(
            byId(
                "(at - TIMESTAMP '2024-01-01 00:00:00') DAY TO SECOND, (d - DATE '2024-01-01') DAY,"
                    + " (at - TIMESTAMP '2023-11-30 00:00:00') MONTH,"
                    + " CAST((at - TIMESTAMP '2024-01-31 00:00:00') DAY TO SECOND AS VARCHAR),"
                    + " (t - TIME '12:00:00') HOUR TO SECOND"))
        .containsExactly(
            List.of(
                days(30) + hours(23.5),
                days(30),
                // 2023-11-30 + 2 months = 2024-01-30 <= at < 2024-02-29 = + 3 months
                2L,
                "23:30:00",
                hours(11.5)),
            List.of(
                days(59) + hours(0.25) + 1, days(59), 3L, "29 days 00:15:00.000001", -hours(11.75)),
            Arrays.asList(null, null, null, null, null),
            List.of(-hours(12) + 500_000L, days(-1), 1L, "-30 days -11:59:59.5", 500_000L));
  }

  @Test
  void timestampAddAndDiff() {
    // TIMESTAMPADD and TIMESTAMPDIFF (JDBC / ODBC functions, no PostgreSQL equivalent): Calcite
    // turns the difference into CAST((b - a) UNIT AS INTEGER), which counts whole units,
    // truncated towards zero
    assertThat(
            byId(
                "TIMESTAMPADD(HOUR, 2, at), TIMESTAMPADD(MONTH, 1, at), TIMESTAMPADD(MINUTE, -30, t),"
                    + " TIMESTAMPDIFF(MINUTE, TIMESTAMP '2024-01-01 00:00:00', at),"
                    + " TIMESTAMPDIFF(MONTH, TIMESTAMP '2023-01-01 00:00:00', at),"
                    + " TIMESTAMPDIFF(DAY, d, DATE '2024-03-01'),"
                    + " CAST((at - TIMESTAMP '2024-01-01 00:00:00') HOUR AS BIGINT)"))
        .containsExactly(
            List.of(
                ts("2024-02-01T01:30:00"),
                ts("2024-02-29T23:30:00"),
                time("23:00:00"),
                30 * 1440L + 1410,
                12L,
                30L,
                743L),
            List.of(
                ts("2024-02-29T02:15:00.000001"),
                ts("2024-03-29T00:15:00.000001"),
                time("23:45:00"),
                59 * 1440L + 15,
                13L,
                1L,
                1416L),
            Arrays.asList(null, null, null, null, null, null, null),
            List.of(
                ts("2023-12-31T14:00:00.5"),
                ts("2024-01-31T12:00:00.5"),
                time("11:30:00.5"),
                // -(11:59:59.5) is -719.99 minutes
                -719L,
                11L,
                61L,
                -11L));
  }

  @Test
  void intervalComparisonsAndScaling() {
    assertThat(run("SELECT id FROM events WHERE dur > INTERVAL '1' HOUR ORDER BY id"))
        .containsExactly(List.of(1L), List.of(4L));
    assertThat(run("SELECT id FROM events WHERE ym < INTERVAL '1' YEAR ORDER BY id"))
        .containsExactly(List.of(2L), List.of(4L));
    assertThat(byId("dur * 2, 3 * ym, dur / 2, -dur, dur + INTERVAL '1' DAY, ym - ym"))
        .containsExactly(
            List.of(
                days(2) + hours(4), 42L, hours(13), -days(1) - hours(2), days(2) + hours(2), 0L),
            List.of(3_000_000L, -3L, 750_000L, -1_500_000L, days(1) + 1_500_000L, 0L),
            Arrays.asList(null, null, null, null, null, null),
            List.of(hours(3), 0L, hours(0.75), -hours(1.5), days(1) + hours(1.5), 0L));
  }

  @Test
  void sortGroupDistinctAndMinMaxOnTimes() {
    assertThat(run("SELECT t FROM events ORDER BY t"))
        .containsExactly(
            List.of(time("00:15:00")),
            List.of(time("12:00:00.5")),
            List.of(time("23:30:00")),
            Arrays.asList((Object) null));
    // each time twice: t, and the time of at (to the second for row 2, whose at has 1 µs more)
    String both =
        "(SELECT t AS x FROM events UNION ALL SELECT CASE WHEN id = 2 THEN"
            + " date_trunc('second', CAST(at AS TIME)) ELSE CAST(at AS TIME) END FROM events) u";
    assertThat(run("SELECT x, count(*) FROM " + both + " GROUP BY x ORDER BY x NULLS FIRST"))
        .containsExactly(
            Arrays.asList(null, 2L),
            List.of(time("00:15:00"), 2L),
            List.of(time("12:00:00.5"), 2L),
            List.of(time("23:30:00"), 2L));
    assertThat(run("SELECT DISTINCT x FROM " + both + " ORDER BY x DESC NULLS LAST"))
        .containsExactly(
            List.of(time("23:30:00")),
            List.of(time("12:00:00.5")),
            List.of(time("00:15:00")),
            Arrays.asList((Object) null));
    assertThat(run("SELECT min(t), max(t), min(dur), max(ym), max(at) FROM events"))
        .containsExactly(
            List.of(
                time("00:15:00"),
                time("23:30:00"),
                1_500_000L,
                14L,
                ts("2024-02-29T00:15:00.000001")));
    assertThat(run("SELECT dur FROM events ORDER BY dur DESC NULLS LAST"))
        .containsExactly(
            List.of(days(1) + hours(2)),
            List.of(hours(1.5)),
            List.of(1_500_000L),
            Arrays.asList((Object) null));
  }

  @Test
  void hashJoinOnTimeKeys() {
    String sql =
        "SELECT a.id, b.id FROM events a JOIN events b"
            + " ON a.t = CAST(b.at + INTERVAL '1' DAY AS TIME) ORDER BY a.id";
    JoinNode join = find(plan(sql), JoinNode.class);
    assertThat(join.leftKeys()).hasSize(1);
    // t of row 2 is 00:15:00, the time of its timestamp 00:15:00.000001: no match
    assertThat(run(sql)).containsExactly(List.of(1L, 1L), List.of(4L, 4L));
  }

  @Test
  void extractAndDateTrunc() {
    assertThat(
            byId(
                "EXTRACT(HOUR FROM t), EXTRACT(MINUTE FROM t), EXTRACT(SECOND FROM t),"
                    + " EXTRACT(MILLISECOND FROM t), EXTRACT(HOUR FROM at), EXTRACT(EPOCH FROM at)"))
        .containsExactly(
            List.of(23L, 30L, 0L, 0L, 23L, 1_706_743_800L),
            List.of(0L, 15L, 0L, 0L, 0L, 1_709_165_700L),
            Arrays.asList(null, null, null, null, null, null),
            // SECOND is BIGINT in Calcite, so whole seconds; MILLISECOND includes the seconds
            List.of(12L, 0L, 0L, 500L, 12L, 1_704_024_000L));
    assertThat(
            byId(
                "date_trunc('hour', at), date_trunc('minute', at + INTERVAL '59' SECOND),"
                    + " date_trunc('second', at), date_trunc('minute', t)"))
        .containsExactly(
            List.of(
                ts("2024-01-31T23:00:00"),
                ts("2024-01-31T23:30:00"),
                ts("2024-01-31T23:30:00"),
                time("23:30:00")),
            List.of(
                ts("2024-02-29T00:00:00"),
                ts("2024-02-29T00:15:00"),
                ts("2024-02-29T00:15:00"),
                time("00:15:00")),
            Arrays.asList(null, null, null, null),
            List.of(
                ts("2023-12-31T12:00:00"),
                ts("2023-12-31T12:00:00"),
                ts("2023-12-31T12:00:00"),
                time("12:00:00")));
  }

  @Test
  void currentTimeIsTheTimeOfTheStatementClock() {
    List<Object> row =
        run("SELECT CURRENT_TIME = CAST(CURRENT_TIMESTAMP AS TIME), LOCALTIME = CURRENT_TIME,"
                + " CURRENT_TIME")
            .get(0);
    assertThat(row.subList(0, 2)).containsExactly(true, true);
    assertThat((Long) row.get(2)).isBetween(0L, DateTimes.MICROS_PER_DAY - 1);
  }

  @Test
  void dateArithmeticKeepsWholeDays() {
    // Calcite types DATE + INTERVAL as a DATE: whole days work, hours are an error (PostgreSQL and
    // Trino would give a TIMESTAMP)
    assertThat(byId("d + INTERVAL '24' HOUR, d + ym, d - (d - DATE '2024-01-01') DAY"))
        .containsExactly(
            List.of(day("2024-02-01"), day("2025-03-31"), day("2024-01-01")),
            List.of(day("2024-03-01"), day("2024-01-29"), day("2024-01-01")),
            Arrays.asList(null, null, null),
            List.of(day("2024-01-01"), day("2023-12-31"), day("2024-01-01")));
    assertThatThrownBy(() -> run("SELECT d + dur FROM events"))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("DATE plus an interval of hours, minutes or seconds");
  }

  @Test
  void rangeFramesTakeIntervalOffsets() {
    assertThat(
            run(
                "SELECT id, count(*) OVER (ORDER BY at RANGE BETWEEN INTERVAL '12' HOUR PRECEDING"
                    + " AND CURRENT ROW), count(*) OVER (ORDER BY d RANGE BETWEEN INTERVAL '31'"
                    + " DAY PRECEDING AND CURRENT ROW) FROM events WHERE id <> 3 ORDER BY id"))
        .containsExactly(List.of(1L, 1L, 2L), List.of(2L, 1L, 2L), List.of(4L, 1L, 1L));
  }

  @Test
  void createTableAndInsertWithTimeColumns() {
    DataChange.CreateTable create =
        (DataChange.CreateTable)
            planner.plan("CREATE TABLE clock (c TIME, c3 TIME(3), w TIMESTAMP)", session).change();
    assertThat(create.columns().getFields())
        .extracting(f -> f.getType())
        .containsExactly(Kind.TIME_MICRO, Kind.TIME_MICRO, Kind.TIMESTAMP_MICRO);
    // the rows an INSERT writes, in the table's column order
    assertThat(
            run(
                "INSERT INTO events (id, t, dur) VALUES (9, NULL, INTERVAL '1' HOUR),"
                    + " (10, TIME '10:00:00', INTERVAL '2' HOUR)"))
        .containsExactly(
            Arrays.asList(9L, null, null, null, hours(1), null, null),
            Arrays.asList(10L, null, time("10:00:00"), null, hours(2), null, null));
  }

  @Test
  void explainShowsTimeAndIntervalLiterals() {
    assertThat(
            String.join(
                "\n",
                explainLines(
                    "EXPLAIN SELECT at + INTERVAL '1' HOUR, t < TIME"
                        + " '09:30:00.5' FROM events")))
        .contains("add($", ", interval '01:00:00')", "less_than($", ", time '09:30:00.5')");
    ProjectNode project =
        find(plan("SELECT at - INTERVAL '90' MINUTE FROM events"), ProjectNode.class);
    assertThat(functions(project.expressions().get(0))).containsExactly(ScalarFunction.SUBTRACT);
  }
}
