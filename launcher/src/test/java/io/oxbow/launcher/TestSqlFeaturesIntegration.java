package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.testing.DuckDbReference;
import io.oxbow.testing.ResultAssertions;
import io.oxbow.testing.TestingOxbowServer;
import io.oxbow.testing.TestingTpchWarehouse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SQL features beyond TPC-H, each query run on Oxbow and on DuckDB over the same files. */
class TestSqlFeaturesIntegration {
  private static TestingOxbowServer server;
  private static DuckDbReference duckdb;
  private static Connection connection;

  @BeforeAll
  static void start() throws Exception {
    Path warehouse = TestingTpchWarehouse.sf001();
    server = new TestingOxbowServer(warehouse);
    duckdb = new DuckDbReference(warehouse);
    connection = DriverManager.getConnection(server.jdbcUrl("analyst"));
  }

  @AfterAll
  static void stop() throws Exception {
    connection.close();
    duckdb.close();
    server.close();
  }

  private static List<List<Object>> oxbow(String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // joins of every kind, with NULL-producing sides
        "select n_name, r_name from nation left join region on n_regionkey = r_regionkey and r_name <> 'ASIA' order by n_name",
        "select n_name, r_name from nation right join region on n_regionkey = r_regionkey and n_name like 'A%' order by r_name, n_name",
        "select n_name, r_name from nation full join region on n_regionkey = r_regionkey and n_nationkey < 3 and r_regionkey > 0 order by n_name, r_name",
        "select count(*) from nation a, nation b where a.n_regionkey < b.n_regionkey",
        "select a.n_name, b.n_name from nation a join nation b on a.n_regionkey = b.n_regionkey and a.n_nationkey < b.n_nationkey order by 1, 2",
        // subqueries: IN, NOT IN (with a NULL in the list), EXISTS, scalar, in SELECT and HAVING
        "select count(*) from customer where c_nationkey not in (select n_nationkey from nation where n_regionkey = 1)",
        "select count(*) from nation where n_nationkey not in (select case when r_regionkey = 2 then null else r_regionkey end from region)",
        "select count(*) from nation where n_nationkey in (select case when r_regionkey = 2 then null else r_regionkey end from region)",
        "select n_name, (select count(*) from customer where c_nationkey = n_nationkey) from nation order by n_name",
        "select c_nationkey, count(*) from customer group by c_nationkey having count(*) > (select avg(c) from (select count(*) as c from customer group by c_nationkey) t) order by 1",
        "select r_name from region where exists (select * from nation where n_regionkey = r_regionkey and n_name like 'C%') order by 1",
        // set operations
        "select n_regionkey from nation union select r_regionkey from region order by 1",
        "select n_regionkey from nation union all select r_regionkey from region order by 1",
        "select n_regionkey from nation intersect select r_regionkey from region where r_regionkey < 3 order by 1",
        "select n_regionkey from nation except select r_regionkey from region where r_regionkey < 3 order by 1",
        // aggregates
        "select count(distinct c_nationkey), sum(distinct c_nationkey), min(c_name), max(c_phone) from customer",
        "select c_mktsegment, count(*) filter (where c_acctbal > 0), avg(c_nationkey) from customer group by c_mktsegment order by 1",
        "select bool_and(c_acctbal > -1000), bool_or(c_acctbal > 9990) from customer",
        "select round(stddev_samp(l_quantity), 6), round(var_pop(l_quantity), 6) from lineitem",
        "select n_regionkey, count(*), sum(n_nationkey) from nation group by rollup (n_regionkey) order by 1 nulls last",
        "select l_returnflag, l_linestatus, count(*), grouping(l_returnflag, l_linestatus) from lineitem group by cube (l_returnflag, l_linestatus) order by 1 nulls first, 2 nulls first",
        "select o_orderstatus, o_orderpriority, max(o_totalprice) from orders group by grouping sets ((o_orderstatus), (o_orderpriority), ()) order by 1 nulls first, 2 nulls first",
        // window functions
        "select n_nationkey, row_number() over (partition by n_regionkey order by n_name), rank() over (order by n_regionkey), dense_rank() over (order by n_regionkey), ntile(4) over (order by n_nationkey) from nation order by n_nationkey",
        "select n_nationkey, lag(n_name) over (order by n_nationkey), lead(n_name, 2, 'none') over (order by n_nationkey), first_value(n_name) over (partition by n_regionkey order by n_nationkey), last_value(n_name) over (partition by n_regionkey order by n_nationkey rows between unbounded preceding and unbounded following) from nation order by 1",
        "select o_orderkey, sum(o_totalprice) over (order by o_orderkey rows between 2 preceding and 1 following), avg(o_totalprice) over (partition by o_orderstatus order by o_orderkey), count(*) over (order by o_orderdate range between unbounded preceding and current row), min(o_totalprice) over (partition by o_orderpriority), max(o_orderkey) over () from orders where o_orderkey < 200 order by o_orderkey",
        "select n_nationkey, sum(n_nationkey) over (order by n_nationkey range between 2 preceding and 1 following), count(*) over (partition by n_regionkey) from nation order by 1",
        // strings and dates
        "select count(*) from part where p_name ilike '%GREEN%'",
        "select p_partkey, position('green' in p_name), replace(p_type, 'BRASS', 'brass'), split_part(p_type, ' ', 2) from part where p_partkey < 20 order by 1",
        "select upper(substring(c_name from 1 for 5)) || '!', trim(c_mktsegment), char_length(c_comment) from customer where c_custkey < 10 order by c_custkey",
        "select extract(year from o_orderdate), extract(month from o_orderdate), count(*) from orders group by 1, 2 order by 1, 2",
        "select cast(date_trunc('month', o_orderdate) as date) as m, count(*) from orders group by 1 order by 1 limit 12",
        "select o_orderkey, cast(o_orderdate + interval '10' day as date), cast(o_orderdate - interval '2' month as date) from orders where o_orderkey < 40 order by 1",
        "select coalesce(nullif(n_regionkey, 0), -1), case n_regionkey when 1 then 'one' when 2 then 'two' end from nation order by n_nationkey",
        "select cast(o_totalprice as bigint), cast(o_orderkey as varchar) || '-', cast('2020-02-29' as date) from orders where o_orderkey < 10 order by o_orderkey",
        "select l_orderkey, l_linenumber from lineitem order by l_shipdate desc nulls last, l_orderkey, l_linenumber limit 7 offset 3",
        "select count(*) from lineitem where l_discount between 0.02 and 0.04 and l_shipmode in ('AIR', 'MAIL') and not (l_quantity > 40)"
      })
  void matchesDuckDb(String sql) throws Exception {
    ResultAssertions.assertSameRows(oxbow(sql), duckdb.query(sql));
  }

  @Test
  void regularExpressionsMatchAnywhereInTheString() throws Exception {
    assertThat(oxbow("select count(*) from part where p_name ~ 'gr[e]+n'"))
        .isEqualTo(
            duckdb.query("select count(*) from part where regexp_matches(p_name, 'gr[e]+n')"));
  }

  @Test
  void aScalarSubqueryWithSeveralRowsIsAClearError() {
    assertThatThrownBy(() -> oxbow("select (select n_name from nation) from region"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("more than one row");
  }

  @Test
  void decimalOverflowIsAnErrorNotAWrongAnswer() {
    assertThatThrownBy(
            () ->
                oxbow(
                    "select cast(l_extendedprice * 100000000000 as decimal(15, 2)) from lineitem"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("overflow");
  }
}
