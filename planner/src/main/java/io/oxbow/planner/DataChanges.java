package io.oxbow.planner;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlInsert;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.ddl.SqlColumnDeclaration;
import org.apache.calcite.sql.ddl.SqlCreateTable;

/** Plans CREATE TABLE, INSERT and the row-level statements. */
final class DataChanges {
  private static final Schema NO_COLUMNS = new Schema(List.of());

  private DataChanges() {}

  /** A resolved table name and its catalog's connector. */
  record Target(Connector connector, String catalog, SchemaTableName name) {}

  static Target target(SqlNode node, PlannerSession session, CatalogProvider catalogs) {
    if (!(node instanceof SqlIdentifier id)) {
      throw OxbowException.userError("Expected a table name, not %s", node);
    }
    return target(id.names, session, catalogs);
  }

  static Target target(List<String> written, PlannerSession session, CatalogProvider catalogs) {
    List<String> names = written.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    if (names.size() > 3) {
      throw OxbowException.userError(
          "Table name %s has too many parts: use catalog.schema.table", String.join(".", written));
    }
    String catalog;
    String schema;
    if (names.size() == 3) {
      catalog = names.get(0);
      schema = names.get(1);
    } else if (names.size() == 2) {
      catalog = session.defaultCatalog();
      schema = names.get(0);
    } else {
      catalog = session.defaultCatalog();
      schema = session.defaultSchema();
    }
    if (catalog == null || schema == null) {
      throw OxbowException.userError(
          "Table name %s needs a catalog and schema", String.join(".", written));
    }
    String table = names.get(names.size() - 1);
    String resolvedCatalog = catalog;
    Connector connector =
        catalogs
            .connector(catalog)
            .orElseThrow(() -> OxbowException.notFound("Catalog '%s' not found", resolvedCatalog));
    return new Target(connector, catalog, new SchemaTableName(schema, table));
  }

  /** {@code CREATE TABLE name (columns)} with the Delta clauses {@code options}. */
  static PlannedQuery createTable(
      SqlCreateTable create,
      TableOptions options,
      PlannerSession session,
      CatalogProvider catalogs) {
    Target target = target(create.name, session, catalogs);
    if (exists(target, create.ifNotExists)) {
      return new PlannedQuery(null, NO_COLUMNS, false, new DataChange.None("CREATE TABLE"));
    }
    List<Field> fields = new ArrayList<>();
    for (SqlNode column : create.columnList) {
      if (column instanceof org.apache.calcite.sql.ddl.SqlKeyConstraint) {
        // PRIMARY KEY and UNIQUE are informational, as in Databricks: accepted, not enforced
        continue;
      }
      if (!(column instanceof SqlColumnDeclaration declaration)) {
        throw OxbowException.userError("Table constraints are not supported yet: %s", column);
      }
      fields.add(
          Field.nullable(
              declaration.name.getSimple().toLowerCase(Locale.ROOT),
              arrowType(declaration.dataType)));
    }
    Schema columns = new Schema(fields);
    for (String partition : options.partitionedBy()) {
      requireColumn(columns, partition, partition, target.name());
    }
    return new PlannedQuery(
        null,
        NO_COLUMNS,
        false,
        new DataChange.CreateTable(target.connector(), target.name(), columns, options));
  }

  /**
   * {@code CREATE TABLE name USING DELTA LOCATION '...'} with neither columns nor a query: the
   * connector registers the table it finds there.
   */
  static PlannedQuery registerTable(
      RowLevelStatements.CreateTable create, PlannerSession session, CatalogProvider catalogs) {
    Target target = target(create.name(), session, catalogs);
    if (exists(target, create.ifNotExists())) {
      return new PlannedQuery(null, NO_COLUMNS, false, new DataChange.None("CREATE TABLE"));
    }
    return new PlannedQuery(
        null,
        NO_COLUMNS,
        false,
        new DataChange.CreateTable(
            target.connector(), target.name(), NO_COLUMNS, create.options()));
  }

