package io.oxbow.planner;

import java.util.ArrayList;
import java.util.List;
import org.apache.calcite.plan.RelOptUtil;
import org.apache.calcite.rel.core.Join;
import org.apache.calcite.rel.metadata.BuiltInMetadata;
import org.apache.calcite.rel.metadata.ChainedRelMetadataProvider;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.JaninoRelMetadataProvider;
import org.apache.calcite.rel.metadata.ReflectiveRelMetadataProvider;
import org.apache.calcite.rel.metadata.RelMdSelectivity;
import org.apache.calcite.rel.metadata.RelMdUtil;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.util.ImmutableBitSet;

/**
 * The optimiser's estimates: Calcite's defaults, except that an equi-join's selectivity comes from
 * the distinct values of its keys (the classic {@code 1 / max(ndv(left keys), ndv(right keys))})
 * instead of a fixed guess, so that join ordering prefers key joins over joins on a few values.
 * Distinct values of table columns come from connector statistics (see {@code ConnectorTable}).
 */
final class OxbowRelMetadata {
  private OxbowRelMetadata() {}

  static final JaninoRelMetadataProvider PROVIDER =
      JaninoRelMetadataProvider.of(
          ChainedRelMetadataProvider.of(
              List.of(
                  ReflectiveRelMetadataProvider.reflectiveSource(
                      new JoinSelectivity(), BuiltInMetadata.Selectivity.Handler.class),
                  DefaultRelMetadataProvider.INSTANCE)));

  /** Calcite's selectivity, with equi-join conjuncts estimated from distinct values. */
  static final class JoinSelectivity extends RelMdSelectivity {
    @Override
    public Double getSelectivity(Join join, RelMetadataQuery mq, RexNode predicate) {
      if (join.isSemiJoin() || predicate == null) {
        return super.getSelectivity(join, mq, predicate);
      }
      int leftCount = join.getLeft().getRowType().getFieldCount();
      ImmutableBitSet.Builder leftKeys = ImmutableBitSet.builder();
      ImmutableBitSet.Builder rightKeys = ImmutableBitSet.builder();
      List<RexNode> others = new ArrayList<>();
      for (RexNode conjunct : RelOptUtil.conjunctions(predicate)) {
        int[] key = equiJoinKey(conjunct, leftCount);
        if (key == null) {
          others.add(conjunct);
        } else {
          leftKeys.set(key[0]);
          rightKeys.set(key[1] - leftCount);
        }
      }
      double selectivity = 1.0;
      ImmutableBitSet leftKeySet = leftKeys.build();
      ImmutableBitSet rightKeySet = rightKeys.build();
      if (!leftKeySet.isEmpty()) {
        // the keys taken together: each side's distinct key values are at most its row count
        Double leftValues = mq.getDistinctRowCount(join.getLeft(), leftKeySet, null);
        Double rightValues = mq.getDistinctRowCount(join.getRight(), rightKeySet, null);
        double values =
            Math.max(leftValues == null ? 0 : leftValues, rightValues == null ? 0 : rightValues);
        if (leftKeySet.cardinality() > 1) {
          // per-column statistics cannot see that the columns of a composite key go together
          // (lineitem's (partkey, suppkey) pairs are partsupp's 800,000, not 6 million): assume
          // a multi-column join is a foreign key into a key, whose output is the referencing side
          Double leftRows = mq.getRowCount(join.getLeft());
          Double rightRows = mq.getRowCount(join.getRight());
          if (leftRows != null && rightRows != null && values > Math.min(leftRows, rightRows)) {
            values = Math.max(1, Math.min(leftRows, rightRows));
          }
        }
        if (values >= 1) {
          selectivity = 1.0 / values;
        } else {
          others = RelOptUtil.conjunctions(predicate);
        }
      }
      if (!others.isEmpty()) {
        selectivity *=
            RelMdUtil.guessSelectivity(
                RexUtil.composeConjunction(join.getCluster().getRexBuilder(), others));
      }
      return selectivity;
    }

    /** The input positions of {@code left.a = right.b} (left first), or null. */
    private static int[] equiJoinKey(RexNode conjunct, int leftCount) {
      if (!conjunct.isA(SqlKind.EQUALS) && !conjunct.isA(SqlKind.IS_NOT_DISTINCT_FROM)) {
        return null;
      }
      List<RexNode> operands = ((RexCall) conjunct).getOperands();
      if (!(RexUtil.removeCast(operands.get(0)) instanceof RexInputRef a)
          || !(RexUtil.removeCast(operands.get(1)) instanceof RexInputRef b)) {
        return null;
      }
      int left = Math.min(a.getIndex(), b.getIndex());
      int right = Math.max(a.getIndex(), b.getIndex());
      return left < leftCount && right >= leftCount ? new int[] {left, right} : null;
    }
  }
}
