package io.oxbow.connector.delta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oxbow.spi.connector.ColumnStatistics;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Table statistics summed from the {@code stats} of a Delta snapshot's add actions: row count, null
 * counts, and distinct-value estimates for the optimiser.
 *
 * <p>A column's distinct values are estimated only where min and max bound them: for integer and
 * date columns each file holds at most {@code min(non-null rows, max - min + 1)} distinct values,
 * and the table at most the sum of that over its files and the table-wide range. A column whose
 * minimum equals its maximum everywhere has one value; a partition column has as many values as
 * there are distinct partition values. Other columns have no estimate. A key-like column's estimate
 * may be lowered by a sample of the data ({@link #applySample}).
 */
final class FileStatistics {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Schema schema;
  private final List<String> partitionColumns;
  private long rows;
  private boolean rowsKnown = true;
  private final Map<String, Column> columns = new HashMap<>();

  /** Running totals for one column. */
  private static final class Column {
    long nulls;
    boolean nullsKnown = true;
    double distinctSum;
    boolean distinctKnown = true;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    String constant;
    boolean constantKnown = true;
    final Set<String> partitionValues = new HashSet<>();

    /** An estimate from a sample of the data (see {@link #applySample}); negative for none. */
    double sampled = -1;
  }

  FileStatistics(Schema schema, List<String> partitionColumns) {
    this.schema = schema;
    this.partitionColumns = partitionColumns;
    for (Field field : schema.getFields()) {
      columns.put(field.getName(), new Column());
    }
  }

  /** Adds one file: its partition values and its {@code stats} JSON (null if it has none). */
  void addFile(Map<String, String> partitionValues, String stats) {
    for (String partition : partitionColumns) {
      Column column = columns.get(partition);
      if (column != null) {
        String value = partitionValues.get(partition);
        column.partitionValues.add(value == null ? "\u0000null" : value);
      }
    }
    JsonNode root = null;
    if (stats != null) {
      try {
        root = JSON.readTree(stats);
      } catch (java.io.IOException e) {
        root = null;
      }
    }
    JsonNode numRecords = root == null ? null : root.get("numRecords");
    if (numRecords == null || !numRecords.canConvertToLong()) {
      rowsKnown = false;
      columns.values().forEach(c -> c.nullsKnown = c.distinctKnown = c.constantKnown = false);
      return;
    }
    long fileRows = numRecords.asLong();
    rows += fileRows;
    JsonNode mins = root.path("minValues");
    JsonNode maxs = root.path("maxValues");
    JsonNode nulls = root.path("nullCount");
    for (Field field : schema.getFields()) {
      String name = field.getName();
      if (partitionColumns.contains(name)) {
        continue;
      }
      Column column = columns.get(name);
      JsonNode nullCount = find(nulls, name);
      long fileNulls = 0;
      if (nullCount != null && nullCount.canConvertToLong()) {
        fileNulls = nullCount.asLong();
        column.nulls += fileNulls;
      } else {
        column.nullsKnown = false;
      }
      long nonNull = fileRows - fileNulls;
      if (nonNull == 0) {
        continue;
      }
      JsonNode min = find(mins, name);
      JsonNode max = find(maxs, name);
      if (min == null || max == null || min.isNull() || max.isNull()) {
        column.distinctKnown = false;
        column.constantKnown = false;
        continue;
      }
      if (!min.asText().equals(max.asText())
          || (column.constant != null && !column.constant.equals(min.asText()))) {
        column.constantKnown = false;
      }
      column.constant = min.asText();
      Long low = ordinal(field.getType(), min);
      Long high = ordinal(field.getType(), max);
      if (low == null || high == null || high < low) {
        column.distinctKnown = false;
        continue;
      }
      column.distinctSum += Math.min((double) nonNull, (double) high - low + 1);
      column.min = Math.min(column.min, low);
      column.max = Math.max(column.max, high);
    }
  }

  /** A column's entry in a stats map; nested columns are not looked up. */
  private static JsonNode find(JsonNode values, String name) {
    JsonNode exact = values.get(name);
    if (exact != null) {
      return exact;
    }
    var names = values.fieldNames();
    while (names.hasNext()) {
      String candidate = names.next();
      if (candidate.equalsIgnoreCase(name)) {
        return values.get(candidate);
      }
    }
    return null;
  }

  /** An integer or date statistic as a number on a scale where adjacent values differ by one. */
  private static Long ordinal(ArrowType type, JsonNode value) {
    if (type instanceof ArrowType.Int) {
      return value.canConvertToLong() && value.isIntegralNumber() ? value.asLong() : null;
    }
    if (type instanceof ArrowType.Date) {
      try {
        return LocalDate.parse(value.asText()).toEpochDay();
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return null;
  }

  /**
   * The integer and date columns whose estimate a sample of the data could lower: at least {@code
   * minRows} non-null values, and an estimate from ranges above a tenth of them (a key-like column,
   * where ranges cannot tell a unique key from one whose values repeat, as {@code l_orderkey} in
   * TPC-H's lineitem, four rows per value).
   */
  List<String> sampleCandidates(long minRows) {
    List<String> names = new ArrayList<>();
    if (!rowsKnown) {
      return names;
    }
    for (Field field : schema.getFields()) {
      String name = field.getName();
      Column column = columns.get(name);
      if (partitionColumns.contains(name)
          || !column.distinctKnown
          || !column.nullsKnown
          || column.max < column.min
          || !(field.getType() instanceof ArrowType.Int
              || field.getType() instanceof ArrowType.Date)) {
        continue;
      }
      long nonNull = rows - column.nulls;
      if (nonNull >= minRows && rangeEstimate(column, nonNull) > nonNull / 10.0) {
        names.add(name);
      }
    }
    return names;
  }

  /**
   * Lowers a column's estimate by a sample: {@code sampleDistinct} distinct values among {@code
   * sampleValues} values (one row group's dictionary) scale to the same share of the column's
   * non-null values. That is exact for a column sorted or clustered by value (each row group holds
   * its own values) and an overestimate for one whose values repeat across row groups, where the
   * estimate from ranges (never raised by a sample) stays the smaller.
   */
  void applySample(String name, long sampleValues, long sampleDistinct) {
    Column column = columns.get(name);
    if (column == null || sampleValues <= 0 || sampleDistinct <= 0 || !rowsKnown) {
      return;
    }
    long nonNull = rows - (column.nullsKnown ? column.nulls : 0);
    double share = Math.min(1.0, (double) sampleDistinct / sampleValues);
    column.sampled = Math.max(sampleDistinct, share * nonNull);
  }

  /** A column's distinct values from its files' ranges and rows (see the class comment). */
  private static double rangeEstimate(Column column, long nonNull) {
    double range = (double) column.max - column.min + 1;
    return Math.min(nonNull, Math.min(range, column.distinctSum));
  }

  OptionalLong rows() {
    return rowsKnown ? OptionalLong.of(rows) : OptionalLong.empty();
  }

  Map<String, ColumnStatistics> columns() {
    Map<String, ColumnStatistics> result = new HashMap<>();
    for (Field field : schema.getFields()) {
      String name = field.getName();
      Column column = columns.get(name);
      OptionalDouble distinct = OptionalDouble.empty();
      OptionalLong nulls = OptionalLong.empty();
      if (partitionColumns.contains(name)) {
        distinct = OptionalDouble.of(column.partitionValues.size());
      } else if (rowsKnown) {
        if (column.nullsKnown) {
          nulls = OptionalLong.of(column.nulls);
        }
        long nonNull = rows - (column.nullsKnown ? column.nulls : 0);
        if (nonNull == 0) {
          distinct = OptionalDouble.of(0);
        } else if (column.constantKnown && column.constant != null) {
          distinct = OptionalDouble.of(1);
        } else if (column.distinctKnown && column.max >= column.min) {
          double estimate = rangeEstimate(column, nonNull);
          if (column.sampled >= 0) {
            estimate = Math.min(estimate, column.sampled);
          }
          distinct = OptionalDouble.of(estimate);
        }
      }
      if (distinct.isPresent() || nulls.isPresent()) {
        result.put(name, new ColumnStatistics(nulls, distinct));
      }
    }
    return result;
  }
}
