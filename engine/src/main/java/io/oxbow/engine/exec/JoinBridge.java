package io.oxbow.engine.exec;

import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.JoinNode;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Connects the probe operators of one join (one {@link HashJoinOperator} per worker thread) to the
 * one build side they share. The first call of {@link #table()} runs the build side and builds the
 * {@link JoinTable}; concurrent callers wait for it, and if building fails every caller (then and
 * later) gets the same exception.
 *
 * <p>Reference counting: the bridge is created with the number of probe operators that will use it,
 * and each of them calls {@link #release()} exactly once, in its {@code close()}; the last release
 * closes the table (the allocator stays open: it belongs to the caller, who closes it after the
 * probe operators). A release before the table was built just means it is never built.
 */
public final class JoinBridge {
  private final JoinNode node;
  private final Supplier<ResultStream> buildSide;
  private final BufferAllocator allocator;
  private int references;
  private JoinTable table;
  private Throwable failure;
  private List<OperatorStats> buildStats;

  /**
   * A bridge for {@code probes} probe operators; the table is allocated from {@code allocator}.
   *
   * @param buildSide runs the join's right input; called at most once
   */
  public JoinBridge(
      JoinNode node, Supplier<ResultStream> buildSide, BufferAllocator allocator, int probes) {
    if (probes < 1) {
      throw new IllegalArgumentException("a join bridge needs at least one probe operator");
    }
    this.node = node;
    this.buildSide = buildSide;
    this.allocator = allocator;
    this.references = probes;
  }

  /** The join this bridge builds. */
  public JoinNode node() {
    return node;
  }

  /** The table, built on the first call. */
  public synchronized JoinTable table() {
    if (failure != null) {
      if (failure instanceof Error e) {
        throw e;
      }
      throw (RuntimeException) failure;
    }
    if (references == 0) {
      throw new IllegalStateException("join bridge already released");
    }
    if (table == null) {
      try {
        table = JoinTable.build(node, buildSide, allocator);
        buildStats = table.buildStats();
      } catch (RuntimeException | Error e) {
        failure = e;
        throw e;
      }
    }
    return table;
  }

  /** Called once by each probe operator when it closes; the last call closes the table. */
  public synchronized void release() {
    if (references == 0) {
      throw new IllegalStateException("join bridge released too often");
    }
    references--;
    if (references == 0 && table != null) {
      table.close();
      table = null;
    }
  }

  /** The build side's operator statistics once it has run (for EXPLAIN ANALYZE). */
  public synchronized List<List<OperatorStats>> pipelines() {
    return buildStats == null ? List.of() : List.of(buildStats);
  }
}
