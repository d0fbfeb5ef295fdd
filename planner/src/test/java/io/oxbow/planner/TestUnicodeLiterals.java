package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * String literals outside Latin-1 plan and compare like any other (Calcite's default character set
 * is ISO-8859-1; Oxbow's is UTF-8). DELETE, UPDATE and MERGE also depend on it: they name the data
 * files they rewrite in string literals, and partition folders keep such characters.
 */
class TestUnicodeLiterals extends AbstractPlannerTest {
  @Test
  void literalsOutsideLatin1() {
    assertThat(run("SELECT '東京' AS city, 'Ünïcödé ✓' = 'Ünïcödé ✓' AS same"))
        .containsExactly(List.of("東京", true));
  }
}
