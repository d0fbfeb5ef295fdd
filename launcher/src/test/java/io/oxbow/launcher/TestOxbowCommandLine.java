package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.tpch.TpchGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument parsing, usage errors (exit code 2) and {@code tpch generate} of the command line. */
class TestOxbowCommandLine {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Oxbow.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        null);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("demo [--sf N]", "tpch generate");
  }

  @Test
  void noArgumentsIsAUsageError() {
    assertThat(run()).isEqualTo(2);
  }

  @Test
  void unknownCommandAndOptionsAreUsageErrors() {
    assertThat(run("serve")).isEqualTo(2);
    assertThat(err()).contains("unknown command 'serve'");
    assertThat(run("demo", "--scale", "1")).isEqualTo(2);
    assertThat(err()).contains("unknown option '--scale'");
    assertThat(run("demo", "--port")).isEqualTo(2);
    assertThat(err()).contains("option --port needs a value");
  }

  @Test
  void tpchGenerateValidatesItsArguments() {
    assertThat(run("tpch", "generate", "--sf", "0.01")).isEqualTo(2);
    assertThat(err()).contains("needs --sf N and --to DIR");
    assertThat(run("tpch", "generate", "--sf", "abc", "--to", "x")).isEqualTo(2);
    assertThat(err()).contains("--sf must be a number, not 'abc'");
    assertThat(run("tpch", "generate", "--sf", "-1", "--to", "x")).isEqualTo(2);
    assertThat(run("tpch", "make")).isEqualTo(2);
  }

  @Test
  void tpchGenerateWritesEveryTableAndRefusesToOverwrite(@TempDir Path dir) {
    Path to = dir.resolve("wh");
    assertThat(run("tpch", "generate", "--sf", "0.001", "--to", to.toString())).isZero();
    assertThat(TpchGenerator.exists(to)).isTrue();
    assertThat(run("tpch", "generate", "--sf", "0.001", "--to", to.toString())).isEqualTo(1);
    assertThat(err()).contains("is not empty");
  }

  @Test
  void benchTpchHasDefaultsAndValidatesItsArguments() {
    var defaults = Oxbow.benchOptions(List.of());
    assertThat(defaults.scaleFactor()).isEqualTo(0.01);
    assertThat(defaults.warehouse().getFileName()).hasToString("warehouse-sf0.01");
    assertThat(defaults.queries()).hasSize(22);
    assertThat(defaults.warmup()).isEqualTo(1);
    assertThat(defaults.runs()).isEqualTo(3);
    assertThat(defaults.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(defaults.plannerWarmup()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(defaults.executionWarmup()).isEqualTo(java.time.Duration.ofSeconds(25));
    var chosen =
        Oxbow.benchOptions(
            List.of(
                "--sf",
                "1",
                "--warehouse",
                "/tmp/wh",
                "--queries",
                "1,3-4",
                "--warmup",
                "0",
                "--runs",
                "1",
                "--threads",
                "4",
                "--planner-warmup",
                "0.5",
                "--execution-warmup",
                "0"));
    assertThat(chosen.warehouse()).isEqualTo(Path.of("/tmp/wh"));
    assertThat(chosen.queries()).containsExactly(1, 3, 4);
    assertThat(List.of(chosen.warmup(), chosen.runs(), chosen.threads())).containsExactly(0, 1, 4);
    assertThat(chosen.plannerWarmup()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(chosen.executionWarmup()).isEqualTo(java.time.Duration.ZERO);

    assertThat(run("bench")).isEqualTo(2);
    assertThat(err()).contains("unknown bench command");
    assertThat(run("bench", "tpch", "--runs", "0")).isEqualTo(2);
    assertThat(err()).contains("--runs must be at least 1, not 0");
    assertThat(run("bench", "tpch", "--threads", "two")).isEqualTo(2);
    assertThat(err()).contains("--threads must be a whole number, not 'two'");
    assertThat(run("bench", "tpch", "--warmup", "-1")).isEqualTo(2);
    assertThat(run("bench", "tpch", "--queries", "23")).isEqualTo(2);
    assertThat(run("bench", "tpch", "--planner-warmup", "-1")).isEqualTo(2);
    assertThat(err())
        .contains("--planner-warmup must be a number of seconds from 0 (no planner warm-up)");
    assertThat(run("bench", "tpch", "--planner-warmup", "soon")).isEqualTo(2);
    assertThat(run("bench", "tpch", "--execution-warmup", "later")).isEqualTo(2);
    assertThat(err())
        .contains("--execution-warmup must be a number of seconds from 0 (no execution warm-up)");
  }

  @Test
  void demoRejectsABadPort() {
    assertThat(run("demo", "--port", "70000")).isEqualTo(2);
    assertThat(err()).contains("--port must be between 0 and 65535");
  }

  @Test
  void serverNeedsAReadableConfig() {
    assertThat(run("server")).isEqualTo(2);
    assertThat(run("server", "--config", "/nonexistent/oxbow.yaml")).isEqualTo(1);
    assertThat(err()).contains("Cannot read configuration file");
  }

  @Test
  void serverRejectsABadPlannerWarmupBeforeStarting(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("oxbow.yaml");
    java.nio.file.Files.writeString(file, "execution:\n  planner-warmup: later\n");
    assertThat(run("server", "--config", file.toString())).isEqualTo(1);
    assertThat(err())
        .contains("execution.planner-warmup must be a number of seconds from 0")
        .contains("not 'later'");
  }
}
