package io.oxbow.planner;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.UnionAllNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.plan.WindowNode;
import io.oxbow.engine.type.DateTimes;
import io.oxbow.planner.schema.ConnectorTable;
import io.oxbow.planner.schema.TypeMapping;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.calcite.interpreter.Bindables;
import org.apache.calcite.rel.RelFieldCollation;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Sort;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.core.Union;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rel.core.Window;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;

/** Converts an optimised Calcite plan into an engine plan. */
final class RelToPlanConverter {
  private final RexBuilder rexBuilder;
  private final Instant now = Instant.now();

  RelToPlanConverter(RexBuilder rexBuilder) {
    this.rexBuilder = rexBuilder;
  }

  /** Converts {@code rel}; the result's columns get {@code names}. */
  PlanNode convert(RelNode rel, List<String> names) {
    PlanNode plan = convert(rel);
    List<Field> fields = plan.schema().getFields();
    if (fields.size() > names.size()) {
      // optimisation can leave helper columns (sort keys, decorrelation) after the result's own
      fields = fields.subList(0, names.size());
    }
    boolean renamed = fields.size() < plan.schema().getFields().size();
    List<Field> out = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      String name = i < names.size() ? names.get(i) : fields.get(i).getName();
      renamed |= !name.equals(fields.get(i).getName());
      out.add(new Field(name, fields.get(i).getFieldType(), null));
    }
    if (!renamed) {
      return plan;
    }
    if (plan instanceof ProjectNode project) {
      // rename (and trim) the top projection itself rather than stacking another on it
      return new ProjectNode(
          project.input(), project.expressions().subList(0, out.size()), new Schema(out));
    }
    List<Expr> refs = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      refs.add(new ColumnRef(i, fields.get(i).getType()));
    }
    // above a sort or limit this keeps the order: projections do not reorder rows
    return new ProjectNode(plan, refs, new Schema(out));
  }

  private PlanNode convert(RelNode rel) {
    if (rel instanceof TableScan scan) {
      return scan(scan, null);
    }
    if (rel instanceof Filter filter) {
      // the connector may skip data with the filter's conjuncts; the engine still checks them all
      PlanNode input =
          FilterPushdown.offer(filter)
              .map(pushed -> withHandle(filter.getInput(), pushed.handle()))
              .orElseGet(() -> convert(filter.getInput()));
      return new FilterNode(input, expr(filter.getCondition()));
    }
    if (rel instanceof Project project) {
      PlanNode input = convert(project.getInput());
      List<Expr> exprs = new ArrayList<>();
      for (RexNode node : project.getProjects()) {
        exprs.add(expr(node));
      }
      return new ProjectNode(input, exprs, schema(project.getRowType()));
    }
    if (rel instanceof Aggregate aggregate) {
      return aggregate(aggregate);
    }
    if (rel instanceof Sort sort) {
      return sort(sort);
    }
    if (rel instanceof Join join) {
      return join(join);
    }
    if (rel instanceof Window window) {
      return window(window);
    }
    if (rel instanceof Union union) {
      if (!union.all) {
        throw OxbowException.userError("UNION DISTINCT is not supported here");
      }
      Schema schema = schema(union.getRowType());
      List<PlanNode> inputs = new ArrayList<>();
      for (RelNode input : union.getInputs()) {
        inputs.add(castTo(convert(input), schema));
      }
      return new UnionAllNode(inputs, schema);
    }
    if (rel instanceof Values values) {
      List<List<Object>> rows = new ArrayList<>();
      for (List<RexLiteral> tuple : values.getTuples()) {
        List<Object> row = new ArrayList<>();
        for (RexLiteral literal : tuple) {
          row.add(literalValue(literal));
        }
        rows.add(row);
      }
      return new ValuesNode(schema(values.getRowType()), rows);
    }
    throw OxbowException.userError(
        "%s is not supported yet", rel.getRelTypeName().replace("Logical", ""));
  }

  private PlanNode join(Join join) {
    JoinNode.JoinType type =
        switch (join.getJoinType()) {
          case INNER -> JoinNode.JoinType.INNER;
          case LEFT -> JoinNode.JoinType.LEFT;
          case RIGHT -> JoinNode.JoinType.RIGHT;
          case FULL -> JoinNode.JoinType.FULL;
          case SEMI -> JoinNode.JoinType.SEMI;
          case ANTI -> JoinNode.JoinType.ANTI;
          default ->
              throw OxbowException.userError("%s joins are not supported yet", join.getJoinType());
        };
    // (a AND b) OR (a AND c) -> a AND (b OR c), so TPC-H Q19's join key becomes a hash key
    JoinInfo info =
        JoinInfo.of(
            join.getLeft(), join.getRight(), RexUtil.pullFactors(rexBuilder, join.getCondition()));
    PlanNode left = convert(join.getLeft());
    PlanNode right = convert(join.getRight());
    RexNode remaining = info.getRemaining(rexBuilder);
    Expr residual = remaining.isAlwaysTrue() ? null : expr(remaining);
    Schema schema = schema(join.getRowType());
    if (type == JoinNode.JoinType.INNER && larger(join.getRight(), join.getLeft())) {
      // build the hash table on the smaller side: swap, then restore the column order
      int leftWidth = left.schema().getFields().size();
      int rightWidth = right.schema().getFields().size();
      List<Field> swappedFields = new ArrayList<>(right.schema().getFields());
      swappedFields.addAll(left.schema().getFields());
      Expr swappedResidual =
          residual == null
              ? null
              : remap(residual, i -> i < leftWidth ? i + rightWidth : i - leftWidth);
      JoinNode swapped =
          new JoinNode(
              right,
              left,
              type,
              info.rightKeys,
              info.leftKeys,
              swappedResidual,
              new Schema(swappedFields));
      List<Expr> reorder = new ArrayList<>();
      for (int i = 0; i < leftWidth + rightWidth; i++) {
        int from = i < leftWidth ? i + rightWidth : i - leftWidth;
        reorder.add(new ColumnRef(from, swappedFields.get(from).getType()));
      }
      return new ProjectNode(swapped, reorder, schema);
    }
    if ((type == JoinNode.JoinType.SEMI || type == JoinNode.JoinType.ANTI)
        && !info.leftKeys.isEmpty()
        && larger(join.getRight(), join.getLeft())) {
      // build the hash table on the smaller, preserved side and stream the other side past it
      // (TPC-H Q21's EXISTS over all of lineitem): the sides swap, the output stays the same
      int leftWidth = left.schema().getFields().size();
      int rightWidth = right.schema().getFields().size();
      Expr swappedResidual =
          residual == null
              ? null
              : remap(residual, i -> i < leftWidth ? i + rightWidth : i - leftWidth);
      return new JoinNode(
          right,
          left,
          type == JoinNode.JoinType.SEMI
              ? JoinNode.JoinType.RIGHT_SEMI
              : JoinNode.JoinType.RIGHT_ANTI,
          info.rightKeys,
          info.leftKeys,
          swappedResidual,
          schema);
    }
    return new JoinNode(left, right, type, info.leftKeys, info.rightKeys, residual, schema);
  }

  private static boolean larger(RelNode a, RelNode b) {
    RelMetadataQuery mq = a.getCluster().getMetadataQuery();
    Double ra = mq.getRowCount(a);
    Double rb = mq.getRowCount(b);
    return ra != null && rb != null && ra > rb * 1.5;
  }

  private static Expr remap(Expr expr, java.util.function.IntUnaryOperator mapping) {
    if (expr instanceof ColumnRef ref) {
      return new ColumnRef(mapping.applyAsInt(ref.index()), ref.type());
    }
    if (expr instanceof Call call) {
      List<Expr> args = new ArrayList<>();
      for (Expr arg : call.args()) {
        args.add(remap(arg, mapping));
      }
      return new Call(call.function(), args, call.type());
    }
    return expr;
  }

  /**
   * Converts the scan (or projection of a scan) under a filter whose conjuncts the connector took,
   * reading with the connector's new handle. Only this filter's input gets it: Calcite shares one
   * node between identical scans elsewhere in the plan.
   */
  private PlanNode withHandle(RelNode input, ConnectorTableHandle handle) {
    if (input instanceof TableScan scan) {
      return scan(scan, handle);
    }
    Project project = (Project) input;
    PlanNode scan = scan((TableScan) project.getInput(), handle);
    List<Expr> exprs = new ArrayList<>();
    for (RexNode node : project.getProjects()) {
      exprs.add(expr(node));
    }
    return new ProjectNode(scan, exprs, schema(project.getRowType()));
  }

  /** A scan of a connector table, with {@code handle} if not null, else the table's own. */
  private PlanNode scan(TableScan scan, ConnectorTableHandle handle) {
    return scan(scan, handle, false);
  }

  /**
   * A scan of a connector table; with {@code oneColumn}, of only its narrowest column (the input of
   * an aggregation that reads no column, {@code SELECT count(*) FROM t}: the rows are what count,
   * not their values).
   */
  private PlanNode scan(TableScan scan, ConnectorTableHandle handle, boolean oneColumn) {
    int[] projects;
    if (scan instanceof Bindables.BindableTableScan bindable) {
      if (!bindable.filters.isEmpty()) {
        throw new IllegalStateException("filters in scan are not expected");
      }
      projects = bindable.projects.toIntArray();
    } else {
      projects = new int[scan.getRowType().getFieldCount()];
      for (int i = 0; i < projects.length; i++) {
        projects[i] = i;
      }
    }
    ConnectorTable table = scan.getTable().unwrap(ConnectorTable.class);
    if (table == null) {
      throw OxbowException.userError("Table %s cannot be read", scan.getTable().getQualifiedName());
    }
    List<Field> all = table.metadata().schema().getFields();
    if (oneColumn && projects.length > 1) {
      int narrowest = projects[0];
      for (int p : projects) {
        if (width(all.get(p).getType()) < width(all.get(narrowest).getType())) {
          narrowest = p;
        }
      }
      projects = new int[] {narrowest};
    }
    List<String> columns = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (int p : projects) {
      columns.add(all.get(p).getName());
      fields.add(all.get(p));
    }
    return new ScanNode(
        table.catalog(),
        handle != null ? handle : table.handle(),
        columns,
        table.connector().splitManager(),
        table.connector().pageSourceProvider(),
        new Schema(fields));
  }

  /** Bytes a value of the type takes in a vector, about (variable-width types count 64). */
  private static int width(org.apache.arrow.vector.types.pojo.ArrowType type) {
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Bool) {
      return 1;
    }
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Int i) {
      return i.getBitWidth() / 8;
    }
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Date) {
      return 4;
    }
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint
        || type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Timestamp) {
      return 8;
    }
    if (type instanceof org.apache.arrow.vector.types.pojo.ArrowType.Decimal) {
      return 16;
    }
    return 64;
  }

  private PlanNode aggregate(Aggregate aggregate) {
    if (aggregate.getGroupSets().size() != 1) {
      return groupingSets(aggregate);
    }
    boolean readsNoColumn =
        aggregate.getGroupCount() == 0
            && aggregate.getAggCallList().stream()
                .allMatch(c -> c.getArgList().isEmpty() && c.filterArg < 0);
    PlanNode input =
        readsNoColumn && aggregate.getInput() instanceof TableScan scan
            ? scan(scan, null, true)
            : convert(aggregate.getInput());
    List<AggregateCall> calls = new ArrayList<>();
    // LITERAL_AGG (a constant per group, from subquery removal) is added by a projection on top
    List<Integer> outputOf = new ArrayList<>();
    List<Expr> literals = new ArrayList<>();
    List<Field> aggregateFields = new ArrayList<>();
    Schema fullSchema = schema(aggregate.getRowType());
    int keyCount = aggregate.getGroupCount();
    for (int k = 0; k < keyCount; k++) {
      aggregateFields.add(fullSchema.getFields().get(k));
    }
    for (org.apache.calcite.rel.core.AggregateCall call : aggregate.getAggCallList()) {
      if (call.getAggregation().getKind() == SqlKind.LITERAL_AGG) {
        outputOf.add(-1);
        literals.add(expr(call.rexList.get(0)));
        continue;
      }
      outputOf.add(keyCount + calls.size());
      literals.add(null);
      aggregateFields.add(fullSchema.getFields().get(keyCount + outputOf.size() - 1));
      AggregateCall.AggregateFunction fn =
          switch (call.getAggregation().getKind()) {
            case COUNT ->
                call.getArgList().isEmpty()
                    ? AggregateCall.AggregateFunction.COUNT_STAR
                    : AggregateCall.AggregateFunction.COUNT;
            case SUM, SUM0 -> AggregateCall.AggregateFunction.SUM;
            case AVG -> AggregateCall.AggregateFunction.AVG;
            case MIN -> AggregateCall.AggregateFunction.MIN;
            case MAX -> AggregateCall.AggregateFunction.MAX;
            case SINGLE_VALUE -> AggregateCall.AggregateFunction.SINGLE_VALUE;
            // bool_and / every is the minimum of booleans, bool_or / some the maximum
            case SOME -> AggregateCall.AggregateFunction.MAX;
            default ->
                switch (call.getAggregation().getName().toUpperCase(Locale.ROOT)) {
                  case "BOOL_AND", "EVERY", "BOOLAND_AGG" -> AggregateCall.AggregateFunction.MIN;
                  case "BOOL_OR", "BOOLOR_AGG" -> AggregateCall.AggregateFunction.MAX;
                  default ->
                      throw OxbowException.userError(
                          "Aggregate function %s is not supported yet",
                          call.getAggregation().getName());
                };
          };
      if (call.getArgList().size() > 1) {
        throw OxbowException.userError(
            "%s with several arguments is not supported yet", call.getAggregation().getName());
      }
      calls.add(
          new AggregateCall(
              fn,
              call.getArgList(),
              call.isDistinct(),
              call.filterArg,
              TypeMapping.toArrow(call.getType())));
    }
    if (!literals.stream().anyMatch(java.util.Objects::nonNull)) {
      return new AggregateNode(input, aggregate.getGroupSet().asList(), calls, fullSchema);
    }
    AggregateNode node =
        new AggregateNode(
            input, aggregate.getGroupSet().asList(), calls, new Schema(aggregateFields));
    List<Expr> exprs = new ArrayList<>();
    for (int k = 0; k < keyCount; k++) {
      exprs.add(new ColumnRef(k, aggregateFields.get(k).getType()));
    }
    for (int a = 0; a < outputOf.size(); a++) {
      exprs.add(
          outputOf.get(a) < 0
              ? literals.get(a)
              : new ColumnRef(outputOf.get(a), aggregateFields.get(outputOf.get(a)).getType()));
    }
    return new ProjectNode(node, exprs, fullSchema);
  }

  /**
   * GROUPING SETS, ROLLUP and CUBE: one aggregation per grouping set, each padded with NULLs for
   * the keys it does not group by (and constants for GROUPING()), combined with UNION ALL.
   */
  private PlanNode groupingSets(Aggregate aggregate) {
    Schema full = schema(aggregate.getRowType());
    List<Integer> allKeys = aggregate.getGroupSet().asList();
    List<PlanNode> branches = new ArrayList<>();
    for (org.apache.calcite.util.ImmutableBitSet set : aggregate.getGroupSets()) {
      List<Integer> keys = set.asList();
      List<AggregateCall> calls = new ArrayList<>();
      List<Field> fields = new ArrayList<>();
      for (int k : keys) {
        fields.add(full.getFields().get(allKeys.indexOf(k)));
      }
      List<Expr> outputs = new ArrayList<>();
      for (int k = 0; k < allKeys.size(); k++) {
        int position = keys.indexOf(allKeys.get(k));
        outputs.add(
            position >= 0
                ? new ColumnRef(position, full.getFields().get(k).getType())
                : new Literal(null, full.getFields().get(k).getType()));
      }
      for (int a = 0; a < aggregate.getAggCallList().size(); a++) {
        org.apache.calcite.rel.core.AggregateCall call = aggregate.getAggCallList().get(a);
        Field field = full.getFields().get(allKeys.size() + a);
        SqlKind kind = call.getAggregation().getKind();
        if (kind == SqlKind.GROUPING || kind == SqlKind.GROUPING_ID) {
          long bits = 0;
          for (int arg : call.getArgList()) {
            bits = (bits << 1) | (set.get(arg) ? 0 : 1);
          }
          outputs.add(new Literal(bits, field.getType()));
          continue;
        }
        if (kind == SqlKind.GROUP_ID) {
          outputs.add(new Literal(0L, field.getType()));
          continue;
        }
        outputs.add(new ColumnRef(keys.size() + calls.size(), field.getType()));
        calls.add(aggregateCall(call));
        fields.add(field);
      }
      AggregateNode node =
          new AggregateNode(convert(aggregate.getInput()), keys, calls, new Schema(fields));
      branches.add(new ProjectNode(node, outputs, full));
    }
    return new UnionAllNode(branches, full);
  }

  /**
   * {@code input} with the types of {@code schema}: a union's branches may differ from the union's
   * (least restrictive) type, as in {@code SELECT bigint_column ... UNION ALL SELECT 0 ...}.
   */
  private static PlanNode castTo(PlanNode input, Schema schema) {
    List<Field> fields = input.schema().getFields();
    List<Expr> outputs = new ArrayList<>();
    boolean cast = false;
    for (int c = 0; c < fields.size(); c++) {
      ArrowType from = fields.get(c).getType();
      ArrowType to = schema.getFields().get(c).getType();
      Expr column = new ColumnRef(c, from);
      if (from.equals(to)) {
        outputs.add(column);
      } else {
        outputs.add(new Call(ScalarFunction.CAST, List.of(column), to));
        cast = true;
      }
    }
    return cast ? new ProjectNode(input, outputs, schema) : input;
  }

  private AggregateCall aggregateCall(org.apache.calcite.rel.core.AggregateCall call) {
    AggregateCall.AggregateFunction fn =
        switch (call.getAggregation().getKind()) {
          case COUNT ->
              call.getArgList().isEmpty()
                  ? AggregateCall.AggregateFunction.COUNT_STAR
                  : AggregateCall.AggregateFunction.COUNT;
          case SUM, SUM0 -> AggregateCall.AggregateFunction.SUM;
          case AVG -> AggregateCall.AggregateFunction.AVG;
          case MIN -> AggregateCall.AggregateFunction.MIN;
          case MAX -> AggregateCall.AggregateFunction.MAX;
          default ->
              throw OxbowException.userError(
                  "Aggregate function %s with GROUPING SETS is not supported yet",
                  call.getAggregation().getName());
        };
    return new AggregateCall(
        fn,
        call.getArgList(),
        call.isDistinct(),
        call.filterArg,
        TypeMapping.toArrow(call.getType()));
  }

  private PlanNode window(Window window) {
    PlanNode input = convert(window.getInput());
    int inputCount = window.getInput().getRowType().getFieldCount();
    List<WindowNode.WindowGroup> groups = new ArrayList<>();
    for (Window.Group group : window.groups) {
      List<SortKey> orderKeys = new ArrayList<>();
      for (RelFieldCollation c : group.orderKeys.getFieldCollations()) {
        orderKeys.add(sortKey(c));
      }
      List<WindowNode.WindowCall> calls = new ArrayList<>();
      for (Window.RexWinAggCall call : group.aggCalls) {
        SqlKind kind = call.getOperator().getKind();
        WindowNode.WindowFunction fn =
            switch (kind) {
              case ROW_NUMBER -> WindowNode.WindowFunction.ROW_NUMBER;
              case RANK -> WindowNode.WindowFunction.RANK;
              case DENSE_RANK -> WindowNode.WindowFunction.DENSE_RANK;
              case NTILE -> WindowNode.WindowFunction.NTILE;
              case LAG -> WindowNode.WindowFunction.LAG;
              case LEAD -> WindowNode.WindowFunction.LEAD;
              case FIRST_VALUE -> WindowNode.WindowFunction.FIRST_VALUE;
              case LAST_VALUE -> WindowNode.WindowFunction.LAST_VALUE;
              case COUNT ->
                  call.getOperands().isEmpty()
                      ? WindowNode.WindowFunction.COUNT_STAR
                      : WindowNode.WindowFunction.COUNT;
              case SUM, SUM0 -> WindowNode.WindowFunction.SUM;
              case AVG -> WindowNode.WindowFunction.AVG;
              case MIN -> WindowNode.WindowFunction.MIN;
              case MAX -> WindowNode.WindowFunction.MAX;
              default ->
                  throw OxbowException.userError(
                      "Window function %s is not supported yet", call.getOperator().getName());
            };
        List<Integer> arguments = new ArrayList<>();
        List<Object> constants = new ArrayList<>();
        for (RexNode operand : call.getOperands()) {
          Object constant = windowConstant(window, inputCount, operand);
          if (constant != NOT_CONSTANT) {
            constants.add(constant);
          } else if (operand instanceof RexInputRef ref) {
            arguments.add(ref.getIndex());
          } else {
            throw OxbowException.userError(
                "Window function arguments must be columns or constants");
          }
        }
        calls.add(
            new WindowNode.WindowCall(
                fn, arguments, constants, call.distinct, TypeMapping.toArrow(call.getType())));
      }
      SqlTypeName orderType =
          orderKeys.size() == 1
              ? window
                  .getInput()
                  .getRowType()
                  .getFieldList()
                  .get(orderKeys.get(0).column())
                  .getType()
                  .getSqlTypeName()
              : null;
      groups.add(
          new WindowNode.WindowGroup(
              group.keys.asList(),
              orderKeys,
              group.isRows,
              bound(window, inputCount, group.lowerBound, orderType),
              bound(window, inputCount, group.upperBound, orderType),
              calls));
    }
    return new WindowNode(input, groups, schema(window.getRowType()));
  }

  private static final Object NOT_CONSTANT = new Object();

  /** A window operand that is a literal or refers to the window's constants, else NOT_CONSTANT. */
  private static Object windowConstant(Window window, int inputCount, RexNode operand) {
    if (operand instanceof RexLiteral literal) {
      return literalValue(literal);
    }
    if (operand instanceof RexInputRef ref && ref.getIndex() >= inputCount) {
      return literalValue(window.constants.get(ref.getIndex() - inputCount));
    }
    return NOT_CONSTANT;
  }

  /**
   * A frame bound; a RANGE offset that is an interval is in the order key's units (days for a DATE
   * key, microseconds for TIMESTAMP and TIME keys).
   */
  private static WindowNode.Bound bound(
      Window window,
      int inputCount,
      org.apache.calcite.rex.RexWindowBound bound,
      SqlTypeName orderType) {
    if (bound.isUnbounded()) {
      return bound.isPreceding()
          ? WindowNode.Bound.UNBOUNDED_PRECEDING
          : WindowNode.Bound.UNBOUNDED_FOLLOWING;
    }
    if (bound.isCurrentRow()) {
      return WindowNode.Bound.CURRENT_ROW;
    }
    Object offset = windowConstant(window, inputCount, bound.getOffset());
    if (offset == NOT_CONSTANT || offset == null) {
      throw OxbowException.userError("Window frame offsets must be constants");
    }
    SqlTypeName offsetType = bound.getOffset().getType().getSqlTypeName();
    if (SqlTypeName.YEAR_INTERVAL_TYPES.contains(offsetType)) {
      throw OxbowException.userError("RANGE offsets in months or years are not supported yet");
    }
    if (SqlTypeName.DAY_INTERVAL_TYPES.contains(offsetType) && orderType == SqlTypeName.DATE) {
      long micros = (Long) offset;
      if (micros % DateTimes.MICROS_PER_DAY != 0) {
        throw OxbowException.userError("RANGE offsets over a DATE must be whole days");
      }
      offset = micros / DateTimes.MICROS_PER_DAY;
    }
    return new WindowNode.Bound(
        bound.isPreceding() ? WindowNode.BoundType.PRECEDING : WindowNode.BoundType.FOLLOWING,
        offset);
  }

  private static SortKey sortKey(RelFieldCollation c) {
    boolean ascending = !c.getDirection().isDescending();
    boolean nullsFirst =
        switch (c.nullDirection) {
          case FIRST -> true;
          case LAST -> false;
          default -> !ascending;
        };
    return new SortKey(c.getFieldIndex(), ascending, nullsFirst);
  }

  private PlanNode sort(Sort sort) {
    PlanNode input = convert(sort.getInput());
    PlanNode result = input;
    if (!sort.getCollation().getFieldCollations().isEmpty()) {
      List<SortKey> keys = new ArrayList<>();
      for (RelFieldCollation c : sort.getCollation().getFieldCollations()) {
        boolean ascending = !c.getDirection().isDescending();
        boolean nullsFirst =
            switch (c.nullDirection) {
              case FIRST -> true;
              case LAST -> false;
              // SQL default as in Trino and PostgreSQL: NULLs sort as the largest value
              default -> !ascending;
            };
        keys.add(new SortKey(c.getFieldIndex(), ascending, nullsFirst));
      }
      result = new SortNode(input, keys);
    }
    if (sort.offset != null || sort.fetch != null) {
      long offset = sort.offset == null ? 0 : longValue(sort.offset);
      long fetch = sort.fetch == null ? -1 : longValue(sort.fetch);
      result = new LimitNode(result, offset, fetch);
    }
    return result;
  }

  private static long longValue(RexNode node) {
    if (node instanceof RexLiteral literal) {
      return literal.getValueAs(Long.class);
    }
    throw OxbowException.userError("LIMIT and OFFSET must be constants");
  }

  private static Schema schema(RelDataType rowType) {
    List<Field> fields = new ArrayList<>();
    for (RelDataTypeField f : rowType.getFieldList()) {
      fields.add(Field.nullable(f.getName(), TypeMapping.toArrow(f.getType())));
    }
    return new Schema(fields);
  }

  // ---- expressions

  Expr expr(RexNode node) {
    if (node instanceof RexInputRef ref) {
      return new ColumnRef(ref.getIndex(), TypeMapping.toArrow(ref.getType()));
    }
    if (node instanceof RexLiteral literal) {
      ArrowType type =
          literal.getType().getSqlTypeName() == SqlTypeName.SYMBOL
              ? ArrowType.Utf8.INSTANCE
              : literalType(literal);
      return new Literal(literalValue(literal), type);
    }
    if (node instanceof RexCall call) {
      return call(call);
    }
    throw OxbowException.userError("Expression %s is not supported yet", node);
  }

  private static ArrowType literalType(RexLiteral literal) {
    return TypeMapping.toArrow(literal.getType());
  }

  /** A literal's value as the engine represents it (see {@link Literal}). */
  private static Object literalValue(RexLiteral literal) {
    if (literal.isNull()) {
      return null;
    }
    SqlTypeName name = literal.getType().getSqlTypeName();
    if (SqlTypeName.YEAR_INTERVAL_TYPES.contains(name)) {
      return literal.getValueAs(BigDecimal.class).longValueExact(); // months
    }
    if (SqlTypeName.DAY_INTERVAL_TYPES.contains(name)) {
      // Calcite keeps day-time intervals in milliseconds; the engine in microseconds
      return literal
          .getValueAs(BigDecimal.class)
          .movePointRight(3)
          .setScale(0, java.math.RoundingMode.HALF_UP)
          .longValueExact();
    }
    return switch (name) {
      case BOOLEAN -> literal.getValueAs(Boolean.class);
      case TINYINT, SMALLINT, INTEGER, BIGINT -> literal.getValueAs(Long.class);
      case REAL, FLOAT, DOUBLE -> literal.getValueAs(Double.class);
      case DECIMAL -> literal.getValueAs(BigDecimal.class);
      case CHAR, VARCHAR -> literal.getValueAs(String.class);
      case DATE -> literal.getValueAs(Integer.class);
      case TIMESTAMP ->
          DateTimes.toMicros(
              java.time.LocalDateTime.parse(
                  literal
                      .getValueAs(org.apache.calcite.util.TimestampString.class)
                      .toString()
                      .replace(' ', 'T')));
      case TIME ->
          DateTimes.parseTime(
              literal.getValueAs(org.apache.calcite.util.TimeString.class).toString());
      case SYMBOL -> String.valueOf(literal.getValue()).toUpperCase(Locale.ROOT);
      default -> throw OxbowException.userError("Literal %s is not supported yet", literal);
    };
  }

  /**
   * A comparison's operands, of one type. Calcite's validator lets a string be compared with a
   * number, date or timestamp (as in {@code l_shipdate = '1998-12-01'}); like Databricks and
   * PostgreSQL for a quoted literal, the string is cast to the other operand's type, so a value
   * that is not one is a clear cast error ({@code Cannot cast 'garbage' to DATE}). A DATE compared
   * with a TIMESTAMP is widened to a TIMESTAMP.
   */
  private List<Expr> comparisonArgs(RexCall call) {
    List<Expr> args = args(call);
    if (args.size() != 2) {
      return args;
    }
    Expr a = args.get(0);
    Expr b = args.get(1);
    io.oxbow.engine.type.Kind ka = kindOrNull(a.type());
    io.oxbow.engine.type.Kind kb = kindOrNull(b.type());
    if (ka == null
        || kb == null
        || ka == kb
        || ka == io.oxbow.engine.type.Kind.NULL
        || kb == io.oxbow.engine.type.Kind.NULL) {
      return args;
    }
    if (ka == io.oxbow.engine.type.Kind.STRING) {
      a = new Call(ScalarFunction.CAST, List.of(a), b.type());
    } else if (kb == io.oxbow.engine.type.Kind.STRING) {
      b = new Call(ScalarFunction.CAST, List.of(b), a.type());
    } else if (ka == io.oxbow.engine.type.Kind.DATE && kb == io.oxbow.engine.type.Kind.TIMESTAMP) {
      a = new Call(ScalarFunction.CAST, List.of(a), b.type());
    } else if (ka == io.oxbow.engine.type.Kind.TIMESTAMP && kb == io.oxbow.engine.type.Kind.DATE) {
      b = new Call(ScalarFunction.CAST, List.of(b), a.type());
    } else {
      return args;
    }
    return List.of(a, b);
  }

  private static io.oxbow.engine.type.Kind kindOrNull(ArrowType type) {
    try {
      return io.oxbow.engine.type.Kind.of(type);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Expr call(RexCall call) {
    ArrowType type =
        call.getType().getSqlTypeName() == SqlTypeName.BOOLEAN
            ? ArrowType.Bool.INSTANCE
            : TypeMapping.toArrow(call.getType());
    SqlKind kind = call.getKind();
    switch (kind) {
      case SEARCH:
        return expr(RexUtil.expandSearch(rexBuilder, null, call));
      case PLUS, MINUS, CHECKED_PLUS, CHECKED_MINUS:
        if (isTemporal(call.getOperands().get(0)) || isTemporal(call.getOperands().get(1))) {
          return dateArithmetic(call, kind == SqlKind.MINUS || kind == SqlKind.CHECKED_MINUS, type);
        }
        return new Call(
            kind == SqlKind.MINUS || kind == SqlKind.CHECKED_MINUS
                ? ScalarFunction.SUBTRACT
                : ScalarFunction.ADD,
            args(call),
            type);
      case TIMES:
        return new Call(ScalarFunction.MULTIPLY, args(call), type);
      case DIVIDE:
        return new Call(ScalarFunction.DIVIDE, args(call), type);
      case MOD:
        return new Call(ScalarFunction.MOD, args(call), type);
      case MINUS_PREFIX:
        return new Call(ScalarFunction.NEGATE, args(call), type);
      case PLUS_PREFIX:
        return expr(call.getOperands().get(0));
      case EQUALS:
        return new Call(ScalarFunction.EQUAL, comparisonArgs(call), type);
      case NOT_EQUALS:
        return new Call(ScalarFunction.NOT_EQUAL, comparisonArgs(call), type);
      case LESS_THAN:
        return new Call(ScalarFunction.LESS_THAN, comparisonArgs(call), type);
      case LESS_THAN_OR_EQUAL:
        return new Call(ScalarFunction.LESS_THAN_OR_EQUAL, comparisonArgs(call), type);
      case GREATER_THAN:
        return new Call(ScalarFunction.GREATER_THAN, comparisonArgs(call), type);
      case GREATER_THAN_OR_EQUAL:
        return new Call(ScalarFunction.GREATER_THAN_OR_EQUAL, comparisonArgs(call), type);
      case IS_DISTINCT_FROM:
        return new Call(ScalarFunction.IS_DISTINCT_FROM, comparisonArgs(call), type);
      case IS_NOT_DISTINCT_FROM:
        return new Call(ScalarFunction.IS_NOT_DISTINCT_FROM, comparisonArgs(call), type);
      case AND:
        return new Call(ScalarFunction.AND, args(call), type);
      case OR:
        return new Call(ScalarFunction.OR, args(call), type);
      case NOT:
        return new Call(ScalarFunction.NOT, args(call), type);
      case IS_NULL:
        return new Call(ScalarFunction.IS_NULL, args(call), type);
      case IS_NOT_NULL:
        return new Call(ScalarFunction.IS_NOT_NULL, args(call), type);
      case IS_TRUE:
        return new Call(ScalarFunction.IS_TRUE, args(call), type);
      case IS_NOT_TRUE:
        return new Call(ScalarFunction.IS_NOT_TRUE, args(call), type);
      case IS_FALSE:
        return new Call(ScalarFunction.IS_FALSE, args(call), type);
      case IS_NOT_FALSE:
        return new Call(ScalarFunction.IS_NOT_FALSE, args(call), type);
      case CASE:
        {
          List<Expr> args = args(call);
          if (args.size() % 2 == 0) {
            args.add(new Literal(null, type));
          }
          return new Call(ScalarFunction.CASE, args, type);
        }
      case COALESCE:
        return new Call(ScalarFunction.COALESCE, args(call), type);
      case CAST:
        {
          Expr arg = expr(call.getOperands().get(0));
          if (arg.type().equals(type)) {
            return arg;
          }
          return new Call(ScalarFunction.CAST, List.of(arg), type);
        }
      case LIKE:
        {
          boolean caseSensitive =
              !(call.getOperator() instanceof SqlLikeOperator op) || op.isCaseSensitive();
          Expr like =
              new Call(
                  caseSensitive ? ScalarFunction.LIKE : ScalarFunction.ILIKE, args(call), type);
          if (call.getOperator() instanceof SqlLikeOperator op && op.isNegated()) {
            return new Call(ScalarFunction.NOT, List.of(like), type);
          }
          return like;
        }
      case EXTRACT:
        return new Call(ScalarFunction.EXTRACT, args(call), type);
      case POSITION:
        if (call.getOperands().size() > 2) {
          throw OxbowException.userError("POSITION ... FROM is not supported yet");
        }
        return new Call(ScalarFunction.POSITION, args(call), type);
      case POSIX_REGEX_CASE_SENSITIVE, RLIKE:
        return new Call(ScalarFunction.REGEXP_LIKE, args(call), type);
      case TRIM:
        return new Call(ScalarFunction.TRIM, args(call), type);
      case REINTERPRET:
        return reinterpret(call, type);
      case FLOOR:
      case CEIL:
        if (call.getOperands().size() != 1) {
          throw OxbowException.userError("%s with a time unit is not supported yet", kind);
        }
        return new Call(
            kind == SqlKind.FLOOR ? ScalarFunction.FLOOR : ScalarFunction.CEIL, args(call), type);
      default:
        break;
    }
    String name = call.getOperator().getName().toUpperCase(Locale.ROOT);
    return switch (name) {
      // the clock is read once per statement, in UTC, when it is planned
      case "CURRENT_DATE" ->
          new Literal((int) now.atOffset(ZoneOffset.UTC).toLocalDate().toEpochDay(), type);
      case "CURRENT_TIMESTAMP", "LOCALTIMESTAMP" ->
          new Literal(
              now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000L,
              new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, null));
      case "CURRENT_TIME", "LOCALTIME" ->
          new Literal(
              DateTimes.timeOf(now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000L), type);
      case "SUBSTRING" -> new Call(ScalarFunction.SUBSTRING, args(call), type);
      case "UPPER" -> new Call(ScalarFunction.UPPER, args(call), type);
      case "LOWER" -> new Call(ScalarFunction.LOWER, args(call), type);
      case "||", "CONCAT" -> new Call(ScalarFunction.CONCAT, args(call), type);
      case "CHAR_LENGTH", "CHARACTER_LENGTH", "LENGTH" ->
          new Call(ScalarFunction.CHAR_LENGTH, args(call), type);
      case "ABS" -> new Call(ScalarFunction.ABS, args(call), type);
      case "POWER" -> new Call(ScalarFunction.POWER, args(call), type);
      case "SQRT" -> new Call(ScalarFunction.SQRT, args(call), type);
      case "REPLACE" -> new Call(ScalarFunction.REPLACE, args(call), type);
      case "SPLIT_PART" -> new Call(ScalarFunction.SPLIT_PART, args(call), type);
      case "REGEXP_LIKE" -> new Call(ScalarFunction.REGEXP_LIKE, args(call), type);
      case "STRPOS" -> {
        List<Expr> a = args(call);
        yield new Call(ScalarFunction.POSITION, List.of(a.get(1), a.get(0)), type);
      }
      case "DATE_TRUNC" -> {
        List<Expr> a = args(call);
        // PostgreSQL's date_trunc('month', x) and BigQuery's DATE_TRUNC(x, MONTH)
        yield a.get(0).type() instanceof ArrowType.Utf8
                && !(a.get(1).type() instanceof ArrowType.Utf8)
            ? new Call(ScalarFunction.DATE_TRUNC, a, type)
            : new Call(ScalarFunction.DATE_TRUNC, List.of(a.get(1), a.get(0)), type);
      }
      case "ROUND" -> new Call(ScalarFunction.ROUND, args(call), type);
      default ->
          throw OxbowException.userError(
              "Function %s is not supported yet", call.getOperator().getName());
    };
  }

  private static boolean isTemporal(RexNode node) {
    SqlTypeFamily family = node.getType().getSqlTypeName().getFamily();
    return family == SqlTypeFamily.DATE
        || family == SqlTypeFamily.TIME
        || family == SqlTypeFamily.TIMESTAMP
        || isInterval(node);
  }

  private static boolean isInterval(RexNode node) {
    return SqlTypeName.INTERVAL_TYPES.contains(node.getType().getSqlTypeName());
  }

  /**
   * {@code +} and {@code -} with a datetime or interval operand: datetime +/- interval, interval
   * +/- interval and datetime - datetime (an interval) become engine ADD and SUBTRACT; a DATE or
   * TIMESTAMP plus a constant number of months or whole days keeps the engine's DATE_ADD_MONTHS /
   * DATE_ADD_DAYS, and a constant DATE plus a constant interval is folded here.
   */
  private Expr dateArithmetic(RexCall call, boolean subtract, ArrowType type) {
    RexNode left = call.getOperands().get(0);
    RexNode right = call.getOperands().get(1);
    ScalarFunction fn = subtract ? ScalarFunction.SUBTRACT : ScalarFunction.ADD;
    if (isInterval(left) == isInterval(right)) {
      return new Call(fn, args(call), type);
    }
    RexNode datetime = isInterval(left) ? right : left;
    RexNode interval = datetime == left ? right : left;
    SqlTypeName datetimeType = datetime.getType().getSqlTypeName();
    SqlTypeName intervalType = interval.getType().getSqlTypeName();
    ArrowType int64 = new ArrowType.Int(64, true);
    boolean months = SqlTypeName.YEAR_INTERVAL_TYPES.contains(intervalType);
    if (datetime instanceof RexLiteral base
        && interval instanceof RexLiteral step
        && !base.isNull()
        && !step.isNull()
        && datetimeType == SqlTypeName.DATE
        && (months || wholeDays(interval))) {
      // constant date arithmetic (TPC-H's "date '1998-12-01' - interval '90' day") is folded here
      long value = step.getValueAs(BigDecimal.class).longValueExact();
      long sign = subtract ? -1 : 1;
      java.time.LocalDate date = java.time.LocalDate.ofEpochDay(base.getValueAs(Integer.class));
      java.time.LocalDate result =
          months ? date.plusMonths(sign * value) : date.plusDays(sign * value / 86_400_000L);
      return new Literal((int) result.toEpochDay(), TypeMapping.toArrow(datetime.getType()));
    }
    if (datetimeType == SqlTypeName.DATE && !months && !wholeDays(interval)) {
      // PostgreSQL and Trino make this a TIMESTAMP, but Calcite types the sum as a DATE
      throw OxbowException.userError(
          "DATE %s an interval of hours, minutes or seconds is not supported: cast the DATE to"
              + " TIMESTAMP first",
          subtract ? "minus" : "plus");
    }
    if (datetimeType != SqlTypeName.TIME && interval instanceof RexLiteral step && !step.isNull()) {
      long value = step.getValueAs(BigDecimal.class).longValueExact();
      if (months || value % 86_400_000L == 0) {
        long amount = months ? value : value / 86_400_000L;
        Expr base = expr(datetime);
        return new Call(
            months ? ScalarFunction.DATE_ADD_MONTHS : ScalarFunction.DATE_ADD_DAYS,
            List.of(base, new Literal(subtract ? -amount : amount, int64)),
            base.type());
      }
    }
    return new Call(fn, List.of(expr(datetime), expr(interval)), type);
  }

  /**
   * Calcite's REINTERPRET of an interval as a number (from {@code CAST(interval AS INTEGER)} and
   * {@code TIMESTAMPDIFF}): its count in Calcite's units, months or milliseconds.
   */
  private Expr reinterpret(RexCall call, ArrowType type) {
    RexNode operand = call.getOperands().get(0);
    Expr arg = expr(operand);
    if (arg.type().equals(type)) {
      return arg;
    }
    if (!isInterval(operand) || !(type instanceof ArrowType.Int)) {
      throw OxbowException.userError(
          "Reinterpreting %s as %s is not supported yet", operand.getType(), call.getType());
    }
    ArrowType int64 = new ArrowType.Int(64, true);
    Expr count = new Call(ScalarFunction.CAST, List.of(arg), int64);
    if (SqlTypeName.DAY_INTERVAL_TYPES.contains(operand.getType().getSqlTypeName())) {
      count = new Call(ScalarFunction.DIVIDE, List.of(count, new Literal(1_000L, int64)), int64);
    }
    return type.equals(int64) ? count : new Call(ScalarFunction.CAST, List.of(count), type);
  }

  /** Whether a day-time interval is known to be a whole number of days. */
  private static boolean wholeDays(RexNode interval) {
    if (interval instanceof RexLiteral literal) {
      return literal.isNull()
          || literal
                  .getValueAs(BigDecimal.class)
                  .remainder(BigDecimal.valueOf(86_400_000L))
                  .signum()
              == 0;
    }
    return interval.getType().getSqlTypeName() == SqlTypeName.INTERVAL_DAY;
  }

  private List<Expr> args(RexCall call) {
    List<Expr> args = new ArrayList<>();
    for (RexNode operand : call.getOperands()) {
      args.add(expr(operand));
    }
    return args;
  }
}
