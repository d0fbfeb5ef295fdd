package io.oxbow.engine.eval;

import io.oxbow.engine.type.DateTimes;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** Scalar semantics on single non-null Java values (see {@link Kind} for representations). */
final class Functions {
  private Functions() {}

  static Object arithmetic(
      io.oxbow.engine.expr.ScalarFunction fn, Object a, Object b, ArrowType resultType) {
    Kind kind = Kind.of(resultType);
    switch (kind) {
      case INTEGER -> {
        long x = ((Number) a).longValue();
        long y = ((Number) b).longValue();
        try {
          return switch (fn) {
            case ADD -> Math.addExact(x, y);
            case SUBTRACT -> Math.subtractExact(x, y);
            case MULTIPLY -> Math.multiplyExact(x, y);
            case DIVIDE -> {
              if (y == 0) {
                throw OxbowException.userError("Division by zero");
              }
              yield x / y;
            }
            case MOD -> {
              if (y == 0) {
                throw OxbowException.userError("Division by zero");
              }
              yield x % y;
            }
            default -> throw new IllegalArgumentException(fn.name());
          };
        } catch (ArithmeticException e) {
          throw OxbowException.userError("Integer overflow in %s(%d, %d)", fn.name(), x, y);
        }
      }
      case FLOATING -> {
        double x = ((Number) a).doubleValue();
        double y = ((Number) b).doubleValue();
        return switch (fn) {
          case ADD -> x + y;
          case SUBTRACT -> x - y;
          case MULTIPLY -> x * y;
          case DIVIDE -> x / y;
          case MOD -> x % y;
          default -> throw new IllegalArgumentException(fn.name());
        };
      }
      case DECIMAL -> {
        ArrowType.Decimal type = (ArrowType.Decimal) resultType;
        BigDecimal x = toDecimal(a);
        BigDecimal y = toDecimal(b);
        return fitDecimal(decimalOp(fn, x, y, type.getScale()), type);
      }
      default ->
          throw OxbowException.userError(
              "Cannot apply %s to values of type %s", fn.name(), resultType);
    }
  }

  /** The exact result of {@code x fn y}; DIVIDE rounds half up to {@code scale}. */
  static BigDecimal decimalOp(
      io.oxbow.engine.expr.ScalarFunction fn, BigDecimal x, BigDecimal y, int scale) {
    return switch (fn) {
      case ADD -> x.add(y);
      case SUBTRACT -> x.subtract(y);
      case MULTIPLY -> x.multiply(y);
      case DIVIDE -> {
        if (y.signum() == 0) {
          throw OxbowException.userError("Division by zero");
        }
        yield x.divide(y, scale, RoundingMode.HALF_UP);
      }
      case MOD -> {
        if (y.signum() == 0) {
          throw OxbowException.userError("Division by zero");
        }
        yield x.remainder(y);
      }
      default -> throw new IllegalArgumentException(fn.name());
    };
  }

  static BigDecimal fitDecimal(BigDecimal value, ArrowType.Decimal type) {
    BigDecimal scaled = value.setScale(type.getScale(), RoundingMode.HALF_UP);
    if (scaled.signum() != 0
        && scaled.precision() - scaled.scale() > type.getPrecision() - type.getScale()) {
      throw OxbowException.userError(
          "Decimal overflow: %s does not fit DECIMAL(%d, %d)",
          value.toPlainString(), type.getPrecision(), type.getScale());
    }
    return scaled;
  }

