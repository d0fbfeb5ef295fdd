package io.oxbow.federation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Server configuration. Every key is optional; {@link #defaults()} works with no file at all. The
 * YAML layout and the environment variables that override it are documented in {@code
 * docs/configuration.md}.
 *
 * @param host address the servers bind to
 * @param flightPort Arrow Flight SQL port
 * @param users user name to password (plain text for now)
 * @param catalogs configured catalogs, in order
 * @param defaultCatalog catalog for unqualified names, or null
 * @param defaultSchema schema for unqualified names, or null
 * @param queryMemoryLimitBytes memory one query may use before it fails (or, later, spills)
 * @param totalMemoryLimitBytes memory all queries together may use
 * @param queryThreads threads that may work on one query at once (default: the number of
 *     processors)
 * @param spillDirectory where operators spill to disk near the memory limit, or null for {@code
 *     java.io.tmpdir/oxbow-spill}
 * @param spillEnabled whether operators may spill (otherwise they fail at the memory limit)
 * @param plannerWarmup how long a started server plans queries of its own in the background so the
 *     JVM compiles the planner before users' first queries (zero for none)
 * @param executionWarmup how long a started server then runs queries of its own over a small
 *     generated warehouse in the background so the JVM compiles the executor (zero for none)
 */
public record OxbowConfig(
    String host,
    int flightPort,
    Map<String, String> users,
    List<CatalogConfig> catalogs,
    String defaultCatalog,
    String defaultSchema,
    long queryMemoryLimitBytes,
    long totalMemoryLimitBytes,
    int queryThreads,
    String spillDirectory,
    boolean spillEnabled,
    Duration plannerWarmup,
    Duration executionWarmup) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_FLIGHT_PORT = 47470;
  public static final long DEFAULT_QUERY_MEMORY = 2L << 30;
  public static final Duration DEFAULT_PLANNER_WARMUP = Duration.ofSeconds(5);
  public static final Duration DEFAULT_EXECUTION_WARMUP = Duration.ofSeconds(25);
  private static final long MAX_PLANNER_WARMUP_SECONDS = 3600;

  public OxbowConfig {
    Objects.requireNonNull(host, "host");
    if (queryThreads < 1) {
      throw new IllegalArgumentException(
          "execution.threads must be at least 1, not " + queryThreads);
    }
    requireWarmup(plannerWarmup, "execution.planner-warmup");
    requireWarmup(executionWarmup, "execution.execution-warmup");
    users = Map.copyOf(users);
    catalogs = List.copyOf(catalogs);
  }

  private static void requireWarmup(Duration value, String key) {
    Objects.requireNonNull(value, key);
    if (value.isNegative() || value.compareTo(Duration.ofSeconds(MAX_PLANNER_WARMUP_SECONDS)) > 0) {
      throw new IllegalArgumentException(
          key + " must be 0 to " + MAX_PLANNER_WARMUP_SECONDS + " seconds, not " + value);
    }
  }

  /**
   * One catalog.
   *
   * @param name catalog name as used in SQL
   * @param connector connector kind, e.g. {@code delta}
   * @param properties connector properties, e.g. {@code warehouse}
   */
  public record CatalogConfig(String name, String connector, Map<String, String> properties) {
    public CatalogConfig {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(connector, "connector");
      properties = Map.copyOf(properties);
    }
  }

  /** No catalogs, no users, defaults for everything else. */
  public static OxbowConfig defaults() {
    long heap = Runtime.getRuntime().maxMemory();
    return new OxbowConfig(
        DEFAULT_HOST,
        DEFAULT_FLIGHT_PORT,
        Map.of(),
        List.of(),
        null,
        null,
        Math.min(DEFAULT_QUERY_MEMORY, heap / 2),
        heap / 4 * 3,
        Math.max(1, Runtime.getRuntime().availableProcessors()),
        null,
        true,
        DEFAULT_PLANNER_WARMUP,
        DEFAULT_EXECUTION_WARMUP);
  }

  public OxbowConfig withHost(String value) {
    return new OxbowConfig(
        value,
        flightPort,
        users,
        catalogs,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withFlightPort(int value) {
    return new OxbowConfig(
        host,
        value,
        users,
        catalogs,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withUser(String name, String password) {
    Map<String, String> copy = new LinkedHashMap<>(users);
    copy.put(name, password);
    return new OxbowConfig(
        host,
        flightPort,
        copy,
        catalogs,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withCatalog(String name, String connector, Map<String, String> properties) {
    List<CatalogConfig> copy = new ArrayList<>(catalogs);
    copy.removeIf(c -> c.name().equals(name));
    copy.add(new CatalogConfig(name, connector, properties));
    return new OxbowConfig(
        host,
        flightPort,
        users,
        copy,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withDefaultNamespace(String catalog, String schema) {
    return new OxbowConfig(
        host,
        flightPort,
        users,
        catalogs,
        catalog,
        schema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withQueryMemoryLimit(long bytes) {
    return new OxbowConfig(
        host,
        flightPort,
        users,
        catalogs,
        defaultCatalog,
        defaultSchema,
        bytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withQueryThreads(int threads) {
    return new OxbowConfig(
        host,
        flightPort,
        users,
        catalogs,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        threads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withSpill(String directory, boolean enabled) {
    return new OxbowConfig(
        host,
        flightPort,
        users,
        catalogs,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        directory,
        enabled,
        plannerWarmup,
        executionWarmup);
  }

  public OxbowConfig withPlannerWarmup(Duration value) {
    return new OxbowConfig(
        host,
        flightPort,
        users,
        catalogs,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        value,
        executionWarmup);
  }

  public OxbowConfig withExecutionWarmup(Duration value) {
    return new OxbowConfig(
        host,
        flightPort,
        users,
        catalogs,
        defaultCatalog,
        defaultSchema,
        queryMemoryLimitBytes,
        totalMemoryLimitBytes,
        queryThreads,
        spillDirectory,
        spillEnabled,
        plannerWarmup,
        value);
  }

  /** Reads a YAML file on top of {@link #defaults()}, then applies environment overrides. */
  public static OxbowConfig load(Path file) {
    Map<String, Object> yaml;
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> read =
          new ObjectMapper(new YAMLFactory()).readValue(Files.readString(file), Map.class);
      yaml = read == null ? Map.of() : read;
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.USER_ERROR,
          "Cannot read configuration file " + file + ": " + e.getMessage(),
          e);
    }
    return fromMap(yaml, file.toString()).withEnvironment(System.getenv());
  }

  /** Builds a configuration from parsed YAML; {@code origin} names the source in errors. */
  static OxbowConfig fromMap(Map<String, Object> yaml, String origin) {
    OxbowConfig config = defaults();
    for (String key : yaml.keySet()) {
      if (!List.of("server", "users", "catalogs", "session", "memory", "execution").contains(key)) {
        throw bad(origin, "unknown top-level key '" + key + "'");
      }
    }
    Map<String, Object> server = section(yaml, "server", origin);
    if (server.containsKey("host")) {
      config = config.withHost(string(server.get("host")));
    }
    if (server.containsKey("flight-port")) {
      config =
          config.withFlightPort(integer(server.get("flight-port"), origin, "server.flight-port"));
    }
    Object users = yaml.get("users");
    if (users instanceof List<?> list) {
      for (Object entry : list) {
        if (!(entry instanceof Map<?, ?> user) || user.get("name") == null) {
          throw bad(origin, "each entry of 'users' needs a name and a password");
        }
        config = config.withUser(string(user.get("name")), string(user.get("password")));
      }
    } else if (users != null) {
      throw bad(origin, "'users' must be a list of {name, password}");
    }
    Map<String, Object> catalogs = section(yaml, "catalogs", origin);
    for (Map.Entry<String, Object> entry : catalogs.entrySet()) {
      if (!(entry.getValue() instanceof Map<?, ?> raw)) {
        throw bad(origin, "catalog '" + entry.getKey() + "' must be a mapping");
      }
      Map<String, String> properties = new LinkedHashMap<>();
      String connector = null;
      for (Map.Entry<?, ?> p : raw.entrySet()) {
        if ("connector".equals(p.getKey())) {
          connector = string(p.getValue());
        } else {
          properties.put(String.valueOf(p.getKey()), string(p.getValue()));
        }
      }
      if (connector == null) {
        throw bad(origin, "catalog '" + entry.getKey() + "' needs a 'connector' key");
      }
      config = config.withCatalog(entry.getKey().toLowerCase(Locale.ROOT), connector, properties);
    }
    Map<String, Object> session = section(yaml, "session", origin);
    config =
        config.withDefaultNamespace(
            lower(session.getOrDefault("default-catalog", config.defaultCatalog())),
            lower(session.getOrDefault("default-schema", config.defaultSchema())));
    Map<String, Object> memory = section(yaml, "memory", origin);
    if (memory.containsKey("query-limit")) {
      config = config.withQueryMemoryLimit(parseBytes(string(memory.get("query-limit")), origin));
    }
    Map<String, Object> execution = section(yaml, "execution", origin);
    if (execution.containsKey("threads")) {
      config =
          config.withQueryThreads(
              threads(
                  integer(string(execution.get("threads")), origin, "execution.threads"), origin));
    }
    if (execution.containsKey("spill-directory") || execution.containsKey("spill")) {
      Object spill = execution.getOrDefault("spill", true);
      if (!(spill instanceof Boolean)) {
        throw bad(origin, "execution.spill must be true or false, not '" + spill + "'");
      }
      config =
          config.withSpill(
              string(execution.getOrDefault("spill-directory", config.spillDirectory())),
              (Boolean) spill);
    }
    if (execution.containsKey("planner-warmup")) {
      config =
          config.withPlannerWarmup(
              warmup(
                  string(execution.get("planner-warmup")),
                  origin,
                  "execution.planner-warmup",
                  "planner"));
    }
    if (execution.containsKey("execution-warmup")) {
      config =
          config.withExecutionWarmup(
              warmup(
                  string(execution.get("execution-warmup")),
                  origin,
                  "execution.execution-warmup",
                  "execution"));
    }
    return config;
  }

  /** Applies the {@code OXBOW_*} environment variables documented in docs/configuration.md. */
  public OxbowConfig withEnvironment(Map<String, String> env) {
    OxbowConfig config = this;
    if (env.get("OXBOW_HOST") != null) {
      config = config.withHost(env.get("OXBOW_HOST"));
    }
    if (env.get("OXBOW_FLIGHT_PORT") != null) {
      config =
          config.withFlightPort(
              integer(env.get("OXBOW_FLIGHT_PORT"), "environment", "OXBOW_FLIGHT_PORT"));
    }
    if (env.get("OXBOW_QUERY_MEMORY_LIMIT") != null) {
      config =
          config.withQueryMemoryLimit(
              parseBytes(env.get("OXBOW_QUERY_MEMORY_LIMIT"), "environment"));
    }
    if (env.get("OXBOW_QUERY_THREADS") != null) {
      config =
          config.withQueryThreads(
              threads(
                  integer(env.get("OXBOW_QUERY_THREADS"), "environment", "OXBOW_QUERY_THREADS"),
                  "environment"));
    }
    if (env.get("OXBOW_SPILL_DIRECTORY") != null) {
      config = config.withSpill(env.get("OXBOW_SPILL_DIRECTORY"), config.spillEnabled());
    }
    if (env.get("OXBOW_DEFAULT_CATALOG") != null || env.get("OXBOW_DEFAULT_SCHEMA") != null) {
      config =
          config.withDefaultNamespace(
              lower(env.getOrDefault("OXBOW_DEFAULT_CATALOG", config.defaultCatalog())),
              lower(env.getOrDefault("OXBOW_DEFAULT_SCHEMA", config.defaultSchema())));
    }
    if (env.get("OXBOW_PLANNER_WARMUP") != null) {
      config =
          config.withPlannerWarmup(
              warmup(
                  env.get("OXBOW_PLANNER_WARMUP"),
                  "environment",
                  "OXBOW_PLANNER_WARMUP",
                  "planner"));
    }
    if (env.get("OXBOW_EXECUTION_WARMUP") != null) {
      config =
          config.withExecutionWarmup(
              warmup(
                  env.get("OXBOW_EXECUTION_WARMUP"),
                  "environment",
                  "OXBOW_EXECUTION_WARMUP",
                  "execution"));
    }
    return config;
  }

  /**
   * A planner warm-up given in seconds ({@code 5}, {@code 0.5}; {@code 0} for none), or null when
   * {@code text} is not a number of seconds from 0 to 3600.
   */
  public static Duration plannerWarmupSeconds(String text) {
    if (text == null) {
      return null;
    }
    try {
      double seconds = Double.parseDouble(text.trim());
      if (seconds >= 0 && seconds <= MAX_PLANNER_WARMUP_SECONDS) {
        return Duration.ofMillis(Math.round(seconds * 1000));
      }
    } catch (NumberFormatException e) {
      // not a number: null below
    }
    return null;
  }

  /**
   * What is wrong with {@code text} as the warm-up {@code key} of {@code what} (planner,
   * execution), for an error message.
   */
  public static String badWarmup(String key, String text, String what) {
    return key
        + " must be a number of seconds from 0 (no "
        + what
        + " warm-up) to "
        + MAX_PLANNER_WARMUP_SECONDS
        + ", not '"
        + text
        + "'";
  }

  private static Duration warmup(String text, String origin, String key, String what) {
    Duration value = plannerWarmupSeconds(text);
    if (value == null) {
      throw bad(origin, badWarmup(key, text, what));
    }
    return value;
  }

  private static int threads(int value, String origin) {
    if (value < 1) {
      throw bad(origin, "execution.threads must be at least 1, not " + value);
    }
    return value;
  }

  /** Parses sizes such as {@code 512MB}, {@code 2GB}, {@code 1048576}. */
  static long parseBytes(String text, String origin) {
    String s = text.trim().toUpperCase(Locale.ROOT).replace(" ", "");
    long unit = 1;
    for (String[] suffix :
        new String[][] {{"KB", "10"}, {"MB", "20"}, {"GB", "30"}, {"TB", "40"}, {"B", "0"}}) {
      if (s.endsWith(suffix[0])) {
        unit = 1L << Integer.parseInt(suffix[1]);
        s = s.substring(0, s.length() - suffix[0].length());
        break;
      }
    }
    try {
      return Math.multiplyExact(Long.parseLong(s), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw bad(origin, "'" + text + "' is not a size such as 512MB or 2GB");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> section(Map<String, Object> yaml, String key, String origin) {
    Object value = yaml.get(key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?>)) {
      throw bad(origin, "'" + key + "' must be a mapping");
    }
    return (Map<String, Object>) value;
  }

  private static String string(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  private static String lower(Object value) {
    return value == null ? null : String.valueOf(value).toLowerCase(Locale.ROOT);
  }

  private static int integer(Object value, String origin, String key) {
    try {
      return Integer.parseInt(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw bad(origin, key + " must be an integer, not '" + value + "'");
    }
  }

  private static OxbowException bad(String origin, String message) {
    return new OxbowException(
        ErrorCode.USER_ERROR, "Invalid configuration in " + origin + ": " + message);
  }
}
