package io.oxbow.engine.plan;

import io.oxbow.engine.expr.Expr;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Joins {@code left} (probe side, streamed) with {@code right} (build side, held in a hash table).
 * Rows match when every {@code leftKeys[i]} equals {@code rightKeys[i]} (NULL keys never match) and
 * {@code residual} (over the left columns followed by the right columns; null for none) is TRUE.
 * With no keys every pair is a candidate (cross or non-equi join).
 *
 * <p>Output: the left columns then the right columns, except SEMI and ANTI, which output the left
 * columns only, and RIGHT_SEMI and RIGHT_ANTI, which output the right columns only. Unmatched rows
 * of the outer side(s) get NULLs for the other side.
 */
public record JoinNode(
    PlanNode left,
    PlanNode right,
    JoinType type,
    List<Integer> leftKeys,
    List<Integer> rightKeys,
    Expr residual,
    Schema schema)
    implements PlanNode {
  public JoinNode {
    leftKeys = List.copyOf(leftKeys);
    rightKeys = List.copyOf(rightKeys);
    if (leftKeys.size() != rightKeys.size()) {
      throw new IllegalArgumentException("key lists differ in length");
    }
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of(left, right);
  }

  /** Join types. */
  public enum JoinType {
    INNER,
    LEFT,
    RIGHT,
    FULL,
    /** Left rows with at least one match. */
    SEMI,
    /** Left rows with no match. */
    ANTI,
    /**
     * Right rows with at least one match: SEMI with the sides swapped, so that the hash table is
     * built on the smaller (preserved) side; outputs the right columns only.
     */
    RIGHT_SEMI,
    /** Right rows with no match (ANTI with the sides swapped); outputs the right columns only. */
    RIGHT_ANTI;

    /** Whether the join outputs build rows only (whole, once each, after the probe side ends). */
    public boolean outputsBuildRows() {
      return this == RIGHT_SEMI || this == RIGHT_ANTI;
    }
  }
}
