package io.oxbow.connector.delta;

import com.fasterxml.jackson.databind.JsonNode;
import io.delta.kernel.data.ColumnVector;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows being loaded by {@code COPY INTO}, converted to a table's column types: text (CSV fields,
 * JSON strings) is parsed, JSON values and Parquet values are converted. Full batches go to a sink.
 * A value that cannot be converted throws {@link IllegalArgumentException} naming the column, so
 * the caller can add the file and line.
 *
 * <p>Text formats: integers, decimals (rounded half-up to the column's scale), floating point (also
 * {@code NaN}, {@code Infinity}), booleans ({@code true}/{@code false}, {@code 1}/{@code 0}), dates
 * {@code yyyy-MM-dd}, timestamps {@code yyyy-MM-dd[( |T)HH:mm[:ss[.fraction]]]} with an optional
 * offset or {@code Z} (no offset means UTC; a timestamp without time zone column refuses offsets).
 */
final class LoadBatch implements AutoCloseable {
  static final int BATCH_ROWS = 4096;

  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  private final Schema schema;
  private final VectorSchemaRoot root;
  private final Consumer<VectorSchemaRoot> sink;
  private final boolean[] set;
  private int row;

  LoadBatch(Schema schema, BufferAllocator allocator, Consumer<VectorSchemaRoot> sink) {
    this.schema = schema;
    this.root = VectorSchemaRoot.create(schema, allocator);
    this.sink = sink;
    this.set = new boolean[schema.getFields().size()];
    root.allocateNew();
  }

  Schema schema() {
    return schema;
  }

