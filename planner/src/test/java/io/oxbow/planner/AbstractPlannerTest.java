package io.oxbow.planner;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.Connector;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared fixture: catalog {@code lake} (schemas {@code tpch} with {@code lineitem} and {@code
 * parts}, and {@code sales} with {@code orders}) and catalog {@code other} (schema {@code tpch}
 * with a one-row {@code lineitem}), a planner over them, and a root allocator closed (checking for
 * leaks) after each test.
 */
abstract class AbstractPlannerTest {
  static final ArrowType DEC = new ArrowType.Decimal(15, 2, 128);

  static final Schema LINEITEM =
      new Schema(
          List.of(
              Field.nullable("l_orderkey", new ArrowType.Int(64, true)),
              Field.nullable("l_quantity", DEC),
              Field.nullable("l_extendedprice", DEC),
              Field.nullable("l_discount", DEC),
              Field.nullable("l_tax", DEC),
              Field.nullable("l_returnflag", ArrowType.Utf8.INSTANCE),
              Field.nullable("l_linestatus", ArrowType.Utf8.INSTANCE),
              Field.nullable("l_shipdate", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("l_comment", ArrowType.Utf8.INSTANCE)));

  static final Schema PARTS =
      new Schema(
          List.of(
              Field.nullable("p_id", new ArrowType.Int(64, true)),
              Field.nullable("p_name", ArrowType.Utf8.INSTANCE),
              Field.nullable(
                  "p_weight", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
              Field.nullable("p_size", new ArrowType.Int(32, true)),
              Field.nullable("p_added", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null))));

  static final Schema ORDERS =
      new Schema(
          List.of(
              Field.nullable("o_orderkey", new ArrowType.Int(64, true)),
              Field.nullable("o_total", DEC)));

  /** TPC-H Q1 as published, with DELTA = 90. */
  static final String Q1 =
      """
      select
        l_returnflag,
        l_linestatus,
        sum(l_quantity) as sum_qty,
        sum(l_extendedprice) as sum_base_price,
        sum(l_extendedprice * (1 - l_discount)) as sum_disc_price,
        sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) as sum_charge,
        avg(l_quantity) as avg_qty,
        avg(l_extendedprice) as avg_price,
        avg(l_discount) as avg_disc,
        count(*) as count_order
      from
        lineitem
      where
        l_shipdate <= date '1998-12-01' - interval '90' day (3)
      group by
        l_returnflag,
        l_linestatus
      order by
        l_returnflag,
        l_linestatus;
      """;

  /** TPC-H Q6 as published, with DATE = 1994-01-01, DISCOUNT = 0.06, QUANTITY = 24. */
  static final String Q6 =
      """
      select
        sum(l_extendedprice * l_discount) as revenue
      from
        lineitem
      where
        l_shipdate >= date '1994-01-01'
        and l_shipdate < date '1994-01-01' + interval '1' year
        and l_discount between .06 - 0.01 and .06 + 0.01
        and l_quantity < 24;
      """;

  InMemoryConnector lake;
  InMemoryConnector other;
  OxbowPlanner planner;
  final PlannerSession session = new PlannerSession("test", "lake", "tpch");
  BufferAllocator allocator;

  static int day(String isoDate) {
    return (int) LocalDate.parse(isoDate).toEpochDay();
  }

  static long micros(String isoDateTime) {
    return LocalDateTime.parse(isoDateTime).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
  }

  static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  private static List<Object> lineitem(
      long key,
      String qty,
      String price,
      String disc,
      String tax,
      String flag,
      String status,
      String shipdate,
      String comment) {
    return row(
        key,
        new BigDecimal(qty),
        new BigDecimal(price),
        new BigDecimal(disc),
        new BigDecimal(tax),
        flag,
        status,
        day(shipdate),
        comment);
  }

  @BeforeEach
  void setUpFixture() {
    allocator = new RootAllocator();
    lake =
        new InMemoryConnector("tpch")
            .table(
                "lineitem",
                LINEITEM,
                List.of(
                    lineitem(1, "17.00", "21168.23", "0.04", "0.02", "N", "O", "1996-03-13", "a"),
                    lineitem(1, "36.00", "45983.16", "0.09", "0.06", "N", "O", "1996-04-12", "b"),
                    lineitem(2, "38.00", "44694.46", "0.00", "0.05", "N", "O", "1997-01-28", null),
                    lineitem(3, "45.00", "54058.05", "0.06", "0.00", "R", "F", "1994-02-02", "cc"),
                    lineitem(3, "49.00", "46796.47", "0.10", "0.00", "R", "F", "1993-11-09", "d"),
                    lineitem(3, "20.00", "28029.00", "0.06", "0.04", "A", "F", "1994-06-01", "e"),
                    lineitem(4, "30.00", "30690.90", "0.03", "0.08", "N", "O", "1998-11-01", "f")))
            .table(
                "parts",
                PARTS,
                List.of(
                    row(1L, "bolt", 1.5f, 10, micros("2024-01-01T10:00:00")),
                    row(2L, "Nut", 0.25f, null, null),
                    row(3L, null, null, 30, micros("2024-03-01T00:00:00"))))
            .table(
                "sales",
                "orders",
                ORDERS,
                List.of(row(1L, new BigDecimal("10.50")), row(2L, new BigDecimal("20.25"))));
    other =
        new InMemoryConnector("tpch")
            .table(
                "lineitem",
                LINEITEM,
                List.of(lineitem(9, "1.00", "1.00", "0.00", "0.00", "A", "F", "2000-01-01", "x")));
    Map<String, Connector> catalogs = Map.of("lake", lake, "other", other);
    planner =
        new OxbowPlanner(
            new CatalogProvider() {
              @Override
              public List<String> catalogNames() {
                return List.of("lake", "other");
              }

              @Override
              public Optional<Connector> connector(String name) {
                return Optional.ofNullable(catalogs.get(name));
              }
            });
  }

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  PlanNode plan(String sql) {
    return planner.plan(sql, session).plan();
  }

  /** Plans and runs {@code sql} through the engine; every row's values as {@link Values} reads. */
  List<List<Object>> run(String sql) {
    return run(sql, session);
  }

  List<List<Object>> run(String sql, PlannerSession plannerSession) {
    PlannedQuery planned = planner.plan(sql, plannerSession);
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = allocator.newChildAllocator("query", 0, Long.MAX_VALUE);
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

  /** The EXPLAIN text rows. */
  List<String> explainLines(String sql) {
    PlannedQuery planned = planner.plan(sql, session);
    return ((ValuesNode) planned.plan()).rows().stream().map(r -> (String) r.get(0)).toList();
  }

  /** The first node of {@code type} in a depth-first walk, or null. */
  static <T extends PlanNode> T find(PlanNode node, Class<T> type) {
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

  /** The node classes from the root down the first input of each, e.g. [Sort, Aggregate, ...]. */
  static List<String> spine(PlanNode node) {
    List<String> names = new ArrayList<>();
    for (PlanNode n = node; n != null; n = n.inputs().isEmpty() ? null : n.inputs().get(0)) {
      names.add(n.getClass().getSimpleName().replace("Node", ""));
    }
    return names;
  }

  static List<Object> literals(Expr expr) {
    List<Object> out = new ArrayList<>();
    collectLiterals(expr, out);
    return out;
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

  /** The functions called anywhere in {@code expr}. */
  static List<io.oxbow.engine.expr.ScalarFunction> functions(Expr expr) {
    List<io.oxbow.engine.expr.ScalarFunction> out = new ArrayList<>();
    collectFunctions(expr, out);
    return out;
  }

  private static void collectFunctions(Expr expr, List<io.oxbow.engine.expr.ScalarFunction> out) {
    if (expr instanceof Call call) {
      out.add(call.function());
      for (Expr arg : call.args()) {
        collectFunctions(arg, out);
      }
    }
  }
}
