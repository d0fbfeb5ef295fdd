package io.oxbow.testing;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.flight.OxbowFlightServer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An Oxbow server on 127.0.0.1 and a free port, with the demo users ({@code admin}, {@code
 * analyst}) and catalog {@code demo} over a warehouse. Closing it checks that no Arrow buffer
 * leaked (the engine's root allocator throws otherwise).
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

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      engine.close();
    }
  }
}
