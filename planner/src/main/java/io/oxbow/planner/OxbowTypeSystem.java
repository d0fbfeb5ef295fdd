package io.oxbow.planner;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.type.SqlTypeUtil;

/**
 * Oxbow's type rules, where they differ from Calcite's defaults:
 *
 * <ul>
 *   <li>DECIMAL precision and scale go up to 38 (128-bit decimals).
 *   <li>TIME and TIMESTAMP have up to 6 fractional digits, and 6 when none are given, as in
 *       PostgreSQL: the engine keeps both in microseconds, so {@code TIME '12:34:56.123456'} and
 *       {@code CAST('12:00:00.5' AS TIME)} keep their fractions (Calcite's defaults, 3 and 0, would
 *       cut them).
 *   <li>{@code SUM} of DECIMAL(p, s) is DECIMAL(38, s); of any integer type, BIGINT.
 *   <li>{@code AVG} of DECIMAL(p, s) is DECIMAL(min(38, p + 4), min(38, s + 4)), as in Databricks
 *       and Spark (TPC-H Q1's averages then print six decimals, as dbgen's answers do); of an
 *       integer type, DOUBLE (Trino and DuckDB do the same; Calcite would truncate to an integer).
 *   <li>String literals of different lengths in one VALUES or UNION column make a VARCHAR, as in
 *       Trino and PostgreSQL, rather than a blank-padded CHAR.
 *   <li>Decimal addition and subtraction of DECIMAL(p1, s1) and DECIMAL(p2, s2) (integers count as
 *       DECIMAL(19, 0) for BIGINT, (10, 0) for INTEGER): scale max(s1, s2), precision max(p1 - s1,
 *       p2 - s2) + scale + 1, capped at 38 (Calcite's SQL-standard rule).
 *   <li>Decimal multiplication and division follow Spark and Databricks SQL: a product has
 *       precision p1 + p2 + 1 and scale s1 + s2; a quotient has scale max(6, s1 + p2 + 1) and
 *       precision p1 - s1 + s2 + scale. When the precision exceeds 38 it becomes 38 and the scale
 *       shrinks to keep the integer digits, but never below min(scale, 6). So TPC-H Q1's {@code
 *       l_extendedprice * (1 - l_discount) * (1 + l_tax)} over DECIMAL(15, 2) keeps its exact scale
 *       of 6 (DECIMAL(38, 6)), and DECIMAL(15, 2) / DECIMAL(15, 2) is DECIMAL(33, 18).
 * </ul>
 */
public final class OxbowTypeSystem extends RelDataTypeSystemImpl {
  public static final OxbowTypeSystem INSTANCE = new OxbowTypeSystem();

  private static final int MAX = 38;

  @Override
  public int getMaxPrecision(SqlTypeName typeName) {
    if (typeName == SqlTypeName.DECIMAL) {
      return MAX;
    }
    if (typeName == SqlTypeName.TIME || typeName == SqlTypeName.TIMESTAMP) {
      return 6;
    }
    return super.getMaxPrecision(typeName);
  }

  @Override
  public int getDefaultPrecision(SqlTypeName typeName) {
    if (typeName == SqlTypeName.TIME || typeName == SqlTypeName.TIMESTAMP) {
      return 6;
    }
    return super.getDefaultPrecision(typeName);
  }

  @Override
  public int getMaxScale(SqlTypeName typeName) {
    if (typeName == SqlTypeName.DECIMAL) {
      return MAX;
    }
    return super.getMaxScale(typeName);
  }

  /** 'ab' and 'abc' in one VALUES or UNION column make a VARCHAR; CHAR(3) would pad 'ab'. */
  @Override
  public boolean shouldConvertRaggedUnionTypesToVarying() {
    return true;
  }

  @Override
  public RelDataType deriveDecimalMultiplyType(
      RelDataTypeFactory typeFactory, RelDataType type1, RelDataType type2) {
    RelDataType d1 = asDecimal(typeFactory, type1);
    RelDataType d2 = asDecimal(typeFactory, type2);
    if (d1 == null
        || d2 == null
        || !SqlTypeUtil.isDecimal(type1) && !SqlTypeUtil.isDecimal(type2)) {
      return null;
    }
    return bounded(
        typeFactory,
        d1.getPrecision() + d2.getPrecision() + 1,
        d1.getScale() + d2.getScale(),
        type1.isNullable() || type2.isNullable());
  }

  @Override
  public RelDataType deriveDecimalDivideType(
      RelDataTypeFactory typeFactory, RelDataType type1, RelDataType type2) {
    RelDataType d1 = asDecimal(typeFactory, type1);
    RelDataType d2 = asDecimal(typeFactory, type2);
    if (d1 == null
        || d2 == null
        || !SqlTypeUtil.isDecimal(type1) && !SqlTypeUtil.isDecimal(type2)) {
      return null;
    }
    int scale = Math.max(6, d1.getScale() + d2.getPrecision() + 1);
    int precision = d1.getPrecision() - d1.getScale() + d2.getScale() + scale;
    return bounded(typeFactory, precision, scale, type1.isNullable() || type2.isNullable());
  }

  /**
   * Both operands exact and at least one a DECIMAL: the operand as a DECIMAL; else null, which
   * tells Calcite to use its integer or floating-point rules.
   */
  private static RelDataType asDecimal(RelDataTypeFactory typeFactory, RelDataType type) {
    if (!SqlTypeUtil.isExactNumeric(type)) {
      return null;
    }
    return SqlTypeUtil.isDecimal(type) ? type : typeFactory.decimalOf(type);
  }

  /** Spark's precision-loss adjustment: at most 38 digits, keeping integer digits first. */
  private static RelDataType bounded(
      RelDataTypeFactory typeFactory, int precision, int scale, boolean nullable) {
    if (precision > MAX) {
      int integerDigits = precision - scale;
      int minScale = Math.min(scale, 6);
      scale = Math.max(MAX - integerDigits, minScale);
      precision = MAX;
    }
    return typeFactory.createTypeWithNullability(
        typeFactory.createSqlType(SqlTypeName.DECIMAL, precision, scale), nullable);
  }

  @Override
  public RelDataType deriveSumType(RelDataTypeFactory typeFactory, RelDataType argumentType) {
    if (argumentType.getSqlTypeName() == SqlTypeName.DECIMAL) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(SqlTypeName.DECIMAL, MAX, argumentType.getScale()),
          argumentType.isNullable());
    }
    if (SqlTypeUtil.isExactNumeric(argumentType)) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(SqlTypeName.BIGINT), argumentType.isNullable());
    }
    if (SqlTypeUtil.isApproximateNumeric(argumentType)) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(SqlTypeName.DOUBLE), argumentType.isNullable());
    }
    return super.deriveSumType(typeFactory, argumentType);
  }

  @Override
  public RelDataType deriveAvgAggType(RelDataTypeFactory typeFactory, RelDataType argumentType) {
    if (argumentType.getSqlTypeName() == SqlTypeName.DECIMAL) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(
              SqlTypeName.DECIMAL,
              Math.min(MAX, argumentType.getPrecision() + 4),
              Math.min(MAX, argumentType.getScale() + 4)),
          argumentType.isNullable());
    }
    if (SqlTypeUtil.isNumeric(argumentType)) {
      return typeFactory.createTypeWithNullability(
          typeFactory.createSqlType(SqlTypeName.DOUBLE), argumentType.isNullable());
    }
    return super.deriveAvgAggType(typeFactory, argumentType);
  }
}
