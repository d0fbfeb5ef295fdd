package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.spi.connector.ColumnStatistics;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

class TestFileStatistics {
  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("key", new ArrowType.Int(64, true)),
              Field.nullable("nation", new ArrowType.Int(32, true)),
              Field.nullable("day", new ArrowType.Date(DateUnit.DAY)),
              Field.nullable("flag", ArrowType.Utf8.INSTANCE),
              Field.nullable("comment", ArrowType.Utf8.INSTANCE),
              Field.nullable("price", new ArrowType.Decimal(15, 2, 128)),
              Field.nullable("part", ArrowType.Utf8.INSTANCE)));

  private static String stats(
      long rows, long keyMin, long keyMax, String dayMin, String dayMax, int nullComments) {
    return """
        {"numRecords":%d,
         "minValues":{"key":%d,"nation":0,"day":"%s","flag":"A","comment":"a","price":1.00},
         "maxValues":{"key":%d,"nation":24,"day":"%s","flag":"A","comment":"z","price":9.00},
         "nullCount":{"key":0,"nation":0,"day":0,"flag":0,"comment":%d,"price":0}}
        """
        .formatted(rows, keyMin, dayMin, keyMax, dayMax, nullComments);
  }

  @Test
  void distinctValuesAreBoundedByEachFilesRangeAndRows() {
    FileStatistics statistics = new FileStatistics(SCHEMA, List.of("part"));
    // two files of 1000 rows: keys 1..250 (each repeated four times) and 251..500
    statistics.addFile(Map.of("part", "p1"), stats(1000, 1, 250, "1994-01-01", "1994-01-31", 10));
    statistics.addFile(Map.of("part", "p2"), stats(1000, 251, 500, "1994-01-15", "1994-02-14", 0));
    assertThat(statistics.rows()).isEqualTo(OptionalLong.of(2000));
    Map<String, ColumnStatistics> columns = statistics.columns();
    assertThat(columns.get("key").distinctValues()).isEqualTo(OptionalDouble.of(500));
    // 25 nations in each file, 0..24 table-wide: the table-wide range is the tighter bound
    assertThat(columns.get("nation").distinctValues()).isEqualTo(OptionalDouble.of(25));
    // days 1994-01-01..1994-02-14: 45 days, although the per-file ranges sum to 62
    assertThat(columns.get("day").distinctValues()).isEqualTo(OptionalDouble.of(45));
    // min = max in every file, the same value: one distinct value
    assertThat(columns.get("flag").distinctValues()).isEqualTo(OptionalDouble.of(1));
    // strings and decimals have no estimate, but their null counts are summed
    assertThat(columns.get("comment").distinctValues()).isEmpty();
    assertThat(columns.get("comment").nullCount()).isEqualTo(OptionalLong.of(10));
    assertThat(columns.get("price").distinctValues()).isEmpty();
    // a partition column has as many values as distinct partition values
    assertThat(columns.get("part").distinctValues()).isEqualTo(OptionalDouble.of(2));
  }

  @Test
  void aFileWithoutStatisticsMakesCountsUnknown() {
    FileStatistics statistics = new FileStatistics(SCHEMA, List.of("part"));
    statistics.addFile(Map.of("part", "p1"), stats(10, 1, 10, "1994-01-01", "1994-01-02", 0));
    statistics.addFile(Map.of("part", "p1"), null);
    assertThat(statistics.rows()).isEmpty();
    assertThat(statistics.columns()).containsOnlyKeys("part");
    assertThat(statistics.columns().get("part").distinctValues()).isEqualTo(OptionalDouble.of(1));
  }

  @Test
  void keysRepeatedAcrossFilesAreCappedByTheirRange() {
    FileStatistics statistics = new FileStatistics(SCHEMA, List.of());
    for (int i = 0; i < 4; i++) {
      statistics.addFile(Map.of(), stats(100, 1, 100, "1994-01-01", "1994-01-01", 0));
    }
    assertThat(statistics.columns().get("key").distinctValues()).isEqualTo(OptionalDouble.of(100));
    assertThat(statistics.columns().get("day").distinctValues()).isEqualTo(OptionalDouble.of(1));
  }
}
