package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.flight.OxbowFlightServer;
import io.oxbow.testing.TestingPythonEnvironment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ADBC runs CREATE TABLE and INSERT through {@code execute}, then reads the rows back. */
class TestPythonWritesIntegration {
  private static final String SCRIPT =
      """
      import sys
      import adbc_driver_flightsql.dbapi as flight_sql

      with flight_sql.connect(sys.argv[1], db_kwargs={"username": "admin", "password": "admin"}) as conn:
          with conn.cursor() as cur:
              cur.execute("CREATE TABLE scores (name VARCHAR(20), points INTEGER)")
              cur.execute("INSERT INTO scores VALUES ('ada', 3), ('bob', NULL), ('cy', 5)")
              cur.execute("SELECT name, points FROM scores ORDER BY name")
              print(cur.fetchall())
      """;

  @Test
  void createInsertAndSelectFromPython() {
    try (QueryEngine engine =
            new QueryEngine(
                OxbowConfig.defaults()
                    .withCatalog("scratch", "memory", Map.of())
                    .withUser("admin", "admin")
                    .withDefaultNamespace("scratch", "main")
                    .withFlightPort(0));
        OxbowFlightServer server = OxbowFlightServer.start(engine)) {
      String out =
          TestingPythonEnvironment.runScript(SCRIPT, List.of("grpc://127.0.0.1:" + server.port()));
      assertThat(out.strip()).isEqualTo("[('ada', 3), ('bob', None), ('cy', 5)]");
    }
  }
}
