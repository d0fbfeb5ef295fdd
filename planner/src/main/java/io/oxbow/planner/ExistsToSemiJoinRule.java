package io.oxbow.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.CorrelationId;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCorrelVariable;
import org.apache.calcite.rex.RexFieldAccess;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexShuttle;
import org.apache.calcite.rex.RexSubQuery;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.rex.RexVisitorImpl;
import org.apache.calcite.sql.SqlKind;

/**
 * Turns {@code EXISTS} and {@code NOT EXISTS} conjuncts of a WHERE clause into SEMI and ANTI joins
 * when the subquery is a filter over relations that do not depend on the outer row, with the
 * correlation only in that filter's condition (TPC-H Q4, Q21, Q22):
 *
 * <pre>
 *   WHERE EXISTS (SELECT .. FROM t WHERE t.k = o.k AND t.a &lt;&gt; o.a AND t.x &gt; 0)
 *   =&gt;  o SEMI JOIN (SELECT * FROM t WHERE t.x &gt; 0) ON t.k = o.k AND t.a &lt;&gt; o.a
 * </pre>
 *
 * <p>Calcite's own path (a correlate, then the decorrelator) instead joins the subquery with the
 * distinct outer keys and aggregates it, and for a non-equality correlation such as Q21's {@code
 * l2.l_suppkey <> l1.l_suppkey} repeats the outer query inside the subquery. A SEMI join keeps an
 * outer row when some subquery row makes the condition TRUE, which is EXISTS; an ANTI join keeps it
 * when none does, which is NOT EXISTS (a condition that is NULL for every row counts as no match in
 * both). Conjuncts of the subquery's filter that do not use the outer row filter the join's right
 * input. Every other subquery is left to Calcite's rules.
 */
final class ExistsToSemiJoinRule extends RelOptRule {
  static final ExistsToSemiJoinRule INSTANCE = new ExistsToSemiJoinRule();

