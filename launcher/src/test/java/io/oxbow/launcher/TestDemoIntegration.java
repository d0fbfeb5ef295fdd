package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.flight.OxbowFlightServer;
import io.oxbow.testing.TestingTpchWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code oxbow demo} over an existing warehouse: prints how to connect, serves, stops cleanly. */
class TestDemoIntegration {
  @Test
  void demoServesTheWarehouseAndPrintsHowToConnect() throws Exception {
    Path warehouse = TestingTpchWarehouse.sf001();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CompletableFuture<OxbowFlightServer> started = new CompletableFuture<>();
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () ->
                Oxbow.run(
                    new String[] {"demo", "--warehouse", warehouse.toString(), "--port", "0"},
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    System.err,
                    (server, engine) -> started.complete(server)));
    OxbowFlightServer server = started.get(60, TimeUnit.SECONDS);
    try {
      String printed = out.toString(StandardCharsets.UTF_8);
      assertThat(printed)
          .contains("Using the TPC-H warehouse at " + warehouse)
          .contains(
              "jdbc:arrow-flight-sql://127.0.0.1:"
                  + server.port()
                  + "?useEncryption=false&user=admin&password=admin")
          .contains("adbc_driver_flightsql");
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:arrow-flight-sql://127.0.0.1:"
                      + server.port()
                      + "?useEncryption=false&user=analyst&password=analyst");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(15_000);
      }
    } finally {
      server.close();
    }
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
  }
}
