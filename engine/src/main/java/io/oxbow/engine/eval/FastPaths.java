package io.oxbow.engine.eval;

import io.oxbow.engine.exec.Page;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Chooses typed evaluators for calls the generic path evaluates row by row on boxed values:
 * comparisons with a literal, IN with a list of literals, LIKE with a constant pattern, CAST in the
 * common directions, SUBSTRING with constant bounds, UPPER, LOWER, CHAR_LENGTH, EXTRACT of date
 * fields, and CASE / COALESCE assembling typed output. A column argument is read in place through
 * the page's selection ({@link Operand}). Each typed evaluator keeps the generic one as a fallback
 * for vector layouts it does not read, so results and errors are always those of the generic path.
 */
final class FastPaths {
  private FastPaths() {}

  private interface OperandKernel {
    FieldVector apply(Operand x, int n, BufferAllocator allocator);
  }

  /** A typed evaluator for {@code call}, or null when none applies. */
  static Evaluator of(Call call, List<Evaluator> args, Evaluator generic) {
    try {
      return choose(call, args, generic);
    } catch (io.oxbow.spi.error.OxbowException unsupportedType) {
      return null; // the generic path reports it when (and if) it evaluates
    }
  }

  private static Evaluator choose(Call call, List<Evaluator> args, Evaluator generic) {
    return switch (call.function()) {
      case NOT -> not(args.get(0));
      case AND -> new Logic(args, true);
      case OR -> new Logic(args, false);
      case EQUAL,
          NOT_EQUAL,
          LESS_THAN,
          LESS_THAN_OR_EQUAL,
          GREATER_THAN,
          GREATER_THAN_OR_EQUAL,
          IS_DISTINCT_FROM,
          IS_NOT_DISTINCT_FROM ->
          compareWithConstant(call, args, generic);
      case IN -> in(call, args, generic);
      case LIKE -> like(call, args, generic);
      case CAST -> cast(call, args, generic);
      case SUBSTRING -> substring(call, args, generic);
      case UPPER, LOWER ->
          isUtf8(call.args().get(0))
              ? onOperand(
                  call.args().get(0),
                  args.get(0),
                  generic,
                  v -> v instanceof VarCharVector,
                  (x, n, a) ->
                      StringKernels.changeCase(x, call.function() == ScalarFunction.UPPER, n, a))
              : null;
      case CHAR_LENGTH ->
          isUtf8(call.args().get(0)) && isLongResult(call.type())
              ? onOperand(
                  call.args().get(0),
                  args.get(0),
                  generic,
                  v -> v instanceof VarCharVector,
                  (x, n, a) ->
                      CastKernels.integers(
                          "CHAR_LENGTH", call.type(), StringKernels.charLengths(x, n), x, n, a))
              : null;
      case EXTRACT -> extract(call, args, generic);
      default -> null;
    };
  }

  /** NOT: the argument's validity bytes as they are, its value bytes inverted. */
  private static Evaluator not(Evaluator arg) {
    return (page, allocator) -> {
      int n = page.count();
      try (FieldVector a = arg.evaluate(page, allocator)) {
        BitVector out = new BitVector("not", allocator);
        try {
          out.allocateNew(n);
          int bytes = BitVectorHelper.getValidityBufferSize(n);
          out.getValidityBuffer().setBytes(0, a.getValidityBuffer(), 0, bytes);
          ArrowBuf from = a.getDataBuffer();
          ArrowBuf to = out.getDataBuffer();
          for (int b = 0; b < bytes; b++) {
            to.setByte(b, ~from.getByte(b));
          }
          out.setValueCount(n);
          return out;
        } catch (RuntimeException e) {
          out.close();
          throw e;
        }
      }
    };
  }

  private static boolean isUtf8(Expr e) {
    return e.type().getTypeID() == ArrowType.ArrowTypeID.Utf8;
  }

  private static boolean isLongResult(ArrowType type) {
    return type instanceof ArrowType.Int t
        && t.getIsSigned()
        && (t.getBitWidth() == 64 || t.getBitWidth() == 32);
  }

  /**
   * Applies {@code kernel} to the operand {@code expr} when {@code accepts} its vector, else
   * evaluates {@code fallback}.
   */
  private static Evaluator onOperand(
      Expr expr,
      Evaluator evaluator,
      Evaluator fallback,
      Predicate<FieldVector> accepts,
      OperandKernel kernel) {
    return (page, allocator) -> {
      try (Operand x = Operand.of(expr, evaluator, page, allocator)) {
        if (accepts.test(x.vector)) {
          return kernel.apply(x, page.count(), allocator);
        }
      }
      return fallback.evaluate(page, allocator);
    };
  }

