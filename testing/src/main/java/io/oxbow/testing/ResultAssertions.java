package io.oxbow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Compares Oxbow's rows with reference rows (DuckDB), row by row in order. Decimals must be equal
 * exactly; where the reference computed a DOUBLE (DuckDB's AVG and decimal division) and Oxbow a
 * DECIMAL, the reference is rounded half up to Oxbow's scale and may differ by at most {@link
 * #DOUBLE_TOLERANCE_UNITS} unit in the last place. Dates and strings compare by text.
 */
public final class ResultAssertions {
  public static final int DOUBLE_TOLERANCE_UNITS = 1;

  private ResultAssertions() {}

  public static void assertSameRows(List<List<Object>> ours, List<List<Object>> reference) {
    assertThat(ours).as("row count").hasSameSizeAs(reference);
    for (int r = 0; r < ours.size(); r++) {
      List<Object> a = ours.get(r);
      List<Object> b = reference.get(r);
      assertThat(a).as("row %d width", r).hasSameSizeAs(b);
      for (int c = 0; c < a.size(); c++) {
        Object x = a.get(c);
        Object y = b.get(c);
        String where = "row " + r + ", column " + (c + 1) + ": " + x + " vs " + y;
        if (x == null || y == null) {
          assertThat(x).as(where).isEqualTo(y);
        } else if (x instanceof BigDecimal dx && y instanceof Double dy) {
          BigDecimal rounded = BigDecimal.valueOf(dy).setScale(dx.scale(), RoundingMode.HALF_UP);
          BigDecimal tolerance =
              BigDecimal.ONE
                  .movePointLeft(dx.scale())
                  .multiply(BigDecimal.valueOf(DOUBLE_TOLERANCE_UNITS));
          assertThat(dx.subtract(rounded).abs()).as(where).isLessThanOrEqualTo(tolerance);
        } else if (x instanceof BigDecimal dx && y instanceof BigDecimal dy) {
          assertThat(dx).as(where).isEqualByComparingTo(dy);
        } else if (x instanceof Double dx && y instanceof Number ny) {
          assertThat(dx)
              .as(where)
              .isCloseTo(ny.doubleValue(), org.assertj.core.data.Percentage.withPercentage(1e-9));
        } else if (x instanceof Number nx && y instanceof Number ny) {
          assertThat(new BigDecimal(nx.toString()))
              .as(where)
              .isEqualByComparingTo(new BigDecimal(ny.toString()));
        } else {
          assertThat(String.valueOf(x)).as(where).isEqualTo(String.valueOf(y));
        }
      }
    }
  }
}
