package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import org.junit.jupiter.api.Test;

class TestPlannerErrors extends AbstractPlannerTest {
  private void assertError(String sql, ErrorCode code, String... messageParts) {
    assertThatThrownBy(() -> planner.plan(sql, session))
        .isInstanceOf(OxbowException.class)
        .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(code))
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains(messageParts)
                    .doesNotContain("Exception", "\tat ", "org.apache.calcite"));
  }

  @Test
  void syntaxErrorsGiveLineColumnAndWhatWasFound() {
    assertError("SELECT * FROM lineitem WHERE", ErrorCode.USER_ERROR, "line 1, column 24");
    assertError(
        "SELECT l_tax\nFROM lineitem\nWHERE l_tax >> 1",
        ErrorCode.USER_ERROR,
        "Syntax error at line 3, column 13",
        "Encountered \"> >\"");
    assertError("SELEC 1", ErrorCode.USER_ERROR, "line 1, column 1", "\"SELEC\"");
  }

  @Test
  void emptyStatementsAreSyntaxErrorsNotInternalOnes() {
    for (String sql :
        new String[] {"", "   ", "\n\t", "-- only a comment", "/* only a comment */"}) {
      assertError(sql, ErrorCode.USER_ERROR, "Syntax error", "empty statement");
    }
  }

  @Test
  void syntaxErrorPositionsCountFromTheStatementAsWritten() {
    assertError(
        "\n\n  EXPLAIN SELECT * FROM lineitem WHERE", ErrorCode.USER_ERROR, "line 3, column 34");
  }

  @Test
  void unknownTablesAreNotFoundAndNamed() {
    assertError("SELECT * FROM nosuch", ErrorCode.NOT_FOUND, "Table 'nosuch' not found");
    assertError(
        "SELECT * FROM lake.nosuch.lineitem",
        ErrorCode.NOT_FOUND,
        "Table 'lake.nosuch.lineitem' not found");
    assertError(
        "SELECT * FROM nocat.tpch.lineitem",
        ErrorCode.NOT_FOUND,
        "Table 'nocat.tpch.lineitem' not found",
        "line 1, column 15");
    assertError(
        "EXPLAIN SELECT * FROM nosuch", ErrorCode.NOT_FOUND, "Table 'nosuch' not found (line 1");
  }

  @Test
  void unknownColumnsAreNotFoundAndNamed() {
    assertError(
        "SELECT nosuch FROM lineitem",
        ErrorCode.NOT_FOUND,
        "Column 'nosuch' not found",
        "line 1, column 8");
    assertError(
        "SELECT l.nosuch FROM lineitem l", ErrorCode.NOT_FOUND, "Column 'nosuch' not found");
  }

  @Test
  void typeErrorsExplainWhatIsWrongAndWhere() {
    assertError(
        "SELECT 'abc' + 1",
        ErrorCode.USER_ERROR,
        "Cannot apply '+' to arguments of type '<CHAR(3)> + <INTEGER>'",
        "line 1, column 8");
    assertError(
        "SELECT sum(l_shipdate) FROM lineitem",
        ErrorCode.USER_ERROR,
        "Cannot apply 'SUM' to arguments of type 'SUM(<DATE>)'");
    assertError(
        "SELECT * FROM lineitem WHERE l_shipdate = true",
        ErrorCode.USER_ERROR,
        "Cannot apply '=' to arguments of type '<DATE> = <BOOLEAN>'",
        "line 1, column 30");
  }

  @Test
  void unknownFunctionsAreNotFound() {
    assertError("SELECT nosuchfn(l_tax) FROM lineitem", ErrorCode.NOT_FOUND, "nosuchfn");
  }

  @Test
  void unsupportedFeaturesSaySoAndNameThem() {
    assertError(
        "SELECT percent_rank() OVER (ORDER BY l_orderkey) FROM lineitem",
        ErrorCode.USER_ERROR,
        "PERCENT_RANK",
        "is not supported yet");
    assertError(
        "SELECT l_shipdate + interval '1' hour FROM lineitem",
        ErrorCode.USER_ERROR,
        "DATE plus an interval of hours, minutes or seconds is not supported",
        "cast the DATE to TIMESTAMP");
  }
}
