package io.oxbow.connector.delta;

import io.oxbow.connector.delta.parquet.ColumnChunkDecoder;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.DynamicFilter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The scan's pushed-down predicates (static conjuncts and dynamic filters) evaluated row by row on
 * a batch's decoded filter columns, so that the other columns are decoded only for the rows that
 * may match (lazy materialization). Inexact in one direction only: a row is dropped only when it
 * certainly does not match (a comparison with NULL never does); anything unsure is kept, because
 * the engine applies the full filter again. Each predicate's literal is converted once to the
 * column's physical form (a long for integers, dates and timestamps, a 128-bit unscaled value for
 * decimals, UTF-8 bytes for strings, compared unsigned, which is code point order); floating-point
 * NaN rows are always kept.
 */
final class ScanRowFilter {
  private final Check[] checks;
  private final boolean[] filterColumns;
  private long[] longs = new long[0];

  /** The vector whose first {@link #loadedRows} values {@link #longs} holds, within one apply. */
  private FieldVector loaded;

  private int loadedRows;
  private double[] doubles = new double[0];
  private byte[] bytes = new byte[0];

  // per column, the decoder whose dictionary was last tested, and the outcome
  private final ColumnChunkDecoder[] dictionaryDecoders;
  private final boolean[][] dictionaryPass;

  private ScanRowFilter(Check[] checks, int fieldCount) {
    this.checks = checks;
    this.dictionaryDecoders = new ColumnChunkDecoder[fieldCount];
    this.dictionaryPass = new boolean[fieldCount][];
    this.filterColumns = new boolean[fieldCount];
    for (Check check : checks) {
      filterColumns[check.column] = true;
    }
  }

  /**
   * The filter for the given output fields, or null when no predicate can be evaluated on them.
   *
   * @param fields the page source's output fields
   * @param readable whether field {@code i} is decoded from the file (not a partition column, and
   *     present in the file)
   */
  static ScanRowFilter create(
      List<Field> fields,
      boolean[] readable,
      List<ColumnPredicate> filter,
      List<DynamicFilter> dynamicFilters) {
    List<Check> checks = new ArrayList<>();
    for (ColumnPredicate predicate : filter) {
      int column = indexOf(fields, readable, predicate.column());
      if (column >= 0) {
        Check check = compile(column, fields.get(column).getType(), predicate);
        if (check != null) {
          checks.add(check);
        }
      }
    }
    for (DynamicFilter dynamic : dynamicFilters) {
      int column = indexOf(fields, readable, dynamic.column());
      if (column >= 0
          && longDomain(fields.get(column).getType())
          && isIntegerOrDate(fields, column)) {
        // the key set holds only keys within the range: it is the range check too
        checks.add(
            dynamic.keys() != null
                ? new LongKeySet(column, dynamic.keys())
                : new LongRange(column, dynamic.min(), dynamic.max()));
      }
    }
    // ranges on one column (x >= a AND x < b) are evaluated as one
    List<Check> merged = new ArrayList<>();
    for (Check check : checks) {
      Check same = null;
      if (check instanceof LongRange range) {
        for (int i = 0; i < merged.size(); i++) {
          if (merged.get(i) instanceof LongRange other && other.column == range.column) {
            merged.set(
                i,
                new LongRange(
                    range.column,
                    Math.max(range.low, other.low),
                    Math.min(range.high, other.high)));
            same = other;
            break;
          }
        }
      }
      if (same == null) {
        merged.add(check);
      }
    }
    return merged.isEmpty() ? null : new ScanRowFilter(merged.toArray(new Check[0]), fields.size());
  }

  private static boolean isIntegerOrDate(List<Field> fields, int column) {
    ArrowType type = fields.get(column).getType();
    return type instanceof ArrowType.Int || type instanceof ArrowType.Date;
  }

