package io.oxbow.launcher;

import io.oxbow.benchmarks.BenchmarkTpch;
import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.flight.OxbowFlightServer;
import io.oxbow.spi.error.OxbowException;
import io.oxbow.tpch.TpchGenerator;
import io.oxbow.tpch.TpchRunner;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ./oxbow} command: {@code demo}, {@code server --config FILE}, {@code tpch generate},
 * {@code tpch run}, {@code bench tpch}, {@code help}. Exit codes: 0 success, 1 failure, 2 bad
 * usage.
 */
public final class Oxbow {
  static final String USAGE =
      """
      usage: oxbow <command> [options]

        demo [--sf N] [--warehouse DIR] [--port P]
            Generate TPC-H at scale factor N (default 0.01) into DIR (default ./warehouse, in
            the repository root when started by ./oxbow) if it is missing, then serve it over Arrow Flight SQL on 127.0.0.1:P (default 47470)
            with users admin/admin and analyst/analyst.
        server --config FILE
            Start the server with a YAML configuration (see docs/configuration.md).
        tpch generate --sf N --to DIR
            Write TPC-H at scale factor N as Delta tables under DIR/tpch/<table>.
        tpch run [--sf N] [--warehouse DIR] [--queries 1-22]
            Run the TPC-H queries in process on DIR (default ./warehouse-sfN, generated if
            missing), check each answer against DuckDB on the same files, report times.
        bench tpch [--sf N] [--warehouse DIR] [--queries 1-22] [--warmup W] [--runs R] [--threads T]
                   [--planner-warmup S] [--execution-warmup E]
            Benchmark Oxbow against DuckDB on the same files (DIR as for tpch run): W warm-up
            (default 1) and R measured runs (default 3) of each query on both engines, alternating;
            print medians, ratios, totals, their geometric mean and lineitem scan throughput.
            DuckDB uses T threads (default: the number of processors). Oxbow's planner warms up
            for S seconds first, then its executor for E seconds on generated tables of its
            own, untimed, as the server does when it starts (defaults 5 and 25, 0 for none).
            See benchmarks/README.md.
        help
            Show this text.
      """;

