package io.oxbow.planner;

import io.oxbow.spi.connector.ColumnStatistics;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.SchemaTableName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans a fixed set of analytic queries over a built-in schema that has metadata and statistics but
 * no data, so that the JVM compiles the planner's code before users' first queries. Freshly
 * started, the planner runs interpreted Calcite code: planning a six-table join with a correlated
 * subquery takes a few hundred milliseconds on its first runs and tens once the JIT has compiled
 * it. The queries cover what analysts' queries are made of (multi-way joins, correlated scalar,
 * EXISTS and IN subqueries, outer joins, CASE, LIKE, date arithmetic, HAVING, windows, UNION ALL,
 * top-N). They only reach this class's own catalog: nothing is read or executed, and no user
 * catalog is touched (the constants they fold, such as a date minus an interval, join the planner's
 * cache of folded constants like any query's).
 */
public final class PlannerWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(PlannerWarmup.class);

  /** The warm-up's own catalog and schema: the queries name tables in it only. */
  static final String CATALOG = "warmup";

  public static final String SCHEMA = "shop";

  /** What a warm-up did. */
  public record Report(int rounds, int plans, int failures, long millis) {}

  private PlannerWarmup() {}

  /**
   * Plans {@link #QUERIES} round after round until {@code budget} has passed (checked before each
   * query), {@code maxRounds} rounds are done or the thread is interrupted. A query that fails to
   * plan is logged and counted; it does not stop the others.
   */
  public static Report run(Duration budget, int maxRounds) {
    long started = System.nanoTime();
    long deadline = started + budget.toNanos();
    OxbowPlanner planner = new OxbowPlanner(catalog());
    PlannerSession session = new PlannerSession("warmup", CATALOG, SCHEMA);
    int rounds = 0;
    int plans = 0;
    int failures = 0;
    rounds:
    while (rounds < maxRounds) {
      for (String sql : QUERIES) {
        if (System.nanoTime() >= deadline || Thread.currentThread().isInterrupted()) {
          break rounds;
        }
        try {
          planner.plan(sql, session);
        } catch (RuntimeException e) {
          if (Thread.currentThread().isInterrupted()) {
            break rounds; // stopped (the server is closing): not a failure of the query
          }
          failures++;
          LOG.warn("Planner warm-up query failed to plan: {}", e.getMessage());
        }
        plans++;
      }
      rounds++;
    }
    Report report = new Report(rounds, plans, failures, (System.nanoTime() - started) / 1_000_000);
    LOG.info(
        "Planner warm-up: {} plans ({} full rounds) in {} ms, {} failed",
        report.plans(),
        report.rounds(),
        report.millis(),
        report.failures());
    return report;
  }

  /**
   * The warm-up's queries, over tables named and shaped as {@link #tables()} in schema {@value
   * #SCHEMA} of the session's catalog (the execution warm-up runs them over generated data).
   */
  public static List<String> queries() {
    return QUERIES;
  }

  /** The warm-up queries, over {@link #tables()}. */
  static final List<String> QUERIES =
      List.of(
          // aggregation with arithmetic and a date computed from an interval
          """
          SELECT returned, ship_mode, sum(quantity), sum(amount * (1 - discount)),
                 sum(amount * (1 - discount) * (1 + tax)), avg(discount), count(*)
          FROM purchase_line
          WHERE shipped <= DATE '2025-12-31' - INTERVAL '30' DAY
          GROUP BY returned, ship_mode
          ORDER BY returned, ship_mode""",
          // five-table join with a correlated scalar subquery over four of them, top-N
          """
          SELECT v.rating, v.name, c.name, p.product_id, p.brand, v.phone
          FROM product p, offer o, vendor v, country c, region r
          WHERE p.product_id = o.product_id AND v.vendor_id = o.vendor_id
            AND v.country_id = c.country_id AND c.region_id = r.region_id
            AND p.size = 12 AND p.category LIKE '%garden' AND r.name = 'EMEA'
            AND o.cost = (
              SELECT min(o2.cost)
              FROM offer o2, vendor v2, country c2, region r2
              WHERE p.product_id = o2.product_id AND v2.vendor_id = o2.vendor_id
                AND v2.country_id = c2.country_id AND c2.region_id = r2.region_id
                AND r2.name = 'EMEA')
          ORDER BY v.rating DESC, c.name, v.name, p.product_id
          LIMIT 50""",
          // three-table join, grouped, top-N on an aggregate
          """
          SELECT pu.purchase_id, pu.ordered, sum(pl.amount * (1 - pl.discount)) AS revenue
          FROM customer cu JOIN purchase pu ON cu.customer_id = pu.customer_id
               JOIN purchase_line pl ON pl.purchase_id = pu.purchase_id
          WHERE cu.segment = 'RETAIL' AND pu.ordered < DATE '2025-03-01'
            AND pl.shipped > DATE '2025-03-01'
          GROUP BY pu.purchase_id, pu.ordered
          ORDER BY revenue DESC, pu.ordered
          LIMIT 20""",
          // correlated EXISTS
          """
          SELECT pu.channel, count(*) AS purchases
          FROM purchase pu
          WHERE pu.ordered >= DATE '2025-01-01'
            AND pu.ordered < DATE '2025-01-01' + INTERVAL '3' MONTH
            AND EXISTS (SELECT * FROM purchase_line pl
                        WHERE pl.purchase_id = pu.purchase_id AND pl.delivered > pl.shipped)
          GROUP BY pu.channel
          ORDER BY pu.channel""",
          // six-table join with a two-column join condition
          """
          SELECT c.name, sum(pl.amount * (1 - pl.discount)) AS revenue
          FROM customer cu, purchase pu, purchase_line pl, vendor v, country c, region r
          WHERE cu.customer_id = pu.customer_id AND pl.purchase_id = pu.purchase_id
            AND pl.vendor_id = v.vendor_id AND cu.country_id = v.country_id
            AND v.country_id = c.country_id AND c.region_id = r.region_id
            AND r.name = 'APAC' AND pu.ordered >= DATE '2025-01-01'
            AND pu.ordered < DATE '2025-01-01' + INTERVAL '1' YEAR
          GROUP BY c.name
          ORDER BY revenue DESC""",
          // derived table, CASE, EXTRACT, OR of pairs across a join
          """
          SELECT buyer, seller, y, sum(volume) AS volume
          FROM (SELECT c1.name AS buyer, c2.name AS seller,
                       EXTRACT(YEAR FROM pl.shipped) AS y, pl.amount * (1 - pl.discount) AS volume
                FROM vendor v, purchase_line pl, purchase pu, customer cu, country c1, country c2
                WHERE v.vendor_id = pl.vendor_id AND pu.purchase_id = pl.purchase_id
                  AND cu.customer_id = pu.customer_id AND c1.country_id = cu.country_id
                  AND c2.country_id = v.country_id
                  AND ((c1.name = 'Chile' AND c2.name = 'Peru')
                       OR (c1.name = 'Peru' AND c2.name = 'Chile'))
                  AND pl.shipped BETWEEN DATE '2024-01-01' AND DATE '2025-12-31') AS shipping
          GROUP BY buyer, seller, y
          ORDER BY buyer, seller, y""",
          // share of a total with CASE inside sum, eight tables
          """
          SELECT EXTRACT(YEAR FROM pu.ordered) AS y,
                 sum(CASE WHEN c2.name = 'Japan' THEN pl.amount ELSE 0 END) / sum(pl.amount)
          FROM product p, vendor v, purchase_line pl, purchase pu, customer cu,
               country c1, region r, country c2
          WHERE p.product_id = pl.product_id AND v.vendor_id = pl.vendor_id
            AND pl.purchase_id = pu.purchase_id AND pu.customer_id = cu.customer_id
            AND cu.country_id = c1.country_id AND c1.region_id = r.region_id
            AND r.name = 'APAC' AND v.country_id = c2.country_id
            AND pu.ordered BETWEEN DATE '2024-01-01' AND DATE '2025-12-31'
            AND p.category = 'steel tools'
          GROUP BY EXTRACT(YEAR FROM pu.ordered)
          ORDER BY y""",
          // LEFT JOIN counted per row, then a histogram of the counts
          """
          SELECT n, count(*) AS customers
          FROM (SELECT cu.customer_id, count(pu.purchase_id) AS n
                FROM customer cu LEFT OUTER JOIN purchase pu
                  ON cu.customer_id = pu.customer_id AND pu.status NOT LIKE '%cancel%'
                GROUP BY cu.customer_id) AS per_customer
          GROUP BY n
          ORDER BY customers DESC, n DESC""",
          // IN over a grouped subquery with HAVING
          """
          SELECT cu.name, cu.customer_id, pu.purchase_id, pu.ordered, pu.total, sum(pl.quantity)
          FROM customer cu, purchase pu, purchase_line pl
          WHERE pu.purchase_id IN (SELECT purchase_id FROM purchase_line
                                   GROUP BY purchase_id HAVING sum(quantity) > 250)
            AND cu.customer_id = pu.customer_id AND pu.purchase_id = pl.purchase_id
          GROUP BY cu.name, cu.customer_id, pu.purchase_id, pu.ordered, pu.total
          ORDER BY pu.total DESC, pu.ordered
          LIMIT 100""",
          // OR of conjunctions with IN lists and ranges across a join
          """
          SELECT sum(pl.amount * (1 - pl.discount)) AS revenue
          FROM purchase_line pl, product p
          WHERE (p.product_id = pl.product_id AND p.brand = 'Acme'
                 AND p.size BETWEEN 1 AND 5 AND pl.ship_mode IN ('AIR', 'TRUCK')
                 AND pl.quantity BETWEEN 1 AND 11)
             OR (p.product_id = pl.product_id AND p.brand = 'Zenith'
                 AND p.size BETWEEN 1 AND 10 AND pl.ship_mode IN ('AIR', 'RAIL')
                 AND pl.quantity BETWEEN 10 AND 20)""",
          // EXISTS and NOT EXISTS with a non-equality correlation
          """
          SELECT v.name, count(*) AS late
          FROM vendor v, purchase_line l1, purchase pu, country c
          WHERE v.vendor_id = l1.vendor_id AND pu.purchase_id = l1.purchase_id
            AND pu.status = 'F' AND l1.delivered > l1.shipped
            AND EXISTS (SELECT * FROM purchase_line l2
                        WHERE l2.purchase_id = l1.purchase_id AND l2.vendor_id <> l1.vendor_id)
            AND NOT EXISTS (SELECT * FROM purchase_line l3
                            WHERE l3.purchase_id = l1.purchase_id
                              AND l3.vendor_id <> l1.vendor_id AND l3.delivered > l3.shipped)
            AND v.country_id = c.country_id AND c.name = 'Kenya'
          GROUP BY v.name
          ORDER BY late DESC, v.name
          LIMIT 100""",
          // uncorrelated scalar subquery, NOT IN, SUBSTRING
          """
          SELECT substring(cu.phone FROM 1 FOR 2) AS code, count(*), sum(cu.balance)
          FROM customer cu
          WHERE substring(cu.phone FROM 1 FOR 2) IN ('13', '31', '23', '29')
            AND cu.balance > (SELECT avg(balance) FROM customer WHERE balance > 0.00)
            AND cu.customer_id NOT IN (SELECT customer_id FROM purchase)
          GROUP BY substring(cu.phone FROM 1 FOR 2)
          ORDER BY code""",
          // COUNT DISTINCT, NOT IN over a LIKE filter
          """
          SELECT p.brand, p.category, p.size, count(DISTINCT o.vendor_id) AS vendors
          FROM offer o, product p
          WHERE p.product_id = o.product_id AND p.brand <> 'Acme'
            AND p.category NOT LIKE 'small%' AND p.size IN (1, 4, 9, 16, 25)
            AND o.vendor_id NOT IN (SELECT vendor_id FROM vendor WHERE phone LIKE '%555%')
          GROUP BY p.brand, p.category, p.size
          ORDER BY vendors DESC, p.brand, p.category, p.size""",
          // correlated scalar subquery with an average, in a join
          """
          SELECT sum(pl.amount) / 7.0 AS yearly
          FROM purchase_line pl, product p
          WHERE p.product_id = pl.product_id AND p.brand = 'Acme' AND p.category = 'lamps'
            AND pl.quantity < (SELECT 0.2 * avg(quantity) FROM purchase_line
                               WHERE product_id = p.product_id)""",
          // common table expression, window function, UNION ALL
          """
          WITH monthly AS (
            SELECT vendor_id, date_trunc('month', shipped) AS m, sum(amount) AS s
            FROM purchase_line
            GROUP BY vendor_id, date_trunc('month', shipped))
          SELECT vendor_id, m, s, rank() OVER (PARTITION BY m ORDER BY s DESC) AS r
          FROM monthly
          WHERE s > 1000
          UNION ALL
          SELECT vendor_id, DATE '2025-01-01', sum(cost * stock), 0
          FROM offer
          GROUP BY vendor_id""");

  /** The tables of {@link #SCHEMA}: columns, row counts and distinct values. */
  static Map<String, ConnectorTableMetadata> tables() {
    Map<String, ConnectorTableMetadata> tables = new LinkedHashMap<>();
    table(tables, "region", 5, "region_id int 5", "name text 5");
    table(tables, "country", 30, "country_id int 30", "name text 30", "region_id int 5");
    table(
        tables,
        "vendor",
        20_000,
        "vendor_id long 20000",
        "name text 20000",
        "country_id int 30",
        "rating decimal 500",
        "phone text 20000");
    table(
        tables,
        "customer",
        300_000,
        "customer_id long 300000",
        "name text 300000",
        "country_id int 30",
        "segment text 5",
        "balance decimal 250000",
        "phone text 300000");
    table(
        tables,
        "product",
        400_000,
        "product_id long 400000",
        "name text 400000",
        "brand text 25",
        "category text 150",
        "size int 50",
        "list_price decimal 20000");
    table(
        tables,
        "offer",
        1_600_000,
        "product_id long 400000",
        "vendor_id long 20000",
        "stock int 10000",
        "cost decimal 100000");
    table(
        tables,
        "purchase",
        3_000_000,
        "purchase_id long 3000000",
        "customer_id long 200000",
        "status text 3",
        "total decimal 2500000",
        "ordered date 2400",
        "channel text 5");
    table(
        tables,
        "purchase_line",
        12_000_000,
        "purchase_id long 3000000",
        "line int 7",
        "product_id long 400000",
        "vendor_id long 20000",
        "quantity decimal 50",
        "amount decimal 1000000",
        "discount decimal 11",
        "tax decimal 9",
        "returned text 3",
        "shipped date 2500",
        "delivered date 2500",
        "ship_mode text 7");
    return tables;
  }

  /** Adds a table; each column is "name type distinct-values", all columns NOT NULL. */
  private static void table(
      Map<String, ConnectorTableMetadata> tables, String name, long rows, String... columns) {
    List<Field> fields = new ArrayList<>();
    Map<String, ColumnStatistics> statistics = new LinkedHashMap<>();
    for (String column : columns) {
      String[] parts = column.split(" ");
      ArrowType type =
          switch (parts[1]) {
            case "int" -> new ArrowType.Int(32, true);
            case "long" -> new ArrowType.Int(64, true);
            case "decimal" -> new ArrowType.Decimal(15, 2, 128);
            case "date" -> new ArrowType.Date(DateUnit.DAY);
            default -> ArrowType.Utf8.INSTANCE;
          };
      fields.add(new Field(parts[0], FieldType.notNullable(type), null));
      statistics.put(
          parts[0],
          new ColumnStatistics(
              OptionalLong.of(0), OptionalDouble.of(Double.parseDouble(parts[2]))));
    }
    tables.put(
        name,
        new ConnectorTableMetadata(
            new SchemaTableName(SCHEMA, name),
            new Schema(fields),
            OptionalLong.of(rows),
            statistics));
  }

  /** The warm-up's catalog: {@link #CATALOG}, holding {@link #tables()}. */
  static CatalogProvider catalog() {
    return new WarmupCatalog();
  }

  /** The warm-up's catalog: {@link #tables()}, metadata only. */
  private static final class WarmupCatalog implements CatalogProvider {
    private final Connector connector = new WarmupConnector(tables());

    @Override
    public List<String> catalogNames() {
      return List.of(CATALOG);
    }

    @Override
    public Optional<Connector> connector(String catalogName) {
      return CATALOG.equals(catalogName) ? Optional.of(connector) : Optional.empty();
    }
  }

  private record Handle(SchemaTableName name) implements ConnectorTableHandle {}

  /** Tables with metadata and statistics and no data: planning only. */
  private record WarmupConnector(Map<String, ConnectorTableMetadata> tables)
      implements Connector, ConnectorMetadata {
    @Override
    public ConnectorMetadata metadata() {
      return this;
    }

    @Override
    public ConnectorSplitManager splitManager() {
      return table -> {
        throw new UnsupportedOperationException("the planner warm-up catalog is never read");
      };
    }

    @Override
    public ConnectorPageSourceProvider pageSourceProvider() {
      return (table, split, columns, allocator) -> {
        throw new UnsupportedOperationException("the planner warm-up catalog is never read");
      };
    }

    @Override
    public List<String> listSchemaNames() {
      return List.of(SCHEMA);
    }

    @Override
    public List<String> listTables(String schemaName) {
      return SCHEMA.equals(schemaName) ? List.copyOf(tables.keySet()) : List.of();
    }

    @Override
    public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name) {
      return SCHEMA.equals(name.schema()) && tables.containsKey(name.table())
          ? Optional.of(new Handle(name))
          : Optional.empty();
    }

    @Override
    public ConnectorTableMetadata getTableMetadata(ConnectorTableHandle table) {
      return tables.get(((Handle) table).name().table());
    }
  }
}