  private ExistsToSemiJoinRule() {
    super(operand(LogicalFilter.class, any()), "ExistsToSemiJoinRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    LogicalFilter filter = call.rel(0);
    Set<CorrelationId> variables = filter.getVariablesSet();
    if (variables.isEmpty() || !RexUtil.SubQueryFinder.containsSubQuery(filter)) {
      return;
    }
    RelNode input = filter.getInput();
    RelDataType outerType = input.getRowType();
    RexBuilder rexBuilder = filter.getCluster().getRexBuilder();
    RelNode current = input;
    List<RexNode> rest = new ArrayList<>();
    boolean changed = false;
    for (RexNode conjunct : RelOptUtil.conjunctions(filter.getCondition())) {
      boolean negated = conjunct.isA(SqlKind.NOT);
      RexNode inner =
          negated ? ((org.apache.calcite.rex.RexCall) conjunct).getOperands().get(0) : conjunct;
      Rewrite rewrite =
          inner instanceof RexSubQuery subQuery && subQuery.getKind() == SqlKind.EXISTS
              ? rewrite(subQuery.rel, variables, outerType, rexBuilder)
              : null;
      if (rewrite == null) {
        rest.add(conjunct);
        continue;
      }
      // SEMI and ANTI joins output the left row as it is, so later conjuncts keep their indexes
      current =
          LogicalJoin.create(
              current,
              rewrite.right,
              List.of(),
              rewrite.condition,
              Set.of(),
              negated ? JoinRelType.ANTI : JoinRelType.SEMI);
      changed = true;
    }
    if (!changed) {
      return;
    }
    RelNode result =
        rest.isEmpty()
            ? current
            : LogicalFilter.create(
                current,
                RexUtil.composeConjunction(rexBuilder, rest),
                com.google.common.collect.ImmutableSet.copyOf(variables));
    call.transformTo(result);
  }

  /** The join's right input and condition. */
  private record Rewrite(RelNode right, RexNode condition) {}

  /**
   * The SEMI/ANTI join for {@code EXISTS (rel)}, or null when {@code rel} is not a (projected)
   * filter whose input is independent of the outer row and whose condition uses it.
   */
  private static Rewrite rewrite(
      RelNode rel, Set<CorrelationId> variables, RelDataType outerType, RexBuilder rexBuilder) {
    while (rel instanceof LogicalProject project) {
      rel = project.getInput(); // EXISTS ignores what the subquery selects
    }
    if (!(rel instanceof LogicalFilter subFilter)) {
      return null;
    }
    RelNode right = subFilter.getInput();
    if (!RelOptUtil.getVariablesUsed(right).isEmpty()
        || RexUtil.SubQueryFinder.containsSubQuery(subFilter)) {
      return null;
    }
    int outerCount = outerType.getFieldCount();
    List<RexNode> local = new ArrayList<>();
    List<RexNode> correlated = new ArrayList<>();
    for (RexNode conjunct : RelOptUtil.conjunctions(subFilter.getCondition())) {
      CorrelationUse use = CorrelationUse.of(conjunct);
      if (use.other) {
        return null; // a correlation variable this filter does not own, or of another shape
      }
      if (!use.ids.isEmpty() && !variables.containsAll(use.ids)) {
        return null;
      }
      (use.ids.isEmpty() ? local : correlated).add(conjunct);
    }
    if (correlated.isEmpty()) {
      return null; // uncorrelated EXISTS: Calcite's rewrite evaluates it once
    }
    for (CorrelationId id : variables) {
      // the outer row's type must be the correlation variable's (it is for a WHERE subquery)
      if (!matchesOuter(correlated, id, outerType)) {
        return null;
      }
    }
    if (!local.isEmpty()) {
      right =
          subFilter.copy(
              subFilter.getTraitSet(), right, RexUtil.composeConjunction(rexBuilder, local));
    }
    List<RelDataType> rightTypes = new ArrayList<>();
    right.getRowType().getFieldList().forEach(f -> rightTypes.add(f.getType()));
    RexShuttle toJoin =
        new RexShuttle() {
          @Override
          public RexNode visitInputRef(RexInputRef ref) {
            return new RexInputRef(ref.getIndex() + outerCount, rightTypes.get(ref.getIndex()));
          }

          @Override
          public RexNode visitFieldAccess(RexFieldAccess access) {
            if (access.getReferenceExpr() instanceof RexCorrelVariable) {
              int field = access.getField().getIndex();
              return new RexInputRef(field, outerType.getFieldList().get(field).getType());
            }
            return super.visitFieldAccess(access);
          }
        };
    List<RexNode> condition = new ArrayList<>();
    for (RexNode conjunct : correlated) {
      condition.add(conjunct.accept(toJoin));
    }
    return new Rewrite(right, RexUtil.composeConjunction(rexBuilder, condition));
  }

  private static boolean matchesOuter(
      List<RexNode> conjuncts, CorrelationId id, RelDataType outer) {
    boolean[] ok = {true};
    for (RexNode conjunct : conjuncts) {
      conjunct.accept(
          new RexVisitorImpl<Void>(true) {
            @Override
            public Void visitCorrelVariable(RexCorrelVariable variable) {
              if (variable.id.equals(id)
                  && variable.getType().getFieldCount() != outer.getFieldCount()) {
                ok[0] = false;
              }
              return null;
            }
          });
    }
    return ok[0];
  }

  /**
   * Which correlation variables an expression uses, and whether it uses one other than as a field.
   */
  private static final class CorrelationUse extends RexVisitorImpl<Void> {
    final Set<CorrelationId> ids = new java.util.HashSet<>();
    boolean other;

    private CorrelationUse() {
      super(true);
    }

    static CorrelationUse of(RexNode node) {
      CorrelationUse use = new CorrelationUse();
      node.accept(use);
      return use;
    }

    @Override
    public Void visitFieldAccess(RexFieldAccess access) {
      if (access.getReferenceExpr() instanceof RexCorrelVariable variable) {
        ids.add(variable.id);
        return null;
      }
      return super.visitFieldAccess(access);
    }

    @Override
    public Void visitCorrelVariable(RexCorrelVariable variable) {
      other = true; // the whole outer row, not one of its fields
      return null;
    }

    @Override
    public Void visitSubQuery(RexSubQuery subQuery) {
      other = true;
      return null;
    }
  }
}
