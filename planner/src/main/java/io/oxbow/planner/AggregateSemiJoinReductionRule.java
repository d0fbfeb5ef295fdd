package io.oxbow.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelOptRuleCall;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Aggregate;
import org.apache.calcite.rel.core.JoinRelType;
import org.apache.calcite.rel.logical.LogicalAggregate;
import org.apache.calcite.rel.logical.LogicalFilter;
import org.apache.calcite.rel.logical.LogicalJoin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexBuilder;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.util.ImmutableBitSet;

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
 * <p>The semi-join evaluates {@code B} a second time, so the rule fires only when the estimates say
 * that {@code B} is much smaller than the aggregate's input. When it is not, an input of {@code B}
 * (through inner joins and filters) that holds all of {@code b} may serve instead: {@code B}'s keys
 * are among that input's, so the groups it drops are still only groups the join drops. For the same
 * reason a small enough {@code B} that is an inner join gives way to its deepest input along inner
 * joins that holds all of {@code b}, is small enough too and has at most {@link #MAX_KEY_GROWTH}
 * times {@code B}'s estimated distinct keys: it is cheaper to evaluate again and drops about as
 * many groups (Q2: the filtered parts instead of the outer query's five-way join).
 */
final class AggregateSemiJoinReductionRule extends RelOptRule {
  static final AggregateSemiJoinReductionRule INSTANCE = new AggregateSemiJoinReductionRule();

  /** {@code B} must have at most this fraction of the aggregate input's estimated rows. */
  private static final double MAX_SIZE_RATIO = 0.1;

  /**
   * The same for a {@code B} that is itself a SEMI join, whose keys are a restricted subset: TPC-H
   * Q20's partsupp restricted to parts named 'forest%' is estimated at 16% of the year of lineitem
   * it reduces (Calcite guesses a quarter of the rows for any LIKE; really 1%).
   */
  private static final double MAX_SEMI_JOIN_SIZE_RATIO = 0.2;

  /**
   * An input of the reducer serves instead only if its estimated distinct keys are at most this
   * many times the reducer's: the semi-join should still drop about as many groups.
   */
  private static final double MAX_KEY_GROWTH = 2;

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
    List<Integer> inputColumns = new ArrayList<>();
    List<Integer> partners = new ArrayList<>();
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
      inputColumns.add(aggregate.getGroupSet().nth(key.getIndex() - aggregateOffset));
      partners.add(partner.getIndex() - otherOffset);
    }
    if (inputColumns.isEmpty()) {
      return;
    }
    // the partners' keys also come from any inner-join input or filter input of the other side
    // that holds them all (its rows are a superset of the keys): take the first small enough one
    RelMetadataQuery mq = join.getCluster().getMetadataQuery();
    Double inputRows = mq.getRowCount(input);
    RelNode reducer = other.stripped();
    int[] columns = partners.stream().mapToInt(Integer::intValue).toArray();
    while (true) {
      Double rows = mq.getRowCount(reducer);
      double ratio =
          reducer instanceof LogicalJoin semi && semi.getJoinType() == JoinRelType.SEMI
              ? MAX_SEMI_JOIN_SIZE_RATIO
              : MAX_SIZE_RATIO;
      if (inputRows != null && rows != null && rows <= inputRows * ratio) {
        break;
      }
      if (reducer instanceof LogicalFilter filter) {
        reducer = filter.getInput().stripped();
      } else if (reducer instanceof LogicalJoin inner && inner.getJoinType() == JoinRelType.INNER) {
        KeySide side = keySide(inner, columns);
        if (side == null) {
          return;
        }
        reducer = side.rel();
        columns = side.columns();
      } else {
        return;
      }
    }
    // the deepest input along inner joins that holds the keys and is small enough itself costs
    // less to evaluate again, and its keys still include the join's (TPC-H Q2: the filtered parts,
    // not the whole five-way join of the outer query)
    RelNode below = reducer;
    int[] belowColumns = columns;
    while (below instanceof LogicalJoin inner && inner.getJoinType() == JoinRelType.INNER) {
      KeySide side = keySide(inner, belowColumns);
      if (side == null) {
        break;
      }
      below = side.rel();
      belowColumns = side.columns();
      Double rows = mq.getRowCount(below);
      Double keys = mq.getDistinctRowCount(reducer, ImmutableBitSet.of(columns), null);
      Double belowKeys = mq.getDistinctRowCount(below, ImmutableBitSet.of(belowColumns), null);
      if (inputRows != null
          && rows != null
          && rows <= inputRows * MAX_SIZE_RATIO
          && keys != null
          && belowKeys != null
          && belowKeys <= keys * MAX_KEY_GROWTH) {
        reducer = below;
        columns = belowColumns;
      }
    }
    if (!deterministic(reducer)) {
      return; // the semi-join reads the reducer a second time: it must give the same rows
    }
    RexBuilder rexBuilder = join.getCluster().getRexBuilder();
    int inputWidth = input.getRowType().getFieldCount();
    List<RexNode> semiConditions = new ArrayList<>();
    for (int i = 0; i < columns.length; i++) {
      semiConditions.add(
          rexBuilder.makeCall(
              SqlStdOperatorTable.EQUALS,
              rexBuilder.makeInputRef(input, inputColumns.get(i)),
              new RexInputRef(
                  inputWidth + columns[i],
                  reducer.getRowType().getFieldList().get(columns[i]).getType())));
    }
    RelNode semiJoin =
        LogicalJoin.create(
            aggregate.getInput(),
            reducer,
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

  /** An input of a join and the positions in it of some of the join's output columns. */
  private record KeySide(RelNode rel, int[] columns) {}

  /**
   * The input of {@code join} that holds all of its output columns {@code columns}, with their
   * positions in it; null when they come from both inputs.
   */
  private static KeySide keySide(LogicalJoin join, int[] columns) {
    int leftWidth = join.getLeft().getRowType().getFieldCount();
    if (Arrays.stream(columns).allMatch(c -> c < leftWidth)) {
      return new KeySide(join.getLeft().stripped(), columns);
    }
    if (Arrays.stream(columns).allMatch(c -> c >= leftWidth)) {
      return new KeySide(
          join.getRight().stripped(), Arrays.stream(columns).map(c -> c - leftWidth).toArray());
    }
    return null;
  }

  /** Whether every expression in {@code rel} and its inputs is deterministic. */
  private static boolean deterministic(RelNode rel) {
    for (RelNode input : rel.getInputs()) {
      if (!deterministic(input.stripped())) {
        return false;
      }
    }
    boolean[] deterministic = {true};
    rel.accept(
        new org.apache.calcite.rex.RexShuttle() {
          @Override
          public RexNode visitCall(RexCall call) {
            if (!RexUtil.isDeterministic(call)) {
              deterministic[0] = false;
            }
            return call;
          }
        });
    return deterministic[0];
  }

  private static boolean isGroupKey(RexInputRef ref, int offset, int groupCount) {
    return ref.getIndex() >= offset && ref.getIndex() < offset + groupCount;
  }
}
