package io.oxbow.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.exec.Page;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every typed fast path against the generic row-by-row path ({@link
 * ExpressionCompiler#compileGeneric}) on random data with NULLs, over a full page, a page with a
 * selection vector and an empty page: same values, or the same error message.
 */
class TestFastPaths {
  private static final ArrowType DEC = Kind.decimal(15, 2);
  private static final ArrowType WIDE = Kind.decimal(38, 4);
  private static final ArrowType INT32 = Kind.INT32;
  private static final ArrowType INT64 = Kind.INT64;
  private static final String[] PIECES = {
    "a", "b", "ab", "green", "PROMO", " ", "Customer", "Complaints", "é", "É", "中", "😀", "%", "x"
  };

  private static final ColumnRef BIG = new ColumnRef(0, INT64);
  private static final ColumnRef INT = new ColumnRef(1, INT32);
  private static final ColumnRef DATE = new ColumnRef(2, Kind.DATE_DAY);
  private static final ColumnRef D = new ColumnRef(3, DEC);
  private static final ColumnRef W = new ColumnRef(4, WIDE);
  private static final ColumnRef DBL = new ColumnRef(5, Kind.FLOAT64);
  private static final ColumnRef S = new ColumnRef(6, Kind.UTF8);
  private static final ColumnRef TS = new ColumnRef(7, Kind.TIMESTAMP_MICRO);
  private static final ColumnRef DATE_TEXT = new ColumnRef(8, Kind.UTF8);

  private BufferAllocator allocator;
  private VectorSchemaRoot root;
  private final Random random = new Random(42);

  @BeforeEach
  void createData() {
    allocator = new RootAllocator();
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("big", INT64),
                Field.nullable("int", INT32),
                Field.nullable("date", Kind.DATE_DAY),
                Field.nullable("d", DEC),
                Field.nullable("w", WIDE),
                Field.nullable("dbl", Kind.FLOAT64),
                Field.nullable("s", Kind.UTF8),
                Field.nullable("ts", Kind.TIMESTAMP_MICRO),
                Field.nullable("date_text", Kind.UTF8)));
    root = VectorSchemaRoot.create(schema, allocator);
    int rows = 3000;
    for (FieldVector v : root.getFieldVectors()) {
      v.setInitialCapacity(rows);
      v.allocateNew();
    }
    for (int r = 0; r < rows; r++) {
      set(0, r, (long) (random.nextInt(41) - 20) * (random.nextInt(10) == 0 ? 1_000_000_007L : 1));
      set(1, r, (long) random.nextInt(2001) - 1000);
      set(2, r, random.nextInt(40_000) - 10_000 + (random.nextInt(20) == 0 ? -800_000 : 0));
      set(3, r, BigDecimal.valueOf(random.nextInt(20_001) - 10_000, 2));
      BigDecimal wide = BigDecimal.valueOf(random.nextLong(), 4);
      if (random.nextInt(4) == 0) {
        wide = wide.multiply(BigDecimal.valueOf(1_000_000_000_000L)).setScale(4);
      } else if (random.nextInt(3) == 0) {
        wide = BigDecimal.valueOf(random.nextInt(2001) - 1000, 2).setScale(4);
      }
      set(4, r, wide);
      set(5, r, (random.nextInt(201) - 100) / 4.0);
      set(6, r, randomString());
      set(7, r, (random.nextLong() % 4_000_000_000_000_000L));
      set(8, r, randomDateText());
    }
    root.setRowCount(rows);
  }

  private void set(int column, int row, Object value) {
    Values.set(root.getVector(column), row, random.nextInt(10) == 0 ? null : value);
  }

  private String randomString() {
    StringBuilder sb = new StringBuilder();
    int pieces = random.nextInt(5);
    for (int i = 0; i < pieces; i++) {
      sb.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  private String randomDateText() {
    return switch (random.nextInt(4)) {
      case 0 -> " 1995-03-15 ";
      case 1 ->
          String.format(
              "%04d-%02d-%02d",
              1 + random.nextInt(9999), 1 + random.nextInt(12), 1 + random.nextInt(28));
      case 2 -> "2000-02-29";
      default -> "+12345-01-01";
    };
  }

  @AfterEach
  void close() {
    root.close();
    allocator.close(); // fails on a leak
  }

  // ---------------------------------------------------------------- helpers

  private static Call call(ScalarFunction fn, ArrowType type, Expr... args) {
    return new Call(fn, List.of(args), type);
  }

  private static Literal lit(Object value, ArrowType type) {
    return new Literal(value, type);
  }

  private List<Page> pages() {
    int n = root.getRowCount();
    int[] selection = new int[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (random.nextInt(3) != 0) {
        selection[m++] = i;
      }
    }
    int[] few = {3, 17, 18, 19, 200, n - 1};
    return List.of(
        Page.of(root),
        new Page(root, Arrays.copyOf(selection, m), m),
        new Page(root, selection, m / 2),
        new Page(root, few, few.length),
        new Page(root, new int[0], 0));
  }

  /** The values of {@code expr} over {@code page}, or the error's message. */
  private Object run(Evaluator evaluator, Page page) {
    try (FieldVector v = evaluator.evaluate(page, allocator)) {
      assertThat(v.getValueCount()).isEqualTo(page.count());
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < page.count(); i++) {
        out.add(Values.get(v, i));
      }
      return out;
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private void check(Expr... exprs) {
    for (Expr expr : exprs) {
      Evaluator fast = ExpressionCompiler.compile(expr);
      Evaluator generic = ExpressionCompiler.compileGeneric(expr);
      for (Page page : pages()) {
        Object expected = run(generic, page);
        assertThat(run(fast, page)).as("%s over %d rows", expr, page.count()).isEqualTo(expected);
      }
    }
  }

  /** Like {@link #check} but the expression must not fail (guards against vacuous agreement). */
  private void checkValues(Expr... exprs) {
    for (Expr expr : exprs) {
      Object full = run(ExpressionCompiler.compileGeneric(expr), Page.of(root));
      assertThat(full).as("%s", expr).isInstanceOf(List.class);
    }
    check(exprs);
  }

  private static final ScalarFunction[] COMPARISONS = {
    ScalarFunction.EQUAL,
    ScalarFunction.NOT_EQUAL,
    ScalarFunction.LESS_THAN,
    ScalarFunction.LESS_THAN_OR_EQUAL,
    ScalarFunction.GREATER_THAN,
    ScalarFunction.GREATER_THAN_OR_EQUAL,
    ScalarFunction.IS_DISTINCT_FROM,
    ScalarFunction.IS_NOT_DISTINCT_FROM
  };

  private void compareBothWays(Expr column, Literal literal) {
    for (ScalarFunction fn : COMPARISONS) {
      checkValues(call(fn, Kind.BOOL, column, literal), call(fn, Kind.BOOL, literal, column));
    }
  }

  // ---------------------------------------------------------------- tests

  @Test
  void columnReferencesAndLiterals() {
    for (int c = 0; c < root.getFieldVectors().size(); c++) {
      checkValues(new ColumnRef(c, root.getVector(c).getField().getType()));
    }
    checkValues(
        lit(7L, INT64),
        lit(3, INT32),
        lit(new BigDecimal("1.50"), DEC),
        lit("héllo", Kind.UTF8),
        lit(true, Kind.BOOL),
        lit(null, DEC),
        lit(null, Kind.UTF8),
        lit(9000, Kind.DATE_DAY));
  }

  @Test
  void columnReferenceSharesBuffersWithoutSelection() {
    Page page = Page.of(root);
    for (int c = 0; c < root.getFieldVectors().size(); c++) {
      FieldVector from = root.getVector(c);
      try (FieldVector v =
          ExpressionCompiler.compile(new ColumnRef(c, from.getField().getType()))
              .evaluate(page, allocator)) {
        assertThat(v.getDataBuffer().memoryAddress())
            .isEqualTo(from.getDataBuffer().memoryAddress());
      }
      // the source column is intact after the shared vector was closed
      assertThat(from.getValueCount()).isEqualTo(root.getRowCount());
      int row = 0;
      while (from.isNull(row)) {
        row++;
      }
      assertThat(Values.get(from, row)).isNotNull();
    }
    checkValues(new ColumnRef(6, Kind.UTF8));
    // a column from an allocator of another root is copied, not shared
    try (BufferAllocator other = new RootAllocator();
        FieldVector copy =
            ExpressionCompiler.compile(new ColumnRef(6, Kind.UTF8)).evaluate(page, other)) {
      assertThat(copy.getDataBuffer().memoryAddress())
          .isNotEqualTo(root.getVector(6).getDataBuffer().memoryAddress());
      for (int i = 0; i < page.count(); i++) {
        assertThat(Values.get(copy, i)).isEqualTo(Values.get(root.getVector(6), i));
      }
    }
  }

  @Test
  void sharedColumnOutlivesItsPageAndAllocator() {
    Page full = Page.of(root);
    for (int c = 0; c < root.getFieldVectors().size(); c++) {
      ArrowType type = root.getVector(c).getField().getType();
      List<Object> expected = new ArrayList<>();
      for (int i = 0; i < root.getRowCount(); i++) {
        expected.add(Values.get(root.getVector(c), i));
      }
      Evaluator reference = ExpressionCompiler.compile(new ColumnRef(0, type));
      try (BufferAllocator evaluation =
          allocator.newChildAllocator("evaluation", 0, Long.MAX_VALUE)) {
        FieldVector shared;
        try (BufferAllocator scan = allocator.newChildAllocator("scan", 0, Long.MAX_VALUE)) {
          VectorSchemaRoot page =
              VectorSchemaRoot.create(new Schema(List.of(root.getVector(c).getField())), scan);
          Vectors.gather(root.getVector(c), null, root.getRowCount(), scan)
              .makeTransferPair(page.getVector(0))
              .transfer();
          page.setRowCount(root.getRowCount());
          shared = reference.evaluate(Page.of(page), evaluation);
          page.close();
        } // closing the scan's allocator must not find the shared buffers leaked
        try (FieldVector v = shared) {
          for (int i = 0; i < v.getValueCount(); i++) {
            assertThat(Values.get(v, i)).isEqualTo(expected.get(i));
          }
        }
      }
    }
    assertThat(full.count()).isEqualTo(root.getRowCount());
    // and a boolean column
    try (BufferAllocator evaluation =
        allocator.newChildAllocator("evaluation", 0, Long.MAX_VALUE)) {
      FieldVector shared;
      try (BufferAllocator scan = allocator.newChildAllocator("scan", 0, Long.MAX_VALUE)) {
        VectorSchemaRoot page =
            VectorSchemaRoot.create(new Schema(List.of(Field.nullable("b", Kind.BOOL))), scan);
        page.getVector(0).setInitialCapacity(100);
        page.getVector(0).allocateNew();
        for (int i = 0; i < 100; i++) {
          Values.set(page.getVector(0), i, i % 7 == 0 ? null : i % 3 == 0);
        }
        page.setRowCount(100);
        shared =
            ExpressionCompiler.compile(new ColumnRef(0, Kind.BOOL))
                .evaluate(Page.of(page), evaluation);
        page.close();
      }
      try (FieldVector v = shared) {
        for (int i = 0; i < 100; i++) {
          assertThat(Values.get(v, i)).isEqualTo(i % 7 == 0 ? null : i % 3 == 0);
        }
      }
    }
  }

  @Test
  void comparisonsWithLiterals() {
    compareBothWays(BIG, lit(3L, INT64));
    compareBothWays(INT, lit(-17, INT32));
    compareBothWays(DATE, lit(9204, Kind.DATE_DAY));
    compareBothWays(TS, lit(123_456_789_000L, Kind.TIMESTAMP_MICRO));
    compareBothWays(D, lit(new BigDecimal("0.05"), Kind.decimal(3, 2)));
    compareBothWays(D, lit(new BigDecimal("12.5"), Kind.decimal(3, 1)));
    compareBothWays(D, lit(new BigDecimal("12.345"), Kind.decimal(5, 3)));
    compareBothWays(D, lit(24L, INT64));
    compareBothWays(W, lit(new BigDecimal("-3.14"), Kind.decimal(3, 2)));
    compareBothWays(W, lit(new BigDecimal("123456789012345678901234.5"), Kind.decimal(25, 1)));
    compareBothWays(BIG, lit(new BigDecimal("2.00"), Kind.decimal(3, 2)));
    compareBothWays(BIG, lit(new BigDecimal("2.50"), Kind.decimal(3, 2)));
    compareBothWays(DBL, lit(2.5, Kind.FLOAT64));
    compareBothWays(DBL, lit(3L, INT64));
    compareBothWays(S, lit("ab", Kind.UTF8));
    compareBothWays(S, lit("é", Kind.UTF8));
    compareBothWays(S, lit("", Kind.UTF8));
    compareBothWays(S, lit("PROMOgreen😀", Kind.UTF8));
    // a computed operand
    compareBothWays(call(ScalarFunction.ADD, INT64, BIG, lit(1L, INT64)), lit(3L, INT64));
    check(call(ScalarFunction.EQUAL, Kind.BOOL, S, lit(null, Kind.UTF8)));
  }

  @Test
  void inLists() {
    Expr[] strings = {
      lit("a", Kind.UTF8), lit("green", Kind.UTF8), lit("é", Kind.UTF8), lit("", Kind.UTF8)
    };
    List<Expr> many = new ArrayList<>();
    many.add(S);
    for (String a : PIECES) {
      for (String b : new String[] {"", "a", "é"}) {
        many.add(lit(a + b, Kind.UTF8));
      }
    }
    checkValues(
        in(S, strings),
        in(S, lit("a", Kind.UTF8), lit(null, Kind.UTF8)),
        new Call(ScalarFunction.IN, many, Kind.BOOL),
        in(BIG, lit(1L, INT64), lit(-3L, INT64), lit(5L, INT64)),
        in(BIG, lit(1L, INT64), lit(null, INT64)),
        in(INT, longs(INT32, 20)),
        in(DATE, lit(9204, Kind.DATE_DAY), lit(100, Kind.DATE_DAY)),
        in(
            D,
            lit(new BigDecimal("1.50"), DEC),
            lit(new BigDecimal("-0.01"), DEC),
            lit(new BigDecimal("2.345"), Kind.decimal(4, 3)),
            lit(3L, INT64)),
        in(W, lit(new BigDecimal("1.5"), Kind.decimal(2, 1)), lit(null, DEC)));
  }

  @Test
  void orOfEqualitiesAsIn() {
    checkValues(
        or(
            call(ScalarFunction.EQUAL, Kind.BOOL, S, lit("a", Kind.UTF8)),
            call(ScalarFunction.EQUAL, Kind.BOOL, lit("é", Kind.UTF8), S)),
        or(
            call(
                ScalarFunction.EQUAL, Kind.BOOL, D, lit(new BigDecimal("1.5"), Kind.decimal(2, 1))),
            call(ScalarFunction.EQUAL, Kind.BOOL, D, lit(2L, INT64))),
        or(
            call(ScalarFunction.EQUAL, Kind.BOOL, DATE, lit(9204, Kind.DATE_DAY)),
            call(ScalarFunction.EQUAL, Kind.BOOL, DATE, lit(100, Kind.DATE_DAY))),
        // a computed subject (TPC-H Q22's substring(c_phone, 1, 2)), evaluated once
        or(
            call(
                ScalarFunction.EQUAL,
                Kind.BOOL,
                call(ScalarFunction.SUBSTRING, Kind.UTF8, S, lit(1L, INT64), lit(1L, INT64)),
                lit("a", Kind.UTF8)),
            call(
                ScalarFunction.EQUAL,
                Kind.BOOL,
                lit("é", Kind.UTF8),
                call(ScalarFunction.SUBSTRING, Kind.UTF8, S, lit(1L, INT64), lit(1L, INT64))),
            call(
                ScalarFunction.EQUAL,
                Kind.BOOL,
                call(ScalarFunction.SUBSTRING, Kind.UTF8, S, lit(1L, INT64), lit(1L, INT64)),
                lit("zz", Kind.UTF8))),
        or(
            call(
                ScalarFunction.EQUAL,
                Kind.BOOL,
                call(ScalarFunction.ADD, INT64, BIG, lit(1L, INT64)),
                lit(1L, INT64)),
            call(
                ScalarFunction.EQUAL,
                Kind.BOOL,
                call(ScalarFunction.ADD, INT64, BIG, lit(1L, INT64)),
                lit(-5L, INT64))),
        // not a rewrite: different columns, or a DOUBLE column
        or(
            call(ScalarFunction.EQUAL, Kind.BOOL, BIG, lit(1L, INT64)),
            call(ScalarFunction.EQUAL, Kind.BOOL, INT, lit(1, INT32))),
        or(
            call(ScalarFunction.EQUAL, Kind.BOOL, DBL, lit(2.5, Kind.FLOAT64)),
            call(ScalarFunction.EQUAL, Kind.BOOL, DBL, lit(0.0, Kind.FLOAT64))));
  }

  private Expr[] longs(ArrowType type, int count) {
    Expr[] out = new Expr[count];
    for (int i = 0; i < count; i++) {
      out[i] = lit(random.nextInt(2001) - 1000, type);
    }
    return out;
  }

  private static Call in(Expr subject, Expr... list) {
    List<Expr> args = new ArrayList<>();
    args.add(subject);
    args.addAll(List.of(list));
    return new Call(ScalarFunction.IN, args, Kind.BOOL);
  }

  @Test
  void likePatterns() {
    for (String pattern :
        new String[] {
          "a%",
          "%b",
          "%é%",
          "%a%b%",
          "ab",
          "%",
          "",
          "%%",
          "PROMO%",
          "%Customer%Complaints%",
          "%green%",
          "é%中",
          "%😀",
          "a_b",
          "_%",
          "%a%a%a%"
        }) {
      checkValues(call(ScalarFunction.LIKE, Kind.BOOL, S, lit(pattern, Kind.UTF8)));
    }
    check(call(ScalarFunction.LIKE, Kind.BOOL, S, lit(null, Kind.UTF8)));
    checkValues(
        call(
            ScalarFunction.NOT,
            Kind.BOOL,
            call(ScalarFunction.LIKE, Kind.BOOL, S, lit("%a%b%", Kind.UTF8))),
        call(ScalarFunction.NOT, Kind.BOOL, lit(true, Kind.BOOL)),
        call(ScalarFunction.NOT, Kind.BOOL, lit(null, Kind.BOOL)));
    // characters beyond the BMP match on both paths (the regex path once quoted surrogates apart)
    Expr emoji =
        call(ScalarFunction.LIKE, Kind.BOOL, lit("a😀b", Kind.UTF8), lit("%😀_", Kind.UTF8));
    assertThat(run(ExpressionCompiler.compileGeneric(emoji), Page.of(root)))
        .isEqualTo(java.util.Collections.nCopies(root.getRowCount(), true));
  }

  @Test
  void stringFunctions() {
    long[][] bounds = {{1, 2}, {2, 3}, {0, 3}, {5, 0}, {-1, 3}, {100, 2}, {3, Long.MAX_VALUE / 4}};
    for (long[] b : bounds) {
      checkValues(call(ScalarFunction.SUBSTRING, Kind.UTF8, S, lit(b[0], INT64), lit(b[1], INT64)));
    }
    checkValues(call(ScalarFunction.SUBSTRING, Kind.UTF8, S, lit(2L, INT64)));
    check(call(ScalarFunction.SUBSTRING, Kind.UTF8, S, lit(2L, INT64), lit(-1L, INT64)));
    checkValues(
        call(ScalarFunction.UPPER, Kind.UTF8, S),
        call(ScalarFunction.LOWER, Kind.UTF8, S),
        call(ScalarFunction.CHAR_LENGTH, INT64, S),
        call(ScalarFunction.UPPER, Kind.UTF8, lit("Héllo wörld", Kind.UTF8)),
        call(ScalarFunction.LOWER, Kind.UTF8, lit("ÀB ÇD", Kind.UTF8)));
  }

  @Test
  void extractDateFields() {
    for (String field : new String[] {"YEAR", "month", "DAY", "QUARTER"}) {
      checkValues(
          call(ScalarFunction.EXTRACT, INT64, lit(field, Kind.UTF8), DATE),
          call(ScalarFunction.EXTRACT, INT64, lit(field, Kind.UTF8), TS));
    }
  }

  @Test
  void casts() {
    checkValues(
        call(ScalarFunction.CAST, INT64, INT),
        call(ScalarFunction.CAST, Kind.decimal(10, 2), INT),
        call(ScalarFunction.CAST, Kind.decimal(12, 0), BIG),
        call(ScalarFunction.CAST, Kind.FLOAT64, BIG),
        call(ScalarFunction.CAST, Kind.decimal(15, 1), D),
        call(ScalarFunction.CAST, Kind.decimal(18, 5), D),
        call(ScalarFunction.CAST, Kind.decimal(38, 10), D),
        call(ScalarFunction.CAST, Kind.FLOAT64, D),
        call(ScalarFunction.CAST, Kind.FLOAT64, W),
        call(ScalarFunction.CAST, INT64, D),
        call(ScalarFunction.CAST, INT32, D),
        call(ScalarFunction.CAST, Kind.TIMESTAMP_MICRO, DATE),
        call(ScalarFunction.CAST, Kind.DATE_DAY, TS),
        call(ScalarFunction.CAST, Kind.DATE_DAY, DATE_TEXT));
    // failures: same message from the same row
    check(
        call(ScalarFunction.CAST, Kind.decimal(4, 2), D),
        call(ScalarFunction.CAST, Kind.decimal(10, 2), W),
        call(ScalarFunction.CAST, INT32, BIG),
        call(ScalarFunction.CAST, new ArrowType.Int(16, true), INT),
        call(ScalarFunction.CAST, INT64, W),
        call(ScalarFunction.CAST, Kind.DATE_DAY, S),
        call(ScalarFunction.CAST, Kind.DATE_DAY, lit("garbage", Kind.UTF8)),
        call(ScalarFunction.CAST, Kind.DATE_DAY, lit("1995-02-30", Kind.UTF8)));
    assertThat(
            run(
                ExpressionCompiler.compile(
                    call(ScalarFunction.CAST, Kind.DATE_DAY, lit("garbage", Kind.UTF8))),
                Page.of(root)))
        .asString()
        .contains("Cannot cast 'garbage' to DATE");
  }

  @Test
  void caseAndCoalesce() {
    Expr positive = call(ScalarFunction.GREATER_THAN, Kind.BOOL, BIG, lit(0L, INT64));
    Expr promo = call(ScalarFunction.LIKE, Kind.BOOL, S, lit("PROMO%", Kind.UTF8));
    checkValues(
        call(ScalarFunction.CASE, Kind.decimal(16, 2), positive, D, lit(0L, INT64)),
        call(ScalarFunction.CASE, Kind.decimal(16, 2), promo, D, lit(null, Kind.decimal(1, 0))),
        call(
            ScalarFunction.CASE,
            Kind.UTF8,
            positive,
            S,
            promo,
            lit("promo", Kind.UTF8),
            lit(null, Kind.UTF8)),
        call(ScalarFunction.CASE, INT64, positive, lit(1L, INT64), lit(0L, INT64)),
        call(
            ScalarFunction.CASE,
            DEC,
            positive,
            D,
            promo,
            lit(new BigDecimal("1.00"), DEC),
            lit(0L, INT64)),
        call(ScalarFunction.CASE, Kind.DATE_DAY, positive, DATE, lit(null, Kind.DATE_DAY)),
        call(ScalarFunction.CASE, Kind.BOOL, positive, promo, lit(false, Kind.BOOL)),
        call(ScalarFunction.CASE, Kind.FLOAT64, positive, DBL, lit(1L, INT64)),
        call(ScalarFunction.COALESCE, DEC, D, lit(0L, INT64)),
        call(ScalarFunction.COALESCE, Kind.UTF8, S, lit("none", Kind.UTF8)),
        call(ScalarFunction.COALESCE, INT64, BIG, call(ScalarFunction.CAST, INT64, INT)),
        call(ScalarFunction.COALESCE, Kind.decimal(38, 4), W, D, lit(null, DEC)));
    // a value overflowing the result type fails on the generic path's terms
    check(call(ScalarFunction.CASE, Kind.decimal(3, 2), positive, D, lit(0L, INT64)));
    // a literal that cannot be converted fails only when a row takes it, on both paths
    check(
        call(ScalarFunction.CASE, DEC, positive, D, lit(true, Kind.BOOL)),
        call(ScalarFunction.CASE, DEC, lit(true, Kind.BOOL), D, lit(true, Kind.BOOL)));
  }

  @Test
  void fusedDecimalArithmeticEqualsTheGeneralPath() {
    ArrowType one = Kind.decimal(1, 0);
    Expr oneMinusD =
        call(ScalarFunction.SUBTRACT, Kind.decimal(16, 2), lit(BigDecimal.ONE, one), D);
    Expr onePlusD = call(ScalarFunction.ADD, Kind.decimal(16, 2), lit(BigDecimal.ONE, one), D);
    Expr revenue = call(ScalarFunction.MULTIPLY, Kind.decimal(31, 4), D, oneMinusD);
    // Q1's charge, Q9's profit, sums over integers and mixed scales, a tree with a wide input
    // (values beyond 64 bits: the general path takes those batches), NULL inputs, a literal on
    // either side of every operation
    checkValues(
        call(ScalarFunction.MULTIPLY, Kind.decimal(38, 6), revenue, onePlusD),
        revenue,
        call(
            ScalarFunction.SUBTRACT,
            Kind.decimal(38, 4),
            revenue,
            call(ScalarFunction.MULTIPLY, Kind.decimal(31, 4), D, D)),
        call(
            ScalarFunction.ADD,
            Kind.decimal(22, 2),
            call(ScalarFunction.MULTIPLY, Kind.decimal(21, 2), BIG, D),
            INT),
        call(
            ScalarFunction.SUBTRACT,
            Kind.decimal(38, 6),
            call(ScalarFunction.MULTIPLY, Kind.decimal(38, 6), W, D),
            D),
        call(
            ScalarFunction.MULTIPLY,
            Kind.decimal(20, 3),
            lit(new BigDecimal("0.2"), Kind.decimal(2, 1)),
            call(ScalarFunction.ADD, Kind.decimal(17, 2), D, lit(new BigDecimal("-7.25"), DEC))),
        call(
            ScalarFunction.MULTIPLY,
            Kind.decimal(19, 3),
            call(
                ScalarFunction.ADD,
                Kind.decimal(17, 2),
                call(ScalarFunction.SUBTRACT, Kind.decimal(16, 2), D, lit(1L, INT32)),
                lit(new BigDecimal("2.50"), Kind.decimal(3, 2))),
            lit(new BigDecimal("0.5"), Kind.decimal(2, 1))));
    // a precision too small for most products: the same overflow error as the general path
    assertThat(
            run(
                ExpressionCompiler.compileGeneric(
                    call(ScalarFunction.MULTIPLY, Kind.decimal(6, 4), D, D)),
                Page.of(root)))
        .asString()
        .contains("overflow");
    check(
        call(
            ScalarFunction.ADD,
            Kind.decimal(7, 4),
            call(ScalarFunction.MULTIPLY, Kind.decimal(6, 4), D, D),
            D),
        // a step that rounds (product at scale 2, not 4) is left to the general path
        call(
            ScalarFunction.ADD,
            Kind.decimal(20, 2),
            call(ScalarFunction.MULTIPLY, Kind.decimal(20, 2), D, D),
            D));
  }

  @Test
  void tpchStylePredicates() {
    // Q6: l_shipdate >= d and l_shipdate < d2 and l_discount between 0.05 and 0.07 and qty < 24
    Expr q6 =
        and(
            call(ScalarFunction.GREATER_THAN_OR_EQUAL, Kind.BOOL, DATE, lit(8766, Kind.DATE_DAY)),
            call(ScalarFunction.LESS_THAN, Kind.BOOL, DATE, lit(9131, Kind.DATE_DAY)),
            call(
                ScalarFunction.GREATER_THAN_OR_EQUAL,
                Kind.BOOL,
                D,
                lit(new BigDecimal("-0.50"), Kind.decimal(3, 2))),
            call(
                ScalarFunction.LESS_THAN_OR_EQUAL,
                Kind.BOOL,
                D,
                lit(new BigDecimal("50.00"), Kind.decimal(4, 2))),
            call(ScalarFunction.LESS_THAN, Kind.BOOL, BIG, lit(24L, INT64)));
    Expr q19 =
        or(
            and(
                call(ScalarFunction.EQUAL, Kind.BOOL, S, lit("ab", Kind.UTF8)),
                in(S, lit("ab", Kind.UTF8), lit("a", Kind.UTF8)),
                call(ScalarFunction.GREATER_THAN_OR_EQUAL, Kind.BOOL, D, lit(1L, INT64))),
            and(
                in(S, lit("é", Kind.UTF8), lit("b", Kind.UTF8)),
                call(ScalarFunction.LESS_THAN_OR_EQUAL, Kind.BOOL, BIG, lit(10L, INT64))));
    Expr revenue =
        call(
            ScalarFunction.MULTIPLY,
            Kind.decimal(38, 4),
            D,
            call(ScalarFunction.SUBTRACT, Kind.decimal(16, 2), lit(1L, INT64), D));
    checkValues(q6, q19, revenue);
  }

  @Test
  void andSelectsLikeItEvaluates() {
    Expr nullable = call(ScalarFunction.GREATER_THAN, Kind.BOOL, D, lit(0L, INT64));
    Expr divides =
        call(
            ScalarFunction.GREATER_THAN,
            Kind.BOOL,
            call(ScalarFunction.DIVIDE, INT64, lit(100L, INT64), BIG),
            lit(1L, INT64));
    Expr[] conditions = {
      and(nullable, call(ScalarFunction.LIKE, Kind.BOOL, S, lit("%a%", Kind.UTF8))),
      and(
          call(ScalarFunction.IS_NOT_NULL, Kind.BOOL, BIG),
          call(ScalarFunction.NOT_EQUAL, Kind.BOOL, BIG, lit(0L, INT64)),
          divides),
      // fails on the first row where BIG is 0 and D > 0 or NULL, on both paths
      and(nullable, divides),
      and(or(nullable, call(ScalarFunction.EQUAL, Kind.BOOL, S, lit("a", Kind.UTF8))), nullable),
      and(and(nullable, nullable), call(ScalarFunction.IS_NULL, Kind.BOOL, S)),
      // nested AND / OR (flattened by the fast path): same rows, same failures
      and(and(nullable, call(ScalarFunction.NOT_EQUAL, Kind.BOOL, BIG, lit(0L, INT64))), divides),
      and(or(or(nullable, divides), nullable), and(divides, nullable)),
      and(or(nullable, or(call(ScalarFunction.IS_NULL, Kind.BOOL, D), nullable)), nullable)
    };
    for (Expr condition : conditions) {
      check(condition);
      FilterEvaluator fast = (FilterEvaluator) ExpressionCompiler.compile(condition);
      Evaluator generic = ExpressionCompiler.compileGeneric(condition);
      for (Page page : pages()) {
        Object expected;
        Object actual;
        try (FieldVector bits = generic.evaluate(page, allocator)) {
          List<Integer> positions = new ArrayList<>();
          for (int i = 0; i < page.count(); i++) {
            if (Boolean.TRUE.equals(Values.get(bits, i))) {
              positions.add(page.position(i));
            }
          }
          expected = positions;
        } catch (RuntimeException e) {
          expected = e.getMessage();
        }
        try {
          int[] selected = new int[page.count()];
          int m = fast.select(page, allocator, selected);
          List<Integer> positions = new ArrayList<>();
          for (int i = 0; i < m; i++) {
            positions.add(selected[i]);
          }
          actual = positions;
        } catch (RuntimeException e) {
          actual = e.getMessage();
        }
        assertThat(actual).as("%s over %d rows", condition, page.count()).isEqualTo(expected);
      }
    }
  }

  private static Expr and(Expr... args) {
    return new Call(ScalarFunction.AND, List.of(args), Kind.BOOL);
  }

  private static Expr or(Expr... args) {
    return new Call(ScalarFunction.OR, List.of(args), Kind.BOOL);
  }
}