  private static boolean nonNullLiteral(Expr e) {
    return e instanceof Literal l && l.value() != null;
  }

  // ---------------------------------------------------------------- comparisons

  private static Evaluator compareWithConstant(Call call, List<Evaluator> args, Evaluator generic) {
    ScalarFunction fn = call.function();
    Expr left = call.args().get(0);
    Expr right = call.args().get(1);
    Expr other;
    Evaluator otherEval;
    Literal literal;
    if (nonNullLiteral(right) && !(left instanceof Literal)) {
      other = left;
      otherEval = args.get(0);
      literal = (Literal) right;
    } else if (nonNullLiteral(left) && !(right instanceof Literal)) {
      fn = PredicateKernels.flip(fn);
      other = right;
      otherEval = args.get(1);
      literal = (Literal) left;
    } else {
      return null;
    }
    ScalarFunction op = fn;
    Kind ko = Kind.of(other.type());
    Kind kl = Kind.of(literal.type());
    Object value = ExpressionCompiler.normalize(literal.value(), literal.type());
    if (ko == Kind.STRING && kl == Kind.STRING && isUtf8(other)) {
      byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
      return onOperand(
          other,
          otherEval,
          generic,
          v -> v instanceof VarCharVector,
          (x, n, a) -> PredicateKernels.compareString(op, x, bytes, n, a));
    }
    if ((ko == Kind.INTEGER || ko == Kind.DATE || ko == Kind.TIMESTAMP) && kl == ko) {
      long constant = ((Number) value).longValue();
      return onOperand(
          other,
          otherEval,
          generic,
          PredicateKernels::isLongLayout,
          (x, n, a) -> PredicateKernels.compareLong(op, x, constant, n, a));
    }
    if ((ko == Kind.DECIMAL || ko == Kind.INTEGER) && (kl == Kind.DECIMAL || kl == Kind.INTEGER)) {
      int scale = ko == Kind.DECIMAL ? ((ArrowType.Decimal) other.type()).getScale() : 0;
      Long unscaled = unscaledAt(value, scale);
      if (unscaled == null) {
        return null;
      }
      long constant = unscaled;
      if (ko == Kind.INTEGER) {
        return onOperand(
            other,
            otherEval,
            generic,
            PredicateKernels::isLongLayout,
            (x, n, a) -> PredicateKernels.compareLong(op, x, constant, n, a));
      }
      return onOperand(
          other,
          otherEval,
          generic,
          v -> v instanceof DecimalVector,
          (x, n, a) -> PredicateKernels.compareDecimal(op, x, constant, n, a));
    }
    if (ko == Kind.FLOATING && kl.isNumeric()) {
      double constant = ((Number) value).doubleValue();
      return onOperand(
          other,
          otherEval,
          generic,
          v -> v instanceof Float8Vector,
          (x, n, a) -> PredicateKernels.compareDouble(op, x, constant, n, a));
    }
    return null;
  }

  /**
   * {@code value} (a Long or BigDecimal) as an unscaled long at {@code scale}, or null when it has
   * more fractional digits than the scale or does not fit a long.
   */
  private static Long unscaledAt(Object value, int scale) {
    BigDecimal d = Functions.toDecimal(value);
    try {
      BigInteger unscaled = d.setScale(scale, java.math.RoundingMode.UNNECESSARY).unscaledValue();
      return unscaled.bitLength() <= 63 ? unscaled.longValue() : null;
    } catch (ArithmeticException inexact) {
      return null;
    }
  }

  // ---------------------------------------------------------------- IN

  /**
   * {@code x = c1 OR x = c2 OR ...} (the planner's form of IN) with one subject and non-null
   * literals as {@code x IN (c1, c2, ...)}, which has the same three-valued result; else null. The
   * subject is a column or any other expression (TPC-H Q22's {@code substring(c_phone, 1, 2)}),
   * then computed once instead of once per literal; the first equality computes it for every row
   * anyway, so IN raises no error the OR would not.
   */
  static Expr orOfEqualities(Call call) {
    if (call.function() != ScalarFunction.OR || call.args().size() < 2) {
      return null;
    }
    List<Expr> in = new java.util.ArrayList<>();
    for (Expr arg : call.args()) {
      if (!(arg instanceof Call eq) || eq.function() != ScalarFunction.EQUAL) {
        return null;
      }
      Expr a = eq.args().get(0);
      Expr b = eq.args().get(1);
      Expr column = a instanceof Literal ? b : a;
      Expr constant = column == a ? b : a;
      if (column instanceof Literal
          || !nonNullLiteral(constant)
          || !inCompatible(Kind.of(column.type()), Kind.of(constant.type()))) {
        return null;
      }
      if (in.isEmpty()) {
        in.add(column);
      } else if (!in.get(0).equals(column)) {
        return null;
      }
      in.add(constant);
    }
    return new Call(ScalarFunction.IN, in, call.type());
  }