  /** Sets a value from text (a CSV field or a JSON string). */
  void setText(int column, String text) {
    FieldVector vector = root.getVector(column);
    Field field = schema.getFields().get(column);
    ArrowType type = field.getType();
    set[column] = true;
    if (type instanceof ArrowType.Utf8) {
      ((VarCharVector) vector).setSafe(row, text.getBytes(StandardCharsets.UTF_8));
      return;
    }
    String value = text.trim();
    try {
      switch (type.getTypeID()) {
        case Bool -> {
          boolean b =
              switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw new IllegalArgumentException("not a boolean");
              };
          ((BitVector) vector).setSafe(row, b ? 1 : 0);
        }
        case Int -> setLong(column, Long.parseLong(value));
        case FloatingPoint -> setDouble(column, Double.parseDouble(value));
        case Decimal -> setDecimal(column, new BigDecimal(value));
        case Date -> ((DateDayVector) vector).setSafe(row, (int) parseDate(value).toEpochDay());
        case Timestamp -> setTimestamp(column, value);
        default -> throw new IllegalArgumentException("unsupported column type " + type);
      }
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          String.format("cannot read '%s' as %s for column %s", text, type, field.getName()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          String.format(
              "cannot read '%s' as %s for column %s (%s)",
              text, type, field.getName(), e.getMessage()));
    }
  }

  /** Sets a value from a JSON value (null, number, boolean, string, array or object). */
  void setJson(int column, JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    Field field = schema.getFields().get(column);
    ArrowType type = field.getType();
    if (node.isTextual()) {
      setText(column, node.textValue());
      return;
    }
    set[column] = true;
    switch (type.getTypeID()) {
      case Utf8 ->
          ((VarCharVector) root.getVector(column))
              .setSafe(row, node.toString().getBytes(StandardCharsets.UTF_8));
      case Bool -> {
        if (!node.isBoolean()) {
          throw mismatch(field, node);
        }
        ((BitVector) root.getVector(column)).setSafe(row, node.booleanValue() ? 1 : 0);
      }
      case Int -> {
        if (!node.isNumber()) {
          throw mismatch(field, node);
        }
        BigDecimal value = node.decimalValue();
        try {
          setLong(column, value.longValueExact());
        } catch (ArithmeticException | IllegalArgumentException e) {
          throw mismatch(field, node);
        }
      }
      case FloatingPoint -> {
        if (!node.isNumber()) {
          throw mismatch(field, node);
        }
        setDouble(column, node.doubleValue());
      }
      case Decimal -> {
        if (!node.isNumber()) {
          throw mismatch(field, node);
        }
        setDecimal(column, node.decimalValue());
      }
      default -> throw mismatch(field, node);
    }
  }

  /** Sets a value from a delta-kernel column of the same type (Parquet files read by kernel). */
  void setKernel(int column, ColumnVector source, int sourceRow) {
    if (source.isNullAt(sourceRow)) {
      return;
    }
    FieldVector vector = root.getVector(column);
    set[column] = true;
    if (vector instanceof BitVector v) {
      v.setSafe(row, source.getBoolean(sourceRow) ? 1 : 0);
    } else if (vector instanceof TinyIntVector v) {
      v.setSafe(row, source.getByte(sourceRow));
    } else if (vector instanceof SmallIntVector v) {
      v.setSafe(row, source.getShort(sourceRow));
    } else if (vector instanceof IntVector v) {
      v.setSafe(row, source.getInt(sourceRow));
    } else if (vector instanceof BigIntVector v) {
      v.setSafe(row, source.getLong(sourceRow));
    } else if (vector instanceof Float4Vector v) {
      v.setSafe(row, source.getFloat(sourceRow));
    } else if (vector instanceof Float8Vector v) {
      v.setSafe(row, source.getDouble(sourceRow));
    } else if (vector instanceof DecimalVector v) {
      setDecimal(column, source.getDecimal(sourceRow));
    } else if (vector instanceof VarCharVector v) {
      v.setSafe(row, source.getString(sourceRow).getBytes(StandardCharsets.UTF_8));
    } else if (vector instanceof DateDayVector v) {
      v.setSafe(row, source.getInt(sourceRow));
    } else if (vector instanceof TimeStampVector v) {
      v.setSafe(row, source.getLong(sourceRow));
    } else {
      throw new IllegalArgumentException(
          "unsupported column type " + schema.getFields().get(column).getType());
    }
  }

  /** Ends the current row (unset columns are NULL); hands over the batch when it is full. */
  void endRow() {
    for (int c = 0; c < set.length; c++) {
      if (!set[c]) {
        root.getVector(c).setNull(row);
      }
    }
    Arrays.fill(set, false);
    row++;
    if (row >= BATCH_ROWS) {
      flush();
    }
  }

  /** Hands over the rows so far (if any) and starts an empty batch. */
  void flush() {
    if (row == 0) {
      return;
    }
    for (FieldVector vector : root.getFieldVectors()) {
      vector.setValueCount(row);
    }
    root.setRowCount(row);
    sink.accept(root);
    root.clear();
    root.allocateNew();
    row = 0;
  }

  /** Drops the row being built (after an error). */
  void discardRow() {
    Arrays.fill(set, false);
  }

  @Override
  public void close() {
    root.close();
  }

  private void setLong(int column, long value) {
    FieldVector vector = root.getVector(column);
    int bits = ((ArrowType.Int) schema.getFields().get(column).getType()).getBitWidth();
    if (bits < 64) {
      long min = -(1L << (bits - 1));
      long max = (1L << (bits - 1)) - 1;
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            value + " is out of range for a " + bits + "-bit integer");
      }
    }
    switch (bits) {
      case 8 -> ((TinyIntVector) vector).setSafe(row, (byte) value);
      case 16 -> ((SmallIntVector) vector).setSafe(row, (short) value);
      case 32 -> ((IntVector) vector).setSafe(row, (int) value);
      default -> ((BigIntVector) vector).setSafe(row, value);
    }
  }

  private void setDouble(int column, double value) {
    FieldVector vector = root.getVector(column);
    ArrowType.FloatingPoint type =
        (ArrowType.FloatingPoint) schema.getFields().get(column).getType();
    if (type.getPrecision() == FloatingPointPrecision.SINGLE) {
      ((Float4Vector) vector).setSafe(row, (float) value);
    } else {
      ((Float8Vector) vector).setSafe(row, value);
    }
  }

  private void setDecimal(int column, BigDecimal value) {
    ArrowType.Decimal type = (ArrowType.Decimal) schema.getFields().get(column).getType();
    BigDecimal scaled = value.setScale(type.getScale(), RoundingMode.HALF_UP);
    if (scaled.precision() > type.getPrecision()
        && scaled.unscaledValue().compareTo(BigInteger.ZERO) != 0) {
      throw new IllegalArgumentException(
          value + " does not fit DECIMAL(" + type.getPrecision() + ", " + type.getScale() + ")");
    }
    ((DecimalVector) root.getVector(column)).setSafe(row, scaled);
    set[column] = true;
  }

  private void setTimestamp(int column, String value) {
    ArrowType.Timestamp type = (ArrowType.Timestamp) schema.getFields().get(column).getType();
    TemporalAccessor parsed = TIMESTAMP.parse(value);
    LocalDate date = LocalDate.from(parsed);
    LocalDateTime local =
        parsed.isSupported(ChronoField.HOUR_OF_DAY)
            ? date.atTime(
                parsed.get(ChronoField.HOUR_OF_DAY),
                parsed.get(ChronoField.MINUTE_OF_HOUR),
                parsed.isSupported(ChronoField.SECOND_OF_MINUTE)
                    ? parsed.get(ChronoField.SECOND_OF_MINUTE)
                    : 0,
                parsed.isSupported(ChronoField.NANO_OF_SECOND)
                    ? parsed.get(ChronoField.NANO_OF_SECOND)
                    : 0)
            : date.atStartOfDay();
    boolean hasOffset = parsed.isSupported(ChronoField.OFFSET_SECONDS);
    long micros;
    if (type.getTimezone() == null) {
      if (hasOffset) {
        throw new IllegalArgumentException("a timestamp without time zone has no offset");
      }
      micros = ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), local);
    } else {
      ZoneOffset offset =
          hasOffset
              ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
              : ZoneOffset.UTC;
      micros =
          ChronoUnit.MICROS.between(
              OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
              OffsetDateTime.of(local, offset));
    }
    ((TimeStampVector) root.getVector(column)).setSafe(row, micros);
  }

  private static LocalDate parseDate(String value) {
    return LocalDate.parse(value, DateTimeFormatter.ISO_LOCAL_DATE);
  }

  private static IllegalArgumentException mismatch(Field field, JsonNode node) {
    return new IllegalArgumentException(
        String.format(
            "cannot read JSON value %s as %s for column %s",
            node, field.getType(), field.getName()));
  }
}
