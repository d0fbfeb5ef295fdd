package io.oxbow.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.engine.type.Values;
import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import io.oxbow.federation.QueryResult;
import io.oxbow.federation.Session;
import io.oxbow.testing.DuckDbReference;
import io.oxbow.testing.TestingTpchWarehouse;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;

/**
 * Differential testing: random valid queries over TPC-H SF 0.01 run on Oxbow and on DuckDB over the
 * same Parquet files, compared as multisets of rows. Numbers compare within {@link #TOLERANCE}
 * (relative), and an exact DECIMAL against a DOUBLE within one unit in the decimal's last place,
 * because the engines type averages differently (Oxbow DECIMAL(p+4, s+4), DuckDB DOUBLE). The seed
 * and count can be set with {@code -Doxbow.differential.seed} and {@code
 * -Doxbow.differential.queries}.
 */
class TestDifferentialIntegration {
  private static final double TOLERANCE = 1e-9;

  @Test
  void randomQueriesAgreeWithDuckDb() throws Exception {
    long seed = Long.getLong("oxbow.differential.seed", 20261125L);
    int count = Integer.getInteger("oxbow.differential.queries", 3000);
    Path warehouse = TestingTpchWarehouse.sf001();
    RandomQueryGenerator generator = new RandomQueryGenerator(seed);
    List<String> failures = new ArrayList<>();
    try (QueryEngine engine =
            new QueryEngine(
                OxbowConfig.defaults()
                    .withCatalog("demo", "delta", Map.of("warehouse", warehouse.toString()))
                    .withDefaultNamespace("demo", "tpch"));
        DuckDbReference duckdb = new DuckDbReference(warehouse)) {
      Session session = engine.newSession("differential");
      for (int i = 0; i < count; i++) {
        String sql = generator.next();
        try {
          List<List<Object>> ours = canonical(oxbow(engine, session, sql));
          List<List<Object>> theirs = canonical(duckdb.query(sql));
          String difference = difference(ours, theirs);
          if (difference != null) {
            failures.add(sql + "\n    " + difference);
          }
        } catch (Exception e) {
          failures.add(sql + "\n    " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }
    }
    assertThat(failures).as("queries that differ from DuckDB (seed %d)", seed).isEmpty();
  }

  private static List<List<Object>> oxbow(QueryEngine engine, Session session, String sql) {
    List<List<Object>> rows = new ArrayList<>();
    try (QueryResult result = engine.execute(session, sql)) {
      while (true) {
        VectorSchemaRoot batch = result.next();
        if (batch == null) {
          break;
        }
        try (batch) {
          for (int r = 0; r < batch.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : batch.getFieldVectors()) {
              Object value = Values.get(v, r);
              if (value instanceof Integer days
                  && v.getField().getType()
                      instanceof org.apache.arrow.vector.types.pojo.ArrowType.Date) {
                value = LocalDate.ofEpochDay(days);
              }
              row.add(value);
            }
            rows.add(row);
          }
        }
      }
    }
    return rows;
  }

  /** Normalises values (numbers to BigDecimal, dates to LocalDate) and sorts the rows. */
  private static List<List<Object>> canonical(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> row : rows) {
      List<Object> normalised = new ArrayList<>();
      for (Object value : row) {
        if (value instanceof Number n) {
          normalised.add(new BigDecimal(n.toString()));
        } else if (value instanceof java.sql.Date d) {
          normalised.add(d.toLocalDate());
        } else if (value instanceof java.time.LocalDateTime t) {
          normalised.add(t.toLocalDate());
        } else {
          normalised.add(value);
        }
      }
      out.add(normalised);
    }
    out.sort(Comparator.comparing(TestDifferentialIntegration::sortKey));
    return out;
  }

  private static String sortKey(List<Object> row) {
    StringBuilder key = new StringBuilder();
    for (Object value : row) {
      key.append(
              value instanceof BigDecimal d
                  ? d.setScale(2, RoundingMode.HALF_UP).toPlainString()
                  : String.valueOf(value))
          .append('\u0001');
    }
    return key.toString();
  }

  private static String difference(List<List<Object>> ours, List<List<Object>> theirs) {
    if (ours.size() != theirs.size()) {
      return "row count " + ours.size() + " vs " + theirs.size();
    }
    for (int r = 0; r < ours.size(); r++) {
      List<Object> a = ours.get(r);
      List<Object> b = theirs.get(r);
      if (a.size() != b.size()) {
        return "width " + a.size() + " vs " + b.size();
      }
      for (int c = 0; c < a.size(); c++) {
        Object x = a.get(c);
        Object y = b.get(c);
        boolean same;
        if (x instanceof BigDecimal dx && y instanceof BigDecimal dy) {
          BigDecimal magnitude = dx.abs().max(dy.abs()).max(BigDecimal.ONE);
          BigDecimal tolerance = magnitude.multiply(BigDecimal.valueOf(TOLERANCE));
          int scale = Math.min(dx.scale(), dy.scale());
          if (dx.scale() != dy.scale() && scale > 0) {
            // an exact DECIMAL against a DOUBLE: one unit in the decimal's last place
            tolerance = tolerance.max(BigDecimal.ONE.movePointLeft(scale));
          }
          same = dx.subtract(dy).abs().compareTo(tolerance) <= 0;
        } else {
          same = String.valueOf(x).equals(String.valueOf(y));
        }
        if (!same) {
          return "row " + r + " column " + (c + 1) + ": " + x + " vs " + y;
        }
      }
    }
    return null;
  }
}
