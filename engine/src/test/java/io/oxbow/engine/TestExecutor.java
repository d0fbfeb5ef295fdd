package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

class TestExecutor {
  private static final ArrowType DEC152 = Kind.decimal(15, 2);
  private BufferAllocator root;

  @BeforeEach
  void setUp() {
    root = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    root.close(); // throws if any test leaked a buffer
  }

  private static Schema schema(Object... namesAndTypes) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      fields.add(Field.nullable((String) namesAndTypes[i], (ArrowType) namesAndTypes[i + 1]));
    }
    return new Schema(fields);
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  private List<List<Object>> run(PlanNode plan) {
    return run(plan, Long.MAX_VALUE);
  }

  private List<List<Object>> run(PlanNode plan, long limit) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("query", 0, limit);
        ResultStream stream = Executor.execute(plan, new ExecutionContext("q", query))) {
      while (true) {
        VectorSchemaRoot next = stream.next();
        if (next == null) {
          break;
        }
        try (VectorSchemaRoot batch = next) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : batch.getFieldVectors()) {
              row.add(Values.get(v, r));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  private static Call call(ScalarFunction fn, ArrowType type, Expr... args) {
    return new Call(fn, List.of(args), type);
  }

  private static ColumnRef col(int i, ArrowType type) {
    return new ColumnRef(i, type);
  }

  private static Literal lit(Object value, ArrowType type) {
    return new Literal(value, type);
  }

  @Test
  void filterProjectAggregateSort() {
    ValuesNode values =
        new ValuesNode(
            schema("flag", Kind.UTF8, "price", DEC152, "qty", Kind.INT64),
            List.of(
                row("A", new BigDecimal("10.50"), 1L),
                row("B", new BigDecimal("3.25"), 2L),
                row("A", new BigDecimal("0.05"), 3L),
                row("B", null, 4L),
                row(null, new BigDecimal("1.00"), 5L)));
    FilterNode filter =
        new FilterNode(
            values,
            call(ScalarFunction.GREATER_THAN, Kind.BOOL, col(2, Kind.INT64), lit(1L, Kind.INT64)));
    AggregateNode aggregate =
        new AggregateNode(
            filter,
            List.of(0),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
                new AggregateCall(
                    AggregateFunction.SUM, List.of(1), false, -1, Kind.decimal(38, 2)),
                new AggregateCall(
                    AggregateFunction.AVG, List.of(1), false, -1, Kind.decimal(19, 6)),
                new AggregateCall(AggregateFunction.MAX, List.of(2), false, -1, Kind.INT64)),
            schema(
                "flag",
                Kind.UTF8,
                "c",
                Kind.INT64,
                "s",
                Kind.decimal(38, 2),
                "a",
                Kind.decimal(19, 6),
                "m",
                Kind.INT64));
    SortNode sort = new SortNode(aggregate, List.of(new SortKey(0, true, false)));
    assertThat(run(sort))
        .containsExactly(
            row("A", 1L, new BigDecimal("0.05"), new BigDecimal("0.050000"), 3L),
            row("B", 2L, new BigDecimal("3.25"), new BigDecimal("3.250000"), 4L),
            row(null, 1L, new BigDecimal("1.00"), new BigDecimal("1.000000"), 5L));
  }

  @Test
  void globalAggregateOnEmptyInputHasOneRow() {
    ValuesNode empty = new ValuesNode(schema("x", Kind.INT64), List.of());
    AggregateNode aggregate =
        new AggregateNode(
            empty,
            List.of(),
            List.of(
                new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
                new AggregateCall(AggregateFunction.SUM, List.of(0), false, -1, Kind.INT64)),
            schema("c", Kind.INT64, "s", Kind.INT64));
    assertThat(run(aggregate)).containsExactly(row(0L, null));
  }

  @Test
  void threeValuedLogic() {
    ValuesNode values =
        new ValuesNode(
            schema("a", Kind.BOOL, "b", Kind.BOOL),
            List.of(
                row(true, null),
                row(false, null),
                row(null, null),
                row(true, false),
                row(null, true)));
    ProjectNode project =
        new ProjectNode(
            values,
            List.of(
                call(ScalarFunction.AND, Kind.BOOL, col(0, Kind.BOOL), col(1, Kind.BOOL)),
                call(ScalarFunction.OR, Kind.BOOL, col(0, Kind.BOOL), col(1, Kind.BOOL)),
                call(ScalarFunction.NOT, Kind.BOOL, col(0, Kind.BOOL)),
                call(ScalarFunction.IS_NULL, Kind.BOOL, col(1, Kind.BOOL))),
            schema("and", Kind.BOOL, "or", Kind.BOOL, "not", Kind.BOOL, "isnull", Kind.BOOL));
    assertThat(run(project))
        .containsExactly(
            row(null, true, false, true),
            row(false, null, true, true),
            row(null, null, null, true),
            row(false, true, false, false),
            row(null, true, null, false));
  }

  @Test
  void exactDecimalArithmeticAndOverflow() {
    ValuesNode values =
        new ValuesNode(
            schema("p", DEC152, "d", DEC152),
            List.of(row(new BigDecimal("901.00"), new BigDecimal("0.06"))));
    // p * (1 - d) with the planner's types: DECIMAL(16,2) then DECIMAL(32,4)
    Expr oneMinus =
        call(
            ScalarFunction.SUBTRACT,
            Kind.decimal(16, 2),
            lit(new BigDecimal("1.00"), Kind.decimal(3, 2)),
            col(1, DEC152));
    Expr product = call(ScalarFunction.MULTIPLY, Kind.decimal(32, 4), col(0, DEC152), oneMinus);
    Expr quotient =
        call(
            ScalarFunction.DIVIDE,
            Kind.decimal(20, 6),
            col(0, DEC152),
            lit(new BigDecimal("7"), Kind.decimal(1, 0)));
    ProjectNode project =
        new ProjectNode(
            values,
            List.of(product, quotient),
            schema("x", Kind.decimal(32, 4), "q", Kind.decimal(20, 6)));
    assertThat(run(project))
        .containsExactly(row(new BigDecimal("846.9400"), new BigDecimal("128.714286")));

    Expr tooBig = call(ScalarFunction.MULTIPLY, Kind.decimal(4, 2), col(0, DEC152), col(0, DEC152));
    ProjectNode overflow =
        new ProjectNode(values, List.of(tooBig), schema("x", Kind.decimal(4, 2)));
    assertThatThrownBy(() -> run(overflow))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("Decimal overflow")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.USER_ERROR));
  }

  @Test
  void divisionByZeroAndBadCastAreUserErrors() {
    ValuesNode values =
        new ValuesNode(schema("x", Kind.INT64, "s", Kind.UTF8), List.of(row(0L, "abc")));
    ProjectNode divide =
        new ProjectNode(
            values,
            List.of(
                call(ScalarFunction.DIVIDE, Kind.INT64, lit(1L, Kind.INT64), col(0, Kind.INT64))),
            schema("d", Kind.INT64));
    assertThatThrownBy(() -> run(divide)).hasMessageContaining("Division by zero");
    ProjectNode cast =
        new ProjectNode(
            values,
            List.of(call(ScalarFunction.CAST, Kind.INT32, col(1, Kind.UTF8))),
            schema("c", Kind.INT32));
    assertThatThrownBy(() -> run(cast)).hasMessageContaining("Cannot cast 'abc' to INTEGER");
  }

  @Test
  void caseAndAndDoNotEvaluateBranchesThatAreNotTaken() {
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64), List.of(row(0L), row(2L)));
    Expr safe =
        call(
            ScalarFunction.CASE,
            Kind.INT64,
            call(ScalarFunction.EQUAL, Kind.BOOL, col(0, Kind.INT64), lit(0L, Kind.INT64)),
            lit(-1L, Kind.INT64),
            call(ScalarFunction.DIVIDE, Kind.INT64, lit(10L, Kind.INT64), col(0, Kind.INT64)));
    assertThat(run(new ProjectNode(values, List.of(safe), schema("r", Kind.INT64))))
        .containsExactly(row(-1L), row(5L));
  }

  @Test
  void likeWithEscapes() {
    ValuesNode values =
        new ValuesNode(
            schema("s", Kind.UTF8), List.of(row("50% off"), row("500 off"), row((Object) null)));
    Expr like =
        call(
            ScalarFunction.LIKE,
            Kind.BOOL,
            col(0, Kind.UTF8),
            lit("50!%%", Kind.UTF8),
            lit("!", Kind.UTF8));
    assertThat(run(new ProjectNode(values, List.of(like), schema("m", Kind.BOOL))))
        .containsExactly(row(true), row(false), row((Object) null));
  }

  @Test
  void sortNullsAndLimitOffset() {
    ValuesNode values =
        new ValuesNode(
            schema("x", Kind.INT64), List.of(row(3L), row((Object) null), row(1L), row(2L)));
    SortNode desc = new SortNode(values, List.of(new SortKey(0, false, true)));
    assertThat(run(desc)).containsExactly(row((Object) null), row(3L), row(2L), row(1L));
    SortNode asc = new SortNode(values, List.of(new SortKey(0, true, false)));
    assertThat(run(new LimitNode(asc, 1, 2))).containsExactly(row(2L), row(3L));
  }

  @Test
  void queryOverItsMemoryLimitIsResourceExhaustedAndLeaksNothing() {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < 50_000; i++) {
      rows.add(row(i, "row number " + i));
    }
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64, "s", Kind.UTF8), rows);
    assertThatThrownBy(
            () -> run(new SortNode(values, List.of(new SortKey(0, false, false))), 100_000))
        .isInstanceOf(OxbowException.class)
        .satisfies(
            e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining("memory limit of 100000 bytes");
  }

  @Test
  void closingEarlyReleasesEverything() {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < 20_000; i++) {
      rows.add(row(i));
    }
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64), rows);
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream =
            Executor.execute(
                new SortNode(values, List.of(new SortKey(0, true, false))),
                new ExecutionContext("q", query))) {
      try (VectorSchemaRoot first = stream.next()) {
        assertThat(first.getRowCount()).isEqualTo(4096);
      }
    }
  }

  @Test
  void planPrinterShowsEveryNode() {
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64), List.of(row(1L)));
    String text =
        PlanPrinter.print(
            new LimitNode(new SortNode(values, List.of(new SortKey(0, true, false))), 0, 5));
    assertThat(text)
        .isEqualTo(
            "Limit[offset=0, limit=5]\n  Sort[$0 asc nulls last]\n    Values[rows=1, columns=[x]]\n");
  }

  /** Regression: CASE and COALESCE wrote VARCHAR results out of row order and lost values. */
  @Test
  void caseAndCoalesceProduceStringsInRowOrder() {
    ValuesNode values =
        new ValuesNode(
            schema("x", Kind.INT64), List.of(row(1L), row(2L), row(0L), row(1L), row(2L), row(1L)));
    Expr caseExpr =
        call(
            ScalarFunction.CASE,
            Kind.UTF8,
            call(ScalarFunction.EQUAL, Kind.BOOL, col(0, Kind.INT64), lit(1L, Kind.INT64)),
            lit("one", Kind.UTF8),
            call(ScalarFunction.EQUAL, Kind.BOOL, col(0, Kind.INT64), lit(2L, Kind.INT64)),
            lit("two", Kind.UTF8),
            lit(null, Kind.UTF8));
    Expr coalesce = call(ScalarFunction.COALESCE, Kind.UTF8, caseExpr, lit("zero", Kind.UTF8));
    assertThat(
            run(
                new ProjectNode(
                    values, List.of(caseExpr, coalesce), schema("c", Kind.UTF8, "d", Kind.UTF8))))
        .containsExactly(
            row("one", "one"),
            row("two", "two"),
            row(null, "zero"),
            row("one", "one"),
            row("two", "two"),
            row("one", "one"));
  }
}
