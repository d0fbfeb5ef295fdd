package io.oxbow.connector.delta;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The one mapping between Delta types and Arrow types. */
final class DeltaTypes {
  private DeltaTypes() {}

  static Schema toArrow(StructType struct, String table) {
    List<Field> fields = new ArrayList<>();
    for (StructField f : struct.fields()) {
      fields.add(
          new Field(
              f.getName().toLowerCase(Locale.ROOT),
              FieldType.nullable(toArrow(f.getDataType(), table, f.getName())),
              null));
    }
    return new Schema(fields);
  }

  static ArrowType toArrow(DataType type, String table, String column) {
    if (type instanceof BooleanType) {
      return ArrowType.Bool.INSTANCE;
    }
    if (type instanceof ByteType) {
      return new ArrowType.Int(8, true);
    }
    if (type instanceof ShortType) {
      return new ArrowType.Int(16, true);
    }
    if (type instanceof IntegerType) {
      return new ArrowType.Int(32, true);
    }
    if (type instanceof LongType) {
      return new ArrowType.Int(64, true);
    }
    if (type instanceof FloatType) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    }
    if (type instanceof DoubleType) {
      return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    }
    if (type instanceof DecimalType d) {
      return new ArrowType.Decimal(d.getPrecision(), d.getScale(), 128);
    }
    if (type instanceof StringType) {
      return ArrowType.Utf8.INSTANCE;
    }
    if (type instanceof DateType) {
      return new ArrowType.Date(DateUnit.DAY);
    }
    if (type instanceof TimestampNTZType) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    }
    if (type instanceof TimestampType) {
      return new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    }
    throw OxbowException.userError(
        "Column '%s' of Delta table '%s' has type %s, which is not supported yet",
        column, table, type);
  }

  static StructType toDelta(Schema schema) {
    StructType struct = new StructType();
    for (Field f : schema.getFields()) {
      struct = struct.add(f.getName(), toDelta(f.getType(), f.getName()), true);
    }
    return struct;
  }

  static DataType toDelta(ArrowType type, String column) {
    switch (type.getTypeID()) {
      case Bool:
        return BooleanType.BOOLEAN;
      case Int:
        return switch (((ArrowType.Int) type).getBitWidth()) {
          case 8 -> ByteType.BYTE;
          case 16 -> ShortType.SHORT;
          case 32 -> IntegerType.INTEGER;
          default -> LongType.LONG;
        };
      case FloatingPoint:
        return ((ArrowType.FloatingPoint) type).getPrecision() == FloatingPointPrecision.SINGLE
            ? FloatType.FLOAT
            : DoubleType.DOUBLE;
      case Decimal:
        return new DecimalType(
            ((ArrowType.Decimal) type).getPrecision(), ((ArrowType.Decimal) type).getScale());
      case Utf8:
        return StringType.STRING;
      case Date:
        return DateType.DATE;
      case Timestamp:
        return ((ArrowType.Timestamp) type).getTimezone() == null
            ? TimestampNTZType.TIMESTAMP_NTZ
            : TimestampType.TIMESTAMP;
      default:
        throw OxbowException.userError(
            "Column '%s' has type %s, which Delta tables cannot store yet", column, type);
    }
  }
}
