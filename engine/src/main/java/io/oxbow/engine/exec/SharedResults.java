package io.oxbow.engine.exec;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.PlanNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The aggregations a plan computes more than once, identically (TPC-H Q15's revenue per supplier,
 * joined with its own maximum): each is computed once per query, on first use, and its rows are
 * replayed to every place that reads it ({@link #open}). Only aggregations are shared: their output
 * is what their hash table held anyway, so keeping it costs no more memory than computing it. The
 * rows are held in a child of the query's allocator until the query ends ({@link #close}).
 */
public final class SharedResults implements AutoCloseable {
  private final Map<PlanNode, Shared> shared;
  private final BufferAllocator allocator;

  private SharedResults(Map<PlanNode, Shared> shared, BufferAllocator allocator) {
    this.shared = shared;
    this.allocator = allocator;
  }

  /**
   * The shared aggregations of {@code plan} (equal subtrees, found by value), or null when it has
   * none; their rows are allocated from a child of {@code queryAllocator}.
   */
  public static SharedResults of(PlanNode plan, BufferAllocator queryAllocator, String queryId) {
    Map<PlanNode, Integer> counts = new HashMap<>();
    count(plan, counts);
    List<PlanNode> repeated = new ArrayList<>();
    for (Map.Entry<PlanNode, Integer> e : counts.entrySet()) {
      if (e.getValue() > 1) {
        repeated.add(e.getKey());
      }
    }
    if (repeated.isEmpty()) {
      return null;
    }
    BufferAllocator allocator =
        queryAllocator.newChildAllocator(queryId + "/shared", 0, Long.MAX_VALUE);
    SharedResults results = new SharedResults(new HashMap<>(), allocator);
    for (PlanNode node : repeated) {
      results.shared.put(node, results.new Shared(node, results.shared.size()));
    }
    return results;
  }

  private static void count(PlanNode node, Map<PlanNode, Integer> counts) {
    if (node instanceof AggregateNode && counts.merge(node, 1, Integer::sum) > 1) {
      return; // a repeat: what it contains repeats with it
    }
    for (PlanNode input : node.inputs()) {
      count(input, counts);
    }
  }

  /** Whether {@code node} is computed once and replayed. */
  boolean isShared(PlanNode node) {
    return node instanceof AggregateNode && shared.containsKey(node);
  }

  /** An operator replaying the rows of shared {@code node}, computing them if no reader has yet. */
  Operator open(PlanNode node, ExecutionContext context, BufferAllocator operatorAllocator) {
    return new SharedResultOperator(shared.get(node), context, operatorAllocator);
  }

  /** Releases the rows of every shared aggregation. */
  @Override
  public void close() {
    for (Shared s : shared.values()) {
      s.release();
    }
    allocator.close();
  }

  /** One shared aggregation: its rows once computed, or the failure computing them. */
  private final class Shared {
    private final PlanNode node;
    private final int id;
    private List<VectorSchemaRoot> batches;
    private List<OperatorStats> stats;
    private RuntimeException failure;

    Shared(PlanNode node, int id) {
      this.node = node;
      this.id = id;
    }

    /**
     * The rows, computed on the first call (under the lock: a second reader waits for them); {@code
     * first[0]} is set when this call computed them.
     */
    List<VectorSchemaRoot> batches(ExecutionContext context, boolean[] first) {
      synchronized (SharedResults.this) {
        if (failure != null) {
          throw failure;
        }
        if (batches != null) {
          return batches;
        }
        List<VectorSchemaRoot> rows = new ArrayList<>();
        try (ResultStream stream =
            PipelineBuilder.build(node, context.child("shared" + id), false)) {
          VectorSchemaRoot next;
          while ((next = stream.next()) != null) {
            // the stream's allocators close with it: the rows move to the shared allocator
            rows.add(Page.of(next).compact(allocator));
          }
          stats = stream.operatorStats();
        } catch (RuntimeException e) {
          rows.forEach(VectorSchemaRoot::close);
          failure = e;
          throw e;
        }
        batches = rows;
        first[0] = true;
        return batches;
      }
    }

    synchronized void release() {
      if (batches != null) {
        batches.forEach(VectorSchemaRoot::close);
        batches = null;
      }
    }
  }

  /**
   * Replays a shared aggregation's rows, a copy of each batch (the downstream operator owns it).
   */
  private final class SharedResultOperator extends SourceOperator {
    private final Shared source;
    private final ExecutionContext context;
    private final BufferAllocator allocator;
    private List<VectorSchemaRoot> batches;
    private boolean computedHere;
    private int next;
    private boolean finished;
    private int[] identity = new int[0];

    SharedResultOperator(Shared source, ExecutionContext context, BufferAllocator allocator) {
      this.source = source;
      this.context = context;
      this.allocator = allocator;
    }

    @Override
    public Page getOutput() {
      if (finished) {
        return null;
      }
      if (batches == null) {
        boolean[] first = new boolean[1];
        batches = source.batches(context, first);
        computedHere = first[0];
      }
      if (next >= batches.size()) {
        finished = true;
        return null;
      }
      VectorSchemaRoot from = batches.get(next++);
      int n = from.getRowCount();
      if (identity.length < n) {
        identity = new int[n];
        for (int i = 0; i < n; i++) {
          identity[i] = i;
        }
      }
      VectorSchemaRoot copy = VectorSchemaRoot.create(from.getSchema(), allocator);
      try {
        for (int c = 0; c < from.getFieldVectors().size(); c++) {
          FieldVector v = from.getVector(c);
          ColumnGather.gather(v, v.getNullCount() > 0, identity, 0, n, copy.getVector(c));
        }
        copy.setRowCount(n);
      } catch (RuntimeException | Error e) {
        copy.close();
        throw e;
      }
      return Page.of(copy);
    }

    @Override
    public boolean isFinished() {
      return finished;
    }

    @Override
    public List<List<OperatorStats>> pipelines() {
      // the aggregation's own operators count once, where it was computed
      return computedHere && source.stats != null ? List.of(source.stats) : List.of();
    }

    @Override
    public String details() {
      return computedHere
          ? "shared: computed here, replayed to its other uses"
          : "shared: replayed";
    }

    @Override
    public void close() {
      finished = true;
    }
  }
}
