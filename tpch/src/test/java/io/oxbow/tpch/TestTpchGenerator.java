package io.oxbow.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import io.trino.tpch.LineItem;
import io.trino.tpch.TpchTable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated SF 0.01 warehouse, checked with DuckDB reading its Parquet files. */
class TestTpchGenerator {
  @TempDir static Path warehouse;
  private static Connection duckdb;

  @BeforeAll
  static void generate() throws Exception {
    TpchGenerator.generate(warehouse, 0.01);
    duckdb = DriverManager.getConnection("jdbc:duckdb:");
  }

  private static ResultSet query(String sql) throws Exception {
    Statement s = duckdb.createStatement();
    ResultSet rs = s.executeQuery(sql);
    assertThat(rs.next()).isTrue();
    return rs;
  }

  private static String files(String table) {
    return "read_parquet('" + warehouse.resolve("tpch").resolve(table) + "/*.parquet')";
  }

  @Test
  void rowCountsMatchTheSpecification() throws Exception {
    Map<String, Long> expected =
        Map.of(
            "lineitem", 60_175L,
            "orders", 15_000L,
            "customer", 1_500L,
            "part", 2_000L,
            "partsupp", 8_000L,
            "supplier", 100L,
            "nation", 25L,
            "region", 5L);
    assertThat(TpchGenerator.exists(warehouse)).isTrue();
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      assertThat(query("SELECT count(*) FROM " + files(e.getKey())).getLong(1))
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void decimalsAreExactAndTypesFollowTheSpecification() throws Exception {
    long cents = 0;
    for (LineItem item : TpchTable.LINE_ITEM.createGenerator(0.01, 1, 1)) {
      cents += item.getExtendedPriceInCents();
    }
    ResultSet rs =
        query(
            "SELECT sum(l_extendedprice), typeof(l_extendedprice), typeof(l_orderkey), "
                + "typeof(l_linenumber), typeof(l_shipdate), typeof(l_comment) FROM "
                + files("lineitem")
                + " GROUP BY ALL");
    assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(BigDecimal.valueOf(cents, 2));
    assertThat(rs.getString(2)).isEqualTo("DECIMAL(15,2)");
    assertThat(rs.getString(3)).isEqualTo("BIGINT");
    assertThat(rs.getString(4)).isEqualTo("INTEGER");
    assertThat(rs.getString(5)).isEqualTo("DATE");
    assertThat(rs.getString(6)).isEqualTo("VARCHAR");
  }

  @Test
  void queriesAreBundled() {
    assertThat(TpchQueries.text(1)).contains("l_returnflag").contains("interval '90' day");
    assertThat(TpchQueries.text(6)).contains("l_discount between .06 - 0.01 and .06 + 0.01");
  }
}
