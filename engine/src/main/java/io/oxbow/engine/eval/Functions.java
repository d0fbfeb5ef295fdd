package io.oxbow.engine.eval;

import io.oxbow.engine.type.Kind;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
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

  static Object cast(Object value, ArrowType target) {
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

  static String timestampText(long micros) {
    return LocalDateTime.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L),
            (int) Math.floorMod(micros, 1_000_000L) * 1000,
            ZoneOffset.UTC)
        .toString()
        .replace('T', ' ');
  }

  private static OxbowException badCast(Object value, ArrowType target) {
    return OxbowException.userError("Cannot cast '%s' to %s", value, sqlName(target));
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
      default -> type.toString();
    };
  }

  /** Translates a SQL LIKE pattern into a regular expression. */
  static Pattern likePattern(String pattern, Character escape) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (escape != null && c == escape) {
        if (i + 1 >= pattern.length()) {
          throw OxbowException.userError(
              "LIKE pattern '%s' ends with the escape character", pattern);
        }
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  static long extract(String field, Object value) {
    LocalDateTime t;
    if (value instanceof Integer days) {
      t = LocalDate.ofEpochDay(days).atStartOfDay();
    } else {
      long micros = (Long) value;
      t =
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L),
              (int) Math.floorMod(micros, 1_000_000L) * 1000,
              ZoneOffset.UTC);
    }
    return switch (field.toUpperCase(Locale.ROOT)) {
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
      default -> throw OxbowException.userError("EXTRACT(%s) is not supported", field);
    };
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

  /** Truncates a date (Integer days) or timestamp (Long micros) to {@code unit}. */
  static Object dateTrunc(String unit, Object value) {
    boolean isDate = value instanceof Integer;
    long micros = isDate ? (Integer) value * 86_400_000_000L : (Long) value;
    LocalDateTime t =
        LocalDateTime.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L),
            (int) Math.floorMod(micros, 1_000_000L) * 1000,
            ZoneOffset.UTC);
    LocalDateTime r =
        switch (unit.toUpperCase(Locale.ROOT)) {
          case "YEAR" -> t.toLocalDate().withDayOfYear(1).atStartOfDay();
          case "QUARTER" ->
              t.toLocalDate()
                  .withDayOfMonth(1)
                  .withMonth((t.getMonthValue() - 1) / 3 * 3 + 1)
                  .atStartOfDay();
          case "MONTH" -> t.toLocalDate().withDayOfMonth(1).atStartOfDay();
          case "WEEK" -> t.toLocalDate().with(java.time.DayOfWeek.MONDAY).atStartOfDay();
          case "DAY" -> t.toLocalDate().atStartOfDay();
          case "HOUR" -> t.truncatedTo(ChronoUnit.HOURS);
          case "MINUTE" -> t.truncatedTo(ChronoUnit.MINUTES);
          case "SECOND" -> t.truncatedTo(ChronoUnit.SECONDS);
          default -> throw OxbowException.userError("DATE_TRUNC unit '%s' is not supported", unit);
        };
    long out = ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), r);
    return isDate ? (Object) (int) Math.floorDiv(out, 86_400_000_000L) : (Object) out;
  }
}
