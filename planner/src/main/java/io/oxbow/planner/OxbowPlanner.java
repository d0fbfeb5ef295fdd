package io.oxbow.planner;

import io.oxbow.engine.PlanPrinter;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.planner.schema.CatalogSchema;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.DataContexts;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.config.CalciteConnectionConfig;
import org.apache.calcite.config.CalciteConnectionConfigImpl;
import org.apache.calcite.config.CalciteConnectionProperty;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.plan.ConventionTraitDef;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.plan.hep.HepPlanner;
import org.apache.calcite.plan.hep.HepProgram;
import org.apache.calcite.plan.hep.HepProgramBuilder;
import org.apache.calcite.plan.volcano.VolcanoPlanner;
import org.apache.calcite.prepare.CalciteCatalogReader;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.rules.CoreRules;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexExecutorImpl;
import org.apache.calcite.runtime.CalciteContextException;
import org.apache.calcite.sql.SqlExplain;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.calcite.sql.validate.SqlNameMatchers;
import org.apache.calcite.sql.validate.SqlValidator;
import org.apache.calcite.sql.validate.SqlValidatorUtil;
import org.apache.calcite.sql2rel.RelDecorrelator;
import org.apache.calcite.sql2rel.SqlToRelConverter;
import org.apache.calcite.sql2rel.StandardConvertletTable;
import org.apache.calcite.tools.RelBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans SQL statements: Calcite parses, validates and optimises; {@link RelToPlanConverter} turns
 * the result into an engine plan. Thread-safe: every call builds its own Calcite objects.
 */
