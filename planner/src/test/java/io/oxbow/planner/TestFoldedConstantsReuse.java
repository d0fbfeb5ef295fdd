package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Constant expressions folded at planning time give the same answers when a query is planned again
 * (the folded values are reused across queries) and when expressions that print alike differ in
 * type.
 */
class TestFoldedConstantsReuse {
  private final InMemoryPlanner planner = new InMemoryPlanner();

  @BeforeEach
  void setUp() {
    List<List<Object>> rows = new ArrayList<>();
    for (int day = 10_400; day < 10_600; day++) {
      rows.add(Arrays.asList(day, (long) day % 7));
    }
    planner.table(
        "t",
        new Schema(
            List.of(
                Field.nullable("d", new ArrowType.Date(DateUnit.DAY)),
                Field.nullable("k", new ArrowType.Int(64, true)))),
        rows);
  }

  @AfterEach
  void close() {
    planner.close();
  }

  @Test
  void foldedConstantsAnswerTheSameWhenPlannedAgain() {
    // 1998-12-01 is day 10561; minus 90 days is day 10471, plus 30 days is 10591
    String before = "select count(*) from t where d <= date '1998-12-01' - interval '90' day";
    String after = "select count(*) from t where d <= date '1998-12-01' + interval '30' day";
    for (int round = 0; round < 3; round++) {
      assertThat(planner.run(before)).containsExactly(List.of(72L));
      assertThat(planner.run(after)).containsExactly(List.of(192L));
    }
  }

  @Test
  void expressionsThatPrintAlikeButDifferInTypeFoldApart() {
    for (int round = 0; round < 2; round++) {
      assertThat(planner.run("select 7 / 2 as x from t where k = 0 limit 1"))
          .containsExactly(List.of(3L));
      assertThat(planner.run("select 7.0 / 2 as x from t where k = 0 limit 1").get(0).get(0))
          .isInstanceOfSatisfying(
              BigDecimal.class, v -> assertThat(v.compareTo(new BigDecimal("3.5"))).isZero());
    }
  }
}