  /** Whether IN on a value of kind {@code ks} has a typed loop for constants of kind {@code kl}. */
  private static boolean inCompatible(Kind ks, Kind kl) {
    return switch (ks) {
      case STRING -> kl == Kind.STRING;
      case INTEGER, DATE, TIMESTAMP -> kl == ks;
      case DECIMAL -> kl == Kind.DECIMAL || kl == Kind.INTEGER;
      default -> false;
    };
  }

  private static Evaluator in(Call call, List<Evaluator> args, Evaluator generic) {
    Expr subject = call.args().get(0);
    List<Expr> list = call.args().subList(1, call.args().size());
    if (subject instanceof Literal || !list.stream().allMatch(e -> e instanceof Literal)) {
      return null;
    }
    boolean hasNull = false;
    Kind ks = Kind.of(subject.type());
    Object[] values = new Object[list.size()];
    int m = 0;
    for (Expr e : list) {
      Literal l = (Literal) e;
      if (l.value() == null) {
        hasNull = true;
        continue;
      }
      if (!inCompatible(ks, Kind.of(l.type()))) {
        return null;
      }
      values[m++] = ExpressionCompiler.normalize(l.value(), l.type());
    }
    boolean listHasNull = hasNull;
    int count = m;
    if (ks == Kind.STRING && isUtf8(subject)) {
      byte[][] constants = new byte[count][];
      for (int i = 0; i < count; i++) {
        constants[i] = values[i].toString().getBytes(StandardCharsets.UTF_8);
      }
      return onOperand(
          subject,
          args.get(0),
          generic,
          v -> v instanceof VarCharVector,
          (x, n, a) -> PredicateKernels.inStrings(x, constants, listHasNull, n, a));
    }
    if (ks == Kind.INTEGER || ks == Kind.DATE || ks == Kind.TIMESTAMP) {
      long[] constants = new long[count];
      for (int i = 0; i < count; i++) {
        constants[i] = ((Number) values[i]).longValue();
      }
      Arrays.sort(constants);
      return onOperand(
          subject,
          args.get(0),
          generic,
          PredicateKernels::isLongLayout,
          (x, n, a) -> PredicateKernels.inLongs(x, constants, listHasNull, n, a));
    }
    if (ks == Kind.DECIMAL) {
      int scale = ((ArrowType.Decimal) subject.type()).getScale();
      long[] constants = new long[count];
      int k = 0;
      for (int i = 0; i < count; i++) {
        BigDecimal d = Functions.toDecimal(values[i]);
        if (d.stripTrailingZeros().scale() > scale) {
          continue; // no value at the column's scale equals it
        }
        Long unscaled = unscaledAt(d, scale);
        if (unscaled == null) {
          return null; // beyond 64 bits: the generic path compares exactly
        }
        constants[k++] = unscaled;
      }
      long[] sorted = Arrays.copyOf(constants, k);
      Arrays.sort(sorted);
      return onOperand(
          subject,
          args.get(0),
          generic,
          v -> v instanceof DecimalVector,
          (x, n, a) -> PredicateKernels.inDecimals(x, sorted, listHasNull, n, a));
    }
    return null;
  }

  // ---------------------------------------------------------------- LIKE, strings, dates, casts

  private static Evaluator like(Call call, List<Evaluator> args, Evaluator generic) {
    if (call.args().size() != 2
        || !isUtf8(call.args().get(0))
        || !nonNullLiteral(call.args().get(1))) {
      return null;
    }
    LikeMatcher matcher = LikeMatcher.of(((Literal) call.args().get(1)).value().toString());
    if (matcher == null) {
      return null;
    }
    return onOperand(
        call.args().get(0),
        args.get(0),
        generic,
        v -> v instanceof VarCharVector,
        (x, n, a) -> PredicateKernels.like(x, matcher, n, a));
  }

