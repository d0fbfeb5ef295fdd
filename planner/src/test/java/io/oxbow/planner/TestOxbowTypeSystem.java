package io.oxbow.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.Test;

class TestOxbowTypeSystem extends AbstractPlannerTest {
  private final RelDataTypeFactory types = new JavaTypeFactoryImpl(OxbowTypeSystem.INSTANCE);
  private final OxbowTypeSystem system = OxbowTypeSystem.INSTANCE;

  private RelDataType dec(int precision, int scale) {
    return types.createSqlType(SqlTypeName.DECIMAL, precision, scale);
  }

  private static String str(RelDataType type) {
    return type.getFullTypeString().replace(" NOT NULL", "");
  }

  private List<String> resultTypes(String sql) {
    return planner.plan(sql, session).schema().getFields().stream()
        .map(Field::getType)
        .map(Object::toString)
        .toList();
  }

  @Test
  void decimalsGoUpToPrecisionAndScale38() {
    assertThat(system.getMaxPrecision(SqlTypeName.DECIMAL)).isEqualTo(38);
    assertThat(system.getMaxScale(SqlTypeName.DECIMAL)).isEqualTo(38);
  }

  @Test
  void sumOfDecimalWidensToPrecision38() {
    assertThat(str(system.deriveSumType(types, dec(15, 2)))).isEqualTo("DECIMAL(38, 2)");
    assertThat(str(system.deriveSumType(types, types.createSqlType(SqlTypeName.INTEGER))))
        .isEqualTo("BIGINT");
  }

  @Test
  void avgOfDecimalAddsFourDigitsOfScale() {
    assertThat(str(system.deriveAvgAggType(types, dec(15, 2)))).isEqualTo("DECIMAL(19, 6)");
    assertThat(str(system.deriveAvgAggType(types, dec(36, 36)))).isEqualTo("DECIMAL(38, 38)");
    assertThat(str(system.deriveAvgAggType(types, types.createSqlType(SqlTypeName.BIGINT))))
        .isEqualTo("DOUBLE");
  }

  @Test
  void decimalMultiplyFollowsSparkRules() {
    assertThat(str(system.deriveDecimalMultiplyType(types, dec(15, 2), dec(15, 2))))
        .isEqualTo("DECIMAL(31, 4)");
    // over 38 digits: keep the integer digits, scale no lower than 6
    assertThat(str(system.deriveDecimalMultiplyType(types, dec(32, 4), dec(16, 2))))
        .isEqualTo("DECIMAL(38, 6)");
    assertThat(str(system.deriveDecimalMultiplyType(types, dec(38, 10), dec(38, 10))))
        .isEqualTo("DECIMAL(38, 6)");
    assertThat(
            system.deriveDecimalMultiplyType(
                types,
                types.createSqlType(SqlTypeName.INTEGER),
                types.createSqlType(SqlTypeName.INTEGER)))
        .isNull();
  }

  @Test
  void decimalDivideFollowsSparkRules() {
    assertThat(str(system.deriveDecimalDivideType(types, dec(15, 2), dec(15, 2))))
        .isEqualTo("DECIMAL(33, 18)");
    assertThat(
            str(
                system.deriveDecimalDivideType(
                    types, dec(15, 2), types.createSqlType(SqlTypeName.INTEGER))))
        .isEqualTo("DECIMAL(26, 13)");
    assertThat(str(system.deriveDecimalDivideType(types, dec(38, 4), dec(38, 4))))
        .isEqualTo("DECIMAL(38, 6)");
  }

  @Test
  void q1ResultTypesKeepTheExactScales() {
    assertThat(resultTypes(Q1))
        .containsExactly(
            "Utf8",
            "Utf8",
            "Decimal(38, 2, 128)",
            "Decimal(38, 2, 128)",
            "Decimal(38, 4, 128)",
            "Decimal(38, 6, 128)",
            "Decimal(19, 6, 128)",
            "Decimal(19, 6, 128)",
            "Decimal(19, 6, 128)",
            "Int(64, true)");
    assertThat(resultTypes(Q6)).containsExactly("Decimal(38, 4, 128)");
  }

  @Test
  void sqlTypesMapToArrowTypes() {
    assertThat(
            resultTypes(
                "SELECT true, cast(1 as tinyint), cast(1 as smallint), 1, cast(1 as bigint),"
                    + " cast(1 as real), cast(1 as double), cast(1 as float), 1.50,"
                    + " 'x', cast('x' as varchar(3)), date '2024-01-01',"
                    + " timestamp '2024-01-01 00:00:00'"))
        .containsExactly(
            "Bool",
            "Int(8, true)",
            "Int(16, true)",
            "Int(32, true)",
            "Int(64, true)",
            "FloatingPoint(SINGLE)",
            "FloatingPoint(DOUBLE)",
            "FloatingPoint(DOUBLE)",
            "Decimal(3, 2, 128)",
            "Utf8",
            "Utf8",
            "Date(DAY)",
            "Timestamp(MICROSECOND, null)");
  }

  @Test
  void arrowColumnTypesMapToSqlTypesAndBack() {
    assertThat(resultTypes("SELECT * FROM parts"))
        .containsExactly(
            "Int(64, true)",
            "Utf8",
            "FloatingPoint(SINGLE)",
            "Int(32, true)",
            "Timestamp(MICROSECOND, null)");
  }
}
