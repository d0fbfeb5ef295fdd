package io.oxbow.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The statistics the benchmark reports, and the validation of its options. */
class TestStatistics {
  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Statistics.median(List.of(5.0))).isEqualTo(5.0);
    assertThat(Statistics.median(List.of(9.0, 1.0, 4.0))).isEqualTo(4.0);
    assertThat(Statistics.median(List.of(4.0, 1.0, 10.0, 2.0))).isEqualTo(3.0);
    assertThatThrownBy(() -> Statistics.median(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void geometricMeanOfRatios() {
    assertThat(Statistics.geometricMean(List.of(2.0, 8.0))).isCloseTo(4.0, within(1e-9));
    assertThat(Statistics.geometricMean(List.of(0.5, 2.0, 1.0))).isCloseTo(1.0, within(1e-9));
    assertThatThrownBy(() -> Statistics.geometricMean(List.of(1.0, 0.0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void optionsRejectImpossibleCounts() {
    Path warehouse = Path.of("wh");
    assertThat(new BenchmarkTpch.Options(1, warehouse, List.of(1, 6), 0, 1, 2).runs()).isEqualTo(1);
    assertThatThrownBy(() -> new BenchmarkTpch.Options(1, warehouse, List.of(1), 1, 0, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BenchmarkTpch.Options(1, warehouse, List.of(1), -1, 3, 2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BenchmarkTpch.Options(1, warehouse, List.of(), 1, 3, 2))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
