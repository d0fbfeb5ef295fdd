package io.oxbow.flight;

import io.oxbow.federation.QueryEngine;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.BasicCallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.GeneratedBearerTokenAuthenticator;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Arrow Flight SQL server: one producer over one {@link QueryEngine}. */
public final class OxbowFlightServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OxbowFlightServer.class);

  private final FlightServer server;
  private final OxbowFlightSqlProducer producer;
  private final BufferAllocator allocator;
  private final String host;
  private boolean closed;

  private OxbowFlightServer(
      FlightServer server,
      OxbowFlightSqlProducer producer,
      BufferAllocator allocator,
      String host) {
    this.server = server;
    this.producer = producer;
    this.allocator = allocator;
    this.host = host;
  }

  /** Starts Flight SQL on the engine's configured host and port (port 0 picks a free port). */
  public static OxbowFlightServer start(QueryEngine engine) {
    String host = engine.config().host();
    BufferAllocator allocator =
        engine.allocator().newChildAllocator("flight-server", 0, Long.MAX_VALUE);
    OxbowFlightSqlProducer producer = new OxbowFlightSqlProducer(engine, allocator);
    CallHeaderAuthenticator authenticator =
        new GeneratedBearerTokenAuthenticator(
            new BasicCallHeaderAuthenticator(
                (user, password) -> {
                  if (!engine.authenticate(user, password)) {
                    throw CallStatus.UNAUTHENTICATED
                        .withDescription("Invalid user name or password")
                        .toRuntimeException();
                  }
                  return () -> user;
                }));
    FlightServer server =
        FlightServer.builder(
                allocator, Location.forGrpcInsecure(host, engine.config().flightPort()), producer)
            .headerAuthenticator(authenticator)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      producer.close();
      allocator.close();
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot listen on " + host + ":" + engine.config().flightPort() + ": " + e.getMessage(),
          e);
    }
    LOG.info("Flight SQL listening on {}:{}", host, server.getPort());
    return new OxbowFlightServer(server, producer, allocator, host);
  }

  public String host() {
    return host;
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops accepting calls, cancels running queries and releases every buffer. Safe to call more
   * than once and from several threads; returns when everything is released.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("Flight server did not stop within 5 s; forcing");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close();
    allocator.close();
  }
}