  static BigDecimal toDecimal(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Long l) {
      return BigDecimal.valueOf(l);
    }
    if (value instanceof Double d) {
      return new BigDecimal(Double.toString(d));
    }
    return new BigDecimal(value.toString());
  }

  /**
   * {@code CAST(value AS target)} from a value of type {@code source}: datetimes and intervals to
   * VARCHAR as PostgreSQL prints them, TIMESTAMP to TIME (the time of day), VARCHAR to TIME, an
   * interval to an integer type (its count of months or microseconds); other casts from or to TIME
   * and intervals are user errors.
   */
  static Object cast(Object value, ArrowType source, ArrowType target) {
    Kind from = Kind.of(source);
    Kind to = Kind.of(target);
    if (from == to && from != Kind.DECIMAL && from != Kind.INTEGER) {
      return value;
    }
    switch (from) {
      case DATE -> {
        if (to == Kind.STRING) {
          return dateText((Integer) value);
        }
      }
      case TIMESTAMP -> {
        if (to == Kind.STRING) {
          return timestampText((Long) value);
        }
        if (to == Kind.TIME) {
          return DateTimes.timeOf((Long) value);
        }
      }
      case TIME, INTERVAL_YEAR_MONTH, INTERVAL_DAY_TIME -> {
        if (to == Kind.STRING) {
          return text(value, from);
        }
        if (from.isInterval() && to == Kind.INTEGER) {
          return cast(value, target); // the count of months or microseconds
        }
        throw badCast(text(value, from), source, target);
      }
      default -> {}
    }
    if (to == Kind.TIME || to.isInterval()) {
      Long micros = value instanceof String s && to == Kind.TIME ? DateTimes.parseTime(s) : null;
      if (micros == null) {
        throw value instanceof String
            ? badCast(value, target)
            : badCast(text(value, from), source, target);
      }
      return micros;
    }
    return cast(value, target);
  }

  /** A value of {@code kind} as text, as CAST to VARCHAR gives it. */
  static String text(Object value, Kind kind) {
    return switch (kind) {
      case DATE -> dateText((Integer) value);
      case TIMESTAMP -> timestampText((Long) value);
      case TIME -> DateTimes.timeText((Long) value);
      case INTERVAL_YEAR_MONTH -> DateTimes.yearMonthText((Long) value);
      case INTERVAL_DAY_TIME -> DateTimes.dayTimeText((Long) value);
      default -> toText(value);
    };
  }

  private static Object cast(Object value, ArrowType target) {
    Kind to = Kind.of(target);
    try {
      switch (to) {
        case BOOLEAN -> {
          if (value instanceof Boolean) {
            return value;
          }
          if (value instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("t") || t.equals("1")) {
              return true;
            }
            if (t.equals("false") || t.equals("f") || t.equals("0")) {
              return false;
            }
            throw badCast(value, target);
          }
          if (value instanceof Number n) {
            return n.doubleValue() != 0;
          }
        }
        case INTEGER -> {
          long result;
          if (value instanceof Long l) {
            result = l;
          } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
              throw badCast(value, target);
            }
            result = Math.round(d);
          } else if (value instanceof BigDecimal d) {
            result = d.setScale(0, RoundingMode.HALF_UP).longValueExact();
          } else if (value instanceof String s) {
            result = new BigDecimal(s.trim()).setScale(0, RoundingMode.HALF_UP).longValueExact();
          } else if (value instanceof Boolean b) {
            result = b ? 1 : 0;
          } else {
            throw badCast(value, target);
          }
          int bits = ((ArrowType.Int) target).getBitWidth();
          if (bits < 64 && (result < -(1L << (bits - 1)) || result >= (1L << (bits - 1)))) {
            throw OxbowException.userError(
                "Value %s is out of range for %s", value, sqlName(target));
          }
          return result;
        }
        case FLOATING -> {
          if (value instanceof Number n) {
            return n.doubleValue();
          }
          if (value instanceof String s) {
            return Double.parseDouble(s.trim());
          }
        }
        case DECIMAL -> {
          BigDecimal d;
          if (value instanceof String s) {
            d = new BigDecimal(s.trim());
          } else if (value instanceof Number) {
            d = toDecimal(value);
          } else {
            throw badCast(value, target);
          }
          return fitDecimal(d, (ArrowType.Decimal) target);
        }
        case STRING -> {
          return toText(value);
        }
        case DATE -> {
          if (value instanceof Integer) {
            return value;
          }
          if (value instanceof String s) {
            return (int) LocalDate.parse(s.trim()).toEpochDay();
          }
          if (value instanceof Long micros) {
            return (int) Math.floorDiv(micros, 86_400_000_000L);
          }
        }
        case TIMESTAMP -> {
          if (value instanceof Long) {
            return value;
          }
          if (value instanceof Integer days) {
            return days * 86_400_000_000L;
          }
          if (value instanceof String s) {
            String t = s.trim().replace(' ', 'T');
            LocalDateTime dt =
                t.contains("T") ? LocalDateTime.parse(t) : LocalDate.parse(t).atStartOfDay();
            return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), dt);
          }
        }
        default -> {}
      }
    } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
      throw badCast(value, target);
    }
    throw badCast(value, target);
  }

  static String toText(Object value) {
    if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return value.toString();
  }

  static String dateText(int days) {
    return LocalDate.ofEpochDay(days).toString();
  }

  /** {@code yyyy-mm-dd hh:mm:ss[.ffffff]}, the fraction without trailing zeros (PostgreSQL). */
  static String timestampText(long micros) {
    return LocalDate.ofEpochDay(Math.floorDiv(micros, DateTimes.MICROS_PER_DAY))
        + " "
        + DateTimes.timeText(DateTimes.timeOf(micros));
  }

  private static OxbowException badCast(Object value, ArrowType target) {
    return OxbowException.userError("Cannot cast '%s' to %s", value, sqlName(target));
  }

  private static OxbowException badCast(String value, ArrowType source, ArrowType target) {
    return OxbowException.userError(
        "Cannot cast %s '%s' to %s", sqlName(source), value, sqlName(target));
  }

  static String sqlName(ArrowType type) {
    return switch (type.getTypeID()) {
      case Bool -> "BOOLEAN";
      case Int ->
          switch (((ArrowType.Int) type).getBitWidth()) {
            case 8 -> "TINYINT";
            case 16 -> "SMALLINT";
            case 32 -> "INTEGER";
            default -> "BIGINT";
          };
      case FloatingPoint -> "DOUBLE";
      case Decimal ->
          "DECIMAL("
              + ((ArrowType.Decimal) type).getPrecision()
              + ", "
              + ((ArrowType.Decimal) type).getScale()
              + ")";
      case Utf8, LargeUtf8 -> "VARCHAR";
      case Date -> "DATE";
      case Timestamp -> "TIMESTAMP";
      case Time -> "TIME";
      case Duration -> "INTERVAL DAY TO SECOND";
      case Interval ->
          ((ArrowType.Interval) type).getUnit()
                  == org.apache.arrow.vector.types.IntervalUnit.YEAR_MONTH
              ? "INTERVAL YEAR TO MONTH"
              : "INTERVAL DAY TO SECOND";
      default -> type.toString();
    };
  }

  /** Translates a SQL LIKE pattern into a regular expression. */
  static Pattern likePattern(String pattern, Character escape) {
    StringBuilder regex = new StringBuilder();
    // by code point: quoting the two halves of a surrogate pair apart would match nothing
    for (int i = 0; i < pattern.length(); i += Character.charCount(pattern.codePointAt(i))) {
      int c = pattern.codePointAt(i);
      if (escape != null && c == escape) {
        if (i + 1 >= pattern.length()) {
          throw OxbowException.userError(
              "LIKE pattern '%s' ends with the escape character", pattern);
        }
        i++;
        regex.append(Pattern.quote(Character.toString(pattern.codePointAt(i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(Character.toString(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  /** {@code EXTRACT(field FROM value)} for a value of {@code kind}. */
  static long extract(String field, Object value, Kind kind) {
    String f = field.toUpperCase(Locale.ROOT);
    switch (kind) {
      case INTERVAL_YEAR_MONTH -> {
        long months = (Long) value;
        return switch (f) {
          case "YEAR" -> months / 12;
          case "MONTH" -> months % 12;
          default -> throw unsupportedField(f, kind);
        };
      }
      case INTERVAL_DAY_TIME, TIME -> {
        long micros = (Long) value;
        return switch (f) {
          case "DAY" -> {
            if (kind == Kind.TIME) {
              throw unsupportedField(f, kind);
            }
            yield micros / DateTimes.MICROS_PER_DAY;
          }
          case "HOUR" -> micros / DateTimes.MICROS_PER_HOUR % 24;
          case "MINUTE" -> micros / DateTimes.MICROS_PER_MINUTE % 60;
          case "SECOND" -> micros / DateTimes.MICROS_PER_SECOND % 60;
          case "MILLISECOND" -> micros % DateTimes.MICROS_PER_MINUTE / 1_000;
          case "MICROSECOND" -> micros % DateTimes.MICROS_PER_MINUTE;
          case "EPOCH" -> micros / DateTimes.MICROS_PER_SECOND;
          default -> throw unsupportedField(f, kind);
        };
      }
      default -> {}
    }
    long micros = value instanceof Integer days ? days * DateTimes.MICROS_PER_DAY : (Long) value;
    LocalDateTime t = DateTimes.toLocalDateTime(micros);
    return switch (f) {
      case "YEAR" -> t.getYear();
      case "QUARTER" -> (t.getMonthValue() - 1) / 3 + 1;
      case "MONTH" -> t.getMonthValue();
      case "WEEK" -> t.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR);
      case "DAY" -> t.getDayOfMonth();
      case "DOW" -> t.getDayOfWeek().getValue() % 7;
      case "DOY" -> t.getDayOfYear();
      case "HOUR" -> t.getHour();
      case "MINUTE" -> t.getMinute();
      case "SECOND" -> t.getSecond();
      case "MILLISECOND" -> Math.floorMod(micros, DateTimes.MICROS_PER_MINUTE) / 1_000;
      case "MICROSECOND" -> Math.floorMod(micros, DateTimes.MICROS_PER_MINUTE);
      case "EPOCH" -> Math.floorDiv(micros, DateTimes.MICROS_PER_SECOND);
      default -> throw OxbowException.userError("EXTRACT(%s) is not supported", field);
    };
  }

  private static OxbowException unsupportedField(String field, Kind kind) {
    return OxbowException.userError(
        "EXTRACT(%s) from a %s is not supported",
        field,
        switch (kind) {
          case TIME -> "TIME";
          case INTERVAL_YEAR_MONTH -> "year-month INTERVAL";
          default -> "day-time INTERVAL";
        });
  }

  static Object round(Object value, int digits, ArrowType type, RoundingMode mode) {
    if (value instanceof Long l) {
      if (digits >= 0) {
        return l;
      }
      return BigDecimal.valueOf(l).setScale(digits, mode).longValueExact();
    }
    if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        return d;
      }
      return new BigDecimal(Double.toString(d)).setScale(digits, mode).doubleValue();
    }
    BigDecimal r = ((BigDecimal) value).setScale(digits, mode);
    if (type instanceof ArrowType.Decimal dt) {
      return fitDecimal(r, dt);
    }
    return r.round(MathContext.DECIMAL128);
  }

  static Pattern regex(String pattern) {
    try {
      return Pattern.compile(pattern);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw OxbowException.userError(
          "Invalid regular expression '%s': %s", pattern, e.getDescription());
    }
  }

  /**
   * Truncates a date (Integer days), timestamp (Long micros) or time (Long micros of the day, units
   * HOUR and smaller) to {@code unit}.
   */
  static Object dateTrunc(String unit, Object value, Kind kind) {
    String u = unit.toUpperCase(Locale.ROOT);
    long step =
        switch (u) {
          case "HOUR" -> DateTimes.MICROS_PER_HOUR;
          case "MINUTE" -> DateTimes.MICROS_PER_MINUTE;
          case "SECOND" -> DateTimes.MICROS_PER_SECOND;
          case "MILLISECOND" -> 1_000L;
          case "MICROSECOND" -> 1L;
          default -> 0L;
        };
    if (kind == Kind.TIME) {
      if (step == 0) {
        throw OxbowException.userError("DATE_TRUNC unit '%s' is not supported for TIME", unit);
      }
      return (Long) value / step * step;
    }
    boolean isDate = value instanceof Integer;
    long micros = isDate ? (Integer) value * DateTimes.MICROS_PER_DAY : (Long) value;
    long out;
    if (step != 0) {
      out = Math.floorDiv(micros, step) * step;
    } else {
      LocalDate d = DateTimes.toLocalDateTime(micros).toLocalDate();
      LocalDate r =
          switch (u) {
            case "YEAR" -> d.withDayOfYear(1);
            case "QUARTER" -> d.withDayOfMonth(1).withMonth((d.getMonthValue() - 1) / 3 * 3 + 1);
            case "MONTH" -> d.withDayOfMonth(1);
            case "WEEK" -> d.with(java.time.DayOfWeek.MONDAY);
            case "DAY" -> d;
            default ->
                throw OxbowException.userError("DATE_TRUNC unit '%s' is not supported", unit);
          };
      out = r.toEpochDay() * DateTimes.MICROS_PER_DAY;
    }
    return isDate ? (Object) (int) Math.floorDiv(out, DateTimes.MICROS_PER_DAY) : (Object) out;
  }

  /**
   * The per-row operation of {@code a fn b} where a datetime or interval is involved ({@code a},
   * {@code b} of kinds {@code ka}, {@code kb}, DATE values as days unless {@code datesAsMicros},
   * result of kind {@code result}), or null when the combination is not datetime arithmetic.
   */
  static java.util.function.LongBinaryOperator temporalOperation(
      io.oxbow.engine.expr.ScalarFunction fn, Kind ka, Kind kb, Kind result) {
    boolean add = fn == io.oxbow.engine.expr.ScalarFunction.ADD;
    if (!add && fn != io.oxbow.engine.expr.ScalarFunction.SUBTRACT) {
      return null;
    }
    if (ka.isInterval() && kb.isInterval()) {
      return add ? Math::addExact : Math::subtractExact;
    }
    if (ka.isInterval() && add) {
      java.util.function.LongBinaryOperator swapped = temporalOperation(fn, kb, ka, result);
      return swapped == null ? null : (x, y) -> swapped.applyAsLong(y, x);
    }
    if (kb.isInterval()) {
      boolean months = kb == Kind.INTERVAL_YEAR_MONTH;
      return switch (ka) {
        case TIMESTAMP ->
            months
                ? (x, y) -> DateTimes.addMonthsToTimestamp(x, add ? y : Math.negateExact(y))
                : add ? Math::addExact : Math::subtractExact;
        case DATE ->
            months
                ? (x, y) -> DateTimes.addMonthsToDate((int) x, add ? y : Math.negateExact(y))
                : (x, y) -> {
                  if (y % DateTimes.MICROS_PER_DAY != 0) {
                    throw OxbowException.userError(
                        "DATE %s INTERVAL '%s' needs whole days: cast the DATE to TIMESTAMP to"
                            + " add hours, minutes or seconds",
                        add ? "+" : "-", DateTimes.dayTimeText(y));
                  }
                  long days = y / DateTimes.MICROS_PER_DAY;
                  return add ? Math.addExact(x, days) : Math.subtractExact(x, days);
                };
        // PostgreSQL's time + interval uses only the interval's time part
        case TIME ->
            months
                ? (x, y) -> x
                : (x, y) -> DateTimes.addToTime(x, add ? y : -(y % DateTimes.MICROS_PER_DAY));
        default -> null;
      };
    }
    if (add || !result.isInterval()) {
      return null;
    }
    // datetime - datetime; a DATE and a TIMESTAMP both arrive as microseconds
    long unit = ka == Kind.DATE && kb == Kind.DATE ? DateTimes.MICROS_PER_DAY : 1;
    if (result == Kind.INTERVAL_DAY_TIME) {
      return (x, y) -> Math.multiplyExact(Math.subtractExact(x, y), unit);
    }
    if (ka == Kind.TIME || kb == Kind.TIME) {
      return null;
    }
    return (x, y) -> DateTimes.monthsBetween(y * unit, x * unit);
  }

  /** interval * number or interval / number, rounded half up to whole units of the interval. */
  static long scaleInterval(io.oxbow.engine.expr.ScalarFunction fn, long interval, Object factor) {
    boolean divide = fn == io.oxbow.engine.expr.ScalarFunction.DIVIDE;
    if (factor instanceof Long f) {
      if (!divide) {
        return Math.multiplyExact(interval, f);
      }
      if (f == 0) {
        throw Kernels.divisionByZero();
      }
    }
    BigDecimal f = toDecimal(factor);
    BigDecimal x = BigDecimal.valueOf(interval);
    if (!divide) {
      return x.multiply(f).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
    if (f.signum() == 0) {
      throw Kernels.divisionByZero();
    }
    return x.divide(f, 0, RoundingMode.HALF_UP).longValueExact();
  }
}