  private Oxbow() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err, null);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** A usage error: the message is printed with the usage, exit code 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /**
   * Runs a command. {@code started} (may be null) receives the running server, for tests; the
   * command then returns once the server is closed.
   */
  static int run(String[] args, PrintStream out, PrintStream err, ServerListener started) {
    try {
      if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
        out.print(USAGE);
        return args.length == 0 ? 2 : 0;
      }
      String command = args[0];
      List<String> rest = Arrays.asList(args).subList(1, args.length);
      switch (command) {
        case "demo" -> demo(options(rest, List.of("--sf", "--warehouse", "--port")), out, started);
        case "server" -> server(options(rest, List.of("--config")), out, started);
        case "tpch" -> {
          if (!rest.isEmpty() && rest.get(0).equals("run")) {
            return tpchRun(rest.subList(1, rest.size()), out);
          }
          if (rest.isEmpty() || !rest.get(0).equals("generate")) {
            throw new UsageException(
                "unknown tpch command; try: oxbow tpch generate --sf N --to DIR, or oxbow tpch run");
          }
          Map<String, String> o = options(rest.subList(1, rest.size()), List.of("--sf", "--to"));
          if (!o.containsKey("--sf") || !o.containsKey("--to")) {
            throw new UsageException("tpch generate needs --sf N and --to DIR");
          }
          double sf = scaleFactor(o.get("--sf"));
          Path to = path(o.get("--to"));
          out.println("Generating TPC-H SF " + o.get("--sf") + " into " + to);
          TpchGenerator.generate(to, sf);
          out.println("Done.");
        }
        case "bench" -> {
          if (rest.isEmpty() || !rest.get(0).equals("tpch")) {
            throw new UsageException("unknown bench command; try: oxbow bench tpch --sf N");
          }
          return benchTpch(benchOptions(rest.subList(1, rest.size())), out);
        }
        default -> throw new UsageException("unknown command '" + command + "'");
      }
      return 0;
    } catch (UsageException e) {
      err.println("oxbow: " + e.getMessage());
      err.println();
      err.print(USAGE);
      return 2;
    } catch (OxbowException e) {
      err.println("oxbow: " + e.getMessage());
      return 1;
    }
  }

  /** Receives the started server (tests use it to connect, then close it). */
  interface ServerListener {
    void started(OxbowFlightServer server, QueryEngine engine);
  }

  private static Map<String, String> options(List<String> args, List<String> allowed) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (!allowed.contains(name)) {
        throw new UsageException("unknown option '" + name + "'");
      }
      if (i + 1 >= args.size()) {
        throw new UsageException("option " + name + " needs a value");
      }
      options.put(name, args.get(++i));
    }
    return options;
  }

  private static int tpchRun(List<String> args, PrintStream out) {
    Map<String, String> o = options(args, List.of("--sf", "--warehouse", "--queries"));
    String sfText = o.getOrDefault("--sf", "0.01");
    double sf = scaleFactor(sfText);
    Path warehouse = path(o.getOrDefault("--warehouse", "warehouse-sf" + sfText));
    List<Integer> queries = queries(o.getOrDefault("--queries", "1-22"));
    if (!TpchGenerator.exists(warehouse)) {
      out.println("Generating TPC-H SF " + sfText + " into " + warehouse + " ...");
      TpchGenerator.generate(warehouse, sf);
    }
    out.println("Running TPC-H on " + warehouse);
    try {
      boolean allCorrect =
          TpchRunner.run(warehouse, queries, out).stream().allMatch(TpchRunner.Outcome::correct);
      return allCorrect ? 0 : 1;
    } catch (java.sql.SQLException e) {
      throw new OxbowException(
          io.oxbow.spi.error.ErrorCode.INTERNAL, "DuckDB failed: " + e.getMessage(), e);
    }
  }

  /** The options of {@code bench tpch}, validated, with their defaults. */
  static BenchmarkTpch.Options benchOptions(List<String> args) {
    Map<String, String> o =
        options(
            args,
            List.of(
                "--sf",
                "--warehouse",
                "--queries",
                "--warmup",
                "--runs",
                "--threads",
                "--planner-warmup",
                "--execution-warmup"));
    String sfText = o.getOrDefault("--sf", "0.01");
    return new BenchmarkTpch.Options(
        scaleFactor(sfText),
        path(o.getOrDefault("--warehouse", "warehouse-sf" + sfText)),
        queries(o.getOrDefault("--queries", "1-22")),
        count("--warmup", o.getOrDefault("--warmup", "1"), 0),
        count("--runs", o.getOrDefault("--runs", "3"), 1),
        count(
            "--threads",
            o.getOrDefault("--threads", String.valueOf(Runtime.getRuntime().availableProcessors())),
            1),
        warmup(
            o.get("--planner-warmup"),
            "--planner-warmup",
            OxbowConfig.DEFAULT_PLANNER_WARMUP,
            "planner"),
        warmup(
            o.get("--execution-warmup"),
            "--execution-warmup",
            OxbowConfig.DEFAULT_EXECUTION_WARMUP,
            "execution"));
  }

  /**
   * A bench warm-up option: {@code text} in seconds, {@code fallback} when null, 0 for none; a bad
   * value is a usage error naming {@code option} and the {@code what} (planner, execution) warm-up.
   */
  static Duration warmup(String text, String option, Duration fallback, String what) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    Duration value = OxbowConfig.plannerWarmupSeconds(text);
    if (value == null) {
      throw new UsageException(OxbowConfig.badWarmup(option, text, what));
    }
    return value;
  }

  private static int benchTpch(BenchmarkTpch.Options options, PrintStream out) {
    try {
      return BenchmarkTpch.run(options, out) ? 0 : 1;
    } catch (java.sql.SQLException e) {
      throw new OxbowException(
          io.oxbow.spi.error.ErrorCode.INTERNAL, "DuckDB failed: " + e.getMessage(), e);
    }
  }

  private static int count(String option, String text, int min) {
    try {
      int value = Integer.parseInt(text);
      if (value < min) {
        throw new UsageException(option + " must be at least " + min + ", not " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " must be a whole number, not '" + text + "'");
    }
  }

  private static List<Integer> queries(String text) {
    List<Integer> queries = new ArrayList<>();
    for (String q : text.split(",")) {
      queries.addAll(range(q.trim()));
    }
    return queries;
  }

  private static List<Integer> range(String text) {
    try {
      String[] bounds = text.split("-");
      int from = Integer.parseInt(bounds[0]);
      int to = bounds.length > 1 ? Integer.parseInt(bounds[1]) : from;
      if (from < 1 || to > 22 || from > to) {
        throw new UsageException("--queries takes numbers 1 to 22, such as 1,6 or 1-22");
      }
      List<Integer> out = new ArrayList<>();
      for (int q = from; q <= to; q++) {
        out.add(q);
      }
      return out;
    } catch (NumberFormatException e) {
      throw new UsageException("--queries takes numbers 1 to 22, such as 1,6 or 1-22");
    }
  }

  private static double scaleFactor(String text) {
    try {
      double sf = Double.parseDouble(text);
      if (!(sf > 0) || sf > 1000) {
        throw new UsageException("--sf must be a number between 0 and 1000, not '" + text + "'");
      }
      return sf;
    } catch (NumberFormatException e) {
      throw new UsageException("--sf must be a number, not '" + text + "'");
    }
  }

  /**
   * A path option, absolute against the working directory ({@code ./oxbow} passes absolute ones).
   */
  private static Path path(String text) {
    try {
      return Path.of(text).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new UsageException("not a valid path: '" + text + "'");
    }
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new UsageException("--port must be between 0 and 65535, not '" + text + "'");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new UsageException("--port must be a number, not '" + text + "'");
    }
  }

  private static void demo(Map<String, String> options, PrintStream out, ServerListener started) {
    String sfText = options.getOrDefault("--sf", "0.01");
    double sf = scaleFactor(sfText);
    int port = port(options.getOrDefault("--port", "47470"));
    Path warehouse = path(options.getOrDefault("--warehouse", "warehouse"));
    if (TpchGenerator.exists(warehouse)) {
      out.println("Using the TPC-H warehouse at " + warehouse);
    } else {
      out.println("Generating TPC-H SF " + sfText + " into " + warehouse + " (first run only) ...");
      TpchGenerator.generate(warehouse, sf);
    }
    OxbowConfig config =
        OxbowConfig.defaults()
            .withCatalog("demo", "delta", Map.of("warehouse", warehouse.toString()))
            .withUser("admin", "admin")
            .withUser("analyst", "analyst")
            .withDefaultNamespace("demo", "tpch")
            .withHost("127.0.0.1")
            .withFlightPort(port);
    // the demo takes no other OXBOW_* variables: its catalog, users and port are its own
    for (String variable : List.of("OXBOW_PLANNER_WARMUP", "OXBOW_EXECUTION_WARMUP")) {
      String warmup = System.getenv(variable);
      if (warmup != null) {
        config = config.withEnvironment(Map.of(variable, warmup));
      }
    }
    serve(config, out, started);
  }

  private static void server(Map<String, String> options, PrintStream out, ServerListener started) {
    if (!options.containsKey("--config")) {
      throw new UsageException("server needs --config FILE");
    }
    serve(OxbowConfig.load(path(options.get("--config"))), out, started);
  }

  private static void serve(OxbowConfig config, PrintStream out, ServerListener started) {
    QueryEngine engine = new QueryEngine(config);
    OxbowFlightServer server;
    try {
      server = OxbowFlightServer.start(engine);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    Thread hook =
        new Thread(
            () -> {
              out.println("Stopping Oxbow ...");
              server.close();
              engine.close();
              out.println("Stopped.");
              out.flush();
            },
            "oxbow-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    printConnectionHelp(config, server.port(), out);
    if (!config.plannerWarmup().isZero() || !config.executionWarmup().isZero()) {
      // in the background: the server answers meanwhile, its first queries less fast
      engine.startWarmup(config.plannerWarmup(), config.executionWarmup());
    }
    if (started != null) {
      started.started(server, engine);
    }
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (started != null) {
      // in-process use (tests): whoever stopped the server, release everything before returning
      Runtime.getRuntime().removeShutdownHook(hook);
      server.close();
      engine.close();
    }
  }

  static void printConnectionHelp(OxbowConfig config, int port, PrintStream out) {
    String user = config.users().containsKey("admin") ? "admin" : firstUser(config);
    out.println();
    out.println("Oxbow is serving Arrow Flight SQL on " + config.host() + ":" + port);
    out.println("Catalogs: " + String.join(", ", catalogNames(config)));
    if (config.defaultCatalog() != null) {
      out.println(
          "Default: "
              + config.defaultCatalog()
              + (config.defaultSchema() == null ? "" : "." + config.defaultSchema()));
    }
    out.println();
    out.println("JDBC (Arrow Flight SQL JDBC driver):");
    out.println(
        "  jdbc:arrow-flight-sql://"
            + config.host()
            + ":"
            + port
            + "?useEncryption=false&user="
            + user
            + "&password="
            + user);
    out.println();
    out.println("Python (pip install adbc-driver-flightsql pyarrow):");
    out.println("  import adbc_driver_flightsql.dbapi as flight_sql");
    out.println(
        "  conn = flight_sql.connect(\"grpc://"
            + config.host()
            + ":"
            + port
            + "\", db_kwargs={\"username\": \""
            + user
            + "\", \"password\": \""
            + user
            + "\"})");
    out.println("  cur = conn.cursor()");
    out.println(
        "  cur.execute(\"SELECT l_returnflag, count(*) FROM lineitem GROUP BY l_returnflag\")");
    out.println("  print(cur.fetch_arrow_table())");
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
  }

  private static String firstUser(OxbowConfig config) {
    return config.users().keySet().stream().findFirst().orElse("USER");
  }

  private static List<String> catalogNames(OxbowConfig config) {
    List<String> names = new ArrayList<>();
    config.catalogs().forEach(c -> names.add(c.name()));
    return names;
  }
}
