package io.oxbow.engine.expr;

/**
 * Scalar functions the engine evaluates. All follow SQL three-valued logic: unless stated, a NULL
 * argument gives a NULL result.
 */
public enum ScalarFunction {
  // arithmetic on numeric types (both arguments of the same kind after planner casts, except that
  // decimal arguments may differ in precision and scale); ADD and SUBTRACT also take datetimes and
  // intervals (see ADD), MULTIPLY and DIVIDE an interval and a number
  /**
   * {@code a + b}. Besides numbers: interval + interval of one family; TIMESTAMP, DATE or TIME +
   * interval (the datetime first; TIMESTAMP + day-time interval is exact in microseconds, + months
   * clamps to the end of a shorter month, TIME wraps around midnight and ignores months, DATE takes
   * only whole days).
   */
  ADD,
  /**
   * {@code a - b}: as ADD, and datetime - datetime of one type giving the result's interval type
   * (day-time: the exact difference; year-month: whole months).
   */
  SUBTRACT,
  /** {@code a * b}; interval * number or number * interval gives an interval (rounded half up). */
  MULTIPLY,
  /** Integer division truncates; division by zero is a user error. Also interval / number. */
  DIVIDE,
  MOD,
  NEGATE,
  // comparison (arguments of comparable types), result Bool
  EQUAL,
  NOT_EQUAL,
  LESS_THAN,
  LESS_THAN_OR_EQUAL,
  GREATER_THAN,
  GREATER_THAN_OR_EQUAL,
  /** {@code a IS DISTINCT FROM b}: never NULL. */
  IS_DISTINCT_FROM,
  IS_NOT_DISTINCT_FROM,
  // logic with three-valued semantics (FALSE AND NULL = FALSE, TRUE OR NULL = TRUE)
  AND,
  OR,
  NOT,
  // null tests, never NULL
  IS_NULL,
  IS_NOT_NULL,
  IS_TRUE,
  IS_NOT_TRUE,
  IS_FALSE,
  IS_NOT_FALSE,
  /**
   * {@code CASE WHEN c1 THEN v1 WHEN c2 THEN v2 ... ELSE e END}: args are c1, v1, c2, v2, ..., e
   * (always an odd count; the planner supplies NULL for a missing ELSE).
   */
  CASE,
  /** First non-null argument. */
  COALESCE,
  /**
   * {@code CAST(arg AS type)}; a value that cannot be converted is a user error naming it. An
   * interval cast to an integer type gives its count of months or microseconds (the planner scales
   * it to the SQL interval's unit).
   */
  CAST,
  /** {@code value LIKE pattern [ESCAPE escape]}: 2 or 3 Utf8 args. */
  LIKE,
  /** {@code value IN (v1, v2, ...)}: args are value, v1, v2, ...; NULL semantics as SQL. */
  IN,
  // strings
  /** {@code SUBSTRING(s FROM start [FOR length])}, 1-based. */
  SUBSTRING,
  UPPER,
  LOWER,
  CONCAT,
  CHAR_LENGTH,
  TRIM,
  // dates
  /**
   * {@code EXTRACT(field FROM value)}: first arg a Utf8 literal naming the field (YEAR, QUARTER,
   * MONTH, WEEK, DAY, DOW, DOY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, EPOCH); value a
   * date, timestamp, time or interval. SECOND is whole seconds; MILLISECOND and MICROSECOND include
   * the seconds (as PostgreSQL); EPOCH is whole seconds since 1970-01-01 (since midnight for a
   * time, in the interval for an interval).
   */
  EXTRACT,
  /** date or timestamp + integer days. */
  DATE_ADD_DAYS,
  /** date or timestamp + integer months (end-of-month clamped). */
  DATE_ADD_MONTHS,
  // numeric
  ABS,
  ROUND,
  FLOOR,
  CEIL,
  /** {@code POWER(x, y)} on doubles. */
  POWER,
  SQRT,
  /** Case-insensitive LIKE: 2 or 3 Utf8 args as LIKE. */
  ILIKE,
  /** {@code POSITION(needle IN haystack)}: 1-based, 0 when absent. Args: needle, haystack. */
  POSITION,
  /** {@code REPLACE(s, from, to)}. */
  REPLACE,
  /** {@code SPLIT_PART(s, delimiter, n)}: the n-th (1-based) field, '' past the end. */
  SPLIT_PART,
  /** {@code s ~ pattern}: true if the Java regular expression matches part of s. */
  REGEXP_LIKE,
  /**
   * {@code DATE_TRUNC(unit, value)}: first arg a Utf8 literal (YEAR, QUARTER, MONTH, WEEK, DAY,
   * HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND); value a date, timestamp or time (HOUR and
   * smaller units), result of the same type.
   */
  DATE_TRUNC
}
