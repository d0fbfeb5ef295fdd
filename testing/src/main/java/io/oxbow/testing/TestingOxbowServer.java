package io.oxbow.testing;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.flight.OxbowFlightServer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An Oxbow server on 127.0.0.1 and a free port, with the demo users ({@code admin}, {@code
 * analyst}) and catalog {@code demo} (Delta over a warehouse, default schema {@code demo.tpch}).
 * Closing it asserts that no Arrow buffer leaked.
 */
public final class TestingOxbowServer implements AutoCloseable {
  private final QueryEngine engine;
  private final OxbowFlightServer server;

  public TestingOxbowServer(Path warehouse) {
    engine =
        new QueryEngine(
            OxbowConfig.defaults()
                .withCatalog("demo", "delta", Map.of("warehouse", warehouse.toString()))
                .withUser("admin", "admin")
                .withUser("analyst", "analyst")
                .withDefaultNamespace("demo", "tpch")
                .withHost("127.0.0.1")
                .withFlightPort(0));
    try {
      server = OxbowFlightServer.start(engine);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  /** JDBC URL for the Arrow Flight SQL JDBC driver, logged in as {@code user}. */
  public String jdbcUrl(String user) {
    return "jdbc:arrow-flight-sql://127.0.0.1:"
        + port()
        + "?useEncryption=false&user="
        + user
        + "&password="
        + user;
  }

  /** gRPC URI for ADBC and pyarrow clients. */
  public String grpcUri() {
    return "grpc://127.0.0.1:" + port();
  }

  /** The engine behind the server, for tests that also run queries in process. */
  public QueryEngine engine() {
    return engine;
  }

  /**
   * Stops the server and the engine, and fails with an {@link AssertionError} naming the
   * allocations if any Arrow buffer is still held once every query has been released.
   */
  @Override
  public void close() {
    try {
      server.close();
    } finally {
      long leaked = engine.allocator().getAllocatedMemory();
      String detail = leaked == 0 ? "" : engine.allocator().toVerboseString();
      try {
        engine.close();
      } catch (RuntimeException e) {
        if (leaked != 0) {
          throw new AssertionError(leakMessage(leaked, detail), e);
        }
        throw e;
      }
      if (leaked != 0) {
        throw new AssertionError(leakMessage(leaked, detail));
      }
    }
  }

  private static String leakMessage(long bytes, String detail) {
    return "Arrow memory leaked: "
        + bytes
        + " bytes still allocated after the server stopped\n"
        + detail;
  }
}