  private static int indexOf(List<Field> fields, boolean[] readable, String column) {
    for (int i = 0; i < fields.size(); i++) {
      if (readable[i] && fields.get(i).getName().equals(column)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether output field {@code i} is read before the others, to evaluate the filter. */
  boolean isFilterColumn(int i) {
    return filterColumns[i];
  }

  /**
   * Whether every check on output column {@code i} decides a row by its value alone, so that a
   * dictionary-encoded column can be filtered by its dictionary ids ({@link #applyDictionary})
   * before its values are written: by its string bytes, or, when {@code numeric}, by its integer or
   * decimal value.
   */
  boolean byDictionary(int i, boolean numeric) {
    boolean any = false;
    for (Check check : checks) {
      if (check.column == i) {
        if (!(numeric ? check.byNumber() : check.byValue())) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  /**
   * Clears {@code keep[r]} for the rows {@code r < n} whose dictionary id {@code ids[r]} (-1 for
   * NULL) fails a check on column {@code column} (see {@link #byDictionary}); each dictionary's
   * values are tested once.
   */
  void applyDictionary(int column, ColumnChunkDecoder decoder, int[] ids, int n, boolean[] keep) {
    if (dictionaryDecoders[column] != decoder) {
      List<Check> mine = new ArrayList<>();
      boolean nulls = true;
      for (Check check : checks) {
        if (check.column == column) {
          mine.add(check);
          nulls &= check.passesNull();
        }
      }
      Check[] list = mine.toArray(new Check[0]);
      boolean[] byId;
      if (decoder.numericDictionaryOnly()) {
        long[] lows = decoder.dictionaryLows();
        long[] highs = decoder.dictionaryHighs();
        byId = new boolean[lows.length];
        Arrays.fill(byId, true);
        for (Check check : list) {
          check.retainNumbers(lows, highs, lows.length, byId);
        }
      } else {
        byId =
            decoder.testDictionary(
                (bytes, start, length) -> {
                  for (Check check : list) {
                    if (!check.passes(bytes, start, length)) {
                      return false;
                    }
                  }
                  return true;
                });
      }
      boolean[] pass = new boolean[byId.length + 1];
      pass[0] = nulls;
      System.arraycopy(byId, 0, pass, 1, byId.length);
      dictionaryPass[column] = pass;
      dictionaryDecoders[column] = decoder;
    }
    // entry 0 is NULL's (id -1), entry id + 1 dictionary id's: one table lookup per row
    boolean[] pass = dictionaryPass[column];
    for (int r = 0; r < n; r++) {
      keep[r] &= pass[ids[r] + 1];
    }
  }

  /**
   * Clears {@code keep[r]} for every row {@code r < n} that certainly does not match, given the
   * batch's decoded vectors (only the filter columns are read); returns the rows still kept.
   */
  int apply(List<FieldVector> vectors, int n, boolean[] keep) {
    return apply(vectors, n, keep, null);
  }

  /**
   * {@link #apply(List, int, boolean[])} without the checks on the columns {@code done} marks
   * (null: none), which {@link #applyDictionary} evaluated.
   */
  int apply(List<FieldVector> vectors, int n, boolean[] keep, boolean[] done) {
    loaded = null; // a new batch: values loaded for the last one are stale
    for (Check check : checks) {
      if (done != null && done[check.column]) {
        continue;
      }
      check.apply(this, vectors.get(check.column), n, keep);
    }
    int kept = 0;
    for (int r = 0; r < n; r++) {
      kept += keep[r] ? 1 : 0;
    }
    return kept;
  }

  /**
   * Moves the rows at the {@code count} ascending positions {@code rows} of a decoded vector to its
   * front, in order (in place: a kept row only ever moves down); the caller sets the value count.
   */
  static void compact(FieldVector vector, int[] rows, int count) {
    ArrowBuf validity = vector.getValidityBuffer();
    if (vector instanceof BaseVariableWidthVector strings) {
      ArrowBuf offsets = strings.getOffsetBuffer();
      ArrowBuf data = strings.getDataBuffer();
      int end = 0;
      for (int out = 0; out < count; out++) {
        int r = rows[out];
        int start = offsets.getInt((long) r * 4);
        int length = offsets.getInt((long) r * 4 + 4) - start;
        if (start != end && length > 0) {
          data.setBytes(end, data, start, length); // memmove: the ranges may overlap
        }
        end += length;
        offsets.setInt((long) (out + 1) * 4, end);
        BitVectorHelper.setValidityBit(validity, out, isValid(validity, r) ? 1 : 0);
      }
      strings.setLastSet(count - 1);
      return;
    }
    ArrowBuf data = vector.getDataBuffer();
    ArrowType type = vector.getField().getType();
    int width = vector instanceof BaseFixedWidthVector f ? f.getTypeWidth() : 0;
    for (int out = 0; out < count; out++) {
      int r = rows[out];
      if (out != r) {
        BitVectorHelper.setValidityBit(validity, out, isValid(validity, r) ? 1 : 0);
      }
    }
    if (type instanceof ArrowType.Bool) {
      for (int out = 0; out < count; out++) {
        BitVectorHelper.setValidityBit(data, out, isValid(data, rows[out]) ? 1 : 0);
      }
      return;
    }
    switch (width) {
      case 1 -> {
        for (int out = 0; out < count; out++) {
          data.setByte(out, data.getByte(rows[out]));
        }
      }
      case 2 -> {
        for (int out = 0; out < count; out++) {
          data.setShort((long) out * 2, data.getShort((long) rows[out] * 2));
        }
      }
      case 4 -> {
        for (int out = 0; out < count; out++) {
          data.setInt((long) out * 4, data.getInt((long) rows[out] * 4));
        }
      }
      case 8 -> {
        for (int out = 0; out < count; out++) {
          data.setLong((long) out * 8, data.getLong((long) rows[out] * 8));
        }
      }
      case 16 -> {
        for (int out = 0; out < count; out++) {
          long from = (long) rows[out] * 16;
          long to = (long) out * 16;
          data.setLong(to, data.getLong(from));
          data.setLong(to + 8, data.getLong(from + 8));
        }
      }
      default -> {
        for (int out = 0; out < count; out++) {
          data.setBytes((long) out * width, data, (long) rows[out] * width, width);
        }
      }
    }
  }

  // ---- compiling predicates

  private static boolean longDomain(ArrowType type) {
    return type instanceof ArrowType.Int i && i.getIsSigned()
        || type instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY
        || type instanceof ArrowType.Timestamp;
  }

  /** A literal in a long-valued column's domain: floor and ceiling (equal when exact). */
  private record LongBound(long floor, long ceil) {
    boolean exact() {
      return floor == ceil;
    }
  }

  private static LongBound longBound(ArrowType type, Object value) {
    if (type instanceof ArrowType.Int) {
      if (value instanceof Long || value instanceof Integer) {
        long v = ((Number) value).longValue();
        return new LongBound(v, v);
      }
      if (value instanceof BigDecimal bd) {
        return integerBound(bd);
      }
      return null;
    }
    if (type instanceof ArrowType.Date) {
      if (value instanceof LocalDate d) {
        long v = d.toEpochDay();
        return new LongBound(v, v);
      }
      return null;
    }
    if (type instanceof ArrowType.Timestamp) {
      if (value instanceof LocalDateTime t) {
        long seconds = t.toEpochSecond(ZoneOffset.UTC);
        int nanos = t.getNano();
        try {
          long floor = Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000);
          return new LongBound(floor, nanos % 1000 == 0 ? floor : floor + 1);
        } catch (ArithmeticException e) {
          return null;
        }
      }
      return null;
    }
    return null;
  }

  private static LongBound integerBound(BigDecimal value) {
    try {
      long floor = value.setScale(0, RoundingMode.FLOOR).longValueExact();
      long ceil = value.setScale(0, RoundingMode.CEILING).longValueExact();
      return new LongBound(floor, ceil);
    } catch (ArithmeticException e) {
      return null;
    }
  }

  private static Check compile(int column, ArrowType type, ColumnPredicate predicate) {
    List<Object> values = predicate.values();
    switch (predicate.op()) {
      case IS_NULL:
        return new NullCheck(column, true);
      case IS_NOT_NULL:
        return new NullCheck(column, false);
      default:
        break;
    }
    if (longDomain(type)) {
      return compileLong(column, type, predicate.op(), values);
    }
    if (type instanceof ArrowType.FloatingPoint fp
        && fp.getPrecision() != FloatingPointPrecision.HALF) {
      return compileDouble(column, predicate.op(), values);
    }
    if (type instanceof ArrowType.Decimal d && d.getBitWidth() == 128) {
      return compileDecimal(column, d.getScale(), predicate.op(), values);
    }
    if (type instanceof ArrowType.Utf8) {
      return compileString(column, predicate.op(), values);
    }
    if (type instanceof ArrowType.Bool
        && (predicate.op() == ColumnPredicate.Op.EQ || predicate.op() == ColumnPredicate.Op.NE)
        && values.get(0) instanceof Boolean b) {
      return new BoolEquals(column, b == (predicate.op() == ColumnPredicate.Op.EQ));
    }
    return null;
  }

  /*
   * Comparisons with a literal that falls between two values of the column (a decimal with more
   * digits than the column's scale, a timestamp with nanoseconds) are decided exactly: x < 2.5 is
   * x <= 2 for integers, x = 2.5 is never true.
   */

  private static Check compileLong(
      int column, ArrowType type, ColumnPredicate.Op op, List<Object> values) {
    LongBound v = null;
    if (op != ColumnPredicate.Op.IN && op != ColumnPredicate.Op.BETWEEN) {
      v = longBound(type, values.get(0));
      if (v == null) {
        return null;
      }
    }
    switch (op) {
      case EQ:
        return v.exact() ? new LongRange(column, v.floor, v.floor) : new LongRange(column, 1, 0);
      case NE:
        return v.exact() ? new LongNotEqual(column, v.floor) : new NullCheck(column, false);
      case IN:
        {
          long[] set = new long[values.size()];
          int count = 0;
          for (Object value : values) {
            LongBound b = longBound(type, value);
            if (b == null) {
              return null;
            }
            if (b.exact()) {
              set[count++] = b.floor;
            }
          }
          set = Arrays.copyOf(set, count);
          Arrays.sort(set);
          return new LongIn(column, set);
        }
      case LT:
        if (v.exact()) {
          return v.floor == Long.MIN_VALUE
              ? new LongRange(column, 1, 0)
              : new LongRange(column, Long.MIN_VALUE, v.floor - 1);
        }
        return new LongRange(column, Long.MIN_VALUE, v.floor);
      case LE:
        return new LongRange(column, Long.MIN_VALUE, v.floor);
      case GT:
        if (v.exact()) {
          return v.floor == Long.MAX_VALUE
              ? new LongRange(column, 1, 0)
              : new LongRange(column, v.floor + 1, Long.MAX_VALUE);
        }
        return new LongRange(column, v.ceil, Long.MAX_VALUE);
      case GE:
        return new LongRange(column, v.ceil, Long.MAX_VALUE);
      case BETWEEN:
        {
          LongBound low = longBound(type, values.get(0));
          LongBound high = longBound(type, values.get(1));
          if (low == null || high == null) {
            return null;
          }
          return new LongRange(column, low.ceil, high.floor);
        }
      default:
        return null;
    }
  }

  private static Double doubleValue(Object value) {
    if (value instanceof Double d) {
      return d.isNaN() || d == 0.0 ? null : d; // NaN and signed zero: left to the engine
    }
    if (value instanceof Long l && Math.abs(l) < (1L << 53)) {
      return l == 0 ? null : (double) l;
    }
    return null;
  }

  private static Check compileDouble(int column, ColumnPredicate.Op op, List<Object> values) {
    double inf = Double.POSITIVE_INFINITY;
    if (op == ColumnPredicate.Op.IN) {
      double[] set = new double[values.size()];
      for (int i = 0; i < set.length; i++) {
        Double v = doubleValue(values.get(i));
        if (v == null) {
          return null;
        }
        set[i] = v;
      }
      Arrays.sort(set);
      return new DoubleIn(column, set);
    }
    if (op == ColumnPredicate.Op.BETWEEN) {
      Double low = doubleValue(values.get(0));
      Double high = doubleValue(values.get(1));
      return low == null || high == null
          ? null
          : new DoubleRange(column, low, true, high, true, false);
    }
    Double v = doubleValue(values.get(0));
    if (v == null) {
      return null;
    }
    return switch (op) {
      case EQ -> new DoubleRange(column, v, true, v, true, false);
      case NE -> new DoubleRange(column, v, true, v, true, true);
      case LT, LE -> new DoubleRange(column, -inf, true, v, op == ColumnPredicate.Op.LE, false);
      case GT, GE -> new DoubleRange(column, v, op == ColumnPredicate.Op.GE, inf, true, false);
      default -> null;
    };
  }

  /** A literal as a decimal of the column's scale: floor and ceiling unscaled, or null. */
  private static BigInteger[] decimalBound(int scale, Object value) {
    BigDecimal decimal;
    if (value instanceof BigDecimal bd) {
      decimal = bd;
    } else if (value instanceof Long || value instanceof Integer) {
      decimal = BigDecimal.valueOf(((Number) value).longValue());
    } else {
      return null;
    }
    BigInteger floor = decimal.setScale(scale, RoundingMode.FLOOR).unscaledValue();
    BigInteger ceil = decimal.setScale(scale, RoundingMode.CEILING).unscaledValue();
    if (floor.bitLength() > 126 || ceil.bitLength() > 126) {
      return null;
    }
    return new BigInteger[] {floor, ceil};
  }

  private static Check compileDecimal(
      int column, int scale, ColumnPredicate.Op op, List<Object> values) {
    BigInteger min = BigInteger.ONE.shiftLeft(127).negate();
    BigInteger max = BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE);
    if (op == ColumnPredicate.Op.IN) {
      List<BigInteger> set = new ArrayList<>();
      for (Object value : values) {
        BigInteger[] v = decimalBound(scale, value);
        if (v == null) {
          return null;
        }
        if (v[0].equals(v[1])) {
          set.add(v[0]);
        }
      }
      return new DecimalIn(column, set);
    }
    if (op == ColumnPredicate.Op.BETWEEN) {
      BigInteger[] low = decimalBound(scale, values.get(0));
      BigInteger[] high = decimalBound(scale, values.get(1));
      return low == null || high == null ? null : new DecimalRange(column, low[1], high[0], false);
    }
    BigInteger[] v = decimalBound(scale, values.get(0));
    if (v == null) {
      return null;
    }
    boolean exact = v[0].equals(v[1]);
    return switch (op) {
      case EQ ->
          exact
              ? new DecimalRange(column, v[0], v[0], false)
              : new DecimalRange(column, BigInteger.ONE, BigInteger.ZERO, false);
      case NE -> exact ? new DecimalRange(column, v[0], v[0], true) : new NullCheck(column, false);
      case LT -> new DecimalRange(column, min, exact ? v[0].subtract(BigInteger.ONE) : v[0], false);
      case LE -> new DecimalRange(column, min, v[0], false);
      case GT -> new DecimalRange(column, exact ? v[1].add(BigInteger.ONE) : v[1], max, false);
      case GE -> new DecimalRange(column, v[1], max, false);
      default -> null;
    };
  }

  private static Check compileString(int column, ColumnPredicate.Op op, List<Object> values) {
    for (Object value : values) {
      if (!(value instanceof String)) {
        return null;
      }
    }
    switch (op) {
      case EQ:
      case IN:
      case NE:
        {
          byte[][] set = new byte[values.size()][];
          for (int i = 0; i < set.length; i++) {
            set[i] = utf8((String) values.get(i));
          }
          return new StringIn(column, set, op == ColumnPredicate.Op.NE);
        }
      case LT:
      case LE:
        return new StringRange(
            column, null, false, utf8((String) values.get(0)), op == ColumnPredicate.Op.LE);
      case GT:
      case GE:
        return new StringRange(
            column, utf8((String) values.get(0)), op == ColumnPredicate.Op.GE, null, false);
      case BETWEEN:
        return new StringRange(
            column, utf8((String) values.get(0)), true, utf8((String) values.get(1)), true);
      default:
        return null;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---- loading values

  private static boolean isValid(ArrowBuf validity, int r) {
    return ((validity.getByte(r >>> 3) >> (r & 7)) & 1) != 0;
  }

  /** The vector's first {@code n} values as longs (integers, dates as days, timestamps). */
  private long[] loadLongs(FieldVector vector, int n) {
    if (vector == loaded && n == loadedRows) {
      return longs; // two checks on one column (a range and a key set) load it once
    }
    if (longs.length < n) {
      longs = new long[n];
    }
    loaded = vector;
    loadedRows = n;
    long[] out = longs;
    ArrowBuf data = vector.getDataBuffer();
    ArrowType type = vector.getField().getType();
    int width =
        type instanceof ArrowType.Int i
            ? i.getBitWidth() / 8
            : type instanceof ArrowType.Date ? 4 : 8;
    switch (width) {
      case 1 -> {
        for (int r = 0; r < n; r++) {
          out[r] = data.getByte(r);
        }
      }
      case 2 -> {
        for (int r = 0; r < n; r++) {
          out[r] = data.getShort((long) r * 2);
        }
      }
      case 4 -> {
        for (int r = 0; r < n; r++) {
          out[r] = data.getInt((long) r * 4);
        }
      }
      default -> {
        for (int r = 0; r < n; r++) {
          out[r] = data.getLong((long) r * 8);
        }
      }
    }
    return out;
  }

  private double[] loadDoubles(FieldVector vector, int n) {
    if (doubles.length < n) {
      doubles = new double[n];
    }
    double[] out = doubles;
    ArrowBuf data = vector.getDataBuffer();
    if (((ArrowType.FloatingPoint) vector.getField().getType()).getPrecision()
        == FloatingPointPrecision.SINGLE) {
      for (int r = 0; r < n; r++) {
        out[r] = data.getFloat((long) r * 4);
      }
    } else {
      for (int r = 0; r < n; r++) {
        out[r] = data.getDouble((long) r * 8);
      }
    }
    return out;
  }

  /** The string vector's data bytes, copied to the heap for unsigned range comparisons. */
  private byte[] loadBytes(BaseVariableWidthVector vector, int n) {
    int end = n == 0 ? 0 : vector.getOffsetBuffer().getInt((long) n * 4);
    if (bytes.length < end) {
      bytes = new byte[Math.max(end, 2 * bytes.length)];
    }
    vector.getDataBuffer().getBytes(0, bytes, 0, end);
    return bytes;
  }

  // ---- the checks

  /** One predicate on one column; clears {@code keep} for rows that cannot match. */
  private abstract static class Check {
    final int column;

    Check(int column) {
      this.column = column;
    }

    abstract void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep);

    /** Whether the check decides a row by its value's bytes alone ({@link #passes}). */
    boolean byValue() {
      return false;
    }

    /** Whether a row with the string value {@code bytes[start, start + length)} passes. */
    boolean passes(byte[] bytes, int start, int length) {
      throw new UnsupportedOperationException();
    }

    /**
     * Whether the check decides a row of an integer, date, timestamp or decimal column by its value
     * alone ({@link #passesNumber}).
     */
    boolean byNumber() {
      return false;
    }

    /**
     * Whether a row with the given value passes: its low and high 64 bits (a decimal's unscaled
     * value; for other types {@code high} is the sign extension of {@code low}). Only the default
     * {@link #retainNumbers} calls it: checks that override that need not implement it.
     */
    boolean passesNumber(long low, long high) {
      throw new UnsupportedOperationException();
    }

    /**
     * Clears {@code keep[i]} for the values {@code i < n} that fail {@link #passesNumber}: low
     * words in {@code lows}, high words in {@code highs} (decimals) or null (sign extensions).
     */
    void retainNumbers(long[] lows, long[] highs, int n, boolean[] keep) {
      for (int i = 0; i < n; i++) {
        long low = lows[i];
        keep[i] &= passesNumber(low, highs == null ? low >> 63 : highs[i]);
      }
    }

    /** Whether a NULL row passes. */
    boolean passesNull() {
      return false;
    }
  }

  private static final class NullCheck extends Check {
    private final boolean wantNull;

    NullCheck(int column, boolean wantNull) {
      super(column);
      this.wantNull = wantNull;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      if (vector.getNullCount() == 0) {
        if (wantNull) {
          Arrays.fill(keep, 0, n, false);
        }
        return; // IS NOT NULL over a batch without NULLs: every row passes
      }
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        keep[r] &= isValid(validity, r) != wantNull;
      }
    }

    @Override
    boolean byValue() {
      return true;
    }

    @Override
    boolean passes(byte[] bytes, int start, int length) {
      return !wantNull;
    }

    @Override
    boolean byNumber() {
      return true;
    }

    @Override
    boolean passesNumber(long low, long high) {
      return !wantNull;
    }

    @Override
    boolean passesNull() {
      return wantNull;
    }
  }

  private static final class LongRange extends Check {
    private final long low;
    private final long high;

    LongRange(int column, long low, long high) {
      super(column);
      this.low = low;
      this.high = high;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      long[] values = filter.loadLongs(vector, n);
      ArrowBuf validity = vector.getValidityBuffer();
      long low = this.low;
      long high = this.high;
      if (vector.getNullCount() == 0) {
        for (int r = 0; r < n; r++) {
          long v = values[r];
          keep[r] &= v >= low & v <= high;
        }
        return;
      }
      for (int r = 0; r < n; r++) {
        long v = values[r];
        keep[r] &= v >= low & v <= high & isValid(validity, r);
      }
    }

    @Override
    boolean byNumber() {
      return true;
    }

    @Override
    void retainNumbers(long[] lows, long[] highs, int n, boolean[] keep) {
      long low = this.low;
      long high = this.high;
      for (int i = 0; i < n; i++) {
        long v = lows[i];
        keep[i] &= v >= low & v <= high;
      }
    }
  }

  private static final class LongNotEqual extends Check {
    private final long value;

    LongNotEqual(int column, long value) {
      super(column);
      this.value = value;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      long[] values = filter.loadLongs(vector, n);
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        keep[r] &= values[r] != value & isValid(validity, r);
      }
    }

    @Override
    boolean byNumber() {
      return true;
    }

    @Override
    boolean passesNumber(long low, long high) {
      return low != value;
    }
  }

  private static final class LongIn extends Check {
    private final long[] sorted;

    LongIn(int column, long[] sorted) {
      super(column);
      this.sorted = sorted;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      long[] values = filter.loadLongs(vector, n);
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        if (keep[r]) {
          keep[r] = isValid(validity, r) && Arrays.binarySearch(sorted, values[r]) >= 0;
        }
      }
    }

    @Override
    boolean byNumber() {
      return true;
    }

    @Override
    boolean passesNumber(long low, long high) {
      return Arrays.binarySearch(sorted, low) >= 0;
    }
  }

  private static final class LongKeySet extends Check {
    private final DynamicFilter.KeySet keys;

    LongKeySet(int column, DynamicFilter.KeySet keys) {
      super(column);
      this.keys = keys;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      long[] values = filter.loadLongs(vector, n);
      if (vector.getNullCount() > 0) {
        ArrowBuf validity = vector.getValidityBuffer();
        for (int r = 0; r < n; r++) {
          if (keep[r] && !isValid(validity, r)) {
            keep[r] = false;
          }
        }
      }
      keys.retain(values, n, keep);
    }

    @Override
    boolean byNumber() {
      return true;
    }

    @Override
    void retainNumbers(long[] lows, long[] highs, int n, boolean[] keep) {
      keys.retain(lows, n, keep);
    }
  }

  private static final class DoubleRange extends Check {
    private final double low;
    private final boolean lowInclusive;
    private final double high;
    private final boolean highInclusive;
    private final boolean negate;

    DoubleRange(
        int column,
        double low,
        boolean lowInclusive,
        double high,
        boolean highInclusive,
        boolean negate) {
      super(column);
      this.low = low;
      this.lowInclusive = lowInclusive;
      this.high = high;
      this.highInclusive = highInclusive;
      this.negate = negate;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      double[] values = filter.loadDoubles(vector, n);
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        double v = values[r];
        boolean above = lowInclusive ? v >= low : v > low;
        boolean below = highInclusive ? v <= high : v < high;
        // NaN is left to the engine
        keep[r] &= (((above & below) != negate) | v != v) & isValid(validity, r);
      }
    }
  }

  private static final class DoubleIn extends Check {
    private final double[] sorted;

    DoubleIn(int column, double[] sorted) {
      super(column);
      this.sorted = sorted;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      double[] values = filter.loadDoubles(vector, n);
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        if (keep[r]) {
          double v = values[r];
          // NaN and zeros are left to the engine
          keep[r] =
              isValid(validity, r) && (v != v || v == 0.0 || Arrays.binarySearch(sorted, v) >= 0);
        }
      }
    }
  }

