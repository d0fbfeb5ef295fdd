package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.flight.OxbowFlightServer;
import io.oxbow.testing.TestingPaths;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SQLite's sqllogictest files (the public corpus, from the {@code net.hydromatic:sql-logic-test}
 * jar) run over the Flight SQL JDBC driver against a fresh in-memory catalog per file. Each file
 * must pass at least the number of records recorded in {@code docs/sqllogictest.md}, so the pass
 * rate can only go up; a report of every failure goes to {@code target/sqllogictest}.
 */
class TestSqlLogicIntegration {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "test/select1.test, 1031",
    "test/select2.test, 1031",
    "test/select3.test, 3351",
    "test/select4.test, 3857",
    "test/select5.test, 1436"
  })
  void corpusFile(String file, int minimumPassed) throws Exception {
    String script;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(file)) {
      assertThat(in).as("%s in the sql-logic-test jar", file).isNotNull();
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    SqlLogicTestRunner.Result result;
    try (QueryEngine engine =
            new QueryEngine(
                OxbowConfig.defaults()
                    .withCatalog("memory", "memory", Map.of())
                    .withUser("slt", "slt")
                    .withDefaultNamespace("memory", "main")
                    .withFlightPort(0));
        OxbowFlightServer server = OxbowFlightServer.start(engine);
        Connection connection =
            DriverManager.getConnection(
                "jdbc:arrow-flight-sql://127.0.0.1:"
                    + server.port()
                    + "?useEncryption=false&user=slt&password=slt")) {
      result = SqlLogicTestRunner.run(script, connection);
    }
    Path report =
        TestingPaths.target().resolve("sqllogictest").resolve(Path.of(file).getFileName() + ".txt");
    Files.createDirectories(report.getParent());
    Files.writeString(
        report,
        String.format(
                "%s: %d passed, %d failed, %d skipped (%.2f%%)%n%n",
                file, result.passed(), result.failed(), result.skipped(), 100 * result.passRate())
            + String.join("\n\n", result.failures()));
    System.out.printf(
        "sqllogictest %s: %d passed, %d failed, %d skipped (%.2f%%)%n",
        file, result.passed(), result.failed(), result.skipped(), 100 * result.passRate());
    assertThat(result.passed())
        .as("records passed in %s (report: %s)", file, report)
        .isGreaterThanOrEqualTo(minimumPassed);
  }
}
