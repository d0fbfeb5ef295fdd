package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.spi.connector.Connector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * Join order from statistics: TPC-H Q5's tables at SF 0.01 sizes, with and without the distinct
 * values a Delta table's file statistics give. The plans are only explained, never run.
 */
class TestJoinOrder {
  private static final String Q5 =
      """
      select n_name, sum(l_extendedprice * (1 - l_discount)) as revenue
      from customer, orders, lineitem, supplier, nation, region
      where c_custkey = o_custkey and l_orderkey = o_orderkey and l_suppkey = s_suppkey
        and c_nationkey = s_nationkey and s_nationkey = n_nationkey
        and n_regionkey = r_regionkey and r_name = 'ASIA'
        and o_orderdate >= date '1994-01-01' and o_orderdate < date '1995-01-01'
      group by n_name
      order by revenue desc
      """;

  private static Schema columns(String... names) {
    List<Field> fields = new ArrayList<>();
    for (String name : names) {
      ArrowType type =
          name.endsWith("name")
              ? ArrowType.Utf8.INSTANCE
              : name.endsWith("date")
                  ? new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY)
                  : name.endsWith("price") || name.endsWith("discount")
                      ? new ArrowType.Decimal(15, 2, 128)
                      : new ArrowType.Int(64, true);
      fields.add(Field.nullable(name, type));
    }
    return new Schema(fields);
  }

  private static List<List<Object>> rows(int count) {
    return Collections.nCopies(count, List.of());
  }

  private static OxbowPlanner planner(boolean statistics) {
    InMemoryConnector w = new InMemoryConnector("tpch");
    Object[][] tables = {
      {
        "customer",
        1500,
        columns("c_custkey", "c_nationkey"),
        Map.of("c_custkey", 1500.0, "c_nationkey", 25.0)
      },
      {
        "orders",
        15000,
        columns("o_orderkey", "o_custkey", "o_orderdate"),
        Map.of("o_orderkey", 15000.0, "o_custkey", 1000.0, "o_orderdate", 2400.0)
      },
      {
        "lineitem",
        60175,
        columns("l_orderkey", "l_suppkey", "l_extendedprice", "l_discount"),
        Map.of("l_orderkey", 15000.0, "l_suppkey", 100.0)
      },
      {
        "supplier",
        100,
        columns("s_suppkey", "s_nationkey"),
        Map.of("s_suppkey", 100.0, "s_nationkey", 25.0)
      },
      {
        "nation",
        25,
        columns("n_nationkey", "n_regionkey", "n_name"),
        Map.of("n_nationkey", 25.0, "n_regionkey", 5.0, "n_name", 25.0)
      },
      {"region", 5, columns("r_regionkey", "r_name"), Map.of("r_regionkey", 5.0, "r_name", 5.0)},
    };
    for (Object[] t : tables) {
      @SuppressWarnings("unchecked")
      Map<String, Double> ndv = statistics ? (Map<String, Double>) t[3] : Map.of();
      w.table((String) t[0], (Schema) t[2], rows((Integer) t[1]), ndv);
    }
    return new OxbowPlanner(
        new CatalogProvider() {
          @Override
          public List<String> catalogNames() {
            return List.of("w");
          }

          @Override
          public Optional<Connector> connector(String name) {
            return name.equals("w") ? Optional.of(w) : Optional.empty();
          }
        });
  }

  /** For each join of the logical plan, the tables under its two inputs. */
  private static List<List<Set<String>>> joins(List<String> logical) {
    List<List<Set<String>>> joins = new ArrayList<>();
    for (int i = 0; i < logical.size(); i++) {
      if (!logical.get(i).stripLeading().startsWith("LogicalJoin")) {
        continue;
      }
      int depth = indent(logical.get(i));
      List<Set<String>> sides = new ArrayList<>();
      for (int j = i + 1; j < logical.size() && indent(logical.get(j)) > depth; j++) {
        if (indent(logical.get(j)) == depth + 2) {
          sides.add(new HashSet<>());
        }
        Matcher table = Pattern.compile("table=\\[\\[w, tpch, (\\w+)]]").matcher(logical.get(j));
        if (table.find()) {
          sides.get(sides.size() - 1).add(table.group(1));
        }
      }
      joins.add(sides);
    }
    return joins;
  }

  private static int indent(String line) {
    return line.length() - line.stripLeading().length();
  }

  private static List<String> logicalPlan(OxbowPlanner planner) {
    PlannedQuery planned = planner.plan("EXPLAIN " + Q5, new PlannerSession("t", "w", "tpch"));
    List<String> lines =
        ((io.oxbow.engine.plan.ValuesNode) planned.plan())
            .rows().stream().map(r -> (String) r.get(0)).toList();
    return lines.subList(1, lines.indexOf("== Engine plan =="));
  }

  @Test
  void distinctValuesKeepCustomerAndSupplierApartUntilLineitemLinksThem() {
    List<List<Set<String>>> joins = joins(logicalPlan(planner(true)));
    assertThat(joins).hasSize(5);
    for (List<Set<String>> join : joins) {
      assertThat(join).hasSize(2);
      Set<String> both = new HashSet<>(join.get(0));
      both.addAll(join.get(1));
      if (both.contains("customer") && both.contains("supplier")) {
        // customer and supplier share only a nation key: 1500 x 100 / 25 rows, a near cross product
        assertThat(both).as("join of %s", join).contains("orders", "lineitem");
      }
    }
  }

  @Test
  void withoutDistinctValuesTheSameQueryJoinsCustomerWithSupplierOnTheirNation() {
    // the control: Calcite's fixed selectivity guesses alone pick the order that ran out of memory
    // at SF 1, which is why connectors report distinct values
    List<List<Set<String>>> joins = joins(logicalPlan(planner(false)));
    assertThat(joins)
        .anySatisfy(
            join -> {
              Set<String> both = new HashSet<>(join.get(0));
              both.addAll(join.get(1));
              assertThat(both).contains("customer", "supplier").doesNotContain("lineitem");
            });
  }
}
