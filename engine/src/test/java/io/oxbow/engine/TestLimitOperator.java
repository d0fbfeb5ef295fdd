package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestLimitOperator extends EngineTesting {
  private static ValuesNode numbers(int count) {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      rows.add(row(i));
    }
    return new ValuesNode(schema("x", Kind.INT64), rows);
  }

  private static List<List<Object>> range(long from, long to) {
    List<List<Object>> rows = new ArrayList<>();
    for (long i = from; i < to; i++) {
      rows.add(row(i));
    }
    return rows;
  }

  @Test
  void offsetAndLimitWithinOneBatch() {
    assertThat(run(new LimitNode(numbers(10), 3, 4))).isEqualTo(range(3, 7));
  }

  @Test
  void offsetAndLimitAcrossBatches() {
    assertThat(run(new LimitNode(numbers(10_000), 4000, 500))).isEqualTo(range(4000, 4500));
    assertThat(run(new LimitNode(numbers(10_000), 9_990, 100))).isEqualTo(range(9_990, 10_000));
  }

  @Test
  void limitZeroAndOffsetBeyondTheEndGiveNothing() {
    assertThat(run(new LimitNode(numbers(10), 0, 0))).isEmpty();
    assertThat(run(new LimitNode(numbers(10), 20, 5))).isEmpty();
  }

  @Test
  void offsetWithoutLimit() {
    assertThat(run(new LimitNode(numbers(10), 7, -1))).isEqualTo(range(7, 10));
  }

  @Test
  void limitLargerThanInput() {
    assertThat(run(new LimitNode(numbers(5), 0, 100))).isEqualTo(range(0, 5));
  }
}
