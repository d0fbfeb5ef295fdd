package io.oxbow.engine.eval;

import io.oxbow.engine.exec.Page;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Compiles expressions into {@link Evaluator}s. Every evaluator works a page at a time; arithmetic
 * and comparisons over BIGINT, DOUBLE and DECIMAL take typed loops ({@link Kernels}), column
 * references share or gather the page's buffers and literals are filled in bulk ({@link Vectors}),
 * and comparisons with literals, IN, LIKE, CAST, CASE, COALESCE and the common string and date
 * functions take typed paths ({@link FastPaths}); what remains goes through the shared value
 * representation of {@link Kind}. AND, OR, CASE and COALESCE evaluate their later arguments only on
 * the rows that need them, so {@code x <> 0 AND y / x > 1} never divides by zero.
 */
public final class ExpressionCompiler {
  /** Whether to take the typed fast paths ({@link FastPaths}); off only for reference tests. */
  private final boolean fast;

  private ExpressionCompiler(boolean fast) {
    this.fast = fast;
  }

  public static Evaluator compile(Expr expr) {
    return new ExpressionCompiler(true).build(expr);
  }

  /**
   * {@code expr} without the typed fast paths: every column copied value by value, functions
   * applied row by row on boxed values. The reference the fast paths are tested against.
   */
  static Evaluator compileGeneric(Expr expr) {
    return new ExpressionCompiler(false).build(expr);
  }

  private Evaluator build(Expr expr) {
    if (expr instanceof ColumnRef ref) {
      if (fast) {
        return (page, allocator) ->
            Vectors.reference(page.root().getVector(ref.index()), page, allocator);
      }
      return column(ref);
    }
    if (expr instanceof Literal literal) {
      if (fast) {
        Object value = normalize(literal.value(), literal.type());
        ArrowType type = vectorType(literal.type());
        return (page, allocator) ->
            Vectors.constant("literal", type, value, page.count(), allocator);
      }
      return constant(literal);
    }
    Call call = (Call) expr;
    if (fast) {
      call = flatten(call);
    }
    List<Evaluator> args = new ArrayList<>();
    for (Expr arg : call.args()) {
      args.add(build(arg));
    }
    if (fast) {
      Expr in = FastPaths.orOfEqualities(call);
      if (in != null) {
        return build(in);
      }
      Evaluator generic = buildGeneric(call, args);
      Evaluator fused = FusedDecimal.of(call, this::build, generic);
      if (fused != null) {
        return fused;
      }
      Evaluator typed = FastPaths.of(call, args, generic);
      if (typed != null) {
        return typed;
      }
      if (call.function() == ScalarFunction.CASE || call.function() == ScalarFunction.COALESCE) {
        return FastPaths.caseOrCoalesce(call, convertLiterals(call, args), generic);
      }
      return generic;
    }
    return buildGeneric(call, args);
  }

  /**
   * {@code AND(AND(a, b), c)} as {@code AND(a, b, c)} (likewise OR): the same three-valued result,
   * and each argument is still evaluated on exactly the rows not yet decided.
   */
  private static Call flatten(Call call) {
    ScalarFunction fn = call.function();
    if (fn != ScalarFunction.AND && fn != ScalarFunction.OR) {
      return call;
    }
    List<Expr> flat = new ArrayList<>();
    boolean nested = false;
    for (Expr arg : call.args()) {
      if (arg instanceof Call inner && inner.function() == fn) {
        flat.addAll(flatten(inner).args());
        nested = true;
      } else {
        flat.add(arg);
      }
    }
    return nested ? new Call(fn, flat, call.type()) : call;
  }

  /**
   * The arguments of CASE / COALESCE with each value literal of another type than the result
   * compiled as a constant of the result type (converted as the generic path converts it per row).
   */
  private List<Evaluator> convertLiterals(Call call, List<Evaluator> args) {
    ArrowType type = call.type();
    List<Evaluator> out = new ArrayList<>(args);
    boolean isCase = call.function() == ScalarFunction.CASE;
    for (int i = 0; i < args.size(); i++) {
      boolean isValue = !isCase || i % 2 == 1 || i == args.size() - 1;
      if (isValue
          && call.args().get(i) instanceof Literal literal
          && !literal.type().equals(type)) {
        Object value;
        try {
          value = coerce(normalize(literal.value(), literal.type()), type);
        } catch (RuntimeException notConvertible) {
          continue; // converted per row, failing only if a row takes it, as on the generic path
        }
        out.set(
            i,
            (page, allocator) -> Vectors.constant("literal", type, value, page.count(), allocator));
      }
    }
    return out;
  }

