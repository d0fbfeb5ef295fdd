package io.oxbow.connector.delta;

import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ConnectorMetadata;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Decides which row groups of a Parquet file may hold rows matching the scan's pushed-down
 * predicates, from each column chunk's min / max / null-count statistics. Inexact: a row group is
 * skipped only when its statistics prove that no row matches (the engine re-applies the filter to
 * the rows read). Floating-point columns (NaN is left out of min/max), booleans, unsigned integers,
 * INT96 timestamps and columns whose type was widened are not used.
 */
final class RowGroupSkipping {
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private record Usable(ColumnPredicate predicate, Field field, PrimitiveType type) {}

  private final List<Usable> usable = new ArrayList<>();

  RowGroupSkipping(
      MessageType fileSchema,
      Schema tableSchema,
      List<String> partitionColumns,
      List<ColumnPredicate> filter) {
    for (ColumnPredicate predicate : filter) {
      if (predicate.column().equals(ConnectorMetadata.FILE_COLUMN)
          || partitionColumns.contains(predicate.column())) {
        continue;
      }
      Field field =
          tableSchema.getFields().stream()
              .filter(f -> f.getName().equals(predicate.column()))
              .findFirst()
              .orElse(null);
      if (field == null
          || field.getType() instanceof ArrowType.FloatingPoint
          || field.getType() instanceof ArrowType.Bool
          || DeltaTypes.typeChanged(field)) {
        continue;
      }
      Type type = ParquetPageSource.findColumn(fileSchema, field);
      if (type != null && type.isPrimitive()) {
        usable.add(new Usable(predicate, field, type.asPrimitiveType()));
      }
    }
  }

  /** Whether any predicate can be checked against row-group statistics. */
  boolean isEmpty() {
    return usable.isEmpty();
  }

  /** Whether the row group may hold rows matching every predicate. */
  boolean mayMatch(BlockMetaData block) {
    for (Usable u : usable) {
      ColumnChunkMetaData chunk = chunk(block, u.type().getName());
      if (chunk == null) {
        continue;
      }
      Statistics<?> stats = chunk.getStatistics();
      if (stats == null || stats.isEmpty()) {
        continue;
      }
      long rows = block.getRowCount();
      long nulls = stats.isNumNullsSet() ? stats.getNumNulls() : -1;
      switch (u.predicate().op()) {
        case IS_NULL -> {
          if (nulls == 0) {
            return false;
          }
          continue;
        }
        case IS_NOT_NULL, NE -> {
          if (rows > 0 && nulls == rows) {
            return false;
          }
          continue;
        }
        default -> {}
      }
      if (rows > 0 && nulls == rows) {
        return false; // only NULLs: no comparison is true
      }
      if (!stats.hasNonNullValue()) {
        continue;
      }
      Object min = value(u.field().getType(), u.type(), stats.genericGetMin());
      Object max = value(u.field().getType(), u.type(), stats.genericGetMax());
      if (min != null
          && max != null
          && !FileSkipping.rangeMayMatch(u.field().getType(), min, max, u.predicate())) {
        return false;
      }
    }
    return true;
  }

  private static ColumnChunkMetaData chunk(BlockMetaData block, String name) {
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      String[] path = chunk.getPath().toArray();
      if (path.length == 1 && path[0].equals(name)) {
        return chunk;
      }
    }
    return null;
  }

  /** A statistic as a value of the column's type (see {@link FileSkipping}), or null. */
  private static Object value(ArrowType type, PrimitiveType primitive, Object stat) {
    LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && !i.isSigned()) {
      return null; // unsigned order
    }
    PrimitiveType.PrimitiveTypeName physical = primitive.getPrimitiveTypeName();
    boolean integer =
        physical == PrimitiveType.PrimitiveTypeName.INT32
            || physical == PrimitiveType.PrimitiveTypeName.INT64;
    if (type instanceof ArrowType.Int) {
      return integer ? ((Number) stat).longValue() : null;
    }
    if (type instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY) {
      return physical == PrimitiveType.PrimitiveTypeName.INT32
          ? LocalDate.ofEpochDay(((Number) stat).longValue())
          : null;
    }
    if (type instanceof ArrowType.Timestamp) {
      if (physical != PrimitiveType.PrimitiveTypeName.INT64) {
        return null;
      }
      long value = ((Number) stat).longValue();
      if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
        return switch (ts.getUnit()) {
          case MILLIS -> value * 1000;
          case NANOS -> Math.floorDiv(value, 1000);
          default -> value;
        };
      }
      return value;
    }
    if (type instanceof ArrowType.Decimal) {
      int scale =
          logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d
              ? d.getScale()
              : 0;
      if (integer) {
        return BigDecimal.valueOf(((Number) stat).longValue(), scale);
      }
      if (stat instanceof Binary b) {
        return new BigDecimal(new BigInteger(b.getBytes()), scale);
      }
      return null;
    }
    if (type instanceof ArrowType.Utf8) {
      return physical == PrimitiveType.PrimitiveTypeName.BINARY && stat instanceof Binary b
          ? b.toStringUsingUTF8()
          : null;
    }
    return null;
  }
}
