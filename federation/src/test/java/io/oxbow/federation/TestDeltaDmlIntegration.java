package io.oxbow.federation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link AbstractDeltaDmlTest} with the warehouse in a local temporary folder. */
class TestDeltaDmlIntegration extends AbstractDeltaDmlTest {
  @TempDir static Path root;

  @BeforeAll
  static void setUp() throws Exception {
    warehouse = Files.createDirectories(root.resolve("warehouse"));
    external = Files.createDirectories(root.resolve("external"));
    externalUri = external.toUri().toString();
    landing = Files.createDirectories(root.resolve("landing"));
    landingUri = landing.toUri().toString();
    start(Map.of("warehouse", warehouse.toString()));
  }

  @AfterAll
  static void tearDown() throws Exception {
    stop();
  }
}
