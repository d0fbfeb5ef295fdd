package io.oxbow.launcher;

import java.util.List;
import java.util.Random;

/**
 * Generates random but valid queries over the TPC-H schema: filters, projections, foreign-key joins
 * (inner and left), aggregates with GROUP BY and HAVING, window functions, and IN, EXISTS and
 * scalar subqueries. Queries avoid constructs whose meaning differs between SQL engines on purpose
 * (integer division, LIMIT without a total order, default NULL ordering).
 */
final class RandomQueryGenerator {
  private record Column(String name, String kind, String low, String high) {}

  private record Table(String name, String alias, List<Column> columns) {}

  private record ForeignKey(String from, String fromColumn, String to, String toColumn) {}

  private static final List<Table> TABLES =
      List.of(
          new Table(
              "lineitem",
              "l",
              List.of(
                  new Column("l_orderkey", "int", "1", "60000"),
                  new Column("l_partkey", "int", "1", "2000"),
                  new Column("l_suppkey", "int", "1", "100"),
                  new Column("l_linenumber", "int", "1", "7"),
                  new Column("l_quantity", "dec", "1", "50"),
                  new Column("l_extendedprice", "dec", "900", "100000"),
                  new Column("l_discount", "dec", "0.00", "0.10"),
                  new Column("l_tax", "dec", "0.00", "0.08"),
                  new Column("l_returnflag", "flag", "'A'", "'R'"),
                  new Column("l_linestatus", "flag", "'F'", "'O'"),
                  new Column("l_shipdate", "date", "1992-01-02", "1998-12-01"),
                  new Column("l_shipmode", "str", "'AIR'", "'TRUCK'"))),
          new Table(
              "orders",
              "o",
              List.of(
                  new Column("o_orderkey", "int", "1", "60000"),
                  new Column("o_custkey", "int", "1", "1500"),
                  new Column("o_orderstatus", "flag", "'F'", "'P'"),
                  new Column("o_totalprice", "dec", "800", "500000"),
                  new Column("o_orderdate", "date", "1992-01-01", "1998-08-02"),
                  new Column("o_orderpriority", "str", "'1-URGENT'", "'5-LOW'"),
                  new Column("o_shippriority", "int", "0", "0"))),
          new Table(
              "customer",
              "c",
              List.of(
                  new Column("c_custkey", "int", "1", "1500"),
                  new Column("c_name", "str", "'Customer#000000001'", "'Customer#000001500'"),
                  new Column("c_nationkey", "int", "0", "24"),
                  new Column("c_acctbal", "dec", "-999", "9999"),
                  new Column("c_mktsegment", "str", "'AUTOMOBILE'", "'MACHINERY'"))),
          new Table(
              "part",
              "p",
              List.of(
                  new Column("p_partkey", "int", "1", "2000"),
                  new Column("p_brand", "str", "'Brand#11'", "'Brand#55'"),
                  new Column("p_size", "int", "1", "50"),
                  new Column("p_retailprice", "dec", "900", "2100"),
                  new Column("p_container", "str", "'JUMBO BAG'", "'WRAP PKG'"))),
          new Table(
              "supplier",
              "s",
              List.of(
                  new Column("s_suppkey", "int", "1", "100"),
                  new Column("s_nationkey", "int", "0", "24"),
                  new Column("s_acctbal", "dec", "-999", "9999"))),
          new Table(
              "nation",
              "n",
              List.of(
                  new Column("n_nationkey", "int", "0", "24"),
                  new Column("n_name", "str", "'ALGERIA'", "'VIETNAM'"),
                  new Column("n_regionkey", "int", "0", "4"))),
          new Table(
              "region",
              "r",
              List.of(
                  new Column("r_regionkey", "int", "0", "4"),
                  new Column("r_name", "str", "'AFRICA'", "'MIDDLE EAST'"))));

  private static final List<ForeignKey> KEYS =
      List.of(
          new ForeignKey("lineitem", "l_orderkey", "orders", "o_orderkey"),
          new ForeignKey("lineitem", "l_partkey", "part", "p_partkey"),
          new ForeignKey("lineitem", "l_suppkey", "supplier", "s_suppkey"),
          new ForeignKey("orders", "o_custkey", "customer", "c_custkey"),
          new ForeignKey("customer", "c_nationkey", "nation", "n_nationkey"),
          new ForeignKey("supplier", "s_nationkey", "nation", "n_nationkey"),
          new ForeignKey("nation", "n_regionkey", "region", "r_regionkey"));