  private static Evaluator buildGeneric(Call call, List<Evaluator> args) {
    return switch (call.function()) {
      case AND -> logical(args, true);
      case OR -> logical(args, false);
      case CASE -> caseWhen(args, call.type());
      case COALESCE -> coalesce(args, call.type());
      case LIKE -> like(call, args);
      default -> generic(call, args);
    };
  }

  private static Evaluator column(ColumnRef ref) {
    return (page, allocator) -> {
      FieldVector from = page.root().getVector(ref.index());
      FieldVector out = from.getField().createVector(allocator);
      try {
        out.setInitialCapacity(page.count());
        out.allocateNew();
        for (int i = 0; i < page.count(); i++) {
          out.copyFromSafe(page.position(i), i, from);
        }
        out.setValueCount(page.count());
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    };
  }

  private static Evaluator constant(Literal literal) {
    Object value = normalize(literal.value(), literal.type());
    return (page, allocator) -> {
      FieldVector out = Values.newVector("literal", vectorType(literal.type()), allocator);
      try {
        out.setInitialCapacity(page.count());
        out.allocateNew();
        for (int i = 0; i < page.count(); i++) {
          Values.set(out, i, value);
        }
        out.setValueCount(page.count());
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    };
  }

  /** Null literals may be typed Null; give them a concrete vector type. */
  private static ArrowType vectorType(ArrowType type) {
    return type.getTypeID() == ArrowType.ArrowTypeID.Null ? Kind.BOOL : type;
  }

  /** Converts a literal's Java value to the engine's value representation. */
  static Object normalize(Object value, ArrowType type) {
    if (value == null) {
      return null;
    }
    return switch (Kind.of(type)) {
      case INTEGER -> ((Number) value).longValue();
      case FLOATING -> ((Number) value).doubleValue();
      case DECIMAL ->
          ((BigDecimal) (value instanceof BigDecimal ? value : Functions.toDecimal(value)))
              .setScale(((ArrowType.Decimal) type).getScale(), RoundingMode.HALF_UP);
      case DATE -> ((Number) value).intValue();
      case TIMESTAMP, TIME, INTERVAL_YEAR_MONTH, INTERVAL_DAY_TIME -> ((Number) value).longValue();
      case STRING -> value.toString();
      default -> value;
    };
  }

  /**
   * Three-valued AND / OR, evaluating each further argument only on the rows still undecided (for
   * AND: rows not yet FALSE; for OR: rows not yet TRUE).
   */
  private static Evaluator logical(List<Evaluator> args, boolean isAnd) {
    final byte unknown = 2;
    byte decisive = (byte) (isAnd ? 0 : 1);
    return (page, allocator) -> {
      int n = page.count();
      // state per row: 0 false, 1 true, 2 null; starts at the identity (TRUE for AND)
      byte[] state = new byte[n];
      java.util.Arrays.fill(state, (byte) (isAnd ? 1 : 0));
      int[] open = new int[n];
      int[] openPositions = new int[n];
      for (Evaluator arg : args) {
        int m = 0;
        for (int i = 0; i < n; i++) {
          if (state[i] != decisive) {
            open[m] = i;
            openPositions[m++] = page.position(i);
          }
        }
        if (m == 0) {
          break;
        }
        Page sub =
            m == n ? page : new Page(page.root(), java.util.Arrays.copyOf(openPositions, m), m);
        try (FieldVector v = arg.evaluate(sub, allocator)) {
          BitVector bits = (BitVector) v;
          for (int j = 0; j < m; j++) {
            int i = open[j];
            if (bits.isNull(j)) {
              state[i] = unknown;
            } else if (bits.get(j) == decisive) {
              state[i] = decisive;
            }
          }
        }
      }
      BitVector out = new BitVector(isAnd ? "and" : "or", allocator);
      out.allocateNew(n);
      for (int i = 0; i < n; i++) {
        if (state[i] == unknown) {
          out.setNull(i);
        } else {
          out.set(i, state[i]);
        }
      }
      out.setValueCount(n);
      return out;
    };
  }

  /** CASE c1 v1 c2 v2 ... else: each value is evaluated only on the rows that take it. */
  private static Evaluator caseWhen(List<Evaluator> args, ArrowType type) {
    return (page, allocator) -> {
      int n = page.count();
      int[] branch = new int[n];
      java.util.Arrays.fill(branch, -1);
      int pairs = (args.size() - 1) / 2;
      for (int p = 0; p < pairs; p++) {
        Page open = subPage(page, branch, -1);
        if (open.count() == 0) {
          break;
        }
        int[] openIndex = indexes(branch, -1);
        try (FieldVector cond = args.get(2 * p).evaluate(open, allocator)) {
          BitVector bits = (BitVector) cond;
          for (int j = 0; j < open.count(); j++) {
            if (!bits.isNull(j) && bits.get(j) != 0) {
              branch[openIndex[j]] = p;
            }
          }
        }
      }
      // branches fill rows out of order; variable-width vectors must be written in order, so the
      // values are gathered first
      Object[] results = new Object[n];
      for (int p = -1; p < pairs; p++) {
        Page rows = subPage(page, branch, p);
        if (rows.count() == 0) {
          continue;
        }
        int[] rowIndex = indexes(branch, p);
        Evaluator valueEval = p < 0 ? args.get(args.size() - 1) : args.get(2 * p + 1);
        try (FieldVector values = valueEval.evaluate(rows, allocator)) {
          for (int j = 0; j < rows.count(); j++) {
            results[rowIndex[j]] = coerce(Values.get(values, j), type);
          }
        }
      }
      FieldVector out = Values.newVector("case", type, allocator);
      try {
        out.setInitialCapacity(n);
        out.allocateNew();
        for (int i = 0; i < n; i++) {
          Values.set(out, i, results[i]);
        }
        out.setValueCount(n);
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    };
  }

  private static Evaluator coalesce(List<Evaluator> args, ArrowType type) {
    return (page, allocator) -> {
      int n = page.count();
      int[] state = new int[n]; // 0 = still null, 1 = set
      Object[] results = new Object[n];
      for (Evaluator arg : args) {
        Page open = subPage(page, state, 0);
        if (open.count() == 0) {
          break;
        }
        int[] openIndex = indexes(state, 0);
        try (FieldVector v = arg.evaluate(open, allocator)) {
          for (int j = 0; j < open.count(); j++) {
            Object value = Values.get(v, j);
            if (value != null) {
              results[openIndex[j]] = coerce(value, type);
              state[openIndex[j]] = 1;
            }
          }
        }
      }
      FieldVector out = Values.newVector("coalesce", type, allocator);
      try {
        out.setInitialCapacity(n);
        out.allocateNew();
        for (int i = 0; i < n; i++) {
          Values.set(out, i, results[i]);
        }
        out.setValueCount(n);
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    };
  }

  private static Page subPage(Page page, int[] marks, int wanted) {
    int[] positions = new int[page.count()];
    int m = 0;
    for (int i = 0; i < page.count(); i++) {
      if (marks[i] == wanted) {
        positions[m++] = page.position(i);
      }
    }
    return new Page(page.root(), java.util.Arrays.copyOf(positions, m), m);
  }

  private static int[] indexes(int[] marks, int wanted) {
    int[] out = new int[marks.length];
    int m = 0;
    for (int i = 0; i < marks.length; i++) {
      if (marks[i] == wanted) {
        out[m++] = i;
      }
    }
    return java.util.Arrays.copyOf(out, m);
  }

  private static Evaluator like(Call call, List<Evaluator> args) {
    Pattern fixed = null;
    if (call.args().get(1) instanceof Literal p
        && p.value() != null
        && (call.args().size() < 3 || call.args().get(2) instanceof Literal)) {
      Character escape =
          escapeOf(call.args().size() < 3 ? null : ((Literal) call.args().get(2)).value());
      fixed = Functions.likePattern(p.value().toString(), escape);
    }
    Pattern constantPattern = fixed;
    return rowWise(
        call,
        args,
        values -> {
          Pattern pattern =
              constantPattern != null
                  ? constantPattern
                  : Functions.likePattern(
                      values[1].toString(), escapeOf(values.length > 2 ? values[2] : null));
          return pattern.matcher(values[0].toString()).matches();
        });
  }

  private static Character escapeOf(Object escape) {
    if (escape == null) {
      return null;
    }
    String s = escape.toString();
    if (s.length() != 1) {
      throw OxbowException.userError("LIKE escape must be a single character, not '%s'", s);
    }
    return s.charAt(0);
  }

  private interface RowFunction {
    Object apply(Object[] values);
  }

  /** Evaluates all arguments, then applies {@code fn} per row; NULL in, NULL out. */
  private static Evaluator rowWise(Call call, List<Evaluator> args, RowFunction fn) {
    return (page, allocator) -> {
      int n = page.count();
      FieldVector[] inputs = new FieldVector[args.size()];
      FieldVector out = Values.newVector(call.function().name(), call.type(), allocator);
      try {
        for (int a = 0; a < inputs.length; a++) {
          inputs[a] = args.get(a).evaluate(page, allocator);
        }
        out.setInitialCapacity(n);
        out.allocateNew();
        Object[] values = new Object[inputs.length];
        rows:
        for (int i = 0; i < n; i++) {
          for (int a = 0; a < inputs.length; a++) {
            values[a] = Values.get(inputs[a], i);
            if (values[a] == null) {
              Values.setNull(out, i);
              continue rows;
            }
          }
          Values.set(out, i, fn.apply(values));
        }
        out.setValueCount(n);
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      } finally {
        for (FieldVector v : inputs) {
          if (v != null) {
            v.close();
          }
        }
      }
    };
  }

  /** Evaluates all arguments, then applies {@code fn} per row with NULLs passed through. */
  private static Evaluator rowWiseNullable(Call call, List<Evaluator> args, RowFunction fn) {
    return (page, allocator) -> {
      int n = page.count();
      FieldVector[] inputs = new FieldVector[args.size()];
      FieldVector out = Values.newVector(call.function().name(), call.type(), allocator);
      try {
        for (int a = 0; a < inputs.length; a++) {
          inputs[a] = args.get(a).evaluate(page, allocator);
        }
        out.setInitialCapacity(n);
        out.allocateNew();
        Object[] values = new Object[inputs.length];
        for (int i = 0; i < n; i++) {
          for (int a = 0; a < inputs.length; a++) {
            values[a] = Values.get(inputs[a], i);
          }
          Values.set(out, i, fn.apply(values));
        }
        out.setValueCount(n);
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      } finally {
        for (FieldVector v : inputs) {
          if (v != null) {
            v.close();
          }
        }
      }
    };
  }

  private static Evaluator generic(Call call, List<Evaluator> args) {
    ScalarFunction fn = call.function();
    ArrowType type = call.type();
    switch (fn) {
      case ADD, SUBTRACT, MULTIPLY, DIVIDE, MOD:
        {
          Evaluator temporal = temporalArithmetic(call, args);
          if (temporal != null) {
            return temporal;
          }
          Evaluator typed = arithmetic(call, args);
          if (typed != null) {
            return typed;
          }
          return rowWise(call, args, v -> Functions.arithmetic(fn, v[0], v[1], type));
        }
      case NEGATE:
        return rowWise(
            call,
            args,
            v ->
                v[0] instanceof Long l
                    ? Math.negateExact(l)
                    : v[0] instanceof Double d ? -d : ((BigDecimal) v[0]).negate());
      case EQUAL,
      NOT_EQUAL,
      LESS_THAN,
      LESS_THAN_OR_EQUAL,
      GREATER_THAN,
      GREATER_THAN_OR_EQUAL,
      IS_DISTINCT_FROM,
      IS_NOT_DISTINCT_FROM:
        return binary(args, (a, b, n, allocator) -> Kernels.compare(fn, a, b, n, allocator));
      case NOT:
        return unary(args, (a, n, allocator) -> Kernels.not((BitVector) a, n, allocator));
      case IS_NULL, IS_NOT_NULL, IS_TRUE, IS_NOT_TRUE, IS_FALSE, IS_NOT_FALSE:
        return unary(args, (a, n, allocator) -> Kernels.test(fn, a, n, allocator));
      case CAST:
        {
          ArrowType from = call.args().get(0).type();
          return rowWise(call, args, v -> Functions.cast(v[0], from, type));
        }
      case IN:
        return rowWiseNullable(
            call,
            args,
            v -> {
              if (v[0] == null) {
                return null;
              }
              boolean sawNull = false;
              for (int i = 1; i < v.length; i++) {
                if (v[i] == null) {
                  sawNull = true;
                } else if (Values.compare(v[0], v[i]) == 0) {
                  return true;
                }
              }
              return sawNull ? null : false;
            });
      case SUBSTRING:
        return rowWise(
            call,
            args,
            v -> {
              String s = v[0].toString();
              long start = (Long) v[1];
              long length = v.length > 2 ? (Long) v[2] : Long.MAX_VALUE / 2;
              if (length < 0) {
                throw OxbowException.userError("SUBSTRING length must not be negative");
              }
              int[] cps = s.codePoints().toArray();
              long from = Math.max(start, 1);
              long to = Math.min(cps.length + 1L, start + length);
              if (to <= from) {
                return "";
              }
              return new String(cps, (int) from - 1, (int) (to - from));
            });
      case UPPER:
        return rowWise(call, args, v -> v[0].toString().toUpperCase(Locale.ROOT));
      case LOWER:
        return rowWise(call, args, v -> v[0].toString().toLowerCase(Locale.ROOT));
      case CONCAT:
        return rowWise(
            call,
            args,
            v -> {
              StringBuilder sb = new StringBuilder();
              for (Object o : v) {
                sb.append(Functions.toText(o));
              }
              return sb.toString();
            });
      case CHAR_LENGTH:
        return rowWise(
            call, args, v -> (long) v[0].toString().codePointCount(0, v[0].toString().length()));
      case TRIM:
        return rowWise(
            call,
            args,
            v -> {
              // args: mode ('BOTH' | 'LEADING' | 'TRAILING'), characters, string
              String mode = v[0].toString();
              String chars = v[1].toString();
              String s = v[2].toString();
              int b = 0;
              int e = s.length();
              if (!mode.equals("TRAILING")) {
                while (b < e && chars.indexOf(s.charAt(b)) >= 0) {
                  b++;
                }
              }
              if (!mode.equals("LEADING")) {
                while (e > b && chars.indexOf(s.charAt(e - 1)) >= 0) {
                  e--;
                }
              }
              return s.substring(b, e);
            });
      case EXTRACT:
        {
          Kind kind = Kind.of(call.args().get(1).type());
          return rowWise(call, args, v -> Functions.extract(v[0].toString(), v[1], kind));
        }
      case DATE_ADD_DAYS:
        return rowWise(
            call,
            args,
            v ->
                v[0] instanceof Integer d
                    ? Math.toIntExact(d + (Long) v[1])
                    : (Long) v[0] + (Long) v[1] * 86_400_000_000L);
      case DATE_ADD_MONTHS:
        return rowWise(
            call,
            args,
            v -> {
              if (v[0] instanceof Integer d) {
                return (int) LocalDate.ofEpochDay(d).plusMonths((Long) v[1]).toEpochDay();
              }
              long micros = (Long) v[0];
              long day = Math.floorDiv(micros, 86_400_000_000L);
              long rest = Math.floorMod(micros, 86_400_000_000L);
              return LocalDate.ofEpochDay(day).plusMonths((Long) v[1]).toEpochDay()
                      * 86_400_000_000L
                  + rest;
            });
      case ABS:
        return rowWise(
            call,
            args,
            v ->
                v[0] instanceof Long l
                    ? Math.absExact(l)
                    : v[0] instanceof Double d ? Math.abs(d) : ((BigDecimal) v[0]).abs());
      case ROUND:
        return rowWise(
            call,
            args,
            v ->
                Functions.round(
                    v[0],
                    v.length > 1 ? Math.toIntExact((Long) v[1]) : 0,
                    type,
                    RoundingMode.HALF_UP));
      case FLOOR:
        return rowWise(call, args, v -> Functions.round(v[0], 0, type, RoundingMode.FLOOR));
      case CEIL:
        return rowWise(call, args, v -> Functions.round(v[0], 0, type, RoundingMode.CEILING));
      case POWER:
        return rowWise(
            call,
            args,
            v -> Math.pow(((Number) v[0]).doubleValue(), ((Number) v[1]).doubleValue()));
      case SQRT:
        return rowWise(call, args, v -> Math.sqrt(((Number) v[0]).doubleValue()));
      case ILIKE:
        return rowWise(
            call,
            args,
            v ->
                Functions.likePattern(
                        v[1].toString().toLowerCase(java.util.Locale.ROOT),
                        v.length > 2 ? v[2].toString().charAt(0) : null)
                    .matcher(v[0].toString().toLowerCase(java.util.Locale.ROOT))
                    .matches());
      case POSITION:
        return rowWise(
            call,
            args,
            v -> {
              String haystack = v[1].toString();
              int index = haystack.indexOf(v[0].toString());
              return index < 0 ? 0L : (long) haystack.codePointCount(0, index) + 1;
            });
      case REPLACE:
        return rowWise(call, args, v -> v[0].toString().replace(v[1].toString(), v[2].toString()));
      case SPLIT_PART:
        return rowWise(
            call,
            args,
            v -> {
              long n = ((Number) v[2]).longValue();
              if (n < 1) {
                throw OxbowException.userError(
                    "SPLIT_PART field number must be positive, not %d", n);
              }
              String[] parts =
                  v[0].toString().split(java.util.regex.Pattern.quote(v[1].toString()), -1);
              return n <= parts.length ? parts[(int) n - 1] : "";
            });
      case REGEXP_LIKE:
        {
          java.util.Map<String, java.util.regex.Pattern> cache = new java.util.HashMap<>();
          return rowWise(
              call,
              args,
              v -> {
                java.util.regex.Pattern pattern =
                    cache.computeIfAbsent(v[1].toString(), Functions::regex);
                return pattern.matcher(v[0].toString()).find();
              });
        }
      case DATE_TRUNC:
        {
          Kind kind = Kind.of(call.args().get(1).type());
          return rowWise(call, args, v -> Functions.dateTrunc(v[0].toString(), v[1], kind));
        }
      default:
        throw OxbowException.userError("Function %s is not supported yet", fn.name());
    }
  }

  static Object coerce(Object value, ArrowType type) {
    if (value == null) {
      return null;
    }
    Kind kind = Kind.of(type);
    if (kind == Kind.DECIMAL && !(value instanceof BigDecimal)) {
      return Functions.toDecimal(value);
    }
    if (kind == Kind.FLOATING && !(value instanceof Double)) {
      return ((Number) value).doubleValue();
    }
    if (kind == Kind.STRING && !(value instanceof String)) {
      return Functions.toText(value);
    }
    return value;
  }

  private interface UnaryKernel {
    FieldVector apply(FieldVector a, int n, BufferAllocator allocator);
  }

  private interface BinaryKernel {
    FieldVector apply(FieldVector a, FieldVector b, int n, BufferAllocator allocator);
  }

  private static Evaluator unary(List<Evaluator> args, UnaryKernel kernel) {
    Evaluator arg = args.get(0);
    return (page, allocator) -> {
      try (FieldVector a = arg.evaluate(page, allocator)) {
        return kernel.apply(a, page.count(), allocator);
      }
    };
  }

  private static Evaluator binary(List<Evaluator> args, BinaryKernel kernel) {
    Evaluator left = args.get(0);
    Evaluator right = args.get(1);
    return (page, allocator) -> {
      try (FieldVector a = left.evaluate(page, allocator);
          FieldVector b = right.evaluate(page, allocator)) {
        return kernel.apply(a, b, page.count(), allocator);
      }
    };
  }

  /**
   * Arithmetic with a datetime or interval operand or result: datetime +/- interval, datetime -
   * datetime and interval +/- interval as long loops ({@link Functions#temporalOperation});
   * interval * or / a number per row. Null when no operand or result is a datetime or interval.
   */
  private static Evaluator temporalArithmetic(Call call, List<Evaluator> args) {
    ScalarFunction fn = call.function();
    ArrowType type = call.type();
    Kind a = Kind.of(call.args().get(0).type());
    Kind b = Kind.of(call.args().get(1).type());
    Kind result = Kind.of(type);
    if (!isTemporal(a) && !isTemporal(b) && !isTemporal(result)) {
      return null;
    }
    if ((fn == ScalarFunction.MULTIPLY || fn == ScalarFunction.DIVIDE)
        && result.isInterval()
        && (a.isInterval() || b.isInterval() && fn == ScalarFunction.MULTIPLY)) {
      boolean intervalFirst = a.isInterval();
      return rowWise(
          call,
          args,
          v ->
              Functions.scaleInterval(
                  fn, (Long) v[intervalFirst ? 0 : 1], v[intervalFirst ? 1 : 0]));
    }
    java.util.function.LongBinaryOperator op = Functions.temporalOperation(fn, a, b, result);
    if (op == null) {
      throw OxbowException.userError(
          "Cannot apply %s to %s and %s",
          fn.name(),
          Functions.sqlName(call.args().get(0).type()),
          Functions.sqlName(call.args().get(1).type()));
    }
    return binary(
        args, (x, y, n, allocator) -> Kernels.temporalArithmetic(fn, x, y, op, type, n, allocator));
  }

  private static boolean isTemporal(Kind kind) {
    return kind == Kind.DATE || kind == Kind.TIMESTAMP || kind == Kind.TIME || kind.isInterval();
  }

  /**
   * Decimal {@code x op literal} or {@code literal op x} through {@link
   * Kernels#decimalArithmeticConstant}, falling back to {@code general} for a batch it does not
   * take; null when neither operand is a non-null literal whose unscaled value fits a long.
   */
  private static Evaluator decimalWithConstant(
      Call call, List<Evaluator> args, ArrowType.Decimal type, Evaluator general) {
    ScalarFunction fn = call.function();
    if (fn != ScalarFunction.ADD
        && fn != ScalarFunction.SUBTRACT
        && fn != ScalarFunction.MULTIPLY) {
      return null;
    }
    boolean constantFirst = call.args().get(0) instanceof Literal;
    Expr constantExpr = call.args().get(constantFirst ? 0 : 1);
    if (!(constantExpr instanceof Literal literal)
        || literal.value() == null
        || call.args().get(constantFirst ? 1 : 0) instanceof Literal) {
      return null;
    }
    Object value = normalize(literal.value(), literal.type());
    BigDecimal decimal =
        value instanceof BigDecimal d ? d : BigDecimal.valueOf(((Number) value).longValue());
    if (decimal.unscaledValue().bitLength() > 62) {
      return null;
    }
    long c = decimal.unscaledValue().longValue();
    int scale = decimal.scale();
    if (scale < 0) {
      return null;
    }
    Evaluator operand = args.get(constantFirst ? 1 : 0);
    return (page, allocator) -> {
      try (FieldVector x = operand.evaluate(page, allocator)) {
        FieldVector r =
            Kernels.decimalArithmeticConstant(
                fn, x, c, scale, constantFirst, type, page.count(), allocator);
        if (r != null) {
          return r;
        }
      }
      return general.evaluate(page, allocator);
    };
  }

  /**
   * Typed loops for arithmetic: integers, floating point, and exact decimals (with integer operands
   * taken as scale 0). Returns null for the combinations left to the per-row path (for example a
   * decimal result from a floating point operand).
   */
  private static Evaluator arithmetic(Call call, List<Evaluator> args) {
    ScalarFunction fn = call.function();
    ArrowType type = call.type();
    Kind a = Kind.of(call.args().get(0).type());
    Kind b = Kind.of(call.args().get(1).type());
    switch (Kind.of(type)) {
      case INTEGER:
        if (a == Kind.INTEGER && b == Kind.INTEGER) {
          ArrowType.Int t = (ArrowType.Int) type;
          return binary(
              args, (x, y, n, allocator) -> Kernels.integerArithmetic(fn, x, y, t, n, allocator));
        }
        return null;
      case FLOATING:
        if (a.isNumeric() && b.isNumeric()) {
          ArrowType.FloatingPoint t = (ArrowType.FloatingPoint) type;
          return binary(
              args, (x, y, n, allocator) -> Kernels.floatingArithmetic(fn, x, y, t, n, allocator));
        }
        return null;
      case DECIMAL:
        if ((a == Kind.DECIMAL || a == Kind.INTEGER) && (b == Kind.DECIMAL || b == Kind.INTEGER)) {
          ArrowType.Decimal t = (ArrowType.Decimal) type;
          Evaluator general =
              binary(
                  args,
                  (x, y, n, allocator) -> Kernels.decimalArithmetic(fn, x, y, t, n, allocator));
          Evaluator constant = decimalWithConstant(call, args, t, general);
          return constant != null ? constant : general;
        }
        return null;
      default:
        return null;
    }
  }
}
