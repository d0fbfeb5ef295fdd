package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TestSortOperator extends EngineTesting {
  private static final ValuesNode VALUES =
      new ValuesNode(
          schema("x", Kind.INT64, "s", Kind.UTF8),
          List.of(row(3L, "c"), row(null, "n"), row(1L, "a"), row(2L, null), row(1L, "b")));

  @Test
  void ascendingNullsLast() {
    assertThat(run(new SortNode(VALUES, List.of(new SortKey(0, true, false)))))
        .containsExactly(row(1L, "a"), row(1L, "b"), row(2L, null), row(3L, "c"), row(null, "n"));
  }

  @Test
  void ascendingNullsFirst() {
    assertThat(run(new SortNode(VALUES, List.of(new SortKey(0, true, true)))))
        .containsExactly(row(null, "n"), row(1L, "a"), row(1L, "b"), row(2L, null), row(3L, "c"));
  }

  @Test
  void descendingNullsFirstAndLast() {
    assertThat(run(new SortNode(VALUES, List.of(new SortKey(0, false, true)))))
        .containsExactly(row(null, "n"), row(3L, "c"), row(2L, null), row(1L, "a"), row(1L, "b"));
    assertThat(run(new SortNode(VALUES, List.of(new SortKey(0, false, false)))))
        .containsExactly(row(3L, "c"), row(2L, null), row(1L, "a"), row(1L, "b"), row(null, "n"));
  }

  @Test
  void multipleKeysWithMixedDirections() {
    assertThat(
            run(
                new SortNode(
                    VALUES, List.of(new SortKey(0, true, false), new SortKey(1, false, false)))))
        .containsExactly(row(1L, "b"), row(1L, "a"), row(2L, null), row(3L, "c"), row(null, "n"));
  }

  @Test
  void stringsSortByCodePoint() {
    ValuesNode strings =
        new ValuesNode(
            schema("s", Kind.UTF8),
            List.of(
                row("b"), row("ab"), row("a"), row("é"), row("B"), row(""), row("\uD83D\uDE00")));
    assertThat(run(new SortNode(strings, List.of(new SortKey(0, true, false)))))
        .containsExactly(
            row(""), row("B"), row("a"), row("ab"), row("b"), row("é"), row("\uD83D\uDE00"));
  }

  @Test
  void decimalsDoublesAndDates() {
    ValuesNode values =
        new ValuesNode(
            schema("d", Kind.decimal(20, 3), "f", Kind.FLOAT64, "dt", Kind.DATE_DAY),
            List.of(
                row(new BigDecimal("10.500"), -1.5, 3),
                row(new BigDecimal("-2.000"), 2.5, -1),
                row(new BigDecimal("10.499"), null, 0)));
    assertThat(run(new SortNode(values, List.of(new SortKey(0, true, false)))))
        .extracting(r -> r.get(0))
        .containsExactly(
            new BigDecimal("-2.000"), new BigDecimal("10.499"), new BigDecimal("10.500"));
    assertThat(run(new SortNode(values, List.of(new SortKey(1, false, false)))))
        .extracting(r -> r.get(1))
        .containsExactly(2.5, -1.5, null);
    assertThat(run(new SortNode(values, List.of(new SortKey(2, true, false)))))
        .extracting(r -> r.get(2))
        .containsExactly(-1, 0, 3);
  }

  @Test
  void largeInputAcrossBatchesIsFullySorted() {
    List<Long> numbers = new ArrayList<>();
    for (long i = 0; i < 20_000; i++) {
      numbers.add(i);
    }
    Collections.shuffle(numbers, new Random(42));
    List<List<Object>> rows = new ArrayList<>();
    for (Long n : numbers) {
      rows.add(row(n, "v" + n));
    }
    ValuesNode values = new ValuesNode(schema("x", Kind.INT64, "s", Kind.UTF8), rows);
    SortNode sort = new SortNode(values, List.of(new SortKey(0, false, false)));
    List<List<Object>> result = run(sort);
    assertThat(result).hasSize(20_000);
    for (int i = 0; i < 20_000; i++) {
      long expected = 19_999 - i;
      assertThat(result.get(i)).isEqualTo(row(expected, "v" + expected));
    }
    assertThat(batchSizes(sort)).containsExactly(4096, 4096, 4096, 4096, 3616);
  }
}