  private static final class DecimalIn extends Check {
    private final long[] his;
    private final long[] los;

    DecimalIn(int column, List<BigInteger> values) {
      super(column);
      his = new long[values.size()];
      los = new long[values.size()];
      for (int i = 0; i < his.length; i++) {
        his[i] = values.get(i).shiftRight(64).longValue();
        los[i] = values.get(i).longValue();
      }
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      ArrowBuf data = vector.getDataBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        if (!keep[r]) {
          continue;
        }
        long lo = data.getLong((long) r * 16);
        long hi = data.getLong((long) r * 16 + 8);
        boolean found = false;
        for (int i = 0; i < his.length; i++) {
          found |= his[i] == hi & los[i] == lo;
        }
        keep[r] = found && isValid(validity, r);
      }
    }

    @Override
    boolean byNumber() {
      return true;
    }

    @Override
    boolean passesNumber(long low, long high) {
      for (int i = 0; i < his.length; i++) {
        if (his[i] == high && los[i] == low) {
          return true;
        }
      }
      return false;
    }
  }

  /** Unscaled 128-bit decimals between two bounds (inclusive), compared as (high, low) words. */
  private static final class DecimalRange extends Check {
    private final long lowHi;
    private final long lowLo;
    private final long highHi;
    private final long highLo;
    private final boolean negate;

    /** The bounds clamped to longs, for columns whose unscaled values fit in one (precision 18). */
    private final long lowLong;

    private final long highLong;

    DecimalRange(int column, BigInteger low, BigInteger high, boolean negate) {
      super(column);
      this.negate = negate;
      this.lowLong = clamp(low);
      this.highLong = clamp(high);
      this.lowHi = low.shiftRight(64).longValue();
      this.lowLo = low.longValue();
      this.highHi = high.shiftRight(64).longValue();
      this.highLo = high.longValue();
    }

    private static long clamp(BigInteger value) {
      return value.bitLength() < 64
          ? value.longValue()
          : value.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      ArrowBuf data = vector.getDataBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      if (((ArrowType.Decimal) vector.getField().getType()).getPrecision() <= 18) {
        long low = lowLong;
        long high = highLong;
        if (vector.getNullCount() == 0) {
          for (int r = 0; r < n; r++) {
            long v = data.getLong((long) r * 16);
            keep[r] &= (v >= low & v <= high) != negate;
          }
          return;
        }
        for (int r = 0; r < n; r++) {
          long v = data.getLong((long) r * 16);
          keep[r] &= ((v >= low & v <= high) != negate) & isValid(validity, r);
        }
        return;
      }
      for (int r = 0; r < n; r++) {
        if (!keep[r]) {
          continue;
        }
        long lo = data.getLong((long) r * 16);
        long hi = data.getLong((long) r * 16 + 8);
        boolean aboveLow = hi != lowHi ? hi > lowHi : Long.compareUnsigned(lo, lowLo) >= 0;
        boolean belowHigh = hi != highHi ? hi < highHi : Long.compareUnsigned(lo, highLo) <= 0;
        keep[r] = (aboveLow && belowHigh) != negate && isValid(validity, r);
      }
    }

    @Override
    boolean byNumber() {
      return true;
    }

    @Override
    boolean passesNumber(long low, long high) {
      boolean aboveLow = high != lowHi ? high > lowHi : Long.compareUnsigned(low, lowLo) >= 0;
      boolean belowHigh = high != highHi ? high < highHi : Long.compareUnsigned(low, highLo) <= 0;
      return (aboveLow && belowHigh) != negate;
    }
  }

  private static final class StringIn extends Check {
    private final byte[][] set;
    private final boolean negate;

    StringIn(int column, byte[][] set, boolean negate) {
      super(column);
      this.set = set;
      this.negate = negate;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      BaseVariableWidthVector strings = (BaseVariableWidthVector) vector;
      byte[] data = filter.loadBytes(strings, n);
      ArrowBuf offsets = strings.getOffsetBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        if (!keep[r]) {
          continue;
        }
        int start = offsets.getInt((long) r * 4);
        int end = offsets.getInt((long) r * 4 + 4);
        keep[r] = isValid(validity, r) && passes(data, start, end - start);
      }
    }

    @Override
    boolean byValue() {
      return true;
    }

    @Override
    boolean passes(byte[] bytes, int start, int length) {
      boolean found = false;
      for (byte[] value : set) {
        if (value.length == length
            && Arrays.equals(bytes, start, start + length, value, 0, value.length)) {
          found = true;
          break;
        }
      }
      return found != negate;
    }
  }

  private static final class StringRange extends Check {
    private final byte[] low;
    private final boolean lowInclusive;
    private final byte[] high;
    private final boolean highInclusive;

    StringRange(int column, byte[] low, boolean lowInclusive, byte[] high, boolean highInclusive) {
      super(column);
      this.low = low;
      this.lowInclusive = lowInclusive;
      this.high = high;
      this.highInclusive = highInclusive;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      BaseVariableWidthVector strings = (BaseVariableWidthVector) vector;
      byte[] data = filter.loadBytes(strings, n);
      ArrowBuf offsets = strings.getOffsetBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        if (!keep[r]) {
          continue;
        }
        if (!isValid(validity, r)) {
          keep[r] = false;
          continue;
        }
        int start = offsets.getInt((long) r * 4);
        int end = offsets.getInt((long) r * 4 + 4);
        keep[r] = passes(data, start, end - start);
      }
    }

    @Override
    boolean byValue() {
      return true;
    }

    @Override
    boolean passes(byte[] bytes, int start, int length) {
      int end = start + length;
      boolean match = true;
      if (low != null) {
        int c = Arrays.compareUnsigned(bytes, start, end, low, 0, low.length);
        match = lowInclusive ? c >= 0 : c > 0;
      }
      if (match && high != null) {
        int c = Arrays.compareUnsigned(bytes, start, end, high, 0, high.length);
        match = highInclusive ? c <= 0 : c < 0;
      }
      return match;
    }
  }

  private static final class BoolEquals extends Check {
    private final int value;

    BoolEquals(int column, boolean value) {
      super(column);
      this.value = value ? 1 : 0;
    }

    @Override
    void apply(ScanRowFilter filter, FieldVector vector, int n, boolean[] keep) {
      ArrowBuf data = vector.getDataBuffer();
      ArrowBuf validity = vector.getValidityBuffer();
      for (int r = 0; r < n; r++) {
        int bit = (data.getByte(r >>> 3) >> (r & 7)) & 1;
        keep[r] &= bit == value & isValid(validity, r);
      }
    }
  }
}
