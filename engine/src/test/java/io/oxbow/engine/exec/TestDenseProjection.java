package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A projection over a page whose selection keeps nearly every row computes every row and passes the
 * selection on (nothing gathered); an expression that fails only on a row the selection drops still
 * gives the live rows' values, and one that fails on a live row still fails. Values are checked
 * against the same expressions computed here row by row; the allocator is checked for leaks.
 */
class TestDenseProjection {
  private static final int ROWS = 1000;
  private static final ColumnRef A = new ColumnRef(0, Kind.INT64);
  private static final ColumnRef B = new ColumnRef(1, Kind.INT64);
  private static final ColumnRef S = new ColumnRef(2, Kind.UTF8);

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void noLeaks() {
    allocator.close(); // throws if a buffer is still allocated
  }

  private static Call call(
      ScalarFunction f, org.apache.arrow.vector.types.pojo.ArrowType type, Expr... args) {
    return new Call(f, List.of(args), type);
  }

  private static Literal lit(long v) {
    return new Literal(v, Kind.INT64);
  }

  /** a = i, b = i % 10 (NULL every 13th row), s = "s" + i (NULL every 17th row). */
  private static Long a(int i) {
    return (long) i;
  }

  private static Long b(int i) {
    return i % 13 == 0 ? null : (long) (i % 10);
  }

  private static String s(int i) {
    return i % 17 == 0 ? null : "s" + i;
  }

  private Page page(IntPredicate live) {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("a", Kind.INT64),
                Field.nullable("b", Kind.INT64),
                Field.nullable("s", Kind.UTF8)));
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    BigIntVector av = (BigIntVector) root.getVector(0);
    BigIntVector bv = (BigIntVector) root.getVector(1);
    VarCharVector sv = (VarCharVector) root.getVector(2);
    av.allocateNew(ROWS);
    bv.allocateNew(ROWS);
    sv.allocateNew(ROWS);
    for (int i = 0; i < ROWS; i++) {
      av.set(i, a(i));
      if (b(i) != null) {
        bv.set(i, b(i));
      }
      if (s(i) != null) {
        sv.setSafe(i, s(i).getBytes(StandardCharsets.UTF_8));
      }
    }
    root.setRowCount(ROWS);
    int[] selection = new int[ROWS];
    int m = 0;
    for (int i = 0; i < ROWS; i++) {
      if (live.test(i)) {
        selection[m++] = i;
      }
    }
    return new Page(root, Arrays.copyOf(selection, m), m);
  }

  /** The expressions' values at each live row of {@code out}. */
  private static List<List<Object>> liveRows(Page out) {
    List<List<Object>> rows = new ArrayList<>();
    for (int i = 0; i < out.count(); i++) {
      List<Object> row = new ArrayList<>();
      for (FieldVector v : out.root().getFieldVectors()) {
        row.add(Values.get(v, out.position(i)));
      }
      rows.add(row);
    }
    return rows;
  }

  private Page project(List<Expr> expressions, Page input) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < expressions.size(); i++) {
      fields.add(Field.nullable("c" + i, expressions.get(i).type()));
    }
    ProjectOperator project = ProjectOperator.create(expressions, 3, new Schema(fields), allocator);
    try {
      project.addInput(input);
      Page out = project.getOutput();
      assertThat(out).isNotNull();
      return out;
    } finally {
      project.close();
    }
  }

  @Test
  void nearlyEveryRowLiveIsComputedWithoutGatheringAndKeepsTheSelection() {
    IntPredicate live = i -> i % 20 != 7; // 95% of the rows
    Call sum = call(ScalarFunction.ADD, Kind.INT64, A, B);
    // a + b twice: a shared call; a column read twice; a string column passed through
    List<Expr> expressions =
        List.of(
            S,
            sum,
            call(ScalarFunction.MULTIPLY, Kind.INT64, sum, lit(3)),
            call(ScalarFunction.SUBTRACT, Kind.INT64, A, lit(1)),
            call(ScalarFunction.CONCAT, Kind.UTF8, S, S));
    Page input = page(live);
    int[] selection = input.selection();
    Page out = project(expressions, input);
    try {
      assertThat(out.selection()).as("the input's selection, passed on").isSameAs(selection);
      assertThat(out.root().getRowCount()).isEqualTo(ROWS);
      List<List<Object>> expected = new ArrayList<>();
      for (int i = 0; i < ROWS; i++) {
        if (live.test(i)) {
          Long ab = b(i) == null ? null : a(i) + b(i);
          expected.add(
              Arrays.asList(
                  s(i),
                  ab,
                  ab == null ? null : ab * 3,
                  a(i) - 1,
                  s(i) == null ? null : s(i) + s(i)));
        }
      }
      assertThat(liveRows(out)).containsExactlyElementsOf(expected);
    } finally {
      out.close();
    }
  }

  @Test
  void aFailureOnlyOnDroppedRowsGivesTheLiveRowsValues() {
    // b is 0 on every tenth row, and the selection drops exactly those rows (and b's NULLs)
    IntPredicate live = i -> b(i) == null || b(i) != 0;
    Page input = page(live);
    assertThat(input.count()).isGreaterThanOrEqualTo((int) (ROWS * 0.875));
    Page out = project(List.of(A, call(ScalarFunction.DIVIDE, Kind.INT64, lit(1000), B)), input);
    try {
      List<List<Object>> expected = new ArrayList<>();
      for (int i = 0; i < ROWS; i++) {
        if (live.test(i)) {
          expected.add(Arrays.asList(a(i), b(i) == null ? null : 1000 / b(i)));
        }
      }
      assertThat(liveRows(out)).containsExactlyElementsOf(expected);
    } finally {
      out.close();
    }
  }

  @Test
  void aFailureOnALiveRowStillFails() {
    // every row but one live: rows with b = 0 among them
    Page input = page(i -> i != 5);
    assertThatThrownBy(
            () -> project(List.of(call(ScalarFunction.DIVIDE, Kind.INT64, lit(1000), B)), input))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("zero");
  }

  @Test
  void aSelectionKeepingFewerRowsIsGathered() {
    IntPredicate live = i -> i % 2 == 0;
    Page out = project(List.of(call(ScalarFunction.ADD, Kind.INT64, A, B), A), page(live));
    try {
      assertThat(out.selection()).isNull();
      assertThat(out.count()).isEqualTo(ROWS / 2);
      List<List<Object>> expected = new ArrayList<>();
      for (int i = 0; i < ROWS; i += 2) {
        expected.add(Arrays.asList(b(i) == null ? null : a(i) + b(i), a(i)));
      }
      assertThat(liveRows(out)).containsExactlyElementsOf(expected);
    } finally {
      out.close();
    }
  }
}