  /**
   * {@code CREATE TABLE name [options] AS query}: the table gets the query's column names (lower
   * case) and types; {@code source} is the planned query.
   */
  static PlannedQuery createTableAs(
      SqlCreateTable create,
      TableOptions options,
      PlannedQuery source,
      PlannerSession session,
      CatalogProvider catalogs) {
    Target target = target(create.name, session, catalogs);
    if (exists(target, create.ifNotExists)) {
      return new PlannedQuery(null, NO_COLUMNS, false, new DataChange.None("CREATE TABLE"));
    }
    if (create.columnList != null && create.columnList.size() > 0) {
      throw OxbowException.userError(
          "CREATE TABLE ... AS SELECT takes its columns from the query: remove the column list");
    }
    List<Field> fields = new ArrayList<>();
    List<Expr> exprs = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    List<Field> sourceFields = source.schema().getFields();
    for (int i = 0; i < sourceFields.size(); i++) {
      Field field = sourceFields.get(i);
      String name = field.getName().toLowerCase(Locale.ROOT);
      if (seen.contains(name)) {
        throw OxbowException.userError(
            "CREATE TABLE ... AS SELECT: the query has two columns named '%s'; give them aliases",
            name);
      }
      if (field.getType().getTypeID() == ArrowType.ArrowTypeID.Null) {
        throw OxbowException.userError(
            "CREATE TABLE ... AS SELECT: column '%s' is NULL with no type; CAST it to a type",
            name);
      }
      seen.add(name);
      fields.add(Field.nullable(name, field.getType()));
      exprs.add(new ColumnRef(i, field.getType()));
    }
    for (String partition : options.partitionedBy()) {
      requireColumn(new Schema(fields), partition, partition, target.name());
    }
    Schema columns = new Schema(fields);
    return new PlannedQuery(
        new ProjectNode(source.plan(), exprs, columns),
        NO_COLUMNS,
        false,
        new DataChange.CreateTableAs(target.connector(), target.name(), options));
  }

  /**
   * Whether the table exists; a user error if it does and {@code ifNotExists} is false, since
   * CREATE TABLE would otherwise replace or clash with it.
   */
  private static boolean exists(Target target, boolean ifNotExists) {
    if (target.connector().metadata().getTableHandle(target.name()).isEmpty()) {
      return false;
    }
    if (ifNotExists) {
      return true;
    }
    throw OxbowException.userError(
        "Table %s.%s already exists (use CREATE TABLE IF NOT EXISTS to skip it)",
        target.catalog(), target.name());
  }

  /** Plans DELETE, UPDATE, MERGE and COPY INTO: checks names, leaves the work to the caller. */
  static PlannedQuery rowLevel(
      RowLevelStatements.Statement statement, PlannerSession session, CatalogProvider catalogs) {
    DataChange change;
    if (statement instanceof RowLevelStatements.Delete delete) {
      DataChange.TableRef table = tableRef(delete.table(), session, catalogs);
      change =
          new DataChange.Delete(
              table, delete.alias().orElse(table.name().table()), delete.condition());
    } else if (statement instanceof RowLevelStatements.Update update) {
      DataChange.TableRef table = tableRef(update.table(), session, catalogs);
      change =
          new DataChange.Update(
              table,
              update.alias().orElse(table.name().table()),
              columnsOf(table, update.set()),
              update.condition());
    } else if (statement instanceof RowLevelStatements.Merge merge) {
      DataChange.TableRef table = tableRef(merge.table(), session, catalogs);
      List<DataChange.MergeClause> clauses = new ArrayList<>();
      for (DataChange.MergeClause clause : merge.clauses()) {
        clauses.add(
            new DataChange.MergeClause(
                clause.match(),
                clause.condition(),
                clause.action(),
                columnsOf(table, clause.values()),
                clause.all()));
      }
      String alias = merge.alias().orElse(table.name().table());
      String sourceAlias =
          merge
              .sourceAlias()
              .orElse(merge.sourceName().map(n -> n.get(n.size() - 1)).orElse("__oxbow_source"));
      if (alias.equals(sourceAlias)) {
        throw OxbowException.userError(
            "MERGE: target and source are both named '%s'; give one of them an alias", alias);
      }
      change = new DataChange.Merge(table, alias, merge.source(), sourceAlias, merge.on(), clauses);
    } else {
      RowLevelStatements.CopyInto copy = (RowLevelStatements.CopyInto) statement;
      DataChange.TableRef table = tableRef(copy.table(), session, catalogs);
      change =
          new DataChange.CopyInto(
              table.connector(), table.handle(), copy.source(), copy.format(), copy.options());
    }
    return new PlannedQuery(null, NO_COLUMNS, false, change);
  }

