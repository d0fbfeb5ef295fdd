package io.oxbow.planner;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * Makes more of an inner join's condition pushable into its inputs, as Trino and DuckDB do for
 * TPC-H Q7 and Q19:
 *
 * <ul>
 *   <li>conjuncts common to every branch of an OR are pulled out of it ({@code (a AND x) OR (a AND
 *       y)} becomes {@code a AND (x OR y)}), so a common join key becomes an equi-join key and a
 *       common single-table predicate can be pushed below the join;
 *   <li>for each input, when every branch of an OR has conjuncts that use only that input's
 *       columns, the OR of those conjuncts is implied by the condition and is added to it ({@code
 *       (n1 = 'FRANCE' AND n2 = 'GERMANY') OR (n1 = 'GERMANY' AND n2 = 'FRANCE')} implies {@code n1
 *       IN ('FRANCE', 'GERMANY')}); {@code JOIN_CONDITION_PUSH} then moves it into the input. The
 *       original OR stays, so the join's result is unchanged.
 * </ul>
 */
final class DeriveJoinPredicatesRule extends RelOptRule {
  static final DeriveJoinPredicatesRule INSTANCE = new DeriveJoinPredicatesRule();

  private DeriveJoinPredicatesRule() {
    super(operand(LogicalJoin.class, any()), "DeriveJoinPredicatesRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    LogicalJoin join = call.rel(0);
    if (join.getJoinType() != JoinRelType.INNER) {
      return;
    }
    RexBuilder rexBuilder = join.getCluster().getRexBuilder();
    RexNode condition = join.getCondition();
    RexNode pulled = RexUtil.pullFactors(rexBuilder, condition);
    List<RexNode> conjuncts = new ArrayList<>(RelOptUtil.conjunctions(pulled));
    int leftCount = join.getLeft().getRowType().getFieldCount();
    int total = join.getRowType().getFieldCount();
    ImmutableBitSet left = ImmutableBitSet.range(0, leftCount);
    ImmutableBitSet right = ImmutableBitSet.range(leftCount, total);
    List<RexNode> derived = new ArrayList<>();
    for (RexNode conjunct : conjuncts) {
      if (!conjunct.isA(org.apache.calcite.sql.SqlKind.OR)) {
        continue;
      }
      for (ImmutableBitSet side : List.of(left, right)) {
        RexNode implied = implied(rexBuilder, conjunct, side);
        if (implied != null && !conjuncts.contains(implied) && !derived.contains(implied)) {
          derived.add(implied);
        }
      }
    }
    if (derived.isEmpty() && pulled.equals(condition)) {
      return;
    }
    conjuncts.addAll(derived);
    RexNode rewritten = RexUtil.composeConjunction(rexBuilder, conjuncts);
    if (rewritten.equals(condition)) {
      return;
    }
    call.transformTo(
        join.copy(
            join.getTraitSet(),
            rewritten,
            join.getLeft(),
            join.getRight(),
            join.getJoinType(),
            join.isSemiJoinDone()));
  }

  /**
   * The OR over the branches of {@code or} of each branch's conjuncts that use only {@code side}'s
   * columns, or null if some branch has none (then nothing is implied) or the OR uses only that
   * side already (it is pushed as it is).
   */
  private static RexNode implied(RexBuilder rexBuilder, RexNode or, ImmutableBitSet side) {
    if (side.contains(RelOptUtil.InputFinder.bits(or))) {
      return null;
    }
    List<RexNode> branches = new ArrayList<>();
    for (RexNode disjunct : RelOptUtil.disjunctions(or)) {
      List<RexNode> kept = new ArrayList<>();
      for (RexNode conjunct : RelOptUtil.conjunctions(disjunct)) {
        ImmutableBitSet used = RelOptUtil.InputFinder.bits(conjunct);
        if (!used.isEmpty() && side.contains(used) && RexUtil.isDeterministic(conjunct)) {
          kept.add(conjunct);
        }
      }
      if (kept.isEmpty()) {
        return null;
      }
      branches.add(RexUtil.composeConjunction(rexBuilder, kept));
    }
    return RexUtil.composeDisjunction(rexBuilder, branches);
  }
}
