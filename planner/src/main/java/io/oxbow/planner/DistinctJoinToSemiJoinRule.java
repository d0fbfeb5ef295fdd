package io.oxbow.planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.JoinInfo;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.logical.LogicalProject;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rel.type.RelDataTypeField;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.sql.type.SqlTypeUtil;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * An inner join with the distinct values of a relation ({@code x JOIN (SELECT DISTINCT k FROM r) ON
 * x.c = k}, which is what {@code x.c IN (SELECT k FROM r)} becomes) turns into {@code x SEMI JOIN r
 * ON x.c = r.k}, with {@code k} taken from {@code x.c}, which equals it. The SEMI join needs no
 * aggregation of {@code r}, and {@link SelectiveSemiJoinTransposeRule} can then move it below other
 * joins (TPC-H Q20's {@code ps_partkey IN (parts named 'forest%')}). Only when {@code r} is
 * estimated no larger than {@code x}, because the SEMI join builds its hash table on {@code r}.
 */
final class DistinctJoinToSemiJoinRule extends RelOptRule {
  static final DistinctJoinToSemiJoinRule INSTANCE = new DistinctJoinToSemiJoinRule();

  private DistinctJoinToSemiJoinRule() {
    super(
        operand(
            LogicalJoin.class,
            operand(RelNode.class, any()),
            operand(LogicalAggregate.class, any())),
        "DistinctJoinToSemiJoinRule");
  }

  @Override
  public void onMatch(RelOptRuleCall call) {
    LogicalJoin join = call.rel(0);
    RelNode left = call.rel(1);
    LogicalAggregate distinct = call.rel(2);
    if (join.getJoinType() != JoinRelType.INNER
        || !distinct.getAggCallList().isEmpty()
        || distinct.getGroupSets().size() != 1) {
      return;
    }
    JoinInfo info = join.analyzeCondition();
    int groups = distinct.getGroupCount();
    if (!info.isEqui() || !info.rightSet().equals(ImmutableBitSet.range(groups))) {
      return; // every distinct column must be a join key
    }
    int leftWidth = left.getRowType().getFieldCount();
    List<RelDataTypeField> leftFields = left.getRowType().getFieldList();
    List<RelDataTypeField> rightFields = distinct.getRowType().getFieldList();
    // the right column each left key equals, and the left key standing in for each right column
    int[] standIn = new int[groups];
    java.util.Arrays.fill(standIn, -1);
    for (int i = 0; i < info.leftKeys.size(); i++) {
      int l = info.leftKeys.get(i);
      int r = info.rightKeys.get(i);
      if (!SqlTypeUtil.equalSansNullability(
          join.getCluster().getTypeFactory(),
          leftFields.get(l).getType(),
          rightFields.get(r).getType())) {
        return;
      }
      if (standIn[r] < 0) {
        standIn[r] = l;
      }
    }
    RelMetadataQuery mq = join.getCluster().getMetadataQuery();
    Double buildRows = mq.getRowCount(distinct.getInput());
    Double probeRows = mq.getRowCount(left);
    if (buildRows == null || probeRows == null || buildRows > probeRows) {
      return;
    }
    RexBuilder rexBuilder = join.getCluster().getRexBuilder();
    RelNode input = distinct.getInput();
    List<Integer> groupColumns = distinct.getGroupSet().asList();
    List<RelDataTypeField> inputFields = input.getRowType().getFieldList();
    List<RexNode> condition = new ArrayList<>();
    for (int i = 0; i < info.leftKeys.size(); i++) {
      int l = info.leftKeys.get(i);
      int c = groupColumns.get(info.rightKeys.get(i));
      condition.add(
          rexBuilder.makeCall(
              org.apache.calcite.sql.fun.SqlStdOperatorTable.EQUALS,
              new RexInputRef(l, leftFields.get(l).getType()),
              new RexInputRef(leftWidth + c, inputFields.get(c).getType())));
    }
    LogicalJoin semi =
        LogicalJoin.create(
            left,
            input,
            join.getHints(),
            org.apache.calcite.rex.RexUtil.composeConjunction(rexBuilder, condition),
            Set.of(),
            JoinRelType.SEMI);
    List<RexNode> projects = new ArrayList<>();
    for (int i = 0; i < leftWidth; i++) {
      projects.add(new RexInputRef(i, leftFields.get(i).getType()));
    }
    for (int r = 0; r < groups; r++) {
      RexNode value = new RexInputRef(standIn[r], leftFields.get(standIn[r]).getType());
      // the join's output type (nullability) for the column
      projects.add(
          rexBuilder.makeCast(
              join.getRowType().getFieldList().get(leftWidth + r).getType(), value, true, false));
    }
    call.transformTo(
        LogicalProject.create(
            semi, List.of(), projects, join.getRowType().getFieldNames(), Set.of()));
  }
}
