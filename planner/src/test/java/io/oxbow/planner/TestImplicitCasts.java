package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Comparisons of a string with a date or number cast the string to the other side's type (as
 * Databricks does, and PostgreSQL for quoted literals); a string that is not such a value is a
 * clear error, never an internal one. Expected counts are read off the fixture's seven lineitem
 * rows (ship dates 1993-11-09 .. 1998-11-01, quantities 17 .. 49, return flags N, R and A).
 */
class TestImplicitCasts extends AbstractPlannerTest {
  private long count(String where) {
    return (Long) run("SELECT count(*) FROM lineitem WHERE " + where).get(0).get(0);
  }

  @Test
  void stringsComparedWithDatesAreDates() {
    assertThat(count("l_shipdate = '1996-03-13'")).isEqualTo(1);
    assertThat(count("l_shipdate > '1998-01-01'")).isEqualTo(1);
    assertThat(count("'1995-01-01' > l_shipdate")).isEqualTo(3);
    assertThat(count("l_shipdate IN ('1996-03-13', '1994-06-01', '2001-01-01')")).isEqualTo(2);
    assertThat(count("l_shipdate BETWEEN '1994-01-01' AND '1996-12-31'")).isEqualTo(4);
  }

  @Test
  void stringsComparedWithNumbersAreNumbers() {
    assertThat(count("l_quantity > '40'")).isEqualTo(2);
    assertThat(count("'38.00' = l_quantity")).isEqualTo(1);
    assertThat(count("l_orderkey = '3'")).isEqualTo(3);
  }

  @Test
  void aStringThatIsNotAValueOfTheOtherTypeIsACastError() {
    for (var c :
        List.of(
            List.of("l_shipdate = 'garbage'", "Cannot cast 'garbage' to DATE"),
            List.of("l_returnflag = 1", "Cannot cast 'N' to INTEGER"),
            List.of("l_quantity < 'many'", "Cannot cast 'many' to DECIMAL"))) {
      assertThatThrownBy(() -> count(c.get(0)))
          .as(c.get(0))
          .isInstanceOfSatisfying(
              OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USER_ERROR))
          .hasMessageStartingWith(c.get(1));
    }
  }

  @Test
  void unionAllBranchesTakeTheUnionsTypes() {
    // BIGINT with INTEGER, DECIMAL(15,2) with DECIMAL(3,1), BIGINT rank() with INTEGER 0: each
    // branch is cast to the union's type (a ClassCastException in the engine before)
    List<List<Object>> rows =
        run(
            """
            SELECT k, q, r FROM (
              SELECT l_orderkey AS k, l_quantity AS q,
                     rank() OVER (ORDER BY l_quantity DESC) AS r
              FROM lineitem WHERE l_quantity > 45
              UNION ALL
              SELECT 0, 12.5, 0 FROM lineitem WHERE l_quantity < 20) AS u
            ORDER BY k, q""");
    assertThat(rows.toString()).isEqualTo("[[0, 12.50, 0], [3, 49.00, 1]]");
  }
}
