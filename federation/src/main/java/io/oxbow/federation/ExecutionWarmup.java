package io.oxbow.federation;

import io.oxbow.planner.PlannerWarmup;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs analytic queries on a small warehouse of its own so that the JVM compiles the executor's hot
 * loops (Parquet decoding, expressions, hash joins and aggregations, sorts) before users' first
 * queries. Freshly started, those loops run interpreted: a scan-and-aggregate over a few million
 * rows takes two to three times as long on its first runs as once compiled.
 *
 * <p>The warehouse is generated with SQL ({@link #TABLES}: about 700,000 rows in ten Delta tables,
 * written by the engine's own Delta writer) into a new temporary directory, which is deleted at the
 * end. The queries are the planner warm-up's ({@link PlannerWarmup#queries()}), run one after the
 * other, round after round, on a query engine of their own (its own memory, no spilling, the
 * server's thread count), until the budget has passed or the thread is interrupted. No user catalog
 * is touched and nothing of the warm-up outlives it but compiled code.
 */
final class ExecutionWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionWarmup.class);

  /** The warm-up engine's only catalog. */
  static final String CATALOG = "warmup";

  /** Memory one warm-up query may use; they need a few tens of megabytes. */
  static final long QUERY_MEMORY = 256L << 20;

  /** What an execution warm-up did. */
  record Report(int tables, int queries, int empty, int failures, long rows, long millis) {
    @Override
    public String toString() {
      return tables
          + " tables written, "
          + queries
          + " queries ("
          + rows
          + " rows, "
          + empty
          + " empty results) in "
          + millis
          + " ms, "
          + failures
          + " failed";
    }
  }

  private ExecutionWarmup() {}

  /**
   * Generates the warehouse and runs the queries until {@code budget} has passed (checked before
   * each statement and between result batches), {@code maxRounds} rounds of all queries are done or
   * the thread is interrupted. Before each statement it waits while {@code busy} says users'
   * statements are running (the time waited counts against the budget), so that it never takes CPU
   * from them. A query that fails is logged and counted; it does not stop the others. The queries
   * run only when every table was written.
   */
  static Report run(
      OxbowConfig server, Duration budget, int maxRounds, java.util.function.BooleanSupplier busy) {
    long started = System.nanoTime();
    long deadline = started + budget.toNanos();
    int tables = 0;
    int queries = 0;
    int empty = 0;
    int failures = 0;
    long rows = 0;
    if (budget.isZero()) {
      return new Report(0, 0, 0, 0, 0, 0);
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("oxbow-warmup-");
      Files.createDirectories(dir.resolve(PlannerWarmup.SCHEMA));
    } catch (IOException e) {
      LOG.warn(
          "Execution warm-up skipped: cannot create its temporary warehouse: {}", e.toString());
      return new Report(0, 0, 0, 1, 0, 0);
    }
    OxbowConfig config =
        new OxbowConfig(
            OxbowConfig.DEFAULT_HOST,
            0,
            Map.of(),
            List.of(
                new OxbowConfig.CatalogConfig(
                    CATALOG, "delta", Map.of("warehouse", dir.toString()))),
            CATALOG,
            PlannerWarmup.SCHEMA,
            QUERY_MEMORY,
            QUERY_MEMORY * 2,
            server.queryThreads(),
            null,
            false,
            Duration.ZERO,
            Duration.ZERO);
    try (QueryEngine engine = new QueryEngine(config, false)) {
      Session session = engine.newSession("oxbow-warmup");
      for (String sql : TABLES) {
        if (stoppedAfterWaiting(deadline, busy)) {
          break;
        }
        try {
          engine.executeUpdate(session, sql);
          tables++;
        } catch (OxbowException e) {
          if (stopping(e)) {
            break;
          }
          failures++;
          LOG.warn("Execution warm-up table failed: {}", e.getMessage());
        }
      }
      int rounds = 0;
      rounds:
      while (tables == TABLES.size() && rounds < maxRounds) {
        for (String sql : PlannerWarmup.queries()) {
          if (stoppedAfterWaiting(deadline, busy)) {
            break rounds;
          }
          long before = rows;
          try (QueryResult result = engine.execute(session, sql)) {
            VectorSchemaRoot batch;
            while ((batch = result.next()) != null) {
              rows += batch.getRowCount();
              batch.close();
              if (stopped(deadline)) {
                result.cancel();
                break rounds;
              }
            }
            queries++;
            if (rows == before) {
              empty++;
            }
          } catch (OxbowException e) {
            if (stopping(e)) {
              break rounds;
            }
            failures++;
            LOG.warn("Execution warm-up query failed: {}", e.getMessage());
          }
        }
        rounds++;
      }
    } catch (RuntimeException e) {
      failures++;
      LOG.warn("Execution warm-up stopped: {}", e.toString());
    } finally {
      delete(dir);
    }
    Report report =
        new Report(
            tables, queries, empty, failures, rows, (System.nanoTime() - started) / 1_000_000);
    LOG.info("Execution warm-up: {}", report);
    return report;
  }

  /** Whether {@code e} means the warm-up was stopped (interrupted) rather than a failure. */
  private static boolean stopping(OxbowException e) {
    return Thread.currentThread().isInterrupted() || e.code() == ErrorCode.CANCELLED;
  }

  private static boolean stopped(long deadline) {
    return System.nanoTime() >= deadline || Thread.currentThread().isInterrupted();
  }

  /**
   * Waits while {@code busy}; then whether to stop (the budget is spent or the thread interrupted).
   */
  private static boolean stoppedAfterWaiting(
      long deadline, java.util.function.BooleanSupplier busy) {
    while (busy.getAsBoolean() && !stopped(deadline)) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return stopped(deadline);
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not delete the execution warm-up's directory {}: {}", dir, e.toString());
    }
  }

  /**
   * The tables of {@link PlannerWarmup#tables()}, generated from a table of 100,000 numbers:
   * ascending keys, foreign keys and attributes scattered by a multiplicative hash (so that the
   * queries' joins and filters find rows), low- and high-cardinality strings, DECIMAL(15,2) amounts
   * and dates over seven years.
   */
  static final List<String> TABLES =
      List.of(
          "CREATE TABLE digits AS SELECT x FROM (VALUES 0, 1, 2, 3, 4, 5, 6, 7, 8, 9) AS t(x)",
          """
          CREATE TABLE numbers AS
          SELECT CAST(a.x + 10 * b.x + 100 * c.x + 1000 * d.x + 10000 * e.x AS BIGINT) AS n,
                 CAST(CAST(a.x + 10 * b.x + 100 * c.x + 1000 * d.x + 10000 * e.x AS BIGINT)
                      * 2654435761 % 1000003 AS BIGINT) AS h
          FROM digits a, digits b, digits c, digits d, digits e""",
          """
          CREATE TABLE region AS
          SELECT CAST(n AS INTEGER) AS region_id,
                 CAST(CASE n WHEN 0 THEN 'EMEA' WHEN 1 THEN 'APAC' WHEN 2 THEN 'AMER'
                             WHEN 3 THEN 'LATAM' ELSE 'ANZ' END AS VARCHAR) AS name
          FROM numbers WHERE n < 5""",
          """
          CREATE TABLE country AS
          SELECT CAST(n AS INTEGER) AS country_id,
                 CAST(CASE n WHEN 0 THEN 'Chile' WHEN 1 THEN 'Peru' WHEN 2 THEN 'Japan'
                             WHEN 3 THEN 'Kenya' ELSE 'Country ' || CAST(n AS VARCHAR) END
                      AS VARCHAR) AS name,
                 CAST(n % 5 AS INTEGER) AS region_id
          FROM numbers WHERE n < 30""",
          """
          CREATE TABLE vendor AS
          SELECT n AS vendor_id, 'Vendor#' || CAST(n AS VARCHAR) AS name,
                 CAST(h % 30 AS INTEGER) AS country_id,
                 CAST(h % 500 / 100.0 AS DECIMAL(15, 2)) AS rating,
                 CAST(10 + h % 30 AS VARCHAR) || '-' || CAST(100 + h % 900 AS VARCHAR)
                   || '-' || CAST(1000 + h % 9000 AS VARCHAR) AS phone
          FROM numbers WHERE n < 2000""",
          """
          CREATE TABLE customer AS
          SELECT n AS customer_id, 'Customer#' || CAST(n AS VARCHAR) AS name,
                 CAST(h % 30 AS INTEGER) AS country_id,
                 CAST(CASE h % 5 WHEN 0 THEN 'RETAIL' WHEN 1 THEN 'BUILDING' WHEN 2 THEN 'MACHINERY'
                                 WHEN 3 THEN 'HOUSEHOLD' ELSE 'AUTOMOBILE' END AS VARCHAR) AS segment,
                 CAST((h % 1100000 - 100000) / 100.0 AS DECIMAL(15, 2)) AS balance,
                 CAST(10 + h % 30 AS VARCHAR) || '-' || CAST(100 + h % 900 AS VARCHAR)
                   || '-' || CAST(1000 + h % 9000 AS VARCHAR) AS phone
          FROM numbers WHERE n < 15000""",
          """
          CREATE TABLE product AS
          SELECT n AS product_id,
                 'product ' || CAST(h % 1000 AS VARCHAR) || ' ' || CAST(n AS VARCHAR) AS name,
                 CAST(CASE h % 25 WHEN 0 THEN 'Acme' WHEN 1 THEN 'Zenith'
                                  ELSE 'Brand#' || CAST(h % 25 AS VARCHAR) END AS VARCHAR) AS brand,
                 CAST(CASE h % 150 WHEN 0 THEN 'steel tools' WHEN 25 THEN 'lamps'
                      ELSE CASE h % 3 WHEN 0 THEN 'small ' WHEN 1 THEN 'large ' ELSE 'home and ' END
                           || CAST(h % 150 AS VARCHAR)
                           || CASE h % 2 WHEN 0 THEN ' garden' ELSE ' kitchen' END END
                      AS VARCHAR) AS category,
                 CAST(1 + n % 50 AS INTEGER) AS size,
                 CAST((90000 + h % 20000) / 100.0 AS DECIMAL(15, 2)) AS list_price
          FROM numbers WHERE n < 20000""",
          """
          CREATE TABLE offer AS
          SELECT p.n AS product_id, (p.n + k.x * 500) % 2000 AS vendor_id,
                 CAST((p.h + k.x) % 10000 AS INTEGER) AS stock,
                 CAST((100 + (p.h * 7 + k.x * 13) % 100000) / 100.0 AS DECIMAL(15, 2)) AS cost
          FROM numbers p, digits k
          WHERE p.n < 20000 AND k.x < 4""",
          """
          CREATE TABLE purchase AS
          SELECT n AS purchase_id, h % 10000 * 3 / 2 AS customer_id,
                 CAST(CASE h % 3 WHEN 0 THEN 'F' WHEN 1 THEN 'O' ELSE 'P' END AS VARCHAR) AS status,
                 CAST((100000 + h * 7919 % 50000000) / 100.0 AS DECIMAL(15, 2)) AS total,
                 CAST(timestampadd(DAY, CAST(h % 2400 AS INTEGER), DATE '2019-06-01') AS DATE)
                   AS ordered,
                 CAST(CASE h % 5 WHEN 0 THEN 'web' WHEN 1 THEN 'store' WHEN 2 THEN 'phone'
                                 WHEN 3 THEN 'app' ELSE 'partner' END
                      || CASE WHEN h % 97 = 0 THEN ' cancelled' ELSE '' END AS VARCHAR) AS channel
          FROM numbers""",
          """
          CREATE TABLE purchase_line AS
          SELECT n AS purchase_id, CAST(line AS INTEGER) AS line,
                 g % 20000 AS product_id, g / 20000 % 2000 AS vendor_id,
                 CAST(CASE WHEN h % 50 = 0 THEN 46 + g % 5 ELSE 1 + g / 7 % 50 END AS DECIMAL(15, 2))
                   AS quantity,
                 CAST((90000 + g * 31 % 10000000) / 100.0 AS DECIMAL(15, 2)) AS amount,
                 CAST(g % 11 / 100.0 AS DECIMAL(15, 2)) AS discount,
                 CAST(g % 9 / 100.0 AS DECIMAL(15, 2)) AS tax,
                 CAST(CASE g % 3 WHEN 0 THEN 'R' WHEN 1 THEN 'A' ELSE 'N' END AS VARCHAR)
                   AS returned,
                 CAST(timestampadd(DAY, CAST(h % 2400 + 1 + g % 120 AS INTEGER), DATE '2019-06-01')
                      AS DATE) AS shipped,
                 CAST(timestampadd(DAY, CAST(h % 2400 + g % 120 + g % 31 - 10 AS INTEGER),
                                   DATE '2019-06-01') AS DATE) AS delivered,
                 CAST(CASE g % 7 WHEN 0 THEN 'AIR' WHEN 1 THEN 'TRUCK' WHEN 2 THEN 'RAIL'
                      WHEN 3 THEN 'SHIP' WHEN 4 THEN 'MAIL' WHEN 5 THEN 'FOB' ELSE 'REG AIR' END
                      AS VARCHAR) AS ship_mode
          FROM (SELECT o.n, o.h, l.x AS line, CAST((o.h * 7 + l.x * 104729) * 2654435761 % 1000000007 AS BIGINT) AS g
                FROM numbers o, digits l
                WHERE l.x < 1 + o.n % 7) AS lines""");
}
