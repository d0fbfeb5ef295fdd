package io.oxbow.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import io.trino.tpch.LineItem;
import io.trino.tpch.Order;
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
  void everyMoneyColumnIsExactAndKeysAreBigint() throws Exception {
    long totalPrice = 0;
    for (Order order : TpchTable.ORDERS.createGenerator(0.01, 1, 1)) {
      totalPrice += order.getTotalPriceInCents();
    }
    assertThat(query("SELECT sum(o_totalprice) FROM " + files("orders")).getBigDecimal(1))
        .isEqualByComparingTo(BigDecimal.valueOf(totalPrice, 2));
    ResultSet rs =
        query(
            "SELECT typeof(n_nationkey), typeof(n_regionkey) FROM " + files("nation") + " LIMIT 1");
    assertThat(rs.getString(1)).isEqualTo("BIGINT");
    assertThat(rs.getString(2)).isEqualTo("BIGINT");
    rs = query("SELECT typeof(p_size), typeof(p_retailprice) FROM " + files("part") + " LIMIT 1");
    assertThat(rs.getString(1)).isEqualTo("INTEGER");
    assertThat(rs.getString(2)).isEqualTo("DECIMAL(15,2)");
  }

  @Test
  void queriesAreBundled() {
    for (int q = 1; q <= 22; q++) {
      assertThat(TpchQueries.text(q)).as("Q%d", q).containsIgnoringCase("select");
    }
    assertThat(TpchQueries.text(1)).contains("l_returnflag").contains("interval '90' day");
    assertThat(TpchQueries.text(6)).contains("l_discount between .06 - 0.01 and .06 + 0.01");
  }
}
