package io.oxbow.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;

/**
 * Reduces the input of a grouped aggregate that is inner-joined on its group keys with a much
 * smaller relation, as DuckDB's delim join does for decorrelated subqueries (TPC-H Q17's {@code
 * avg(l_quantity)} per part, Q2's {@code min(ps_supplycost)} per part): {@code Join(Aggregate(X),
 * B, k = b)} becomes {@code Join(Aggregate(SemiJoin(X, B, x = b)), B, k = b)}, where {@code x} is
 * the input column the group key {@code k} reads. Every row of a group has the same key, so the
 * semi-join keeps or drops whole groups, and it drops exactly the groups whose key has no partner
 * in {@code B}, which the inner join drops anyway: the result is unchanged, but the aggregate
 * hashes only the rows of the groups that survive.
 *
 * <p>{@code B} is evaluated twice, so the rule fires only when the estimates say that {@code B} is
 * much smaller than the aggregate's input.
 */
final class AggregateSemiJoinReductionRule extends RelOptRule {
  static final AggregateSemiJoinReductionRule INSTANCE = new AggregateSemiJoinReductionRule();

  /** {@code B} must have at most this fraction of the aggregate input's estimated rows. */
  private static final double MAX_SIZE_RATIO = 0.1;

  private AggregateSemiJoinReductionRule() {
    super(
        operand(LogicalJoin.class, unordered(operand(LogicalAggregate.class, any()))),
        "AggregateSemiJoinReductionRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    LogicalJoin join = call.rel(0);
    LogicalAggregate aggregate = call.rel(1);
    if (join.getJoinType() != JoinRelType.INNER
        || aggregate.getGroupType() != Aggregate.Group.SIMPLE
        || aggregate.getGroupCount() == 0) {
      return;
    }
    RelNode input = aggregate.getInput().stripped();
    if (input instanceof LogicalJoin inner && inner.getJoinType() == JoinRelType.SEMI) {
      return; // reduced already
    }
    boolean aggregateIsLeft = join.getLeft().stripped() == aggregate;
    RelNode other = aggregateIsLeft ? join.getRight() : join.getLeft();
    int leftCount = join.getLeft().getRowType().getFieldCount();
    int aggregateOffset = aggregateIsLeft ? 0 : leftCount;
    int otherOffset = aggregateIsLeft ? leftCount : 0;
    int groupCount = aggregate.getGroupCount();
    int inputWidth = input.getRowType().getFieldCount();
    RexBuilder rexBuilder = join.getCluster().getRexBuilder();
    List<RexNode> semiConditions = new ArrayList<>();
    for (RexNode conjunct : RelOptUtil.conjunctions(join.getCondition())) {
      if (!conjunct.isA(SqlKind.EQUALS)) {
        continue;
      }
      List<RexNode> operands = ((RexCall) conjunct).getOperands();
      if (!(operands.get(0) instanceof RexInputRef a)
          || !(operands.get(1) instanceof RexInputRef b)) {
        continue;
      }
      RexInputRef key = isGroupKey(a, aggregateOffset, groupCount) ? a : b;
      RexInputRef partner = key == a ? b : a;
      if (!isGroupKey(key, aggregateOffset, groupCount)
          || partner.getIndex() < otherOffset
          || partner.getIndex() >= otherOffset + other.getRowType().getFieldCount()) {
        continue;
      }
      int inputColumn = aggregate.getGroupSet().nth(key.getIndex() - aggregateOffset);
      semiConditions.add(
          rexBuilder.makeCall(
              SqlStdOperatorTable.EQUALS,
              rexBuilder.makeInputRef(input, inputColumn),
              new RexInputRef(inputWidth + partner.getIndex() - otherOffset, partner.getType())));
    }
    if (semiConditions.isEmpty() || !smallEnough(other, input)) {
      return;
    }
    RelNode semiJoin =
        LogicalJoin.create(
            aggregate.getInput(),
            other,
            List.of(),
            RexUtil.composeConjunction(rexBuilder, semiConditions),
            Set.of(),
            JoinRelType.SEMI);
    RelNode reduced = aggregate.copy(aggregate.getTraitSet(), List.of(semiJoin));
    call.transformTo(
        join.copy(
            join.getTraitSet(),
            join.getCondition(),
            aggregateIsLeft ? reduced : join.getLeft(),
            aggregateIsLeft ? join.getRight() : reduced,
            join.getJoinType(),
            join.isSemiJoinDone()));
  }

  private static boolean isGroupKey(RexInputRef ref, int offset, int groupCount) {
    return ref.getIndex() >= offset && ref.getIndex() < offset + groupCount;
  }

  private static boolean smallEnough(RelNode other, RelNode input) {
    RelMetadataQuery mq = other.getCluster().getMetadataQuery();
    Double otherRows = mq.getRowCount(other);
    Double inputRows = mq.getRowCount(input);
    return otherRows != null && inputRows != null && otherRows <= inputRows * MAX_SIZE_RATIO;
  }
}
