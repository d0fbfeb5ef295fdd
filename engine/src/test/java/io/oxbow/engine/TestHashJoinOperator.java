package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.UnionAllNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestHashJoinOperator {
  private BufferAllocator root;

  private static final ValuesNode LEFT =
      new ValuesNode(
          new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("a", Kind.UTF8))),
          List.of(
              Arrays.asList(1L, "a1"),
              Arrays.asList(2L, "a2"),
              Arrays.asList(2L, "a2b"),
              Arrays.asList(null, "anull"),
              Arrays.asList(4L, "a4")));
  private static final ValuesNode RIGHT =
      new ValuesNode(
          new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("b", Kind.INT64))),
          List.of(
              Arrays.asList(2L, 20L),
              Arrays.asList(2L, 21L),
              Arrays.asList(3L, 30L),
              Arrays.asList(null, 99L),
              Arrays.asList(4L, 40L)));

  @BeforeEach
  void setUp() {
    root = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    root.close();
  }

  private List<List<Object>> run(PlanNode plan) {
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = root.newChildAllocator("q", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(plan, new ExecutionContext("q", query))) {
      VectorSchemaRoot batch;
      while ((batch = stream.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          for (int r = 0; r < b.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : b.getFieldVectors()) {
              row.add(Values.get(v, r));
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  private static JoinNode join(JoinType type, boolean withResidual) {
    List<Field> fields = new ArrayList<>(LEFT.schema().getFields());
    if (type != JoinType.SEMI && type != JoinType.ANTI) {
      fields.addAll(RIGHT.schema().getFields());
    }
    return new JoinNode(
        LEFT,
        RIGHT,
        type,
        List.of(0),
        List.of(0),
        withResidual
            ? new Call(
                ScalarFunction.NOT_EQUAL,
                List.of(new ColumnRef(3, Kind.INT64), new ColumnRef(2, Kind.INT64)),
                Kind.BOOL)
            : null,
        new Schema(fields));
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  @Test
  void innerJoinMatchesEqualNonNullKeys() {
    assertThat(run(join(JoinType.INNER, false)))
        .containsExactlyInAnyOrder(
            row(2L, "a2", 2L, 20L),
            row(2L, "a2", 2L, 21L),
            row(2L, "a2b", 2L, 20L),
            row(2L, "a2b", 2L, 21L),
            row(4L, "a4", 4L, 40L));
  }

  @Test
  void outerJoinsKeepUnmatchedRows() {
    assertThat(run(join(JoinType.LEFT, false)))
        .hasSize(7)
        .contains(row(1L, "a1", null, null), row(null, "anull", null, null));
    assertThat(run(join(JoinType.RIGHT, false)))
        .hasSize(7)
        .contains(row(null, null, 3L, 30L), row(null, null, null, 99L));
    assertThat(run(join(JoinType.FULL, false))).hasSize(9);
  }

  @Test
  void semiAndAntiJoinsReturnLeftRowsOnce() {
    assertThat(run(join(JoinType.SEMI, false)))
        .containsExactlyInAnyOrder(row(2L, "a2"), row(2L, "a2b"), row(4L, "a4"));
    assertThat(run(join(JoinType.ANTI, false)))
        .containsExactlyInAnyOrder(row(1L, "a1"), row(null, "anull"));
  }

  @Test
  void residualConditionFiltersCandidatePairs() {
    // b != k (always true here except none) -> same as inner; then a condition that removes 4/40
    assertThat(run(join(JoinType.INNER, true))).hasSize(5);
    JoinNode lessThan =
        new JoinNode(
            LEFT,
            RIGHT,
            JoinType.LEFT,
            List.of(0),
            List.of(0),
            new Call(
                ScalarFunction.LESS_THAN,
                List.of(new ColumnRef(3, Kind.INT64), new ColumnRef(0, Kind.INT64)),
                Kind.BOOL),
            join(JoinType.LEFT, false).schema());
    // no pair has b < k, so every left row comes back once with NULLs
    assertThat(run(lessThan)).hasSize(5).allMatch(r -> r.get(2) == null);
  }

  private static JoinNode joinOf(
      PlanNode left,
      PlanNode right,
      JoinType type,
      List<Integer> leftKeys,
      List<Integer> rightKeys) {
    List<Field> fields = new ArrayList<>(left.schema().getFields());
    if (type != JoinType.SEMI && type != JoinType.ANTI) {
      fields.addAll(right.schema().getFields());
    }
    return new JoinNode(left, right, type, leftKeys, rightKeys, null, new Schema(fields));
  }

  @Test
  void candidatePairBatchesThatAllFailTheResidualDoNotStallThePipeline() {
    // one key with 10,000 build rows: the first batches of candidate pairs (4096 each) all fail
    // the residual, only build rows with v >= 9990 pass it
    List<List<Object>> leftRows = new ArrayList<>();
    for (long i = 0; i < 3; i++) {
      leftRows.add(row(7L, 9990L + i));
    }
    leftRows.add(row(7L, 20_000L));
    List<List<Object>> rightRows = new ArrayList<>();
    for (long v = 0; v < 10_000; v++) {
      rightRows.add(row(7L, v));
    }
    ValuesNode left =
        new ValuesNode(
            new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("x", Kind.INT64))),
            leftRows);
    ValuesNode right =
        new ValuesNode(
            new Schema(List.of(Field.nullable("k2", Kind.INT64), Field.nullable("v", Kind.INT64))),
            rightRows);
    Call vAtLeastX =
        new Call(
            ScalarFunction.GREATER_THAN_OR_EQUAL,
            List.of(new ColumnRef(3, Kind.INT64), new ColumnRef(1, Kind.INT64)),
            Kind.BOOL);
    for (JoinType type : List.of(JoinType.SEMI, JoinType.ANTI, JoinType.INNER, JoinType.LEFT)) {
      List<Field> fields = new ArrayList<>(left.schema().getFields());
      if (type != JoinType.SEMI && type != JoinType.ANTI) {
        fields.addAll(right.schema().getFields());
      }
      JoinNode join =
          new JoinNode(left, right, type, List.of(0), List.of(0), vAtLeastX, new Schema(fields));
      List<List<Object>> rows = run(join);
      switch (type) {
        case SEMI ->
            assertThat(rows)
                .containsExactlyInAnyOrder(row(7L, 9990L), row(7L, 9991L), row(7L, 9992L));
        case ANTI -> assertThat(rows).containsExactly(row(7L, 20_000L));
        // x = 9990 + i matches the build rows v in [9990 + i, 9999]: 10 + 9 + 8 pairs
        case INNER ->
            assertThat(rows).hasSize(27).allMatch(r -> (long) r.get(3) >= (long) r.get(1));
        default -> assertThat(rows).hasSize(28).contains(row(7L, 20_000L, null, null));
      }
    }
  }

  @Test
  void stringAndMultiColumnKeysOfDifferentIntegerWidths() {
    ValuesNode left =
        new ValuesNode(
            new Schema(List.of(Field.nullable("k", Kind.INT32), Field.nullable("s", Kind.UTF8))),
            List.of(
                Arrays.asList(1L, "x"),
                Arrays.asList(1L, "y"),
                Arrays.asList(2L, "x"),
                Arrays.asList(2L, null),
                Arrays.asList(null, "x")));
    ValuesNode right =
        new ValuesNode(
            new Schema(
                List.of(
                    Field.nullable("s", Kind.UTF8),
                    Field.nullable("k", Kind.INT64),
                    Field.nullable("b", Kind.INT64))),
            List.of(
                Arrays.asList("x", 1L, 10L),
                Arrays.asList("x", 1L, 11L),
                Arrays.asList("y", 2L, 12L),
                Arrays.asList(null, 2L, 13L),
                Arrays.asList("x", 2L, 14L)));
    assertThat(run(joinOf(left, right, JoinType.INNER, List.of(0, 1), List.of(1, 0))))
        .containsExactlyInAnyOrder(
            row(1L, "x", "x", 1L, 10L), row(1L, "x", "x", 1L, 11L), row(2L, "x", "x", 2L, 14L));
    assertThat(run(joinOf(left, right, JoinType.INNER, List.of(1), List.of(0)))).hasSize(3 * 3 + 1);
    assertThat(run(joinOf(left, right, JoinType.ANTI, List.of(0, 1), List.of(1, 0))))
        .containsExactlyInAnyOrder(row(1L, "y"), row(2L, null), row(null, "x"));
  }

  @Test
  void decimalKeysCompareByValueAcrossScales() {
    ValuesNode left =
        new ValuesNode(
            new Schema(List.of(Field.nullable("d", Kind.decimal(12, 2)))),
            List.of(
                Arrays.asList(new BigDecimal("1.50")),
                Arrays.asList(new BigDecimal("-2.00")),
                Arrays.asList(new BigDecimal("3.25"))));
    ValuesNode right =
        new ValuesNode(
            new Schema(List.of(Field.nullable("e", Kind.decimal(15, 3)))),
            List.of(
                Arrays.asList(new BigDecimal("1.500")),
                Arrays.asList(new BigDecimal("-2.000")),
                Arrays.asList(new BigDecimal("3.251"))));
    assertThat(run(joinOf(left, right, JoinType.INNER, List.of(0), List.of(0))))
        .containsExactlyInAnyOrder(
            row(new BigDecimal("1.50"), new BigDecimal("1.500")),
            row(new BigDecimal("-2.00"), new BigDecimal("-2.000")));
  }

  @Test
  void probePagesWithSelectionVectors() {
    // the filter hands the join pages whose selection skips the rows with k = 2
    PlanNode filtered =
        new FilterNode(
            LEFT,
            new Call(
                ScalarFunction.NOT_EQUAL,
                List.of(new ColumnRef(0, Kind.INT64), new Literal(2L, Kind.INT64)),
                Kind.BOOL));
    assertThat(run(joinOf(filtered, RIGHT, JoinType.LEFT, List.of(0), List.of(0))))
        .containsExactlyInAnyOrder(row(1L, "a1", null, null), row(4L, "a4", 4L, 40L));
    assertThat(run(joinOf(filtered, RIGHT, JoinType.RIGHT, List.of(0), List.of(0))))
        .containsExactlyInAnyOrder(
            row(4L, "a4", 4L, 40L),
            row(null, null, 2L, 20L),
            row(null, null, 2L, 21L),
            row(null, null, 3L, 30L),
            row(null, null, null, 99L));
  }

  @Test
  void crossJoinWithoutKeys() {
    JoinNode cross =
        new JoinNode(
            LEFT,
            RIGHT,
            JoinType.INNER,
            List.of(),
            List.of(),
            null,
            join(JoinType.INNER, false).schema());
    assertThat(run(cross)).hasSize(25);
  }

  @Test
  void unionAllConcatenatesInputs() {
    UnionAllNode union = new UnionAllNode(List.of(LEFT, LEFT), LEFT.schema());
    assertThat(run(union)).hasSize(10);
  }

  @Test
  void unionAllOfAnInputOfAnotherTypeFailsWithoutLeaking() {
    // the planner casts branches to the union's types; should one still differ, the query fails
    // with an internal error and returns every buffer (both batches were left open before)
    UnionAllNode union =
        new UnionAllNode(
            List.of(LEFT),
            new Schema(List.of(Field.nullable("k", Kind.INT32), Field.nullable("a", Kind.UTF8))));
    assertThatThrownBy(() -> run(union))
        .hasMessageContaining("ClassCastException")
        .hasNoSuppressedExceptions();
    assertThat(root.getAllocatedMemory()).isZero();
  }

  @Test
  void singleValueFailsOnMoreThanOneRow() {
    AggregateNode single =
        new AggregateNode(
            RIGHT,
            List.of(),
            List.of(
                new AggregateCall(
                    AggregateCall.AggregateFunction.SINGLE_VALUE,
                    List.of(1),
                    false,
                    -1,
                    Kind.INT64)),
            new Schema(List.of(Field.nullable("v", Kind.INT64))));
    assertThatThrownBy(() -> run(single))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("more than one row");
  }

  @Test
  void rightSemiAndAntiJoinsReturnBuildRowsOnceByWhetherAnyProbeRowMatched() {
    java.util.Random random = new java.util.Random(5);
    Schema probeSchema =
        new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("x", Kind.INT64)));
    Schema buildSchema =
        new Schema(List.of(Field.nullable("k2", Kind.INT64), Field.nullable("v", Kind.INT64)));
    Call vNotX =
        new Call(
            ScalarFunction.NOT_EQUAL,
            List.of(new ColumnRef(3, Kind.INT64), new ColumnRef(1, Kind.INT64)),
            Kind.BOOL);
    for (int round = 0; round < 60; round++) {
      int keys = 1 + random.nextInt(40);
      List<List<Object>> probeRows = new ArrayList<>();
      int probeCount = random.nextInt(10) == 0 ? 0 : random.nextInt(6000);
      for (int i = 0; i < probeCount; i++) {
        probeRows.add(
            row(
                random.nextInt(8) == 0 ? null : (long) random.nextInt(2 * keys),
                (long) random.nextInt(4)));
      }
      List<List<Object>> buildRows = new ArrayList<>();
      int buildCount = random.nextInt(300);
      for (int i = 0; i < buildCount; i++) {
        buildRows.add(
            row(random.nextInt(8) == 0 ? null : (long) random.nextInt(keys), (long) i % 5));
      }
      boolean withResidual = random.nextBoolean();
      for (JoinType type : List.of(JoinType.RIGHT_SEMI, JoinType.RIGHT_ANTI)) {
        JoinNode join =
            new JoinNode(
                new ValuesNode(probeSchema, probeRows),
                new ValuesNode(buildSchema, buildRows),
                type,
                List.of(0),
                List.of(0),
                withResidual ? vNotX : null,
                buildSchema);
        List<List<Object>> expected = new ArrayList<>();
        for (List<Object> b : buildRows) {
          boolean any = false;
          for (List<Object> p : probeRows) {
            any |=
                b.get(0) != null
                    && b.get(0).equals(p.get(0))
                    && (!withResidual || !b.get(1).equals(p.get(1)));
          }
          if (any == (type == JoinType.RIGHT_SEMI)) {
            expected.add(b);
          }
        }
        assertThat(run(join))
            .as("round %d %s residual %s", round, type, withResidual)
            .containsExactlyInAnyOrderElementsOf(expected);
      }
    }
  }
}