public final class OxbowPlanner {
  static {
    // Calcite reads these once, when its first class loads; its default (ISO-8859-1) refuses
    // string literals such as '東京', including the data file names DELETE/UPDATE/MERGE generate
    setIfAbsent("calcite.default.charset", "UTF-8");
    setIfAbsent("calcite.default.nationalcharset", "UTF-8");
    setIfAbsent("calcite.default.collation.name", "UTF-8$en_US");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(OxbowPlanner.class);
  private static final Pattern EXPLAIN_ANALYZE =
      Pattern.compile("(?is)^\\s*explain\\s+analyze\\s+(.*)$");

  /** The one text column of EXPLAIN and EXPLAIN ANALYZE results. */
  public static final Schema PLAN_SCHEMA =
      new Schema(List.of(Field.nullable("plan", ArrowType.Utf8.INSTANCE)));

  private static boolean isExplainText(String sql) {
    return sql.strip().toLowerCase(Locale.ROOT).startsWith("explain");
  }

  private static final Pattern PLAIN_EXPLAIN =
      Pattern.compile("(?is)^\\s*explain\\s+(?!plan\\b|analyze\\b)(.*)$");

  /** EXISTS and NOT EXISTS over a correlated filter become SEMI and ANTI joins. */
  private static final HepProgram EXISTS_TO_SEMI_JOIN =
      new HepProgramBuilder().addRuleInstance(ExistsToSemiJoinRule.INSTANCE).build();

  /** Subqueries (IN, EXISTS, scalar) become correlates, which the decorrelator turns into joins. */
  private static final HepProgram SUBQUERIES =
      new HepProgramBuilder()
          .addRuleInstance(CoreRules.FILTER_SUB_QUERY_TO_CORRELATE)
          .addRuleInstance(CoreRules.PROJECT_SUB_QUERY_TO_CORRELATE)
          .addRuleInstance(CoreRules.JOIN_SUB_QUERY_TO_CORRELATE)
          .build();

  /** Constant folding, filter pushdown and merging of projections. */
  private static final HepProgram SIMPLIFY = simplify(true);

  /**
   * {@link #SIMPLIFY} after derived join predicates and join ordering, without folding expressions
   * again: those steps add join conditions and projections of column references, which the first
   * pass left nothing to fold in. Folding needs each input's pulled-up predicates, the costliest
   * part of these passes, and the 22 TPC-H plans are the same without it.
   */
  private static final HepProgram SIMPLIFY_JOINS = simplify(false);

  private static HepProgram simplify(boolean reduceExpressions) {
    HepProgramBuilder builder =
        new HepProgramBuilder()
            .addRuleInstance(
                org.apache.calcite.rel.rules.AggregateReduceFunctionsRule.Config.DEFAULT
                    .withFunctionsToReduce(
                        java.util.EnumSet.of(
                            SqlKind.STDDEV_POP,
                            SqlKind.STDDEV_SAMP,
                            SqlKind.VAR_POP,
                            SqlKind.VAR_SAMP))
                    .toRule())
            .addRuleInstance(CoreRules.UNION_TO_DISTINCT)
            .addRuleInstance(CoreRules.INTERSECT_TO_DISTINCT)
            .addRuleInstance(CoreRules.MINUS_TO_DISTINCT);
    if (reduceExpressions) {
      builder.addRuleInstance(CoreRules.FILTER_REDUCE_EXPRESSIONS);
      builder.addRuleInstance(CoreRules.PROJECT_REDUCE_EXPRESSIONS);
    }
    return builder
        .addRuleCollection(
            List.of(
                CoreRules.FILTER_INTO_JOIN,
                CoreRules.JOIN_CONDITION_PUSH,
                CoreRules.FILTER_MERGE,
                CoreRules.FILTER_PROJECT_TRANSPOSE,
                CoreRules.FILTER_AGGREGATE_TRANSPOSE,
                CoreRules.PROJECT_MERGE,
                CoreRules.PROJECT_REMOVE))
        .addRuleInstance(CoreRules.AGGREGATE_PROJECT_MERGE)
        .build();
  }

  /**
   * Pulls common factors out of ORs in inner join conditions and adds the single-input predicates
   * they imply, for the next {@link #SIMPLIFY} to push into the join's inputs. A program of its
   * own, run once: within SIMPLIFY's fixpoint it would derive again what was just pushed.
   */
  private static final HepProgram DERIVE_JOIN_PREDICATES =
      new HepProgramBuilder().addRuleInstance(DeriveJoinPredicatesRule.INSTANCE).build();

  /** Window functions (RexOver in a projection) become Window relations. */
  private static final HepProgram WINDOWS =
      new HepProgramBuilder()
          .addRuleInstance(CoreRules.PROJECT_TO_LOGICAL_PROJECT_AND_WINDOW)
          .build();

  /**
   * Joins of more tables than this are ordered by Calcite's greedy bushy heuristic instead of its
   * left-deep search, whose cost grows with the cube of the table count (a 64-table join took
   * seconds to plan).
   */
  static final int MAX_SEARCHED_JOIN_TABLES = 10;

  /**
   * Heuristic join ordering over the row counts and distinct values connectors report: up to {@link
   * #MAX_SEARCHED_JOIN_TABLES} tables, every table is tried first and the cheapest left-deep order
   * kept; beyond that, inner joins are joined greedily along their edges.
   */
  private static final HepProgram JOIN_ORDER =
      new HepProgramBuilder()
          .addMatchOrder(org.apache.calcite.plan.hep.HepMatchOrder.BOTTOM_UP)
          .addRuleInstance(CoreRules.JOIN_TO_MULTI_JOIN)
          .addRuleInstance(
              org.apache.calcite.rel.rules.MultiJoinOptimizeBushyRule.Config.DEFAULT
                  .withOperandSupplier(
                      b ->
                          b.operand(org.apache.calcite.rel.rules.MultiJoin.class)
                              .predicate(
                                  join ->
                                      join.getInputs().size() > MAX_SEARCHED_JOIN_TABLES
                                          && !join.isFullOuterJoin()
                                          && join.getJoinTypes().stream()
                                              .allMatch(
                                                  t ->
                                                      t
                                                          == org.apache.calcite.rel.core.JoinRelType
                                                              .INNER))
                              .anyInputs())
                  .as(org.apache.calcite.rel.rules.MultiJoinOptimizeBushyRule.Config.class)
                  .toRule())
          .addRuleInstance(CoreRules.MULTI_JOIN_OPTIMIZE)
          .build();

  /**
   * Joins with distinct values become SEMI joins, selective SEMI joins move below joins, then
   * reduce the aggregates they meet.
   */
  private static final HepProgram AGGREGATE_SEMI_JOIN_REDUCTION =
      new HepProgramBuilder()
          .addRuleInstance(DistinctJoinToSemiJoinRule.INSTANCE)
          .addRuleInstance(SelectiveSemiJoinTransposeRule.INSTANCE)
          .addRuleInstance(AggregateSemiJoinReductionRule.INSTANCE)
          .build();

  private static final HepProgram PUSH_PROJECTION =
      new HepProgramBuilder()
          .addRuleInstance(CoreRules.PROJECT_MERGE)
          .addRuleInstance(CoreRules.PROJECT_REMOVE)
          .addRuleInstance(CoreRules.PROJECT_TABLE_SCAN)
          .addRuleInstance(CoreRules.PROJECT_REMOVE)
          .build();

  /** PostgreSQL's {@code date_trunc('unit', date or timestamp)}, of the value's type. */
  static final org.apache.calcite.sql.SqlFunction DATE_TRUNC =
      new org.apache.calcite.sql.SqlFunction(
          "DATE_TRUNC",
          SqlKind.OTHER_FUNCTION,
          org.apache.calcite.sql.type.ReturnTypes.ARG1_NULLABLE,
          null,
          org.apache.calcite.sql.type.OperandTypes.family(
              org.apache.calcite.sql.type.SqlTypeFamily.CHARACTER,
              org.apache.calcite.sql.type.SqlTypeFamily.DATETIME),
          org.apache.calcite.sql.SqlFunctionCategory.TIMEDATE);

  private final CatalogProvider catalogs;

  public OxbowPlanner(CatalogProvider catalogs) {
    this.catalogs = catalogs;
  }

  /** Parses, validates, optimises and converts one SQL statement. */
  public PlannedQuery plan(String sql, PlannerSession session) {
    try {
      return doPlan(sql, session);
    } catch (OxbowException e) {
      throw e;
    } catch (SqlParseException e) {
      throw syntaxError(e, sql);
    } catch (CalciteContextException e) {
      throw validationError(e, sql);
    } catch (RuntimeException | AssertionError e) {
      Throwable context = findContext(e);
      if (context instanceof CalciteContextException cce) {
        throw validationError(cce, sql);
      }
      LOG.error("Planning failed for: {}", sql, e);
      throw new OxbowException(
          ErrorCode.INTERNAL,
          "Planning failed (" + e.getClass().getSimpleName() + "); the server log has details",
          e);
    }
  }

  private PlannedQuery doPlan(String sql, PlannerSession session) throws SqlParseException {
    boolean explain = false;
    // only trailing text is dropped, so Calcite's line and column numbers match the user's text
    String text = sql.stripTrailing();
    while (text.endsWith(";")) {
      text = text.substring(0, text.length() - 1).stripTrailing();
    }
    Matcher analyze = EXPLAIN_ANALYZE.matcher(text);
    if (analyze.matches()) {
      PlannedQuery query = doPlan(blankPrefix(text, analyze.start(1)), session);
      if (query.analyze()
          || query.plan() instanceof ValuesNode && isExplainText(analyze.group(1))) {
        throw OxbowException.userError("EXPLAIN ANALYZE takes a query, not another EXPLAIN");
      }
      return new PlannedQuery(query.plan(), PLAN_SCHEMA, true);
    }
    Matcher plain = PLAIN_EXPLAIN.matcher(text);
    if (plain.matches()) {
      explain = true;
      text = blankPrefix(text, plain.start(1));
    }
    SqlParser.Config parserConfig =
        SqlParser.config()
            .withCaseSensitive(false)
            .withUnquotedCasing(Casing.TO_LOWER)
            .withQuotedCasing(Casing.UNCHANGED)
            .withConformance(SqlConformanceEnum.LENIENT)
            // Babel reserves fewer words, so common column names such as "value" work unquoted
            .withParserFactory(org.apache.calcite.sql.parser.babel.SqlBabelParserImpl.FACTORY);
    List<DdlStatements.Token> tokens = DdlStatements.tokenize(text);
    if (tokens.isEmpty()) {
      throw OxbowException.userError(
          "Syntax error: empty statement (only blanks or comments); nothing to run");
    }
    String read = ReadStatements.rewrite(text, tokens);
    if (!read.equals(text)) {
      // time travel, DESCRIBE HISTORY and table_changes become suffixed table names
      text = read;
      tokens = DdlStatements.tokenize(text);
    }
    java.util.Optional<DdlStatements.Statement> ddl = DdlStatements.parse(text, tokens);
    if (ddl.isPresent()) {
      if (explain) {
        throw OxbowException.userError("EXPLAIN takes a query, not a DDL statement");
      }
      return DataChanges.ddl(ddl.get(), session, catalogs);
    }
    boolean overwrite = false;
    io.oxbow.spi.connector.TableOptions createOptions = io.oxbow.spi.connector.TableOptions.NONE;
    java.util.Optional<RowLevelStatements.Statement> rowLevel =
        RowLevelStatements.parse(text, tokens);
    if (rowLevel.isPresent()) {
      if (rowLevel.get() instanceof RowLevelStatements.Insert insert) {
        // INSERT OVERWRITE and INSERT INTO TABLE: Calcite reads the rest of the statement
        overwrite = insert.overwrite();
        text = insert.calciteText();
        tokens = DdlStatements.tokenize(text);
      } else if (rowLevel.get() instanceof RowLevelStatements.CreateTable create) {
        if (explain) {
          throw OxbowException.userError("EXPLAIN takes a query, not a DDL statement");
        }
        if (create.calciteText().isEmpty()) {
          return DataChanges.registerTable(create, session, catalogs);
        }
        createOptions = create.options();
        text = create.calciteText().get();
        tokens = DdlStatements.tokenize(text);
      } else {
        if (explain) {
          throw OxbowException.userError(
              "EXPLAIN takes a query, not a statement that changes data");
        }
        return DataChanges.rowLevel(rowLevel.get(), session, catalogs);
      }
    }
    text = DdlStatements.withoutColumnKeys(text, tokens);
    SqlNode parsed = SqlParser.create(text, parserConfig).parseStmt();
    if (parsed instanceof SqlExplain sqlExplain) {
      explain = true;
      parsed = sqlExplain.getExplicandum();
    }
    if (!explain && parsed instanceof org.apache.calcite.sql.ddl.SqlCreateTable create) {
      if (create.query != null) {
        PlannedQuery source = planQuery(create.query, session, false);
        return DataChanges.createTableAs(create, createOptions, source, session, catalogs);
      }
      return DataChanges.createTable(create, createOptions, session, catalogs);
    }
    if (!explain && parsed instanceof org.apache.calcite.sql.SqlInsert insert) {
      DataChanges.Target target = DataChanges.target(insert.getTargetTable(), session, catalogs);
      PlannedQuery source = planQuery(DataChanges.typedNulls(insert, target), session, false);
      return DataChanges.insert(insert, target, source, overwrite);
    }
    if (!parsed.isA(SqlKind.QUERY)) {
      throw OxbowException.userError("%s statements are not supported yet", parsed.getKind().sql);
    }
    return planQuery(parsed, session, explain);
  }

  private PlannedQuery planQuery(SqlNode parsed, PlannerSession session, boolean explain) {
    JavaTypeFactoryImpl typeFactory = new JavaTypeFactoryImpl(OxbowTypeSystem.INSTANCE);
    CalciteSchema root = CalciteSchema.createRootSchema(false, false);
    for (String catalog : catalogs.catalogNames()) {
      catalogs
          .connector(catalog)
          .ifPresent(connector -> root.add(catalog, new CatalogSchema(catalog, connector)));
    }
    List<List<String>> paths = new ArrayList<>();
    if (session.defaultCatalog() != null) {
      if (session.defaultSchema() != null) {
        paths.add(List.of(session.defaultCatalog(), session.defaultSchema()));
      }
      paths.add(List.of(session.defaultCatalog()));
    }
    paths.add(List.of());
    Properties properties = new Properties();
    properties.setProperty(CalciteConnectionProperty.CASE_SENSITIVE.camelName(), "false");
    CalciteConnectionConfig config = new CalciteConnectionConfigImpl(properties);
    CalciteCatalogReader catalogReader =
        new CalciteCatalogReader(
            root, SqlNameMatchers.withCaseSensitive(false), paths, typeFactory, config) {};
    SqlValidator validator =
        SqlValidatorUtil.newValidator(
            org.apache.calcite.sql.util.SqlOperatorTables.chain(
                SqlStdOperatorTable.instance(),
                org.apache.calcite.sql.util.SqlOperatorTables.of(DATE_TRUNC),
                org.apache.calcite.sql.fun.SqlLibraryOperatorTableFactory.INSTANCE.getOperatorTable(
                    org.apache.calcite.sql.fun.SqlLibrary.POSTGRESQL)),
            catalogReader,
            typeFactory,
            SqlValidator.Config.DEFAULT
                .withConformance(SqlConformanceEnum.LENIENT)
                .withIdentifierExpansion(true)
                // strict like Trino: 'abc' + 1 is a type error, not a run-time cast failure
                .withTypeCoercionEnabled(false));
    SqlNode validated = validator.validate(parsed);

    VolcanoPlanner volcano = new VolcanoPlanner();
    volcano.addRelTraitDef(ConventionTraitDef.INSTANCE);
    // ReduceExpressionsRule folds constants (TPC-H's date '1998-12-01' - interval '90' day) only
    // when the cluster's planner has an executor; Calcite's compiles each constant expression once
    // and the query itself never runs in Calcite. Dynamic functions (CURRENT_DATE) stay unfolded.
    volcano.setExecutor(new EngineExactExecutor(new RexExecutorImpl(DataContexts.EMPTY)));
    RelOptCluster cluster = RelOptCluster.create(volcano, new RexBuilder(typeFactory));
    cluster.setMetadataProvider(OxbowRelMetadata.PROVIDER);
    cluster.setMetadataQuerySupplier(
        () -> new org.apache.calcite.rel.metadata.RelMetadataQuery(OxbowRelMetadata.PROVIDER));
    SqlToRelConverter converter =
        new SqlToRelConverter(
            (rowType, queryString, schemaPath, viewPath) -> {
              throw OxbowException.userError("Views are not supported yet");
            },
            validator,
            catalogReader,
            cluster,
            StandardConvertletTable.INSTANCE,
            SqlToRelConverter.config().withTrimUnusedFields(true).withExpand(false));
    RelRoot relRoot = converter.convertQuery(validated, false, true);
    RelNode rel = relRoot.project();
    RelBuilder relBuilder =
        RelBuilder.proto(org.apache.calcite.plan.Contexts.empty()).create(cluster, catalogReader);
    rel = hep(EXISTS_TO_SEMI_JOIN, rel);
    rel = hep(SUBQUERIES, rel);
    rel = hep(WINDOWS, rel);
    rel = RelDecorrelator.decorrelateQuery(rel, relBuilder);
    rel = converter.trimUnusedFields(true, rel);
    rel = hep(SIMPLIFY, rel);
    rel = hep(DERIVE_JOIN_PREDICATES, rel);
    rel = hep(SIMPLIFY_JOINS, rel);
    rel = hep(JOIN_ORDER, rel);
    rel = hep(SIMPLIFY_JOINS, rel);
    rel = hep(AGGREGATE_SEMI_JOIN_REDUCTION, rel);
    rel = converter.trimUnusedFields(true, rel);
    rel = hep(PUSH_PROJECTION, rel);

    List<String> names = relRoot.validatedRowType.getFieldNames();
    PlanNode plan = new RelToPlanConverter(cluster.getRexBuilder()).convert(rel, names);
    if (!explain) {
      return new PlannedQuery(plan, plan.schema());
    }
    List<List<Object>> lines = new ArrayList<>();
    lines.add(List.of("== Logical plan =="));
    for (String line : RelOptUtil.toString(rel).split("\n")) {
      lines.add(List.of(line));
    }
    lines.add(List.of("== Engine plan =="));
    for (String line : PlanPrinter.print(plan).split("\n")) {
      lines.add(List.of(line));
    }
    return new PlannedQuery(new ValuesNode(PLAN_SCHEMA, lines), PLAN_SCHEMA);
  }

  /**
   * Calcite's constant folding, except where Calcite would lose what the engine keeps: Calcite
   * computes times and timestamps in milliseconds and prints times, timestamps and intervals in its
   * own formats, so expressions over TIME or TIMESTAMP values, and casts of datetimes or intervals
   * to text, are left for the engine (exact to the microsecond, PostgreSQL's text). DATE arithmetic
   * with whole days and months, such as TPC-H's {@code date '1998-12-01' - interval '90' day}, is
   * still folded.
   */
  private static final class EngineExactExecutor implements org.apache.calcite.rex.RexExecutor {
    private final org.apache.calcite.rex.RexExecutor delegate;

    EngineExactExecutor(org.apache.calcite.rex.RexExecutor delegate) {
      this.delegate = delegate;
    }

    @Override
    public void reduce(
        RexBuilder rexBuilder,
        List<org.apache.calcite.rex.RexNode> constExps,
        List<org.apache.calcite.rex.RexNode> reducedValues) {
      boolean[] keep = new boolean[constExps.size()];
      List<org.apache.calcite.rex.RexNode> foldable = new ArrayList<>();
      for (int i = 0; i < keep.length; i++) {
        keep[i] = keepForEngine(constExps.get(i));
        if (!keep[i]) {
          foldable.add(constExps.get(i));
        }
      }
      // Calcite's executor compiles Java code for every call (milliseconds each): the values of
      // expressions folded before are reused
      org.apache.calcite.rex.RexNode[] known = new org.apache.calcite.rex.RexNode[foldable.size()];
      List<org.apache.calcite.rex.RexNode> missing = new ArrayList<>();
      for (int i = 0; i < known.length; i++) {
        known[i] = FOLDED.get(key(foldable.get(i)));
        if (known[i] == null) {
          missing.add(foldable.get(i));
        }
      }
      List<org.apache.calcite.rex.RexNode> folded = new ArrayList<>();
      if (!missing.isEmpty()) {
        delegate.reduce(rexBuilder, missing, folded);
        if (FOLDED.size() > MAX_FOLDED) {
          FOLDED.clear();
        }
        for (int i = 0; i < missing.size(); i++) {
          FOLDED.put(key(missing.get(i)), folded.get(i));
        }
      }
      int fresh = 0;
      for (int i = 0; i < known.length; i++) {
        if (known[i] == null) {
          known[i] = folded.get(fresh++);
        }
      }
      int next = 0;
      for (int i = 0; i < keep.length; i++) {
        reducedValues.add(keep[i] ? constExps.get(i) : known[next++]);
      }
    }

    /**
     * Folded constant expressions by {@link #key}, shared by all queries (Rex nodes are immutable).
     */
    private static final java.util.Map<String, org.apache.calcite.rex.RexNode> FOLDED =
        new java.util.concurrent.ConcurrentHashMap<>();

    private static final int MAX_FOLDED = 4096;

    /** An expression's text and full type: equal keys fold to the same value. */
    private static String key(org.apache.calcite.rex.RexNode e) {
      return e + " : " + e.getType().getFullTypeString();
    }

    private static boolean keepForEngine(org.apache.calcite.rex.RexNode e) {
      if (e instanceof org.apache.calcite.rex.RexLiteral) {
        return false;
      }
      if (isTimeOrTimestamp(e.getType())) {
        return true;
      }
      if (e instanceof org.apache.calcite.rex.RexCall call) {
        if (call.getKind() == SqlKind.CAST
            && org.apache.calcite.sql.type.SqlTypeUtil.isCharacter(call.getType())
            && (isTimeOrTimestamp(call.getOperands().get(0).getType())
                || org.apache.calcite.sql.type.SqlTypeUtil.isInterval(
                    call.getOperands().get(0).getType()))) {
          return true;
        }
        for (org.apache.calcite.rex.RexNode operand : call.getOperands()) {
          if (keepForEngine(operand)) {
            return true;
          }
        }
      }
      return false;
    }

    private static boolean isTimeOrTimestamp(org.apache.calcite.rel.type.RelDataType type) {
      return switch (type.getSqlTypeName()) {
        case TIME, TIME_WITH_LOCAL_TIME_ZONE, TIMESTAMP, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> true;
        default -> false;
      };
    }
  }

  /** {@code text} with its first {@code end} characters blanked, keeping line breaks. */
  private static String blankPrefix(String text, int end) {
    return text.substring(0, end).replaceAll("[^\\n]", " ") + text.substring(end);
  }

  private static RelNode hep(HepProgram program, RelNode rel) {
    HepPlanner planner = new HepPlanner(program);
    planner.setRoot(rel);
    return planner.findBestExp();
  }

  private static OxbowException syntaxError(SqlParseException e, String sql) {
    String first = e.getMessage() == null ? "" : e.getMessage().split("\n")[0].trim();
    first = first.replaceAll("\\s*at line \\d+, column \\d+\\.?", "");
    var pos = e.getPos();
    if (pos == null) {
      return new OxbowException(ErrorCode.USER_ERROR, "Syntax error: " + first, e);
    }
    String found = textAt(sql, pos.getLineNum(), pos.getColumnNum(), -1, -1);
    if (!first.contains("Encountered") && !first.contains("near") && !found.isEmpty()) {
      // messages such as "Non-query expression encountered in illegal context" say what, not where
      first = first + ", near \"" + found + "\"";
    }
    return new OxbowException(
        ErrorCode.USER_ERROR,
        String.format(
            Locale.ROOT,
            "Syntax error at line %d, column %d: %s",
            pos.getLineNum(),
            pos.getColumnNum(),
            first),
        e);
  }

  private static OxbowException validationError(CalciteContextException e, String sql) {
    String message =
        e.getCause() != null && e.getCause().getMessage() != null
            ? e.getCause().getMessage()
            : e.getMessage();
    message = message.replaceAll("\\s*\\n\\s*", " ");
    if ((message.startsWith("Object '") || message.startsWith("Table '"))
        && message.contains("not found")) {
      // in this position Calcite's "Object" is a table, or a catalog or schema of a qualified
      // name: name the table as the user wrote it
      String written =
          textAt(sql, e.getPosLine(), e.getPosColumn(), e.getEndPosLine(), e.getEndPosColumn());
      message =
          written.isEmpty()
              ? "Table '" + message.substring(message.indexOf('\'') + 1)
              : "Table '" + written + "' not found";
    }
    ErrorCode code =
        message.contains("not found") || message.startsWith("No match found for function")
            ? ErrorCode.NOT_FOUND
            : ErrorCode.USER_ERROR;
    return new OxbowException(
        code,
        String.format(
            Locale.ROOT, "%s (line %d, column %d)", message, e.getPosLine(), e.getPosColumn()),
        e);
  }

  /**
   * The text of {@code sql} from a 1-based line and column to an end position (inclusive), or the
   * token starting there when there is no end; empty if the position is outside the text.
   */
  static String textAt(String sql, int line, int column, int endLine, int endColumn) {
    String[] lines = sql.split("\n", -1);
    if (line < 1 || line > lines.length || column < 1 || column > lines[line - 1].length()) {
      return "";
    }
    if (endLine == line && endColumn >= column && endColumn <= lines[line - 1].length()) {
      return lines[line - 1].substring(column - 1, endColumn);
    }
    if (endLine > 0) {
      return "";
    }
    Matcher token = Pattern.compile("[\\w$.\"]+|\\S").matcher(lines[line - 1]);
    return token.find(column - 1) && token.start() == column - 1 ? token.group() : "";
  }

  private static Throwable findContext(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CalciteContextException) {
        return t;
      }
    }
    return null;
  }
}
