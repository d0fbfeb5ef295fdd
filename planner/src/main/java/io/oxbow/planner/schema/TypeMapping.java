package io.oxbow.planner.schema;

import io.oxbow.spi.error.OxbowException;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.IntervalUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.calcite.avatica.util.TimeUnitRange;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlIntervalQualifier;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The one mapping between Arrow types (connectors, engine) and Calcite SQL types: BOOLEAN = Bool;
 * TINYINT, SMALLINT, INTEGER, BIGINT = Int(8, 16, 32, 64); REAL = FloatingPoint(SINGLE); DOUBLE and
 * FLOAT = FloatingPoint(DOUBLE); DECIMAL(p, s) = Decimal(p, s, 128); CHAR and VARCHAR = Utf8
 * (LargeUtf8 reads as VARCHAR too); DATE = Date(DAY); TIMESTAMP = Timestamp(MICROSECOND, no zone);
 * TIME = Time(MICROSECOND, 64) (Time of other units reads as TIME too); year-month intervals
 * (INTERVAL YEAR, MONTH, YEAR TO MONTH) = Interval(YEAR_MONTH); day-time intervals (INTERVAL DAY
 * ... SECOND) = Duration(MICROSECOND) (Duration of other units and Interval(DAY_TIME) read as
 * INTERVAL DAY TO SECOND). Connector columns are always nullable.
 */
public final class TypeMapping {
  private TypeMapping() {}

  public static RelDataType toSql(ArrowType type, RelDataTypeFactory factory) {
    RelDataType sql =
        switch (type.getTypeID()) {
          case Bool -> factory.createSqlType(SqlTypeName.BOOLEAN);
          case Int ->
              factory.createSqlType(
                  switch (((ArrowType.Int) type).getBitWidth()) {
                    case 8 -> SqlTypeName.TINYINT;
                    case 16 -> SqlTypeName.SMALLINT;
                    case 32 -> SqlTypeName.INTEGER;
                    default -> SqlTypeName.BIGINT;
                  });
          case FloatingPoint ->
              factory.createSqlType(
                  ((ArrowType.FloatingPoint) type).getPrecision() == FloatingPointPrecision.SINGLE
                      ? SqlTypeName.REAL
                      : SqlTypeName.DOUBLE);
          case Decimal ->
              factory.createSqlType(
                  SqlTypeName.DECIMAL,
                  ((ArrowType.Decimal) type).getPrecision(),
                  ((ArrowType.Decimal) type).getScale());
          case Utf8, LargeUtf8 -> factory.createSqlType(SqlTypeName.VARCHAR);
          case Date -> factory.createSqlType(SqlTypeName.DATE);
          case Timestamp -> factory.createSqlType(SqlTypeName.TIMESTAMP, 6);
          case Time ->
              factory.createSqlType(
                  SqlTypeName.TIME,
                  switch (((ArrowType.Time) type).getUnit()) {
                    case SECOND -> 0;
                    case MILLISECOND -> 3;
                    default -> 6;
                  });
          case Duration -> interval(factory, TimeUnitRange.DAY_TO_SECOND);
          case Interval ->
              switch (((ArrowType.Interval) type).getUnit()) {
                case YEAR_MONTH -> interval(factory, TimeUnitRange.YEAR_TO_MONTH);
                case DAY_TIME -> interval(factory, TimeUnitRange.DAY_TO_SECOND);
                default ->
                    throw OxbowException.userError("Column type %s is not supported yet", type);
              };
          default -> throw OxbowException.userError("Column type %s is not supported yet", type);
        };
    return factory.createTypeWithNullability(sql, true);
  }

  private static RelDataType interval(RelDataTypeFactory factory, TimeUnitRange range) {
    return factory.createSqlIntervalType(
        new SqlIntervalQualifier(range.startUnit, range.endUnit, SqlParserPos.ZERO));
  }

  public static ArrowType toArrow(RelDataType type) {
    return switch (type.getSqlTypeName()) {
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case TINYINT -> new ArrowType.Int(8, true);
      case SMALLINT -> new ArrowType.Int(16, true);
      case INTEGER -> new ArrowType.Int(32, true);
      case BIGINT -> new ArrowType.Int(64, true);
      case REAL -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FLOAT, DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case DECIMAL -> new ArrowType.Decimal(type.getPrecision(), type.getScale(), 128);
      case CHAR, VARCHAR -> ArrowType.Utf8.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case TIME -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      case INTERVAL_YEAR, INTERVAL_YEAR_MONTH, INTERVAL_MONTH ->
          new ArrowType.Interval(IntervalUnit.YEAR_MONTH);
      case INTERVAL_DAY,
          INTERVAL_DAY_HOUR,
          INTERVAL_DAY_MINUTE,
          INTERVAL_DAY_SECOND,
          INTERVAL_HOUR,
          INTERVAL_HOUR_MINUTE,
          INTERVAL_HOUR_SECOND,
          INTERVAL_MINUTE,
          INTERVAL_MINUTE_SECOND,
          INTERVAL_SECOND ->
          new ArrowType.Duration(TimeUnit.MICROSECOND);
      case NULL -> ArrowType.Null.INSTANCE;
      default ->
          throw OxbowException.userError(
              "SQL type %s is not supported yet", type.getFullTypeString());
    };
  }
}
