package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Window functions: outputs every input column followed by one column per {@link WindowCall} of
 * every group, in order. Rows keep their input order.
 */
public record WindowNode(PlanNode input, List<WindowGroup> groups, Schema schema)
    implements PlanNode {
  public WindowNode {
    groups = List.copyOf(groups);
  }

  @Override
  public List<PlanNode> inputs() {
    return List.of(input);
  }

  /**
   * Calls sharing one window: {@code PARTITION BY partitionKeys ORDER BY orderKeys} and one frame.
   *
   * @param rows ROWS frame if true, RANGE frame otherwise
   * @param lower frame start
   * @param upper frame end
   */
  public record WindowGroup(
      List<Integer> partitionKeys,
      List<SortKey> orderKeys,
      boolean rows,
      Bound lower,
      Bound upper,
      List<WindowCall> calls) {
    public WindowGroup {
      partitionKeys = List.copyOf(partitionKeys);
      orderKeys = List.copyOf(orderKeys);
      calls = List.copyOf(calls);
    }
  }

  /**
   * A frame bound. {@code offset} counts rows (ROWS) or order-key units (RANGE) and is used only
   * for PRECEDING and FOLLOWING.
   */
  public record Bound(BoundType type, Object offset) {
    public static final Bound UNBOUNDED_PRECEDING = new Bound(BoundType.UNBOUNDED_PRECEDING, null);
    public static final Bound CURRENT_ROW = new Bound(BoundType.CURRENT_ROW, null);
    public static final Bound UNBOUNDED_FOLLOWING = new Bound(BoundType.UNBOUNDED_FOLLOWING, null);
  }

  /** Kinds of frame bounds. */
  public enum BoundType {
    UNBOUNDED_PRECEDING,
    PRECEDING,
    CURRENT_ROW,
    FOLLOWING,
    UNBOUNDED_FOLLOWING
  }

  /**
   * One window function call.
   *
   * @param arguments input column indexes
   * @param constants constant arguments (LAG/LEAD offset and default, NTILE buckets), or empty
   */
  public record WindowCall(
      WindowFunction function,
      List<Integer> arguments,
      List<Object> constants,
      boolean distinct,
      org.apache.arrow.vector.types.pojo.ArrowType type) {
    public WindowCall {
      arguments = List.copyOf(arguments);
      constants = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(constants));
    }
  }

  /** Window functions; aggregates use the frame, ranking and offset functions the partition. */
  public enum WindowFunction {
    ROW_NUMBER,
    RANK,
    DENSE_RANK,
    NTILE,
    LAG,
    LEAD,
    FIRST_VALUE,
    LAST_VALUE,
    COUNT_STAR,
    COUNT,
    SUM,
    AVG,
    MIN,
    MAX
  }
}
