package io.oxbow.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.auth2.ClientBearerHeaderHandler;
import org.apache.arrow.flight.auth2.ClientIncomingAuthHeaderMiddleware;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Closing the server while clients are connected and queries are streaming. */
class TestFlightServerShutdownIntegration {
  @TempDir Path warehouse;

  @Test
  void closeCancelsRunningQueriesAndReleasesEverything() throws Exception {
    TestingFlightWarehouse.write(warehouse);
    QueryEngine engine = TestingFlightWarehouse.engine(warehouse);
    OxbowFlightServer server = OxbowFlightServer.start(engine);
    BufferAllocator allocator = new RootAllocator();
    FlightClient client =
        FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", server.port()))
            .intercept(
                new ClientIncomingAuthHeaderMiddleware.Factory(new ClientBearerHeaderHandler()))
            .build();
    CredentialCallOption token = client.authenticateBasicToken("admin", "admin").orElseThrow();
    FlightSqlClient sql = new FlightSqlClient(client);
    FlightInfo info =
        sql.execute("SELECT a.id, b.id FROM items a CROSS JOIN items b WHERE b.id < 2000", token);
    FlightStream stream = sql.getStream(info.getEndpoints().get(0).getTicket(), token);
    assertThat(stream.next()).isTrue();
    // an unfetched ticket and an open prepared statement are dropped too
    sql.execute("SELECT 1", token);
    sql.prepare("SELECT 2", token);
    assertThat(server.producer().activeQueries()).isEqualTo(1);
    assertThat(server.producer().openStatements()).isEqualTo(2);

    long started = System.nanoTime();
    server.close();
    assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(10_000);
    assertThat(server.producer().activeQueries()).isZero();
    assertThat(server.producer().openStatements()).isZero();
    server.close(); // twice is fine

    assertThatThrownBy(
            () -> {
              while (stream.next()) {
                // what was sent before the shutdown
              }
            })
        .isInstanceOf(RuntimeException.class);
    try {
      stream.close();
    } catch (Exception ignored) {
      // the stream already failed
    }
    client.close();
    allocator.close();
    // the engine's root allocator throws here if any buffer leaked
    assertThatCode(engine::close).doesNotThrowAnyException();
  }

  @Test
  void aBusyPortIsAClearError() {
    QueryEngine first =
        new QueryEngine(OxbowConfig.defaults().withUser("admin", "admin").withFlightPort(0));
    try (first;
        OxbowFlightServer server = OxbowFlightServer.start(first);
        QueryEngine second =
            new QueryEngine(
                OxbowConfig.defaults()
                    .withCatalog("demo", "delta", Map.of("warehouse", warehouse.toString()))
                    .withFlightPort(server.port()))) {
      assertThatThrownBy(() -> OxbowFlightServer.start(second))
          .isInstanceOfSatisfying(
              OxbowException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.SOURCE_UNAVAILABLE))
          .hasMessageContaining("Cannot listen on 127.0.0.1:" + server.port());
    }
  }
}