  private final Random random;

  RandomQueryGenerator(long seed) {
    this.random = new Random(seed);
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  private static Table table(String name) {
    return TABLES.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  String next() {
    return switch (random.nextInt(6)) {
      case 0 -> select();
      case 1, 2 -> aggregate();
      case 3 -> window();
      default -> subquery();
    };
  }

  /** FROM clause with 1 to 3 tables joined along foreign keys; returns [from, tables...]. */
  private List<Table> joinPath(StringBuilder from) {
    Table first = pick(TABLES);
    List<Table> tables = new java.util.ArrayList<>(List.of(first));
    from.append(first.name());
    int joins = random.nextInt(3);
    for (int j = 0; j < joins; j++) {
      List<ForeignKey> candidates =
          KEYS.stream()
              .filter(
                  k ->
                      tables.stream().anyMatch(t -> t.name().equals(k.from()))
                          != tables.stream().anyMatch(t -> t.name().equals(k.to())))
              .toList();
      if (candidates.isEmpty()) {
        break;
      }
      ForeignKey key = pick(candidates);
      boolean fromPresent = tables.stream().anyMatch(t -> t.name().equals(key.from()));
      Table next = table(fromPresent ? key.to() : key.from());
      String type = random.nextInt(4) == 0 ? " left join " : " join ";
      from.append(type)
          .append(next.name())
          .append(" on ")
          .append(key.fromColumn())
          .append(" = ")
          .append(key.toColumn());
      tables.add(next);
    }
    return tables;
  }

  private Column column(List<Table> tables) {
    return pick(pick(tables).columns());
  }

  private Column column(List<Table> tables, String kind) {
    for (int attempt = 0; attempt < 20; attempt++) {
      Column c = column(tables);
      if (c.kind().equals(kind)) {
        return c;
      }
    }
    return null;
  }

  private String literal(Column c) {
    return switch (c.kind()) {
      case "int" -> {
        long low = Long.parseLong(c.low());
        long high = Long.parseLong(c.high());
        yield Long.toString(low + (long) (random.nextDouble() * (high - low + 1)));
      }
      case "dec" -> {
        double low = Double.parseDouble(c.low());
        double high = Double.parseDouble(c.high());
        yield new java.math.BigDecimal(low + random.nextDouble() * (high - low))
            .setScale(2, java.math.RoundingMode.HALF_UP)
            .toPlainString();
      }
      case "date" -> {
        java.time.LocalDate low = java.time.LocalDate.parse(c.low());
        long span = java.time.LocalDate.parse(c.high()).toEpochDay() - low.toEpochDay();
        yield "date '" + low.plusDays((long) (random.nextDouble() * span)) + "'";
      }
      default -> random.nextBoolean() ? c.low() : c.high();
    };
  }

  private String predicate(List<Table> tables, int depth) {
    int choice = random.nextInt(depth > 1 ? 5 : 8);
    if (choice >= 5) {
      String a = predicate(tables, depth + 1);
      String b = predicate(tables, depth + 1);
      return switch (choice) {
        case 5 -> "(" + a + " and " + b + ")";
        case 6 -> "(" + a + " or " + b + ")";
        default -> "not (" + a + ")";
      };
    }
    Column c = column(tables);
    return switch (choice) {
      case 0, 1 ->
          c.name() + " " + pick(List.of("<", "<=", "=", "<>", ">", ">=")) + " " + literal(c);
      case 2 -> c.name() + " between " + literal(c) + " and " + literal(c);
      case 3 -> c.name() + " in (" + literal(c) + ", " + literal(c) + ", " + literal(c) + ")";
      default ->
          c.kind().equals("str") || c.kind().equals("flag")
              ? c.name() + " like '" + pick(List.of("A", "B", "C", "M", "1", "%R", "%A%")) + "%'"
              : c.name() + " is not null";
    };
  }

  private String expression(List<Table> tables) {
    Column c = column(tables);
    return switch (c.kind()) {
      case "int", "dec" ->
          switch (random.nextInt(4)) {
            case 0 -> c.name() + " + " + literal(c);
            case 1 -> c.name() + " * 2";
            case 2 -> "case when " + predicate(tables, 2) + " then " + c.name() + " else 0 end";
            default -> c.name();
          };
      case "date" -> "extract(year from " + c.name() + ")";
      default ->
          random.nextBoolean()
              ? "upper(substring(" + c.name() + " from 1 for 3))"
              : "coalesce(" + c.name() + ", 'none')";
    };
  }

  private String select() {
    StringBuilder from = new StringBuilder();
    List<Table> tables = joinPath(from);
    return "select "
        + expression(tables)
        + ", "
        + expression(tables)
        + " from "
        + from
        + " where "
        + predicate(tables, 0);
  }

  private String aggregate() {
    StringBuilder from = new StringBuilder();
    List<Table> tables = joinPath(from);
    Column key = column(tables);
    Column number = column(tables, random.nextBoolean() ? "dec" : "int");
    String measure = number == null ? "1" : number.name();
    String having = random.nextInt(3) == 0 ? " having count(*) > " + random.nextInt(20) : "";
    return "select "
        + key.name()
        + ", count(*), sum("
        + measure
        + "), min("
        + column(tables).name()
        + "), max("
        + measure
        + "), avg("
        + measure
        + "), count(distinct "
        + column(tables).name()
        + ") from "
        + from
        + " where "
        + predicate(tables, 0)
        + " group by "
        + key.name()
        + having;
  }

  private String window() {
    Table table = pick(TABLES);
    List<Table> tables = List.of(table);
    Column partition = column(tables);
    Column value = column(tables, "int");
    String unique = table.columns().get(0).name();
    String measure = value == null ? unique : value.name();
    String over =
        " over (partition by "
            + partition.name()
            + " order by "
            + measure
            + ", "
            + unique
            + (table.name().equals("lineitem") ? ", l_linenumber" : "")
            + ")";
    String function =
        pick(
            List.of(
                "row_number()",
                "rank()",
                "dense_rank()",
                "sum(" + measure + ")",
                "lag(" + measure + ")",
                "count(*)"));
    return "select "
        + unique
        + (table.name().equals("lineitem") ? ", l_linenumber" : "")
        + ", "
        + function
        + over
        + " from "
        + table.name()
        + " where "
        + predicate(tables, 1);
  }

  private String subquery() {
    ForeignKey key = pick(KEYS);
    Table outer = table(key.from());
    Table inner = table(key.to());
    List<Table> outerTables = List.of(outer);
    List<Table> innerTables = List.of(inner);
    Column number = column(innerTables, "int");
    return switch (random.nextInt(4)) {
      case 0 ->
          "select count(*), min("
              + key.fromColumn()
              + ") from "
              + outer.name()
              + " where "
              + key.fromColumn()
              + (random.nextBoolean() ? " in " : " not in ")
              + "(select "
              + key.toColumn()
              + " from "
              + inner.name()
              + " where "
              + predicate(innerTables, 1)
              + ")";
      case 1 ->
          "select count(*) from "
              + outer.name()
              + " where "
              + (random.nextBoolean() ? "" : "not ")
              + "exists (select * from "
              + inner.name()
              + " where "
              + key.toColumn()
              + " = "
              + key.fromColumn()
              + " and "
              + predicate(innerTables, 1)
              + ")";
      case 2 ->
          "select "
              + key.fromColumn()
              + ", (select "
              + (number == null ? "count(*)" : "max(" + number.name() + ")")
              + " from "
              + inner.name()
              + " where "
              + key.toColumn()
              + " = "
              + key.fromColumn()
              + ") from "
              + outer.name()
              + " where "
              + predicate(outerTables, 1);
      default ->
          "select count(*) from "
              + outer.name()
              + " where "
              + key.fromColumn()
              + " > (select avg("
              + key.toColumn()
              + ") from "
              + inner.name()
              + " where "
              + predicate(innerTables, 1)
              + ")";
    };
  }
}