  private static Evaluator substring(Call call, List<Evaluator> args, Evaluator generic) {
    List<Expr> a = call.args();
    if (!isUtf8(a.get(0))) {
      return null;
    }
    for (int i = 1; i < a.size(); i++) {
      if (!nonNullLiteral(a.get(i)) || Kind.of(a.get(i).type()) != Kind.INTEGER) {
        return null;
      }
    }
    long start = ((Number) ((Literal) a.get(1)).value()).longValue();
    long length =
        a.size() > 2 ? ((Number) ((Literal) a.get(2)).value()).longValue() : Long.MAX_VALUE / 2;
    if (length < 0) {
      return null; // the generic path reports the error
    }
    return onOperand(
        a.get(0),
        args.get(0),
        generic,
        v -> v instanceof VarCharVector,
        (x, n, al) -> StringKernels.substring(x, start, length, n, al));
  }

  private static Evaluator extract(Call call, List<Evaluator> args, Evaluator generic) {
    Expr field = call.args().get(0);
    Expr value = call.args().get(1);
    if (!nonNullLiteral(field) || !isLongResult(call.type())) {
      return null;
    }
    int code = CastKernels.field(((Literal) field).value().toString());
    boolean isDate = value.type() instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY;
    boolean isMicros =
        value.type() instanceof ArrowType.Timestamp t && t.getUnit() == TimeUnit.MICROSECOND;
    if (code < 0 || !isDate && !isMicros) {
      return null;
    }
    return onOperand(
        value,
        args.get(1),
        generic,
        PredicateKernels::isLongLayout,
        (x, n, a) ->
            CastKernels.integers(
                "EXTRACT", call.type(), CastKernels.extract(x, code, isMicros, n), x, n, a));
  }

  private static Evaluator cast(Call call, List<Evaluator> args, Evaluator generic) {
    Expr subject = call.args().get(0);
    ArrowType from = subject.type();
    ArrowType to = call.type();
    if (from.getTypeID() == ArrowType.ArrowTypeID.Null
        || from instanceof ArrowType.Int i && !i.getIsSigned()
        || !CastKernels.supports(from, to)) {
      return null;
    }
    Predicate<FieldVector> accepts =
        switch (Kind.of(from)) {
          case DECIMAL -> v -> v instanceof DecimalVector;
          case STRING -> v -> v instanceof VarCharVector;
          default -> PredicateKernels::isLongLayout;
        };
    return onOperand(
        subject, args.get(0), generic, accepts, (x, n, a) -> CastKernels.cast(x, from, to, n, a));
  }

  // ---------------------------------------------------------------- CASE and COALESCE

  /**
   * CASE or COALESCE with typed output: conditions and values are evaluated only on the rows that
   * need them (as in the generic path), then each output row is copied from the vector of the
   * branch that produced it, with no boxing when that vector has the result type.
   */
  static Evaluator caseOrCoalesce(Call call, List<Evaluator> args, Evaluator generic) {
    ArrowType type = call.type();
    if (Kind.of(type) == Kind.NULL) {
      return generic;
    }
    boolean isCase = call.function() == ScalarFunction.CASE;
    return (page, allocator) -> {
      int n = page.count();
      // source[i]: the index of the value vector row i takes (-1: NULL); index[i]: its row there
      int[] source = new int[n];
      int[] index = new int[n];
      Arrays.fill(source, -1);
      FieldVector[] values = new FieldVector[args.size()];
      try {
        if (isCase) {
          evaluateCase(args, page, allocator, source, index, values);
        } else {
          evaluateCoalesce(args, page, allocator, source, index, values);
        }
        return assemble(type, values, source, index, n, allocator);
      } finally {
        for (FieldVector v : values) {
          if (v != null) {
            v.close();
          }
        }
      }
    };
  }

  /**
   * The rows of {@code page} whose mark is {@code wanted}: their indexes in {@code rows} and the
   * sub-page of them (the page itself when that is every row). Returns the count.
   */
  private static Page rowsMarked(Page page, int[] marks, int wanted, int[] rows) {
    int n = page.count();
    int m = 0;
    for (int i = 0; i < n; i++) {
      rows[m] = i;
      m += marks[i] == wanted ? 1 : 0;
    }
    if (m == n) {
      return page;
    }
    int[] positions = new int[m];
    for (int j = 0; j < m; j++) {
      positions[j] = page.position(rows[j]);
    }
    return new Page(page.root(), positions, m);
  }

