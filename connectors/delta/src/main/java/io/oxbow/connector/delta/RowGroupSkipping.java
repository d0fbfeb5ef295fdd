package io.oxbow.connector.delta;

import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ConnectorMetadata;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.internal.column.columnindex.ColumnIndex;
import org.apache.parquet.internal.column.columnindex.OffsetIndex;
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
  private long pagesSkipped;

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

  /**
   * The rows of a row group that may match every predicate according to the column chunks' page
   * indexes (ColumnIndex min / max / null pages, OffsetIndex first rows), as sorted disjoint {@code
   * [from, to)} pairs of row numbers within the group; null when no page can be ruled out (or the
   * file has no page indexes). Pages pruned are counted in {@link #pagesSkipped()}.
   */
  long[] rowRanges(ParquetFileReader reader, BlockMetaData block) throws IOException {
    long rows = block.getRowCount();
    long[] ranges = null;
    for (Usable u : usable) {
      ColumnChunkMetaData chunk = chunk(block, u.type().getName());
      if (chunk == null) {
        continue;
      }
      OffsetIndex offsets = reader.readOffsetIndex(chunk);
      ColumnIndex index = offsets == null ? null : reader.readColumnIndex(chunk);
      if (index == null || offsets.getPageCount() < 2) {
        continue;
      }
      List<Boolean> nullPages = index.getNullPages();
      List<Long> nullCounts = index.getNullCounts();
      List<ByteBuffer> mins = index.getMinValues(); // each call builds a new list
      List<ByteBuffer> maxes = index.getMaxValues();
      long[] kept = new long[2 * offsets.getPageCount()];
      int count = 0;
      for (int p = 0; p < offsets.getPageCount(); p++) {
        long from = offsets.getFirstRowIndex(p);
        long to = p + 1 < offsets.getPageCount() ? offsets.getFirstRowIndex(p + 1) : rows;
        if (pageMayMatch(
            u, mins, maxes, nullPages.get(p), nullCounts == null ? -1 : nullCounts.get(p), p)) {
          if (count > 0 && kept[count - 1] == from) {
            kept[count - 1] = to;
          } else {
            kept[count++] = from;
            kept[count++] = to;
          }
        } else {
          pagesSkipped++;
        }
      }
      long[] column = Arrays.copyOf(kept, count);
      ranges = ranges == null ? column : intersect(ranges, column);
    }
    if (ranges != null && ranges.length == 2 && ranges[0] == 0 && ranges[1] == rows) {
      return null;
    }
    return ranges;
  }

  /** Pages of predicate columns ruled out by their page index so far. */
  long pagesSkipped() {
    return pagesSkipped;
  }

  private static boolean pageMayMatch(
      Usable u,
      List<ByteBuffer> mins,
      List<ByteBuffer> maxes,
      boolean nullPage,
      long nulls,
      int page) {
    switch (u.predicate().op()) {
      case IS_NULL:
        return nulls != 0;
      case IS_NOT_NULL:
      case NE:
        return !nullPage;
      default:
        break;
    }
    if (nullPage) {
      return false; // only NULLs: no comparison is true
    }
    Object min = value(u.field().getType(), u.type(), pageStat(u.type(), mins.get(page)));
    Object max = value(u.field().getType(), u.type(), pageStat(u.type(), maxes.get(page)));
    return min == null
        || max == null
        || FileSkipping.rangeMayMatch(u.field().getType(), min, max, u.predicate());
  }

  /** A page index bound (Parquet's plain encoding) as row-group statistics hold it, or null. */
  private static Object pageStat(PrimitiveType type, ByteBuffer bytes) {
    ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    return switch (type.getPrimitiveTypeName()) {
      case INT32 -> b.remaining() == 4 ? b.getInt(b.position()) : null;
      case INT64 -> b.remaining() == 8 ? b.getLong(b.position()) : null;
      case BINARY, FIXED_LEN_BYTE_ARRAY -> Binary.fromConstantByteBuffer(b);
      default -> null;
    };
  }

  /** The intersection of two sorted lists of disjoint {@code [from, to)} pairs. */
  static long[] intersect(long[] a, long[] b) {
    long[] out = new long[a.length + b.length];
    int count = 0;
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      long from = Math.max(a[i], b[j]);
      long to = Math.min(a[i + 1], b[j + 1]);
      if (from < to) {
        out[count++] = from;
        out[count++] = to;
      }
      if (a[i + 1] < b[j + 1]) {
        i += 2;
      } else {
        j += 2;
      }
    }
    return Arrays.copyOf(out, count);
  }

  /** The row group's chunk of top-level column {@code name}, or null. */
  static ColumnChunkMetaData chunk(BlockMetaData block, String name) {
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      String[] path = chunk.getPath().toArray();
      if (path.length == 1 && path[0].equals(name)) {
        return chunk;
      }
    }
    return null;
  }

  /** A statistic as a value of the column's type (see {@link FileSkipping}), or null. */
  static Object value(ArrowType type, PrimitiveType primitive, Object stat) {
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