  /**
   * The assignments with each column named as in the table (names match case-insensitively, as
   * unquoted names do in queries); NOT_FOUND for a column the table does not have.
   */
  private static List<DataChange.Assignment> columnsOf(
      DataChange.TableRef table, List<DataChange.Assignment> assignments) {
    List<DataChange.Assignment> out = new ArrayList<>();
    for (DataChange.Assignment assignment : assignments) {
      String column =
          table.columns().getFields().stream()
              .map(Field::getName)
              .filter(name -> name.equalsIgnoreCase(assignment.column()))
              .findFirst()
              .orElseThrow(
                  () ->
                      OxbowException.notFound(
                          "Column '%s' not found in table %s", assignment.column(), table.name()));
      out.add(new DataChange.Assignment(column, assignment.expression()));
    }
    return out;
  }

  private static DataChange.TableRef tableRef(
      List<String> written, PlannerSession session, CatalogProvider catalogs) {
    Target target = target(written, session, catalogs);
    ConnectorTableHandle handle =
        target
            .connector()
            .metadata()
            .getTableHandle(target.name())
            .orElseThrow(
                () -> OxbowException.notFound("Table '%s' not found", String.join(".", written)));
    Schema columns = target.connector().metadata().getTableMetadata(handle).schema();
    return new DataChange.TableRef(
        target.connector(), target.catalog(), target.name(), handle, columns);
  }

  /** Plans the statements {@link DdlStatements} reads. */
  static PlannedQuery ddl(
      DdlStatements.Statement statement, PlannerSession session, CatalogProvider catalogs) {
    DataChange change;
    if (statement instanceof DdlStatements.DropTable drop) {
      Target target = target(drop.name(), session, catalogs);
      ConnectorTableHandle handle =
          target.connector().metadata().getTableHandle(target.name()).orElse(null);
      if (handle == null && !drop.ifExists()) {
        throw OxbowException.notFound("Table '%s' not found", String.join(".", drop.name()));
      }
      change =
          handle == null
              ? new DataChange.None("DROP TABLE")
              : new DataChange.DropTable(target.connector(), handle);
    } else if (statement instanceof DdlStatements.CreateIndex index) {
      // indexes are accepted for compatibility and not kept: every scan reads the whole table
      Target target = target(index.table(), session, catalogs);
      ConnectorTableHandle handle =
          target
              .connector()
              .metadata()
              .getTableHandle(target.name())
              .orElseThrow(
                  () ->
                      OxbowException.notFound(
                          "Table '%s' not found", String.join(".", index.table())));
      Schema table = target.connector().metadata().getTableMetadata(handle).schema();
      for (String column : index.columns()) {
        requireColumn(
            table, column.toLowerCase(Locale.ROOT), column, String.join(".", index.table()));
      }
      change = new DataChange.None("CREATE INDEX");
    } else {
      change = new DataChange.None("DROP INDEX");
    }
    return new PlannedQuery(null, NO_COLUMNS, false, change);
  }

