package io.oxbow.engine.type;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Text forms and calendar arithmetic of the date, time and interval kinds (see {@link Kind} for
 * their values). Text follows PostgreSQL's default output: TIME {@code 12:34:56.789} (fraction
 * trimmed), intervals {@code 1 year 2 mons}, {@code 2 days 03:04:05}.
 */
public final class DateTimes {
  public static final long MICROS_PER_SECOND = 1_000_000L;
  public static final long MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
  public static final long MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
  public static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  private DateTimes() {}

  /** {@code HH:mm:ss} and, when not zero, a fraction without trailing zeros. */
  public static String timeText(long micros) {
    StringBuilder out = new StringBuilder(15);
    long seconds = micros / MICROS_PER_SECOND;
    two(out, seconds / 3600).append(':');
    two(out, seconds / 60 % 60).append(':');
    two(out, seconds % 60);
    fraction(out, micros % MICROS_PER_SECOND);
    return out.toString();
  }

  /**
   * A TIME value from text {@code H:mm[:ss[.f...]]} (digits beyond microseconds round half up, as
   * PostgreSQL does); null if the text is not a time of day.
   */
  public static Long parseTime(String text) {
    String t = text.trim();
    int colon = t.indexOf(':');
    if (colon == 1) {
      t = "0" + t; // PostgreSQL and Trino accept a single-digit hour
    }
    try {
      LocalTime time = LocalTime.parse(t);
      long micros = time.toNanoOfDay() / 1_000L;
      if (time.getNano() % 1_000 >= 500) {
        micros++;
      }
      return micros == MICROS_PER_DAY ? 0L : micros;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The time of day of a TIMESTAMP. */
  public static long timeOf(long timestampMicros) {
    return Math.floorMod(timestampMicros, MICROS_PER_DAY);
  }

  /** TIME + day-time interval, wrapping around midnight as PostgreSQL's {@code time + interval}. */
  public static long addToTime(long timeMicros, long intervalMicros) {
    return Math.floorMod(
        timeMicros + Math.floorMod(intervalMicros, MICROS_PER_DAY), MICROS_PER_DAY);
  }

  /** A TIMESTAMP as a date-time in UTC. */
  public static LocalDateTime toLocalDateTime(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, MICROS_PER_SECOND),
        (int) Math.floorMod(micros, MICROS_PER_SECOND) * 1000,
        ZoneOffset.UTC);
  }

  public static long toMicros(LocalDateTime dateTime) {
    return ChronoUnit.MICROS.between(EPOCH, dateTime);
  }

  /**
   * TIMESTAMP + months, keeping the time of day and clamping the day to the end of a shorter month
   * (2024-01-31 + 1 month = 2024-02-29), as PostgreSQL does.
   */
  public static long addMonthsToTimestamp(long micros, long months) {
    long day = Math.floorDiv(micros, MICROS_PER_DAY);
    long rest = Math.floorMod(micros, MICROS_PER_DAY);
    long shifted = LocalDate.ofEpochDay(day).plusMonths(months).toEpochDay();
    return Math.addExact(Math.multiplyExact(shifted, MICROS_PER_DAY), rest);
  }

  /** DATE + months, end-of-month clamped. */
  public static int addMonthsToDate(int days, long months) {
    return Math.toIntExact(LocalDate.ofEpochDay(days).plusMonths(months).toEpochDay());
  }

  /**
   * Whole months from {@code from} to {@code to} (both TIMESTAMP microseconds): the largest m with
   * {@code from + m months <= to} (or the negative of the reverse when {@code to < from}), so
   * 2024-01-31 to 2024-02-29 is one month and 2024-01-15 to 2024-02-14 none.
   */
  public static long monthsBetween(long from, long to) {
    if (to < from) {
      return -monthsBetween(to, from);
    }
    LocalDateTime a = toLocalDateTime(from);
    LocalDateTime b = toLocalDateTime(to);
    long m = (b.getYear() - a.getYear()) * 12L + b.getMonthValue() - a.getMonthValue();
    while (m > 0 && addMonthsToTimestamp(from, m) > to) {
      m--;
    }
    return m;
  }

  /**
   * A year-month interval as PostgreSQL prints it: {@code 1 year 2 mons}, {@code -1 years -2 mons},
   * {@code 00:00:00} for zero.
   */
  public static String yearMonthText(long months) {
    StringBuilder out = new StringBuilder();
    boolean[] state = {true, false}; // zero so far, previous part negative
    part(out, months / 12, "year", state);
    part(out, months % 12, "mon", state);
    if (state[0]) {
      out.append("00:00:00");
    }
    return out.toString();
  }

  /**
   * A day-time interval as PostgreSQL prints it: {@code 2 days 03:04:05}, {@code -1 days
   * -02:00:00}, {@code 00:00:01.5}. The value is one count of microseconds, so 25 hours print as
   * {@code 1 day 01:00:00} (PostgreSQL, which keeps hours apart from days, prints {@code
   * 25:00:00}).
   */
  public static String dayTimeText(long micros) {
    StringBuilder out = new StringBuilder();
    boolean[] state = {true, false};
    long days = micros / MICROS_PER_DAY;
    long time = micros % MICROS_PER_DAY;
    part(out, days, "day", state);
    if (state[0] || time != 0) {
      if (!state[0]) {
        out.append(' ');
      }
      if (time < 0) {
        out.append('-');
      } else if (state[1]) {
        out.append('+');
      }
      out.append(timeText(Math.abs(time)));
    }
    return out.toString();
  }

  /** PostgreSQL's AddPostgresIntPart: "n unit[s]", with '+' after a negative part. */
  private static void part(StringBuilder out, long value, String unit, boolean[] state) {
    if (value == 0) {
      return;
    }
    if (!state[0]) {
      out.append(' ');
    }
    if (state[1] && value > 0) {
      out.append('+');
    }
    out.append(value).append(' ').append(unit);
    if (value != 1) {
      out.append('s');
    }
    state[1] = value < 0;
    state[0] = false;
  }

  private static StringBuilder two(StringBuilder out, long value) {
    if (value < 10) {
      out.append('0');
    }
    return out.append(value);
  }

  private static void fraction(StringBuilder out, long micros) {
    if (micros == 0) {
      return;
    }
    String digits = Long.toString(1_000_000L + micros).substring(1);
    int end = digits.length();
    while (digits.charAt(end - 1) == '0') {
      end--;
    }
    out.append('.').append(digits, 0, end);
  }
}
