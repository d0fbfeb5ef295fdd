package io.oxbow.connector.delta;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ConnectorMetadata;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Decides which data files of a Delta snapshot may hold rows matching a conjunction of {@link
 * ColumnPredicate}s, from each file's partition values and the min / max / null-count statistics of
 * its add action.
 *
 * <p>A file is skipped only when its metadata proves that no row can match; a file without
 * statistics, or a column without them, is kept. Two Delta quirks are honoured: string maxima may
 * be truncated prefixes (a file whose max is a prefix of the value is kept), and timestamp
 * statistics are truncated to milliseconds (bounds are widened by one millisecond). Predicates on
 * {@link ConnectorMetadata#FILE_COLUMN} ({@code EQ} and {@code IN}) keep only the named files.
 */
final class FileSkipping {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** Delta's default prefix length for string statistics. */
  private static final int STRING_PREFIX = 32;

  private final Map<String, Field> fields = new HashMap<>();
  private final List<String> partitionColumns;
  private final Map<String, String> physicalNames;
  private final List<ColumnPredicate> predicates;

  /**
   * @param physicalNames physical (column mapping) name of each logical column that has one
   */
  FileSkipping(
      Schema schema,
      List<String> partitionColumns,
      Map<String, String> physicalNames,
      List<ColumnPredicate> predicates) {
    for (Field field : schema.getFields()) {
      fields.put(field.getName(), field);
    }
    this.partitionColumns = partitionColumns;
    this.physicalNames = physicalNames;
    this.predicates = predicates;
  }

  /** Whether the predicate is about a column this class can use. */
  static boolean usable(Schema schema, ColumnPredicate predicate) {
    if (predicate.column().equals(ConnectorMetadata.FILE_COLUMN)) {
      return predicate.op() == ColumnPredicate.Op.EQ || predicate.op() == ColumnPredicate.Op.IN;
    }
    return schema.getFields().stream().anyMatch(f -> f.getName().equals(predicate.column()));
  }

  /**
   * Whether a file may hold matching rows.
   *
   * @param addPath the add action's path as stored in the log
   * @param partitionValues partition values by (lower-case) column name
   * @param stats the add action's statistics JSON, or null
   */
  boolean keep(String addPath, Map<String, String> partitionValues, String stats) {
    JsonNode root = null;
    for (ColumnPredicate predicate : predicates) {
      if (predicate.column().equals(ConnectorMetadata.FILE_COLUMN)) {
        if ((predicate.op() == ColumnPredicate.Op.EQ || predicate.op() == ColumnPredicate.Op.IN)
            && !predicate.values().contains(addPath)) {
          return false;
        }
        continue;
      }
      Field field = fields.get(predicate.column());
      if (field == null) {
        continue;
      }
      if (partitionColumns.contains(field.getName())) {
        if (!partitionMayMatch(
            field, partitionValue(partitionValues, field.getName()), predicate)) {
          return false;
        }
        continue;
      }
      if (stats == null) {
        continue;
      }
      if (root == null) {
        try {
          root = JSON.readTree(stats);
        } catch (IOException e) {
          return true;
        }
        if (root == null) {
          return true;
        }
      }
      if (!statsMayMatch(field, root, predicate)) {
        return false;
      }
    }
    return true;
  }

  private String partitionValue(Map<String, String> values, String column) {
    if (values.containsKey(column)) {
      return values.get(column);
    }
    String physical = physicalNames.get(column);
    return physical == null ? null : values.get(physical.toLowerCase(java.util.Locale.ROOT));
  }

  private static boolean partitionMayMatch(Field field, String raw, ColumnPredicate predicate) {
    // as the reader fills partition columns: a missing value is NULL, and so is an empty value of
    // a non-string column
    boolean isNull = ParquetPageSource.partitionIsNull(field.getType(), raw);
    switch (predicate.op()) {
      case IS_NULL:
        return isNull;
      case IS_NOT_NULL:
        return !isNull;
      default:
        break;
    }
    if (isNull) {
      return false;
    }
    Comparable<Object> value = partitionComparable(field.getType(), raw);
    if (value == null) {
      return true;
    }
    List<Object> values = predicate.values();
    Bounds exact = new Bounds(value, value, false);
    if (predicate.op() == ColumnPredicate.Op.NE) {
      Comparable<Object> v = predicateValue(field.getType(), values.get(0));
      return v == null || value.compareTo(v) != 0;
    }
    return exact.mayMatch(field.getType(), predicate);
  }

  private boolean statsMayMatch(Field field, JsonNode root, ColumnPredicate predicate) {
    String key = physicalNames.getOrDefault(field.getName(), field.getName());
    JsonNode numRecords = root.get("numRecords");
    JsonNode nullCount = find(root.path("nullCount"), key);
    boolean nullsKnown = nullCount != null && nullCount.canConvertToLong();
    boolean allNull =
        nullsKnown
            && numRecords != null
            && numRecords.canConvertToLong()
            && nullCount.asLong() == numRecords.asLong();
    switch (predicate.op()) {
      case IS_NULL:
        return !(nullsKnown && nullCount.asLong() == 0);
      case IS_NOT_NULL:
        return !allNull;
      case NE:
        return !allNull;
      default:
        break;
    }
    if (allNull) {
      return false;
    }
    Comparable<Object> min = statComparable(field.getType(), find(root.path("minValues"), key));
    Comparable<Object> max = statComparable(field.getType(), find(root.path("maxValues"), key));
    boolean maxIsPrefix = false;
    if (field.getType() instanceof ArrowType.FloatingPoint) {
      // The engine orders NaN above every number, but writers leave NaN out of min/max: a max
      // is no upper bound. A -0.0 minimum may be written as 0.0, so 0.0 is read as -0.0. Files
      // written before the column was widened describe it in the narrower type, whose decimal
      // form need not bound the widened values: their statistics are not used at all.
      max = null;
      if (DeltaTypes.typeChanged(field)) {
        min = null;
      } else if (min != null && ((Double) (Object) min) == 0.0) {
        min = comparable(-0.0d);
      }
    } else if (field.getType() instanceof ArrowType.Timestamp) {
      long widen = 1000;
      min = min == null ? null : comparable((Long) (Object) min - widen);
      max = max == null ? null : comparable((Long) (Object) max + widen);
    } else if (isString(field) && max != null) {
      String text = ((CodePointString) (Object) max).value();
      if (text.codePointCount(0, text.length()) >= STRING_PREFIX) {
        maxIsPrefix = true;
        max = comparable(stripTieBreakers(text));
      }
    }
    return new Bounds(min, max, maxIsPrefix).mayMatch(field.getType(), predicate);
  }

  /**
   * Whether a value range may hold a value matching a comparison predicate (EQ, IN, LT, LE, GT, GE,
   * BETWEEN; any other predicate may match). The bounds are values of the column's type as the
   * predicates carry them: {@code Long} for integers and timestamps (microseconds), {@code
   * BigDecimal}, {@code String}, {@code LocalDate}.
   */
  static boolean rangeMayMatch(ArrowType type, Object min, Object max, ColumnPredicate predicate) {
    return new Bounds(comparable(min), comparable(max), false).mayMatch(type, predicate);
  }

  /** Removes the characters Delta writers append to a truncated max to keep it an upper bound. */
  private static String stripTieBreakers(String max) {
    int end = max.length();
    while (end > 0) {
      int cp = max.codePointBefore(end);
      if (cp < 0xFFFD) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return max.substring(0, end);
  }

  /** What a file's statistics say about one column; a null bound is unknown. */
  private record Bounds(Comparable<Object> min, Comparable<Object> max, boolean maxIsPrefix) {
    boolean mayMatch(ArrowType type, ColumnPredicate predicate) {
      List<Object> values = predicate.values();
      switch (predicate.op()) {
        case EQ:
          return mayEqual(predicateValue(type, values.get(0)));
        case IN:
          for (Object value : values) {
            if (mayEqual(predicateValue(type, value))) {
              return true;
            }
          }
          return false;
        case LT:
          {
            Comparable<Object> v = predicateValue(type, values.get(0));
            return v == null || min == null || min.compareTo(v) < 0;
          }
        case LE:
          {
            Comparable<Object> v = predicateValue(type, values.get(0));
            return v == null || min == null || min.compareTo(v) <= 0;
          }
        case GT:
          {
            Comparable<Object> v = predicateValue(type, values.get(0));
            return v == null || max == null || (maxIsPrefix ? !aboveMax(v) : max.compareTo(v) > 0);
          }
        case GE:
          return !aboveMax(predicateValue(type, values.get(0)));
        case BETWEEN:
          {
            Comparable<Object> low = predicateValue(type, values.get(0));
            Comparable<Object> high = predicateValue(type, values.get(1));
            if (high != null && min != null && min.compareTo(high) > 0) {
              return false;
            }
            return !aboveMax(low);
          }
        default:
          return true;
      }
    }

    private boolean mayEqual(Comparable<Object> v) {
      if (v == null) {
        return true;
      }
      if (min != null && min.compareTo(v) > 0) {
        return false;
      }
      return !aboveMax(v);
    }

    /** Whether {@code v} is certainly greater than every value of the file. */
    private boolean aboveMax(Comparable<Object> v) {
      if (v == null || max == null || max.compareTo(v) >= 0) {
        return false;
      }
      if (maxIsPrefix) {
        return !((CodePointString) (Object) v)
            .value()
            .startsWith(((CodePointString) (Object) max).value());
      }
      return true;
    }
  }

  /** A column's entry in a stats map (case-insensitive; nested columns are not looked up). */
  private static JsonNode find(JsonNode values, String name) {
    if (values == null || !values.isObject()) {
      return null;
    }
    JsonNode exact = values.get(name);
    if (exact != null) {
      return exact;
    }
    var names = values.fieldNames();
    while (names.hasNext()) {
      String candidate = names.next();
      if (candidate.equalsIgnoreCase(name)) {
        return values.get(candidate);
      }
    }
    return null;
  }

  private static boolean isString(Field field) {
    return field.getType() instanceof ArrowType.Utf8;
  }

  @SuppressWarnings("unchecked")
  private static Comparable<Object> comparable(Object value) {
    if (value instanceof String s) {
      return (Comparable<Object>) (Object) new CodePointString(s);
    }
    return (Comparable<Object>) value;
  }

  /** A statistic as a comparable value of the column's type, or null if unusable. */
  private static Comparable<Object> statComparable(ArrowType type, JsonNode node) {
    if (node == null || node.isNull() || node.isContainerNode()) {
      return null;
    }
    try {
      if (type instanceof ArrowType.Int) {
        return node.isIntegralNumber() ? comparable(node.asLong()) : null;
      }
      if (type instanceof ArrowType.FloatingPoint) {
        if (!node.isNumber()) {
          return null;
        }
        // the JSON text as a double (as the engine widens the column), not rounded to float
        return comparable(Double.parseDouble(node.asText()));
      }
      if (type instanceof ArrowType.Decimal) {
        return node.isNumber() ? comparable(node.decimalValue()) : null;
      }
      if (type instanceof ArrowType.Utf8) {
        return node.isTextual() ? comparable(node.asText()) : null;
      }
      if (type instanceof ArrowType.Bool) {
        return node.isBoolean() ? comparable(node.asBoolean()) : null;
      }
      if (type instanceof ArrowType.Date) {
        return node.isTextual() ? comparable(LocalDate.parse(node.asText())) : null;
      }
      if (type instanceof ArrowType.Timestamp) {
        return node.isTextual() ? comparable(timestampMicros(node.asText())) : null;
      }
    } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
      return null;
    }
    return null;
  }

  /** A partition value (Delta's string form) as a comparable value, or null if unusable. */
  private static Comparable<Object> partitionComparable(ArrowType type, String raw) {
    try {
      if (type instanceof ArrowType.Int) {
        return comparable(Long.parseLong(raw.trim()));
      }
      if (type instanceof ArrowType.FloatingPoint fp) {
        double d = Double.parseDouble(raw.trim());
        return comparable(
            fp.getPrecision() == FloatingPointPrecision.SINGLE ? (double) (float) d : d);
      }
      if (type instanceof ArrowType.Decimal) {
        return comparable(new BigDecimal(raw.trim()));
      }
      if (type instanceof ArrowType.Utf8) {
        return comparable(raw);
      }
      if (type instanceof ArrowType.Bool) {
        return comparable(Boolean.parseBoolean(raw.trim()));
      }
      if (type instanceof ArrowType.Date) {
        return comparable(LocalDate.parse(raw.trim()));
      }
      if (type instanceof ArrowType.Timestamp) {
        return comparable(ParquetPageSource.partitionTimestampMicros(raw));
      }
    } catch (RuntimeException e) {
      return null;
    }
    return null;
  }

  /** A predicate value as a comparable value of the column's type, or null if unusable. */
  static Comparable<Object> predicateValue(ArrowType type, Object value) {
    if (value == null) {
      return null;
    }
    if (type instanceof ArrowType.Int) {
      return value instanceof Number n && !(value instanceof Double || value instanceof Float)
          ? comparable(n.longValue())
          : value instanceof BigDecimal bd ? decimalAsLong(bd) : null;
    }
    if (type instanceof ArrowType.FloatingPoint) {
      if (!(value instanceof Number n)) {
        return null;
      }
      // the engine compares a float column widened to double: never narrow the value to float
      return comparable(n.doubleValue());
    }
    if (type instanceof ArrowType.Decimal) {
      if (value instanceof BigDecimal bd) {
        return comparable(bd);
      }
      if (value instanceof Long || value instanceof Integer) {
        return comparable(BigDecimal.valueOf(((Number) value).longValue()));
      }
      return null;
    }
    if (type instanceof ArrowType.Utf8) {
      return value instanceof String s ? comparable(s) : null;
    }
    if (type instanceof ArrowType.Bool) {
      return value instanceof Boolean b ? comparable(b) : null;
    }
    if (type instanceof ArrowType.Date) {
      return value instanceof LocalDate d ? comparable(d) : null;
    }
    if (type instanceof ArrowType.Timestamp) {
      if (value instanceof LocalDateTime t) {
        Instant instant = t.toInstant(ZoneOffset.UTC);
        return comparable(epochMicros(instant));
      }
      return null;
    }
    return null;
  }

  private static Comparable<Object> decimalAsLong(BigDecimal value) {
    try {
      return comparable(value.longValueExact());
    } catch (ArithmeticException e) {
      return null;
    }
  }

  /**
   * Microseconds since the epoch of an ISO timestamp, with an offset (TIMESTAMP statistics) or
   * without one (TIMESTAMP_NTZ statistics, read as UTC wall-clock time).
   */
  private static long timestampMicros(String text) {
    Instant instant;
    try {
      instant = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      instant = LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
    }
    return epochMicros(instant);
  }

  /**
   * Microseconds since the epoch ({@code ChronoUnit.MICROS.between} goes through nanoseconds and
   * overflows after the year 2262).
   */
  static long epochMicros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /** A string ordered by code points (UTF-8 byte order), as Delta orders string statistics. */
  private record CodePointString(String value) implements Comparable<CodePointString> {
    @Override
    public int compareTo(CodePointString other) {
      int i = 0;
      int j = 0;
      while (i < value.length() && j < other.value.length()) {
        int a = value.codePointAt(i);
        int b = other.value.codePointAt(j);
        if (a != b) {
          return Integer.compare(a, b);
        }
        i += Character.charCount(a);
        j += Character.charCount(b);
      }
      return Integer.compare(value.length() - i, other.value.length() - j);
    }
  }
}
