package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TestOxbowPlanner {
  private static final ArrowType DEC = new ArrowType.Decimal(15, 2, 128);
  private static final Schema LINEITEM =
      new Schema(
          List.of(
              Field.nullable("l_orderkey", new ArrowType.Int(64, true)),
              Field.nullable("l_quantity", DEC),
              Field.nullable("l_extendedprice", DEC),
              Field.nullable("l_discount", DEC),
              Field.nullable("l_tax", DEC),
              Field.nullable("l_returnflag", ArrowType.Utf8.INSTANCE),
              Field.nullable("l_linestatus", ArrowType.Utf8.INSTANCE),
              Field.nullable("l_shipdate", new ArrowType.Date(DateUnit.DAY))));

  private static final String Q1 =
      """
      select l_returnflag, l_linestatus, sum(l_quantity) as sum_qty,
        sum(l_extendedprice) as sum_base_price,
        sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
        sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
        avg(l_quantity) as avg_qty, avg(l_extendedprice) as avg_price,
        avg(l_discount) as avg_disc, count(*) as count_order
      from lineitem
      where l_shipdate <= date '1998-12-01' - interval '90' day (3)
      group by l_returnflag, l_linestatus
      order by l_returnflag, l_linestatus;
      """;

  private static final String Q6 =
      """
      select sum(l_extendedprice * l_discount) as revenue
      from lineitem
      where l_shipdate >= date '1994-01-01'
        and l_shipdate < date '1994-01-01' + interval '1' year
        and l_discount between .06 - 0.01 and .06 + 0.01
        and l_quantity < 24
      """;

  private InMemoryConnector connector;
  private OxbowPlanner planner;
  private final PlannerSession session = new PlannerSession("test", "lake", "tpch");
  private BufferAllocator allocator;

  private static List<Object> row(
      long key,
      String qty,
      String price,
      String disc,
      String tax,
      String flag,
      String status,
      String day) {
    return java.util.Arrays.asList(
        key,
        new BigDecimal(qty),
        new BigDecimal(price),
        new BigDecimal(disc),
        new BigDecimal(tax),
        flag,
        status,
        (int) LocalDate.parse(day).toEpochDay());
  }

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    connector =
        new InMemoryConnector("tpch")
            .table(
                "lineitem",
                LINEITEM,
                List.of(
                    row(1, "17.00", "21168.23", "0.04", "0.02", "N", "O", "1996-03-13"),
                    row(1, "36.00", "45983.16", "0.09", "0.06", "N", "O", "1996-04-12"),
                    row(2, "38.00", "44694.46", "0.00", "0.05", "N", "O", "1997-01-28"),
                    row(3, "45.00", "54058.05", "0.06", "0.00", "R", "F", "1994-02-02"),
                    row(3, "49.00", "46796.47", "0.10", "0.00", "R", "F", "1993-11-09"),
                    row(3, "20.00", "28029.00", "0.06", "0.04", "A", "F", "1994-06-01"),
                    row(4, "30.00", "30690.90", "0.03", "0.08", "N", "O", "1998-11-01")));
    planner =
        new OxbowPlanner(
            new CatalogProvider() {
              @Override
              public List<String> catalogNames() {
                return List.of("lake");
              }

              @Override
              public Optional<Connector> connector(String name) {
                return name.equals("lake") ? Optional.of(connector) : Optional.empty();
              }
            });
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private List<List<Object>> run(String sql) {
    PlannedQuery planned = planner.plan(sql, session);
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = allocator.newChildAllocator("q", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(planned.plan(), new ExecutionContext("q", query))) {
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

  private static <T extends PlanNode> T find(PlanNode node, Class<T> type) {
    if (type.isInstance(node)) {
      return type.cast(node);
    }
    for (PlanNode input : node.inputs()) {
      T found = find(input, type);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  @Test
  void resolvesOneTwoAndThreePartNamesCaseInsensitively() {
    for (String name :
        List.of("lineitem", "tpch.lineitem", "lake.tpch.lineitem", "LAKE.TPCH.LineItem")) {
      assertThat(run("SELECT count(*) FROM " + name)).containsExactly(List.of(7L));
    }
    assertThat(run("SELECT L_ORDERKEY FROM lineitem WHERE l_orderkey = 2"))
        .containsExactly(List.of(2L));
  }

  @Test
  void scansReadOnlyTheColumnsTheQueryNeeds() {
    ScanNode scan = find(planner.plan(Q6, session).plan(), ScanNode.class);
    assertThat(scan.columns())
        .containsExactlyInAnyOrder("l_quantity", "l_extendedprice", "l_discount", "l_shipdate");
    ScanNode q1 = find(planner.plan(Q1, session).plan(), ScanNode.class);
    assertThat(q1.columns()).doesNotContain("l_orderkey");
  }

  @Test
  void dateArithmeticOnConstantsIsFoldedToLiterals() {
    FilterNode filter = find(planner.plan(Q1, session).plan(), FilterNode.class);
    assertThat(filter.condition().toString()).doesNotContain("date_add");
    List<Object> literals = new ArrayList<>();
    collectLiterals(filter.condition(), literals);
    assertThat(literals).contains((int) LocalDate.parse("1998-09-02").toEpochDay());
    FilterNode q6 = find(planner.plan(Q6, session).plan(), FilterNode.class);
    List<Object> q6Literals = new ArrayList<>();
    collectLiterals(q6.condition(), q6Literals);
    assertThat(q6Literals).contains((int) LocalDate.parse("1995-01-01").toEpochDay());
  }

  private static void collectLiterals(Expr expr, List<Object> out) {
    if (expr instanceof Literal literal) {
      out.add(literal.value());
    } else if (expr instanceof Call call) {
      for (Expr arg : call.args()) {
        collectLiterals(arg, out);
      }
    }
  }

  @Test
  void decimalResultTypesFollowTheDocumentedRules() {
    Schema schema = planner.plan(Q1, session).schema();
    assertThat(schema.getFields().stream().map(f -> f.getName() + ":" + f.getType()).toList())
        .containsExactly(
            "l_returnflag:Utf8",
            "l_linestatus:Utf8",
            "sum_qty:Decimal(38, 2, 128)",
            "sum_base_price:Decimal(38, 2, 128)",
            "sum_disc_price:Decimal(38, 4, 128)",
            "sum_charge:Decimal(38, 6, 128)",
            "avg_qty:Decimal(19, 6, 128)",
            "avg_price:Decimal(19, 6, 128)",
            "avg_disc:Decimal(19, 6, 128)",
            "count_order:Int(64, true)");
    AggregateNode aggregate = find(planner.plan(Q1, session).plan(), AggregateNode.class);
    assertThat(aggregate.groupKeys()).hasSize(2);
  }

  @Test
  void q1AndQ6GiveHandComputedAnswers() {
    // Q6 rows: shipdate in 1994, discount 0.05..0.07, quantity < 24 -> only the 1994-06-01 row
    assertThat(run(Q6)).containsExactly(List.of(new BigDecimal("1681.7400")));
    List<List<Object>> q1 = run(Q1);
    // 1998-11-01 is after the cut-off (1998-09-02), so N/O has three rows
    assertThat(q1).hasSize(3);
    assertThat(q1.get(0).subList(0, 3)).containsExactly("A", "F", new BigDecimal("20.00"));
    assertThat(q1.get(1).get(0)).isEqualTo("N");
    assertThat(q1.get(1).get(2)).isEqualTo(new BigDecimal("91.00"));
    // avg(l_quantity) for N/O = 91 / 3 = 30.333333 (scale 6, half up)
    assertThat(q1.get(1).get(6)).isEqualTo(new BigDecimal("30.333333"));
    // sum_charge for A/F = 28029.00 * 0.94 * 1.04 = 27401.1504 exactly
    assertThat(q1.get(0).get(5)).isEqualTo(new BigDecimal("27401.150400"));
    assertThat(q1.get(2).get(9)).isEqualTo(2L);
  }

  @Test
  void explainReturnsTheLogicalAndEnginePlansWithoutRunning() {
    connector.requestedColumns.clear();
    for (String sql : List.of("EXPLAIN " + Q6, "explain plan for " + Q6)) {
      PlannedQuery planned = planner.plan(sql, session);
      assertThat(planned.plan()).isInstanceOf(ValuesNode.class);
      assertThat(planned.schema().getFields()).extracting(Field::getName).containsExactly("plan");
      List<String> lines =
          ((ValuesNode) planned.plan()).rows().stream().map(r -> (String) r.get(0)).toList();
      assertThat(lines).contains("== Logical plan ==", "== Engine plan ==");
      assertThat(String.join("\n", lines))
          .contains("HashAggregate")
          .contains("Scan[table=lake.tpch.lineitem");
    }
    assertThat(connector.requestedColumns).isEmpty();
  }

  @Test
  void errorsHaveStableCodesAndUsefulMessages() {
    assertError("SELEC 1", ErrorCode.USER_ERROR, "Syntax error at line 1, column 1");
    assertError("SELECT * FROM nosuch", ErrorCode.NOT_FOUND, "Table 'nosuch' not found");
    assertError("SELECT nosuch FROM lineitem", ErrorCode.NOT_FOUND, "Column 'nosuch' not found");
    assertError("SELECT 'abc' + 1", ErrorCode.USER_ERROR, "Cannot apply '+' to arguments of type");
    assertError("SELECT sum(l_shipdate) FROM lineitem", ErrorCode.USER_ERROR, "Cannot apply 'SUM'");
    assertError(
        "SELECT * FROM lineitem WHERE l_shipdate = true", ErrorCode.USER_ERROR, "Cannot apply '='");
  }

  private void assertError(String sql, ErrorCode code, String message) {
    assertThatThrownBy(() -> planner.plan(sql, session))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(message)
        .hasMessageNotContaining("Exception")
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(code));
  }

  @Test
  void expressionsBeyondTheScanRunInTheEngine() {
    assertThat(
            run(
                "SELECT l_orderkey, CASE WHEN l_discount > 0.05 THEN 'high' ELSE 'low' END, "
                    + "upper(l_returnflag) || lower(l_linestatus), extract(year from l_shipdate) "
                    + "FROM lineitem WHERE l_returnflag LIKE 'R%' AND l_orderkey IN (3, 5) "
                    + "ORDER BY l_shipdate DESC LIMIT 1"))
        .containsExactly(List.of(3L, "high", "Rf", 1994L));
    assertThat(run("SELECT 1 + 2, 'x' || 'y'")).containsExactly(List.of(3L, "xy"));
    assertThat(run("VALUES (1), (2), (3) ORDER BY 1 DESC OFFSET 1"))
        .containsExactly(List.of(2L), List.of(1L));
  }

  @Test
  void notYetSupportedFeaturesSaySo() {
    assertError(
        "SELECT percent_rank() OVER (ORDER BY l_orderkey) FROM lineitem",
        ErrorCode.USER_ERROR,
        "not supported yet");
  }

  @SuppressWarnings("unused")
  private static boolean isCall(Expr e, ScalarFunction f) {
    return e instanceof Call c && c.function() == f;
  }
}