  /**
   * Gives bare NULLs in {@code INSERT ... VALUES} the type of their target column, so that strict
   * typing (no implicit coercion) still accepts them.
   */
  static SqlNode typedNulls(SqlInsert insert, Target target) {
    SqlNode source = insert.getSource();
    if (source.getKind() != org.apache.calcite.sql.SqlKind.VALUES) {
      return source;
    }
    ConnectorTableHandle handle =
        target.connector().metadata().getTableHandle(target.name()).orElse(null);
    if (handle == null) {
      return source;
    }
    Schema table = target.connector().metadata().getTableMetadata(handle).schema();
    List<String> columns = new ArrayList<>();
    if (insert.getTargetColumnList() == null) {
      table.getFields().forEach(f -> columns.add(f.getName()));
    } else {
      for (SqlNode column : insert.getTargetColumnList()) {
        columns.add(((SqlIdentifier) column).getSimple().toLowerCase(Locale.ROOT));
      }
    }
    for (SqlNode row : ((org.apache.calcite.sql.SqlCall) source).getOperandList()) {
      if (!(row instanceof org.apache.calcite.sql.SqlCall call)) {
        continue;
      }
      for (int i = 0; i < call.operandCount() && i < columns.size(); i++) {
        SqlNode value = call.operand(i);
        if (value instanceof org.apache.calcite.sql.SqlLiteral literal
            && literal.getTypeName() == org.apache.calcite.sql.type.SqlTypeName.NULL) {
          String name = columns.get(i);
          Field field =
              table.getFields().stream()
                  .filter(f -> f.getName().equals(name))
                  .findFirst()
                  .orElse(null);
          if (field != null) {
            call.setOperand(
                i,
                org.apache.calcite.sql.fun.SqlStdOperatorTable.CAST.createCall(
                    value.getParserPosition(), value, typeSpec(field.getType(), value)));
          }
        }
      }
    }
    return source;
  }

  private static SqlDataTypeSpec typeSpec(ArrowType type, SqlNode at) {
    org.apache.calcite.sql.type.SqlTypeName name;
    int precision = -1;
    int scale = -1;
    switch (type.getTypeID()) {
      case Bool -> name = org.apache.calcite.sql.type.SqlTypeName.BOOLEAN;
      case Int ->
          name =
              switch (((ArrowType.Int) type).getBitWidth()) {
                case 8 -> org.apache.calcite.sql.type.SqlTypeName.TINYINT;
                case 16 -> org.apache.calcite.sql.type.SqlTypeName.SMALLINT;
                case 32 -> org.apache.calcite.sql.type.SqlTypeName.INTEGER;
                default -> org.apache.calcite.sql.type.SqlTypeName.BIGINT;
              };
      case FloatingPoint -> name = org.apache.calcite.sql.type.SqlTypeName.DOUBLE;
      case Decimal -> {
        name = org.apache.calcite.sql.type.SqlTypeName.DECIMAL;
        precision = ((ArrowType.Decimal) type).getPrecision();
        scale = ((ArrowType.Decimal) type).getScale();
      }
      case Date -> name = org.apache.calcite.sql.type.SqlTypeName.DATE;
      case Timestamp -> name = org.apache.calcite.sql.type.SqlTypeName.TIMESTAMP;
      case Time -> name = org.apache.calcite.sql.type.SqlTypeName.TIME;
      default -> name = org.apache.calcite.sql.type.SqlTypeName.VARCHAR;
    }
    return new SqlDataTypeSpec(
        new SqlBasicTypeNameSpec(name, precision, scale, at.getParserPosition()),
        at.getParserPosition());
  }

