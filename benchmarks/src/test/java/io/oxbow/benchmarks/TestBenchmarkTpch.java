package io.oxbow.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.testing.TestingTpchWarehouse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The macro benchmark's report, on two queries over the SF 0.01 warehouse. */
class TestBenchmarkTpch {
  private static final String MILLIS = "[0-9]+\\.[0-9]";
  private static final String RATIO = "[0-9]+\\.[0-9]x";

  @Test
  void reportsBothEnginesAlternatingAndDuckDbAlone() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean agreed =
        BenchmarkTpch.run(
            new BenchmarkTpch.Options(
                0.01,
                TestingTpchWarehouse.sf001(),
                List.of(1, 6),
                0,
                1,
                1,
                Duration.ZERO,
                Duration.ofSeconds(1)),
            new PrintStream(bytes, true, UTF_8));
    String report = bytes.toString(UTF_8);
    assertThat(agreed).as(report).isTrue();
    // the execution warm-up ran first, on its own tables, and said what it did
    assertThat(report)
        .containsPattern("Oxbow execution warm-up: \\d+ tables written, \\d+ queries");
    // per query: Oxbow, DuckDB alternating, their ratio, DuckDB alone, Oxbow's ratio to that
    for (String query : List.of("Q1", "Q6")) {
      assertThat(report)
          .as(report)
          .containsPattern(
              "(?m)^"
                  + query
                  + " +ok +"
                  + String.join(" +", MILLIS, MILLIS, RATIO, MILLIS, RATIO)
                  + "$");
    }
    assertThat(report)
        .as(report)
        .containsPattern("(?m)^total +2/2 +" + MILLIS + " +" + MILLIS + " +" + RATIO + " ")
        .containsPattern(
            "(?m)^against DuckDB alone: Oxbow "
                + MILLIS
                + " ms, DuckDB "
                + MILLIS
                + " ms, "
                + RATIO
                + "; geometric mean "
                + RATIO
                + " \\(2 queries\\)$");
  }
}
