package io.oxbow.planner;

import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.rules.SemiJoinJoinTransposeRule;

/**
 * Calcite's {@link SemiJoinJoinTransposeRule} (a SEMI join over a join moves to the join's input
 * that holds its keys) when that pays: the SEMI join's condition is all equalities and its right
 * input is estimated at under a quarter of the rows of the input it moves onto, so it shrinks that
 * input early. TPC-H Q20: {@code ps_partkey IN (parts named 'forest%')} filters partsupp before
 * partsupp is joined with the per-(part, supplier) sums of lineitem, which {@link
 * AggregateSemiJoinReductionRule} then restricts to the few remaining pairs. A SEMI join against a
 * large relation (Q21's EXISTS over lineitem) stays above the selective joins.
 */
final class SelectiveSemiJoinTransposeRule extends SemiJoinJoinTransposeRule {
  static final SelectiveSemiJoinTransposeRule INSTANCE = new SelectiveSemiJoinTransposeRule();

  private SelectiveSemiJoinTransposeRule() {
    super(SemiJoinJoinTransposeRule.Config.DEFAULT);
  }

  @Override
  public boolean matches(RelOptRuleCall call) {
    Join semiJoin = call.rel(0);
    Join join = call.rel(1);
    if (semiJoin.getJoinType() != JoinRelType.SEMI
        || join.isSemiJoin()
        || join.getJoinType() != JoinRelType.INNER) {
      return false;
    }
    JoinInfo info = semiJoin.analyzeCondition();
    if (!info.isEqui() || info.leftKeys.isEmpty()) {
      return false;
    }
    int leftWidth = join.getLeft().getRowType().getFieldCount();
    boolean allLeft = info.leftKeys.stream().allMatch(k -> k < leftWidth);
    boolean allRight = info.leftKeys.stream().allMatch(k -> k >= leftWidth);
    if (allLeft == allRight) {
      return false;
    }
    RelNode target = allLeft ? join.getLeft() : join.getRight();
    RelMetadataQuery mq = semiJoin.getCluster().getMetadataQuery();
    Double filter = mq.getRowCount(semiJoin.getRight());
    Double rows = mq.getRowCount(target);
    return filter != null && rows != null && filter * 4 < rows;
  }
}
