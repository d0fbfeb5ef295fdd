package io.oxbow.flight;

import io.oxbow.federation.QueryEngine;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.BasicCallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;
import org.apache.arrow.flight.auth2.GeneratedBearerTokenAuthenticator;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Arrow Flight SQL server of Oxbow: one Flight SQL producer over one {@link QueryEngine}, with
 * basic authentication (user name and password checked by {@link QueryEngine#authenticate}) that
 * hands out bearer tokens for the following calls.
 */
public final class OxbowFlightServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OxbowFlightServer.class);

  private final FlightServer server;
  private final OxbowFlightSqlProducer producer;
  private final ExecutorService executor;
  private final BufferAllocator allocator;
  private final String host;
  private final int port;
  private boolean closed;

  private OxbowFlightServer(
      FlightServer server,
      OxbowFlightSqlProducer producer,
      ExecutorService executor,
      BufferAllocator allocator,
      String host) {
    this.server = server;
    this.producer = producer;
    this.executor = executor;
    this.allocator = allocator;
    this.host = host;
    this.port = server.getPort();
  }

  /** Starts Flight SQL on the engine's configured host and port (port 0 picks a free port). */
  public static OxbowFlightServer start(QueryEngine engine) {
    String host = engine.config().host();
    int requestedPort = engine.config().flightPort();
    BufferAllocator allocator =
        engine.allocator().newChildAllocator("flight-server", 0, Long.MAX_VALUE);
    OxbowFlightSqlProducer producer = new OxbowFlightSqlProducer(engine, allocator);
    ExecutorService executor = newExecutor();
    FlightServer server =
        FlightServer.builder(allocator, Location.forGrpcInsecure(host, requestedPort), producer)
            .headerAuthenticator(authenticator(engine))
            .executor(executor)
            .build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      producer.close();
      try {
        server.close();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      executor.shutdownNow();
      allocator.close();
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot listen on " + host + ":" + requestedPort + ": " + e.getMessage(),
          e);
    }
    LOG.info("Flight SQL listening on {}:{}", host, server.getPort());
    return new OxbowFlightServer(server, producer, executor, allocator, host);
  }

  /** Checks user name and password with the engine, then hands out a bearer token. */
  private static CallHeaderAuthenticator authenticator(QueryEngine engine) {
    return new GeneratedBearerTokenAuthenticator(
        new BasicCallHeaderAuthenticator(
            (user, password) -> {
              if (!engine.authenticate(user, password)) {
                LOG.info("Failed login for user '{}'", user);
                throw CallStatus.UNAUTHENTICATED
                    .withDescription("Invalid user name or password")
                    .toRuntimeException();
              }
              return () -> user;
            }));
  }

  private static ExecutorService newExecutor() {
    AtomicInteger threads = new AtomicInteger();
    return Executors.newCachedThreadPool(
        task -> {
          Thread thread = new Thread(task, "oxbow-flight-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /** The address the server listens on. */
  public String host() {
    return host;
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** Blocks until the server has stopped (after {@link #close()} from another thread). */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops accepting calls, cancels running queries and releases every buffer. Safe to call more
   * than once and from several threads; returns when everything is released (or, for a query that
   * does not stop within a few seconds, logs what leaked).
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    producer.cancelAll();
    try {
      // stops accepting, waits up to 3 s for calls to finish, then cuts the connections of
      // clients that stopped reading (they never take the final status)
      server.close();
      executor.shutdown();
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("{} queries did not stop within 5 s of shutdown", producer.activeQueries());
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close();
    try {
      allocator.close();
    } catch (IllegalStateException leak) {
      LOG.error("Flight server leaked memory: {}", leak.getMessage());
    }
    LOG.info("Flight SQL server on {}:{} stopped", host, port);
  }

  /** The producer, for tests that check nothing is left running. */
  OxbowFlightSqlProducer producer() {
    return producer;
  }
}
