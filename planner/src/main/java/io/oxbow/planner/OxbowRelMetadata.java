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
 * the distinct values of its keys (the classic {@code 1 / max(ndv(left key), ndv(right key))})
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
      double selectivity = 1.0;
      List<RexNode> others = new ArrayList<>();
      for (RexNode conjunct : RelOptUtil.conjunctions(predicate)) {
        Double keySelectivity = equiJoinSelectivity(join, mq, conjunct, leftCount);
        if (keySelectivity == null) {
          others.add(conjunct);
        } else {
          selectivity *= keySelectivity;
        }
      }
      if (!others.isEmpty()) {
        selectivity *=
            RelMdUtil.guessSelectivity(
                RexUtil.composeConjunction(join.getCluster().getRexBuilder(), others));
      }
      return selectivity;
    }

    /** {@code 1 / max(ndv)} for {@code left.a = right.b}, or null if that is not known. */
    private static Double equiJoinSelectivity(
        Join join, RelMetadataQuery mq, RexNode conjunct, int leftCount) {
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
      if (left >= leftCount || right < leftCount) {
        return null;
      }
      Double leftValues = mq.getDistinctRowCount(join.getLeft(), ImmutableBitSet.of(left), null);
      Double rightValues =
          mq.getDistinctRowCount(join.getRight(), ImmutableBitSet.of(right - leftCount), null);
      double values =
          Math.max(leftValues == null ? 0 : leftValues, rightValues == null ? 0 : rightValues);
      return values >= 1 ? 1.0 / values : null;
    }
  }
}
