package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestNameResolution extends AbstractPlannerTest {
  @Test
  void oneTwoAndThreePartNamesResolveAgainstTheSessionDefaults() {
    for (String name : List.of("lineitem", "tpch.lineitem", "lake.tpch.lineitem")) {
      assertThat(run("SELECT count(*) FROM " + name)).as(name).containsExactly(List.of(7L));
    }
    assertThat(run("SELECT o_total FROM sales.orders WHERE o_orderkey = 2"))
        .containsExactly(List.of(new BigDecimal("20.25")));
  }

  @Test
  void threePartNamesReachOtherCatalogs() {
    assertThat(run("SELECT l_orderkey FROM other.tpch.lineitem")).containsExactly(List.of(9L));
    ScanNode scan = find(plan("SELECT l_orderkey FROM other.tpch.lineitem"), ScanNode.class);
    assertThat(scan.catalog()).isEqualTo("other");
  }

  @Test
  void unquotedIdentifiersAreCaseInsensitive() {
    assertThat(run("SELECT COUNT(*) FROM LAKE.TPCH.LineItem")).containsExactly(List.of(7L));
    assertThat(run("SELECT L_ORDERKEY FROM Lineitem WHERE L_OrderKey = 2"))
        .containsExactly(List.of(2L));
  }

  @Test
  void quotedLowerCaseIdentifiersMatch() {
    assertThat(
            run("SELECT \"l_orderkey\" FROM \"lake\".\"tpch\".\"lineitem\" WHERE l_orderkey = 2"))
        .containsExactly(List.of(2L));
  }

  @Test
  void resultColumnsAreNamedInLowerCaseUnlessQuoted() {
    PlannedQuery planned =
        planner.plan("SELECT L_ORDERKEY, l_tax AS Tax, l_tax AS \"Mixed\" FROM lineitem", session);
    assertThat(planned.schema().getFields())
        .extracting(f -> f.getName())
        .containsExactly("l_orderkey", "tax", "Mixed");
  }

  @Test
  void sessionWithoutDefaultSchemaNeedsQualifiedNames() {
    PlannerSession catalogOnly = new PlannerSession("test", "lake", null);
    assertThat(run("SELECT count(*) FROM tpch.lineitem", catalogOnly)).containsExactly(List.of(7L));
    assertThatThrownBy(() -> planner.plan("SELECT count(*) FROM lineitem", catalogOnly))
        .isInstanceOf(OxbowException.class)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
  }
}
