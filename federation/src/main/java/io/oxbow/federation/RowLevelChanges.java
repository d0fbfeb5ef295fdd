package io.oxbow.federation;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.planner.DataChange;
import io.oxbow.planner.DataChange.MergeAction;
import io.oxbow.planner.DataChange.MergeClause;
import io.oxbow.planner.DataChange.MergeMatch;
import io.oxbow.planner.OxbowPlanner;
import io.oxbow.planner.PlannedQuery;
import io.oxbow.planner.PlannerSession;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorWriter;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Runs DELETE, UPDATE and MERGE by copy on write, as SQL over the table pinned at one version.
 *
 * <p>Pass 1 finds the data files holding rows the statement changes: it reads the table through its
 * {@code $file} variant ({@code "t@v<version>$file"}, which adds each row's file). Pass 2 reads
 * only those files again, computes their new rows (changed rows replaced, deleted rows left out,
 * other rows copied) and streams them into {@link ConnectorMetadata#beginRewrite}, whose commit
 * removes the old files and adds the new ones in one step; MERGE also adds the source rows its NOT
 * MATCHED clauses insert. A commit that loses a race fails with {@code CONFLICT}, and the caller
 * runs the whole statement again on the new version.
 *
 * <p>MERGE refuses a target row matched by several source rows (as Databricks does) unless the only
 * MATCHED clause is an unconditional DELETE. The check joins the distinct target rows of the files
 * with matches (all columns plus {@code $file}) with the source and looks for a group with more
 * than one row: identical rows in one file are one group, and since they match the same source rows
 * the check is still exact without a row position.
 */
final class RowLevelChanges {
  private static final String FILE = quote(ConnectorMetadata.FILE_COLUMN);
  private static final String SOURCE_MARK = quote("__oxbow_s");

  /**
   * IN lists are cut into pieces this long: Calcite turns longer ones into a join with a VALUES
   * table, which would hide the file names from the connector's split pruning.
   */
  private static final int IN_LIST_CHUNK =
      org.apache.calcite.sql2rel.SqlToRelConverter.DEFAULT_IN_SUB_QUERY_THRESHOLD - 1;

  private final OxbowPlanner planner;
  private final PlannerSession session;
  private final String queryId;
  private final BufferAllocator allocator;
  private int step;

  RowLevelChanges(
      OxbowPlanner planner, PlannerSession session, String queryId, BufferAllocator allocator) {
    this.planner = planner;
    this.session = session;
    this.queryId = queryId;
    this.allocator = allocator;
  }

  /** The table pinned at the version the statement reads and rewrites. */
  private record Pinned(DataChange.TableRef ref, ConnectorMetadata metadata, String fileTable) {
    List<Field> columns() {
      return ref.columns().getFields();
    }
  }

  private static Pinned pin(DataChange.TableRef ref, String statement) {
    ConnectorMetadata metadata = ref.connector().metadata();
    OptionalLong version = metadata.tableVersion(ref.handle());
    if (version.isEmpty()) {
      throw OxbowException.userError(
          "%s needs a Delta table: %s.%s has no versions to rewrite",
          statement, ref.catalog(), ref.name());
    }
    String fileTable =
        quote(ref.catalog())
            + "."
            + quote(ref.name().schema())
            + "."
            + quote(
                ref.name().table() + "@v" + version.getAsLong() + ConnectorMetadata.FILE_COLUMN);
    return new Pinned(ref, metadata, fileTable);
  }

  /**
   * The data files holding rows of {@code table} (aliased {@code a}) that satisfy {@code condition}
   * (all rows without one), with the number of such rows in each.
   */
  private Map<String, Long> matchingFiles(
      Pinned table, String a, java.util.Optional<String> condition, String statement) {
    String where = condition.map(c -> " WHERE (" + c + ")").orElse("");
    return fileCounts(
        "SELECT "
            + a
            + "."
            + FILE
            + ", COUNT(*) FROM "
            + table.fileTable()
            + " AS "
            + a
            + where
            + " GROUP BY "
            + a
            + "."
            + FILE,
        statement);
  }

  /** Runs {@code DELETE}; returns the number of rows deleted. */
  long delete(DataChange.Delete delete) {
    Pinned table = pin(delete.table(), "DELETE");
    String a = quote(delete.alias());
    Map<String, Long> files = matchingFiles(table, a, delete.condition(), "DELETE");
    if (files.isEmpty()) {
      return 0;
    }
    try (ConnectorWriter writer =
        table.metadata().beginRewrite(table.ref().handle(), files.keySet())) {
      if (delete.condition().isPresent()) {
        String sql =
            "SELECT "
                + columnList(a, table.columns())
                + " FROM "
                + table.fileTable()
                + " AS "
                + a
                + " WHERE "
                + fileFilter(a, files.keySet())
                + " AND (("
                + delete.condition().get()
                + ") IS NOT TRUE)";
        write(sql, table.ref().columns(), false, writer, "DELETE");
      }
      writer.commit();
    }
    return files.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Runs {@code UPDATE}; returns the number of rows updated. */
  long update(DataChange.Update update) {
    Pinned table = pin(update.table(), "UPDATE");
    String a = quote(update.alias());
    Map<String, Long> files = matchingFiles(table, a, update.condition(), "UPDATE");
    if (files.isEmpty()) {
      return 0;
    }
    Map<String, String> set = new LinkedHashMap<>();
    for (DataChange.Assignment assignment : update.set()) {
      if (set.put(assignment.column(), assignment.expression()) != null) {
        throw OxbowException.userError(
            "UPDATE sets column '%s' more than once", assignment.column());
      }
    }
    List<String> outputs = new ArrayList<>();
    for (Field column : table.columns()) {
      String old = a + "." + quote(column.getName());
      String value = set.get(column.getName());
      if (value == null) {
        outputs.add(old);
      } else if (update.condition().isEmpty()) {
        outputs.add(cast(value, column.getType()));
      } else {
        outputs.add(
            "CASE WHEN ("
                + update.condition().get()
                + ") THEN "
                + cast(value, column.getType())
                + " ELSE "
                + old
                + " END");
      }
    }
    String sql =
        "SELECT "
            + String.join(", ", outputs)
            + " FROM "
            + table.fileTable()
            + " AS "
            + a
            + " WHERE "
            + fileFilter(a, files.keySet());
    try (ConnectorWriter writer =
        table.metadata().beginRewrite(table.ref().handle(), files.keySet())) {
      write(sql, table.ref().columns(), false, writer, "UPDATE");
      writer.commit();
    }
    return files.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Runs {@code MERGE}; returns the number of target rows updated, deleted and inserted. */
  long merge(DataChange.Merge merge) {
    for (MergeClause clause : merge.clauses()) {
      java.util.Set<String> assigned = new java.util.HashSet<>();
      for (DataChange.Assignment assignment : clause.values()) {
        if (!assigned.add(assignment.column())) {
          throw OxbowException.userError(
              "MERGE: a clause assigns column '%s' more than once", assignment.column());
        }
      }
    }
    Pinned table = pin(merge.table(), "MERGE");
    String ta = quote(merge.alias());
    String sb = quote(merge.sourceAlias());
    String target = table.fileTable() + " AS " + ta;
    String source =
        "(SELECT *, TRUE AS "
            + SOURCE_MARK
            + " FROM "
            + (merge.source().startsWith("(")
                ? merge.source() + " AS " + quote("__oxbow_src")
                : merge.source())
            + ") AS "
            + sb;
    String on = "(" + merge.on() + ")";
    List<MergeClause> targetClauses =
        merge.clauses().stream().filter(c -> c.match() != MergeMatch.NOT_MATCHED).toList();
    List<MergeClause> insertClauses =
        merge.clauses().stream().filter(c -> c.match() == MergeMatch.NOT_MATCHED).toList();
    boolean bySource =
        targetClauses.stream().anyMatch(c -> c.match() == MergeMatch.NOT_MATCHED_BY_SOURCE);

    // pass 1: the files with target rows that a clause changes, and those with matched rows
    Set<String> changed = new LinkedHashSet<>();
    Set<String> matched = new LinkedHashSet<>();
    if (!targetClauses.isEmpty()) {
      String action = caseOf(targetClauses, ta, sb, c -> "1", "0");
      String sql =
          "SELECT \"__f\", MAX(\"__a\"), MAX(\"__m\") FROM (SELECT "
              + ta
              + "."
              + FILE
              + " AS \"__f\", "
              + action
              + " AS \"__a\", CASE WHEN "
              + sb
              + "."
              + SOURCE_MARK
              + " IS NULL THEN 0 ELSE 1 END AS \"__m\" FROM "
              + target
              + (bySource ? " LEFT JOIN " : " INNER JOIN ")
              + source
              + " ON "
              + on
              + ") AS \"__p\" GROUP BY \"__f\"";
      forEachRow(
          sql,
          "MERGE",
          row -> {
            String file = row.get(0).toString();
            if (((Number) row.get(1)).longValue() > 0) {
              changed.add(file);
            }
            if (((Number) row.get(2)).longValue() > 0) {
              matched.add(file);
            }
          });
    }
    List<MergeClause> matchedClauses =
        targetClauses.stream().filter(c -> c.match() == MergeMatch.MATCHED).toList();
    boolean onlyUnconditionalDelete =
        matchedClauses.size() == 1
            && matchedClauses.get(0).action() == MergeAction.DELETE
            && matchedClauses.get(0).condition().isEmpty();
    // a target row matched by several source rows would be updated ambiguously, or (with only
    // NOT MATCHED BY SOURCE clauses) copied once per match into its rewritten file
    java.util.Set<String> ambiguous = new java.util.LinkedHashSet<>(matched);
    if (matchedClauses.isEmpty()) {
      ambiguous.retainAll(changed);
    }
    if (!onlyUnconditionalDelete && !ambiguous.isEmpty()) {
      checkSingleMatches(table, ta, source, on, ambiguous);
    }
    if (changed.isEmpty() && insertClauses.isEmpty()) {
      return 0;
    }
    long rowsInChanged = 0;
    if (!changed.isEmpty()) {
      List<Object> count =
          firstRow(
              "SELECT COUNT(*) FROM "
                  + table.fileTable()
                  + " AS "
                  + ta
                  + " WHERE "
                  + fileFilter(ta, changed),
              "MERGE");
      rowsInChanged = ((Number) count.get(0)).longValue();
    }
    try (ConnectorWriter writer = table.metadata().beginRewrite(table.ref().handle(), changed)) {
      long kept = 0;
      long updated = 0;
      if (!changed.isEmpty()) {
        // pass 2: the new contents of the changed files
        List<String> outputs = new ArrayList<>();
        for (Field column : table.columns()) {
          String old = ta + "." + quote(column.getName());
          boolean assigned =
              targetClauses.stream().anyMatch(c -> c.all() || assigns(c, column.getName()));
          outputs.add(
              assigned
                  ? caseOf(targetClauses, ta, sb, c -> updatedValue(c, column, old, sb), old)
                  : old);
        }
        String keep =
            caseOf(
                targetClauses,
                ta,
                sb,
                c -> c.action() == MergeAction.DELETE ? "FALSE" : "TRUE",
                "TRUE");
        String flag =
            caseOf(targetClauses, ta, sb, c -> c.action() == MergeAction.UPDATE ? "1" : "0", "0");
        String sql =
            "SELECT "
                + String.join(", ", outputs)
                + ", "
                + flag
                + " FROM "
                + target
                + " LEFT JOIN "
                + source
                + " ON "
                + on
                + " WHERE "
                + fileFilter(ta, changed)
                + " AND ("
                + keep
                + ")";
        long[] counts = write(sql, table.ref().columns(), true, writer, "MERGE");
        kept = counts[0];
        updated = counts[1];
      }
      long inserted = 0;
      if (!insertClauses.isEmpty()) {
        List<String> outputs = new ArrayList<>();
        for (Field column : table.columns()) {
          List<String> whens = new ArrayList<>();
          for (MergeClause clause : insertClauses) {
            whens.add(
                "WHEN "
                    + clause.condition().map(c -> "(" + c + ")").orElse("TRUE")
                    + " THEN "
                    + insertedValue(clause, column, sb));
          }
          outputs.add("CASE " + String.join(" ", whens) + " END");
        }
        List<String> any = new ArrayList<>();
        for (MergeClause clause : insertClauses) {
          any.add(
              "WHEN " + clause.condition().map(c -> "(" + c + ")").orElse("TRUE") + " THEN TRUE");
        }
        String sql =
            "SELECT "
                + String.join(", ", outputs)
                + " FROM "
                + source
                + " LEFT JOIN "
                + target
                + " ON "
                + on
                + " WHERE "
                + ta
                + "."
                + FILE
                + " IS NULL AND (CASE "
                + String.join(" ", any)
                + " ELSE FALSE END)";
        inserted = write(sql, table.ref().columns(), false, writer, "MERGE")[0];
      }
      if (changed.isEmpty() && inserted == 0) {
        return 0;
      }
      writer.commit();
      long deleted = rowsInChanged - kept;
      return updated + deleted + inserted;
    }
  }

  /** USER_ERROR if a target row of {@code files} matches more than one source row. */
  private void checkSingleMatches(
      Pinned table, String ta, String source, String on, Collection<String> files) {
    List<String> groupBy = new ArrayList<>();
    groupBy.add(ta + "." + FILE);
    for (Field column : table.columns()) {
      groupBy.add(ta + "." + quote(column.getName()));
    }
    String sql =
        "SELECT COUNT(*) FROM (SELECT "
            + ta
            + "."
            + FILE
            + " AS \"__f\" FROM (SELECT DISTINCT * FROM "
            + table.fileTable()
            + " WHERE "
            + fileFilter(null, files)
            + ") AS "
            + ta
            + " INNER JOIN "
            + source
            + " ON "
            + on
            + " GROUP BY "
            + String.join(", ", groupBy)
            + " HAVING COUNT(*) > 1) AS \"__d\"";
    long duplicates = ((Number) firstRow(sql, "MERGE").get(0)).longValue();
    if (duplicates > 0) {
      throw OxbowException.userError(
          "MERGE: multiple source rows matched the same target row (%d target rows); make the ON"
              + " condition match at most one source row per target row, or deduplicate the"
              + " source",
          duplicates);
    }
  }

  /**
   * {@code CASE WHEN <guard> AND (<condition>) THEN <then(clause)> ... ELSE <otherwise> END} over
   * the clauses for target rows, in order, so the first clause that applies wins.
   */
  private static String caseOf(
      List<MergeClause> clauses,
      String ta,
      String sb,
      java.util.function.Function<MergeClause, String> then,
      String otherwise) {
    StringBuilder out = new StringBuilder("CASE");
    for (MergeClause clause : clauses) {
      out.append(" WHEN ")
          .append(sb)
          .append('.')
          .append(SOURCE_MARK)
          .append(clause.match() == MergeMatch.MATCHED ? " IS NOT NULL" : " IS NULL");
      clause.condition().ifPresent(c -> out.append(" AND (").append(c).append(')'));
      out.append(" THEN ").append(then.apply(clause));
    }
    return out.append(" ELSE ").append(otherwise).append(" END").toString();
  }

  private static boolean assigns(MergeClause clause, String column) {
    return clause.values().stream().anyMatch(a -> a.column().equals(column));
  }

  /** A target column's value after a MATCHED or NOT MATCHED BY SOURCE clause. */
  private static String updatedValue(MergeClause clause, Field column, String old, String sb) {
    if (clause.action() != MergeAction.UPDATE) {
      return old;
    }
    if (clause.all()) {
      return cast(sb + "." + quote(column.getName()), column.getType());
    }
    for (DataChange.Assignment assignment : clause.values()) {
      if (assignment.column().equals(column.getName())) {
        return cast(assignment.expression(), column.getType());
      }
    }
    return old;
  }

  /** A column's value in a row a NOT MATCHED clause inserts. */
  private static String insertedValue(MergeClause clause, Field column, String sb) {
    if (clause.all()) {
      return cast(sb + "." + quote(column.getName()), column.getType());
    }
    for (DataChange.Assignment assignment : clause.values()) {
      if (assignment.column().equals(column.getName())) {
        return cast(assignment.expression(), column.getType());
      }
    }
    return cast("NULL", column.getType());
  }

  private static String columnList(String alias, List<Field> columns) {
    List<String> out = new ArrayList<>();
    for (Field column : columns) {
      out.add(alias + "." + quote(column.getName()));
    }
    return String.join(", ", out);
  }

  /** {@code alias."$file" IN (...)} for {@code files}, in pieces Calcite keeps as IN lists. */
  private static String fileFilter(String alias, Collection<String> files) {
    String column = alias == null ? FILE : alias + "." + FILE;
    List<String> names = new ArrayList<>();
    for (String file : files) {
      names.add("'" + file.replace("'", "''") + "'");
    }
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < names.size(); i += IN_LIST_CHUNK) {
      pieces.add(
          column
              + " IN ("
              + String.join(", ", names.subList(i, Math.min(names.size(), i + IN_LIST_CHUNK)))
              + ")");
    }
    return "(" + String.join(" OR ", pieces) + ")";
  }

  /** {@code CAST((value) AS type)}, or the value itself for types SQL cannot name. */
  private static String cast(String value, ArrowType type) {
    String name =
        switch (type.getTypeID()) {
          case Bool -> "BOOLEAN";
          case Int ->
              switch (((ArrowType.Int) type).getBitWidth()) {
                case 8 -> "TINYINT";
                case 16 -> "SMALLINT";
                case 32 -> "INTEGER";
                default -> "BIGINT";
              };
          case FloatingPoint ->
              ((ArrowType.FloatingPoint) type).getPrecision()
                      == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE
                  ? "REAL"
                  : "DOUBLE";
          case Decimal ->
              "DECIMAL("
                  + ((ArrowType.Decimal) type).getPrecision()
                  + ", "
                  + ((ArrowType.Decimal) type).getScale()
                  + ")";
          case Utf8, LargeUtf8 -> "VARCHAR";
          case Date -> "DATE";
          case Timestamp -> "TIMESTAMP";
          case Time -> "TIME";
          default -> null;
        };
    return name == null ? "(" + value + ")" : "CAST((" + value + ") AS " + name + ")";
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** Plans generated SQL; errors name the statement instead of positions in the generated text. */
  private PlannedQuery plan(String sql, String statement) {
    try {
      PlannedQuery planned = planner.plan(sql, session);
      if (planned.change() != null || planned.plan() == null) {
        throw new OxbowException(ErrorCode.INTERNAL, statement + " generated a non-query: " + sql);
      }
      return planned;
    } catch (OxbowException e) {
      if (e.code() == ErrorCode.INTERNAL) {
        throw e;
      }
      String message = e.getMessage().replaceAll("\\s*\\(line \\d+, column \\d+\\)$", "");
      message = message.replaceAll("\\s*at line \\d+, column \\d+", "");
      throw new OxbowException(e.code(), statement + ": " + message, e);
    }
  }

  private ExecutionContext context() {
    return new ExecutionContext(queryId + "-" + (++step), allocator);
  }

  private void forEachRow(String sql, String statement, Consumer<List<Object>> action) {
    PlannedQuery planned = plan(sql, statement);
    try (ResultStream stream = Executor.execute(planned.plan(), context())) {
      while (true) {
        VectorSchemaRoot batch = stream.next();
        if (batch == null) {
          break;
        }
        try (batch) {
          for (int row = 0; row < batch.getRowCount(); row++) {
            List<Object> values = new ArrayList<>();
            for (FieldVector vector : batch.getFieldVectors()) {
              values.add(vector.getObject(row));
            }
            action.accept(values);
          }
        }
      }
    }
  }

  private List<Object> firstRow(String sql, String statement) {
    List<List<Object>> rows = new ArrayList<>();
    forEachRow(sql, statement, rows::add);
    return rows.get(0);
  }

  /** File name to row count, from a query of {@code $file, COUNT(*)}. */
  private Map<String, Long> fileCounts(String sql, String statement) {
    Map<String, Long> files = new LinkedHashMap<>();
    forEachRow(
        sql, statement, row -> files.put(row.get(0).toString(), ((Number) row.get(1)).longValue()));
    return files;
  }

  /**
   * Runs {@code sql} and writes its rows, cast to {@code columns}, to {@code writer}. With {@code
   * flag}, the query has one more column after the table's, a number that is 1 for updated rows,
   * counted and not written.
   *
   * @return rows written and, with {@code flag}, rows flagged
   */
  private long[] write(
      String sql, Schema columns, boolean flag, ConnectorWriter writer, String statement) {
    PlannedQuery planned = plan(sql, statement);
    PlanNode plan = castTo(planned.plan(), columns, flag);
    int width = columns.getFields().size();
    long written = 0;
    long flagged = 0;
    try (ResultStream stream = Executor.execute(plan, context())) {
      while (true) {
        VectorSchemaRoot batch = stream.next();
        if (batch == null) {
          break;
        }
        try (batch) {
          if (batch.getRowCount() == 0) {
            continue;
          }
          if (flag) {
            FieldVector flags = batch.getVector(width);
            for (int row = 0; row < batch.getRowCount(); row++) {
              Object value = flags.getObject(row);
              if (value != null && ((Number) value).longValue() == 1) {
                flagged++;
              }
            }
            VectorSchemaRoot rows =
                new VectorSchemaRoot(new ArrayList<>(batch.getFieldVectors().subList(0, width)));
            rows.setRowCount(batch.getRowCount());
            writer.write(rows);
          } else {
            writer.write(batch);
          }
          written += batch.getRowCount();
        }
      }
    }
    return new long[] {written, flagged};
  }

  /** The plan's rows with the table's column names and types (plus the flag column, kept). */
  private static PlanNode castTo(PlanNode plan, Schema columns, boolean flag) {
    List<Field> input = plan.schema().getFields();
    List<Expr> exprs = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < columns.getFields().size(); i++) {
      Field column = columns.getFields().get(i);
      Expr value = new ColumnRef(i, input.get(i).getType());
      if (!value.type().equals(column.getType())) {
        value = new Call(ScalarFunction.CAST, List.of(value), column.getType());
      }
      exprs.add(value);
      fields.add(column);
    }
    if (flag) {
      int last = columns.getFields().size();
      exprs.add(new ColumnRef(last, input.get(last).getType()));
      fields.add(input.get(last));
    }
    return new ProjectNode(plan, exprs, new Schema(fields));
  }
}
