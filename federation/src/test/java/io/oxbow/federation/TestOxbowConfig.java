package io.oxbow.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestOxbowConfig {
  @TempDir Path dir;

  @Test
  void defaultsNeedNoFile() {
    OxbowConfig config = OxbowConfig.defaults();
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.flightPort()).isEqualTo(47470);
    assertThat(config.catalogs()).isEmpty();
    assertThat(config.queryMemoryLimitBytes()).isPositive();
    assertThat(config.queryThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.spillDirectory()).isNull();
    assertThat(config.spillEnabled()).isTrue();
  }

  @Test
  void readsEveryKey() throws Exception {
    Path file = dir.resolve("oxbow.yaml");
    Files.writeString(
        file,
        """
        server:
          host: 127.0.0.2
          flight-port: 5000
        users:
          - name: admin
            password: secret
        catalogs:
          Lake:
            connector: delta
            warehouse: /data/wh
        session:
          default-catalog: Lake
          default-schema: TPCH
        memory:
          query-limit: 512MB
        execution:
          threads: 3
          spill-directory: /data/spill
          spill: false
        """);
    OxbowConfig config = OxbowConfig.load(file);
    assertThat(config.host()).isEqualTo("127.0.0.2");
    assertThat(config.flightPort()).isEqualTo(5000);
    assertThat(config.users()).containsExactly(Map.entry("admin", "secret"));
    assertThat(config.catalogs())
        .containsExactly(
            new OxbowConfig.CatalogConfig("lake", "delta", Map.of("warehouse", "/data/wh")));
    assertThat(config.defaultCatalog()).isEqualTo("lake");
    assertThat(config.defaultSchema()).isEqualTo("tpch");
    assertThat(config.queryMemoryLimitBytes()).isEqualTo(512L << 20);
    assertThat(config.queryThreads()).isEqualTo(3);
    assertThat(config.spillDirectory()).isEqualTo("/data/spill");
    assertThat(config.spillEnabled()).isFalse();
  }

  @Test
  void environmentOverridesFile() {
    OxbowConfig config =
        OxbowConfig.defaults()
            .withEnvironment(
                Map.of(
                    "OXBOW_FLIGHT_PORT", "6000",
                    "OXBOW_QUERY_MEMORY_LIMIT", "1GB",
                    "OXBOW_QUERY_THREADS", "1",
                    "OXBOW_SPILL_DIRECTORY", "/fast/disk",
                    "OXBOW_DEFAULT_CATALOG", "demo"));
    assertThat(config.queryThreads()).isEqualTo(1);
    assertThat(config.spillDirectory()).isEqualTo("/fast/disk");
    assertThat(config.flightPort()).isEqualTo(6000);
    assertThat(config.queryMemoryLimitBytes()).isEqualTo(1L << 30);
    assertThat(config.defaultCatalog()).isEqualTo("demo");
  }

  @Test
  void rejectsUnknownKeysAndBadValuesClearly() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "sever:\n  host: x\n");
    assertThatThrownBy(() -> OxbowConfig.load(file))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("unknown top-level key 'sever'")
        .extracting(e -> ((OxbowException) e).code())
        .isEqualTo(ErrorCode.USER_ERROR);

    Files.writeString(file, "memory:\n  query-limit: lots\n");
    assertThatThrownBy(() -> OxbowConfig.load(file)).hasMessageContaining("'lots' is not a size");

    Files.writeString(file, "execution:\n  threads: 0\n");
    assertThatThrownBy(() -> OxbowConfig.load(file))
        .hasMessageContaining("execution.threads must be at least 1, not 0");

    Files.writeString(file, "execution:\n  spill: sometimes\n");
    assertThatThrownBy(() -> OxbowConfig.load(file))
        .hasMessageContaining("execution.spill must be true or false, not 'sometimes'");

    Files.writeString(file, "catalogs:\n  x:\n    warehouse: /tmp\n");
    assertThatThrownBy(() -> OxbowConfig.load(file)).hasMessageContaining("needs a 'connector'");
  }

  @Test
  void plannerWarmupFromFileAndEnvironment() throws Exception {
    assertThat(OxbowConfig.defaults().plannerWarmup()).isEqualTo(Duration.ofSeconds(5));
    Path file = dir.resolve("warm.yaml");
    Files.writeString(file, "execution:\n  planner-warmup: 0.5\n");
    OxbowConfig fromFile = OxbowConfig.fromMap(yaml(file), file.toString());
    assertThat(fromFile.plannerWarmup()).isEqualTo(Duration.ofMillis(500));
    assertThat(fromFile.withEnvironment(Map.of("OXBOW_PLANNER_WARMUP", "0")).plannerWarmup())
        .isEqualTo(Duration.ZERO);
    assertThat(fromFile.withEnvironment(Map.of()).plannerWarmup())
        .isEqualTo(Duration.ofMillis(500));

    Files.writeString(file, "execution:\n  planner-warmup: soon\n");
    assertThatThrownBy(() -> OxbowConfig.load(file))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(
            "execution.planner-warmup must be a number of seconds from 0 (no planner warm-up) to"
                + " 3600, not 'soon'");
    Files.writeString(file, "execution:\n  planner-warmup: 3601\n");
    assertThatThrownBy(() -> OxbowConfig.load(file)).hasMessageContaining("not '3601'");
    assertThatThrownBy(
            () -> OxbowConfig.defaults().withEnvironment(Map.of("OXBOW_PLANNER_WARMUP", "-1")))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("Invalid configuration in environment: OXBOW_PLANNER_WARMUP must be");
  }

  @Test
  void executionWarmupFromFileAndEnvironment() throws Exception {
    assertThat(OxbowConfig.defaults().executionWarmup()).isEqualTo(Duration.ofSeconds(25));
    Path file = dir.resolve("warm-execution.yaml");
    Files.writeString(file, "execution:\n  execution-warmup: 2.5\n  planner-warmup: 1\n");
    OxbowConfig fromFile = OxbowConfig.fromMap(yaml(file), file.toString());
    assertThat(fromFile.executionWarmup()).isEqualTo(Duration.ofMillis(2500));
    assertThat(fromFile.plannerWarmup()).isEqualTo(Duration.ofSeconds(1));
    OxbowConfig none = fromFile.withEnvironment(Map.of("OXBOW_EXECUTION_WARMUP", "0"));
    assertThat(none.executionWarmup()).isEqualTo(Duration.ZERO);
    assertThat(none.plannerWarmup()).isEqualTo(Duration.ofSeconds(1));

    Files.writeString(file, "execution:\n  execution-warmup: forever\n");
    assertThatThrownBy(() -> OxbowConfig.load(file))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(
            "execution.execution-warmup must be a number of seconds from 0 (no execution warm-up)"
                + " to 3600, not 'forever'");
    assertThatThrownBy(
            () -> OxbowConfig.defaults().withEnvironment(Map.of("OXBOW_EXECUTION_WARMUP", "-1")))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining(
            "Invalid configuration in environment: OXBOW_EXECUTION_WARMUP must be");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper(
            new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readValue(Files.readString(file), Map.class);
  }

  @Test
  void missingFileIsAUserError() {
    assertThatThrownBy(() -> OxbowConfig.load(dir.resolve("nope.yaml")))
        .isInstanceOf(OxbowException.class)
        .hasMessageContaining("Cannot read configuration file");
  }
}