  private static void evaluateCase(
      List<Evaluator> args,
      Page page,
      BufferAllocator allocator,
      int[] source,
      int[] index,
      FieldVector[] values) {
    int n = page.count();
    int[] branch = new int[n];
    Arrays.fill(branch, -1);
    int[] rows = new int[n];
    int pairs = (args.size() - 1) / 2;
    for (int p = 0; p < pairs; p++) {
      Page open = rowsMarked(page, branch, -1, rows);
      if (open.count() == 0) {
        break;
      }
      try (FieldVector cond = args.get(2 * p).evaluate(open, allocator)) {
        ArrowBuf validity = cond.getValidityBuffer();
        ArrowBuf data = cond.getDataBuffer();
        boolean noNulls = cond.getNullCount() == 0;
        for (int j = 0; j < open.count(); j++) {
          boolean taken =
              (noNulls || BitVectorHelper.get(validity, j) != 0)
                  && BitVectorHelper.get(data, j) != 0;
          if (taken) {
            branch[rows[j]] = p;
          }
        }
      }
    }
    for (int p = -1; p < pairs; p++) {
      Page taking = rowsMarked(page, branch, p, rows);
      if (taking.count() == 0) {
        continue;
      }
      int arg = p < 0 ? args.size() - 1 : 2 * p + 1;
      values[arg] = args.get(arg).evaluate(taking, allocator);
      for (int j = 0; j < taking.count(); j++) {
        source[rows[j]] = arg;
        index[rows[j]] = j;
      }
    }
  }

  private static void evaluateCoalesce(
      List<Evaluator> args,
      Page page,
      BufferAllocator allocator,
      int[] source,
      int[] index,
      FieldVector[] values) {
    int[] rows = new int[page.count()];
    for (int a = 0; a < args.size(); a++) {
      Page open = rowsMarked(page, source, -1, rows);
      if (open.count() == 0) {
        break;
      }
      FieldVector v = args.get(a).evaluate(open, allocator);
      values[a] = v;
      ArrowBuf validity = v.getValidityBuffer();
      boolean noNulls = v.getNullCount() == 0;
      for (int j = 0; j < open.count(); j++) {
        if (noNulls || BitVectorHelper.get(validity, j) != 0) {
          source[rows[j]] = a;
          index[rows[j]] = j;
        }
      }
    }
  }

  /** Row i of {@code out} from row index[i] of values[source[i]] (NULL when source[i] < 0). */
  private static void gatherFixed(
      BaseFixedWidthVector out, FieldVector[] values, int[] source, int[] index, int n) {
    ArrowBuf[] data = new ArrowBuf[values.length];
    ArrowBuf[] validity = new ArrowBuf[values.length];
    for (int a = 0; a < values.length; a++) {
      if (values[a] != null) {
        data[a] = values[a].getDataBuffer();
        validity[a] = values[a].getValidityBuffer();
      }
    }
    ArrowBuf to = out.getDataBuffer();
    ArrowBuf toValidity = out.getValidityBuffer();
    int width = out.getTypeWidth();
    for (int i = 0; i < n; i++) {
      int a = source[i];
      if (a < 0) {
        continue;
      }
      int j = index[i];
      if (BitVectorHelper.get(validity[a], j) == 0) {
        continue;
      }
      BitVectorHelper.setBit(toValidity, i);
      switch (width) {
        case 8 -> to.setLong((long) i * 8, data[a].getLong((long) j * 8));
        case 4 -> to.setInt((long) i * 4, data[a].getInt((long) j * 4));
        case 16 -> {
          to.setLong((long) i * 16, data[a].getLong((long) j * 16));
          to.setLong((long) i * 16 + 8, data[a].getLong((long) j * 16 + 8));
        }
        default -> to.setBytes((long) i * width, data[a], (long) j * width, width);
      }
    }
  }

  private static FieldVector assemble(
      ArrowType type,
      FieldVector[] values,
      int[] source,
      int[] index,
      int n,
      BufferAllocator allocator) {
    FieldVector out = Values.newVector("case", type, allocator);
    try {
      out.setInitialCapacity(n);
      out.allocateNew();
      boolean[] same = new boolean[values.length];
      boolean allSame = true;
      for (int a = 0; a < values.length; a++) {
        same[a] =
            values[a] != null
                && values[a].getClass() == out.getClass()
                && values[a].getField().getType().equals(type);
        allSame &= same[a] || values[a] == null;
      }
      if (allSame && out instanceof BaseFixedWidthVector fixed && !(out instanceof BitVector)) {
        gatherFixed(fixed, values, source, index, n);
        out.setValueCount(n);
        return out;
      }
      for (int i = 0; i < n; i++) {
        int a = source[i];
        if (a < 0) {
          Values.setNull(out, i);
        } else if (same[a]) {
          out.copyFromSafe(index[i], i, values[a]);
        } else {
          Values.set(out, i, ExpressionCompiler.coerce(Values.get(values[a], index[i]), type));
        }
      }
      out.setValueCount(n);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }
}
