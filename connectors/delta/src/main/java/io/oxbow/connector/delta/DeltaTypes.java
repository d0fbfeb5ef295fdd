package io.oxbow.connector.delta;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The one mapping between Delta types and Arrow types. */
final class DeltaTypes {
  /** Column mapping: the column's name in the Parquet files (Delta field metadata key). */
  static final String PHYSICAL_NAME_KEY = "delta.columnMapping.physicalName";

  /** Column mapping: the column's Parquet field id (Delta field metadata key). */
  static final String FIELD_ID_KEY = "delta.columnMapping.id";

  /** Type widening: the column's type history (Delta field metadata key). */
  static final String TYPE_CHANGES_KEY = "delta.typeChanges";

  private DeltaTypes() {}

  /** Whether the column's type was widened (older files hold, and describe, a narrower type). */
  static boolean typeChanged(Field field) {
    return field.getMetadata().containsKey(TYPE_CHANGES_KEY);
  }

  /**
   * The Arrow schema of a Delta table, with lower-case logical names. Under column mapping, each
   * field's Arrow metadata carries {@link #PHYSICAL_NAME_KEY} and {@link #FIELD_ID_KEY}, so the
   * Parquet reader can find the column in files that name it differently.
   */
  static Schema toArrow(StructType struct, String table) {
    List<Field> fields = new ArrayList<>();
    for (StructField f : struct.fields()) {
      Map<String, String> metadata = new HashMap<>();
      Object physicalName = f.getMetadata().get(PHYSICAL_NAME_KEY);
      if (physicalName != null) {
        metadata.put(PHYSICAL_NAME_KEY, physicalName.toString());
      }
      Object fieldId = f.getMetadata().get(FIELD_ID_KEY);
      if (fieldId != null) {
        metadata.put(FIELD_ID_KEY, fieldId.toString());
      }
      Object typeChanges = f.getMetadata().get(TYPE_CHANGES_KEY);
      if (typeChanges != null) {
        metadata.put(TYPE_CHANGES_KEY, String.valueOf(typeChanges));
      }
      fields.add(
          new Field(
              f.getName().toLowerCase(Locale.ROOT),
              new FieldType(
                  true,
                  toArrow(f.getDataType(), table, f.getName()),
                  null,
                  metadata.isEmpty() ? null : metadata),
              null));
    }
    return new Schema(fields);
  }

  /** The column's name in Parquet files under column mapping, or null without column mapping. */
  static String physicalName(Field field) {
    return field.getMetadata().get(PHYSICAL_NAME_KEY);
  }

  /** The column's Parquet field id under column mapping, or null without column mapping. */
  static Integer fieldId(Field field) {
    String id = field.getMetadata().get(FIELD_ID_KEY);
    return id == null ? null : Integer.valueOf(id);
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
    if (type instanceof BinaryType) {
      return ArrowType.Binary.INSTANCE;
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
        "Column '%s' of Delta table '%s' has type %s, which Oxbow cannot read yet",
        column, table, typeName(type));
  }

  /** A Delta type as users write it: {@code array<int>}, {@code struct<a: string>}, ... */
  static String typeName(DataType type) {
    if (type instanceof StructType s) {
      StringBuilder name = new StringBuilder("struct<");
      for (StructField f : s.fields()) {
        name.append(name.length() > 7 ? ", " : "")
            .append(f.getName())
            .append(": ")
            .append(typeName(f.getDataType()));
      }
      return name.append('>').toString();
    }
    if (type instanceof ArrayType a) {
      return "array<" + typeName(a.getElementType()) + ">";
    }
    if (type instanceof MapType m) {
      return "map<" + typeName(m.getKeyType()) + ", " + typeName(m.getValueType()) + ">";
    }
    return type.toString();
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
      case Binary:
        return BinaryType.BINARY;
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
