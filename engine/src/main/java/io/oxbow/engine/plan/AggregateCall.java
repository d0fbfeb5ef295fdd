package io.oxbow.engine.plan;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * One aggregate of an {@link AggregateNode}.
 *
 * @param function the aggregate
 * @param arguments input column indexes (empty for {@code COUNT(*)})
 * @param distinct whether duplicates of the argument are removed first
 * @param filterColumn input column index of a Bool filter ({@code FILTER (WHERE ..)}), or -1
 * @param type the result type; SUM of decimals and AVG produce exactly this type (AVG of decimals
 *     rounds half up to its scale)
 */
public record AggregateCall(
    AggregateFunction function,
    List<Integer> arguments,
    boolean distinct,
    int filterColumn,
    ArrowType type) {
  public AggregateCall {
    arguments = List.copyOf(arguments);
  }

  /** Aggregate functions; all ignore NULL inputs, and all but COUNT return NULL on no input. */
  public enum AggregateFunction {
    COUNT_STAR,
    COUNT,
    SUM,
    AVG,
    MIN,
    MAX,
    /**
     * The only value of the group; an error if the group has more than one row (scalar subquery).
     */
    SINGLE_VALUE
  }
}