  /** INSERT, or with {@code overwrite} INSERT OVERWRITE, of the planned query's rows. */
  static PlannedQuery insert(
      SqlInsert insert, Target target, PlannedQuery source, boolean overwrite) {
    ConnectorTableHandle handle =
        target
            .connector()
            .metadata()
            .getTableHandle(target.name())
            .orElseThrow(() -> OxbowException.notFound("Table '%s' not found", target.name()));
    Schema table = target.connector().metadata().getTableMetadata(handle).schema();
    List<String> columns = new ArrayList<>();
    if (insert.getTargetColumnList() == null) {
      table.getFields().forEach(f -> columns.add(f.getName()));
    } else {
      for (SqlNode column : insert.getTargetColumnList()) {
        columns.add(((SqlIdentifier) column).getSimple().toLowerCase(Locale.ROOT));
      }
    }
    List<Field> sourceFields = source.schema().getFields();
    if (sourceFields.size() != columns.size()) {
      throw OxbowException.userError(
          "INSERT has %d target columns but the query produces %d",
          columns.size(), sourceFields.size());
    }
    List<Expr> exprs = new ArrayList<>();
    for (Field field : table.getFields()) {
      int position = columns.indexOf(field.getName());
      if (position < 0) {
        exprs.add(new Literal(null, field.getType()));
        continue;
      }
      Expr value = new ColumnRef(position, sourceFields.get(position).getType());
      if (!value.type().equals(field.getType())) {
        value = new Call(ScalarFunction.CAST, List.of(value), field.getType());
      }
      exprs.add(value);
    }
    for (String column : columns) {
      requireColumn(table, column, column, target.name());
    }
    return new PlannedQuery(
        new ProjectNode(source.plan(), exprs, table),
        NO_COLUMNS,
        false,
        new DataChange.Insert(target.connector(), handle, overwrite));
  }

  /** NOT_FOUND naming the column as written unless {@code table} has a column {@code name}. */
  private static void requireColumn(Schema table, String name, String written, Object tableName) {
    if (table.getFields().stream().noneMatch(f -> f.getName().equals(name))) {
      throw OxbowException.notFound("Column '%s' not found in table %s", written, tableName);
    }
  }

  private static ArrowType arrowType(SqlDataTypeSpec spec) {
    String name;
    int precision = -1;
    int scale = -1;
    if (spec.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic) {
      name = basic.getTypeName().getSimple().toUpperCase(Locale.ROOT);
      precision = basic.getPrecision();
      scale = basic.getScale();
    } else if (spec.getTypeNameSpec()
            instanceof org.apache.calcite.sql.SqlUserDefinedTypeNameSpec named
        && named.getTypeName().isSimple()) {
      // Databricks' names that Calcite does not know: STRING, LONG, SHORT, BYTE, TIMESTAMP_NTZ
      name = named.getTypeName().getSimple().toUpperCase(Locale.ROOT);
    } else {
      throw OxbowException.userError("Column type %s is not supported yet", spec);
    }
    return switch (name) {
      case "BYTE" -> new ArrowType.Int(8, true);
      case "SHORT" -> new ArrowType.Int(16, true);
      case "LONG" -> new ArrowType.Int(64, true);
      case "TIMESTAMP_NTZ" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case "BOOLEAN" -> ArrowType.Bool.INSTANCE;
      case "TINYINT" -> new ArrowType.Int(8, true);
      case "SMALLINT" -> new ArrowType.Int(16, true);
      case "INTEGER", "INT" -> new ArrowType.Int(32, true);
      case "BIGINT" -> new ArrowType.Int(64, true);
      case "REAL", "FLOAT", "DOUBLE" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case "DECIMAL", "NUMERIC", "DEC" ->
          new ArrowType.Decimal(precision < 0 ? 38 : precision, scale < 0 ? 0 : scale, 128);
      case "VARCHAR", "CHAR", "CHARACTER", "TEXT", "STRING" -> ArrowType.Utf8.INSTANCE;
      case "DATE" -> new ArrowType.Date(DateUnit.DAY);
      case "TIMESTAMP" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case "TIME" -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      default -> throw OxbowException.userError("Column type %s is not supported yet", name);
    };
  }
}
