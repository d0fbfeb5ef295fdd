package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link SortOperator#sortInParallel}: a stable sort, cut into slices sorted on threads. */
class TestParallelSort {
  @Test
  void sortsLikeAStableSerialSort() {
    Random random = new Random(5);
    for (int slices = 1; slices <= 5; slices++) {
      int n = 1000 + random.nextInt(50_000);
      long[] values = new long[n];
      for (int i = 0; i < n; i++) {
        // the key in the high bits (few distinct ones: many ties), the input position below
        values[i] = ((long) random.nextInt(100) << 32) | i;
      }
      long[] sorted =
          SortOperator.sortInParallel(
              values, (a, b) -> Long.compare(a >>> 32, b >>> 32), slices, () -> {});
      long[] expected = values.clone();
      Arrays.sort(expected); // by key, then by position: what a stable sort by key gives
      assertThat(sorted).as("%d slices", slices).isEqualTo(expected);
    }
  }

  @Test
  void moreSlicesThanValues() {
    long[] sorted = SortOperator.sortInParallel(new long[] {3, 1, 2}, Long::compare, 5, () -> {});
    assertThat(sorted).containsExactly(1, 2, 3);
  }

  @Test
  void aFailingSliceFailsTheSortOnceEverySliceHasStopped() {
    long[] values = new long[100_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = values.length - i;
    }
    for (long bad : new long[] {10, 99_990}) {
      AtomicBoolean checked = new AtomicBoolean();
      assertThatThrownBy(
              () ->
                  SortOperator.sortInParallel(
                      values,
                      (a, b) -> {
                        if (a == bad || b == bad) {
                          throw new IllegalStateException("bad row");
                        }
                        return Long.compare(a, b);
                      },
                      3,
                      () -> checked.set(true)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("bad row");
      assertThat(checked).isFalse();
    }
  }

  @Test
  void cancellationIsCheckedOnceTheSlicesAreSorted() {
    long[] values = new long[50_000];
    assertThatThrownBy(
            () ->
                SortOperator.sortInParallel(
                    values,
                    Long::compare,
                    2,
                    () -> {
                      throw new IllegalStateException("cancelled");
                    }))
        .hasMessage("cancelled");
  }
}
