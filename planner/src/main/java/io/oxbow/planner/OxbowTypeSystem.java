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
 *   <li>{@code SUM} of DECIMAL(p, s) is DECIMAL(38, s); of any integer type, BIGINT.
 *   <li>{@code AVG} of DECIMAL(p, s) is DECIMAL(min(38, p + 4), min(38, s + 4)), as in Databricks
 *       and Spark (TPC-H Q1's averages then print six decimals, as dbgen's answers do); of an
 *       integer type, DOUBLE (Trino and DuckDB do the same; Calcite would truncate to an integer).
 *   <li>String literals of different lengths in one VALUES or UNION column make a VARCHAR, as in
 *       Trino and PostgreSQL, rather than a blank-padded CHAR.
 *   <li>Decimal addition, subtraction, multiplication and division use Calcite's SQL-standard
 *       derivations capped at precision 38.
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
    return super.getMaxPrecision(typeName);
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
