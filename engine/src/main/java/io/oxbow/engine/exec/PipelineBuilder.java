package io.oxbow.engine.exec;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.eval.ExpressionCompiler;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.UnionAllNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.plan.WindowNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;

/** Turns a plan into a {@link Driver}: one operator, with its own child allocator, per node. */
public final class PipelineBuilder {
  private PipelineBuilder() {}

  public static ResultStream build(PlanNode plan, ExecutionContext context) {
    return build(plan, context, true);
  }

  /**
   * @param shareRoot whether {@code plan} itself, if shared ({@link SharedResults}), is replayed;
   *     false to compute it (what the shared result does)
   */
  static ResultStream build(PlanNode plan, ExecutionContext context, boolean shareRoot) {
    List<PlanNode> chain = new ArrayList<>();
    SharedResults shared = context.shared();
    boolean replay = false;
    for (PlanNode node = plan; node != null; ) {
      chain.add(0, node);
      if (shared != null && shared.isShared(node) && (node != plan || shareRoot)) {
        replay = true; // computed once for the query: this pipeline starts with its rows
        break;
      }
      // a join's probe side (left) continues this pipeline; its build side and the inputs of a
      // union run as pipelines of their own, started by their operator
      node = node.inputs().isEmpty() || node instanceof UnionAllNode ? null : node.inputs().get(0);
    }
    List<Operator> operators = new ArrayList<>();
    List<BufferAllocator> allocators = new ArrayList<>();
    BufferAllocator root = context.allocator();
    // the joins of this pipeline whose build keys may filter its scan
    DynamicFilterCollector filters =
        context.dynamicFilters() ? DynamicFilterCollector.plan(chain) : null;
    try {
      int parallel = parallelPrefix(chain, context);
      SplitQueue splits = null;
      if (parallel > 0) {
        // the splits are the morsels: with fewer than two there is nothing to share
        splits = new SplitQueue((ScanNode) chain.get(0));
        if (splits.load() < 2) {
          parallel = 0;
        }
      }
      int first = 0;
      if (parallel > 0) {
        BufferAllocator allocator =
            root.newChildAllocator(
                context.queryId() + "/0-ParallelSourceOperator", 0, Long.MAX_VALUE);
        allocators.add(allocator);
        // a top-N that ends the parallel part runs per worker and once more over their rows
        PlanNode last = chain.get(parallel - 1);
        int topN =
            last instanceof SortNode ? TopNOperator.rowsToKeep(last, chain.get(parallel)) : -1;
        operators.add(
            parallelSource(
                chain.subList(0, parallel),
                topN,
                splits,
                allocator,
                context,
                filters,
                !streamsToLimit(chain)));
        first = topN >= 0 ? parallel - 1 : parallel;
      }
      for (int i = first; i < chain.size(); i++) {
        PlanNode node = chain.get(i);
        if (i == 0 && replay) {
          BufferAllocator allocator =
              root.newChildAllocator(context.queryId() + "/0-SharedResult", 0, Long.MAX_VALUE);
          allocators.add(allocator);
          operators.add(shared.open(node, context, allocator));
          continue;
        }
        // ORDER BY .. LIMIT: a top-N keeps offset + limit rows; the Limit after it applies both
        int topN = TopNOperator.rowsToKeep(node, i + 1 < chain.size() ? chain.get(i + 1) : null);
        String name = topN >= 0 ? "TopNOperator" : operatorName(node);
        BufferAllocator allocator =
            root.newChildAllocator(context.queryId() + "/" + i + "-" + name, 0, Long.MAX_VALUE);
        allocators.add(allocator);
        operators.add(
            topN >= 0
                ? new TopNOperator(((SortNode) node).keys(), node.schema(), topN, allocator)
                : i == 0 && splits != null
                    ? new ScanOperator(splits, ScanOperator.LOOKAHEAD, allocator, filters)
                        .coalesceSmallBatches(!streamsToLimit(chain))
                    : operator(node, allocator, context, i, filters));
      }
      return new Driver(
          operators, allocators, root, plan.schema(), memoryLimit(root), context::checkCancelled);
    } catch (RuntimeException e) {
      for (int i = operators.size() - 1; i >= 0; i--) {
        operators.get(i).close();
      }
      for (int i = allocators.size() - 1; i >= 0; i--) {
        allocators.get(i).close();
      }
      throw e;
    }
  }

  /**
   * Whether a LIMIT could stop the pipeline {@code chain} (its source first) before its source is
   * exhausted: a limit with no aggregation, sort or window before it, which would consume every row
   * anyway.
   */
  static boolean streamsToLimit(List<PlanNode> chain) {
    for (PlanNode node : chain) {
      if (node instanceof AggregateNode || node instanceof SortNode || node instanceof WindowNode) {
        return false;
      }
      if (node instanceof LimitNode) {
        return true;
      }
    }
    return false;
  }

  /**
   * How many operators at the start of {@code chain} run in parallel, or 0 for none: a scan with at
   * least two splits, then every filter, projection and join probe that follows it (not RIGHT or
   * FULL joins, whose unmatched build rows need one probe side), up to and including a first
   * aggregation, whose workers' tables are merged, or a first sort that a limit makes a top-N (each
   * worker keeps its top rows, then the top-N runs again over theirs).
   */
  private static int parallelPrefix(List<PlanNode> chain, ExecutionContext context) {
    if (context.parallelism() < 2 || !(chain.get(0) instanceof ScanNode)) {
      return 0;
    }
    int n = 1;
    while (n < chain.size()) {
      PlanNode node = chain.get(n);
      if (node instanceof FilterNode || node instanceof ProjectNode) {
        n++;
      } else if (node instanceof JoinNode join && parallelProbe(join)) {
        n++;
      } else if (node instanceof AggregateNode) {
        n++;
        break;
      } else if (node instanceof SortNode
          && n + 1 < chain.size()
          && TopNOperator.rowsToKeep(node, chain.get(n + 1)) >= 0) {
        n++;
        break;
      } else {
        break;
      }
    }
    return n;
  }

  private static boolean parallelProbe(JoinNode join) {
    return join.type() != JoinNode.JoinType.RIGHT && join.type() != JoinNode.JoinType.FULL;
  }

  /**
   * The parallel part of a pipeline as one source operator with a worker per split at most; each
   * join in it gets one build table that every worker's probe shares. A sort at its end runs as a
   * top-N of {@code topN} rows.
   */
  private static Operator parallelSource(
      List<PlanNode> nodes,
      int topN,
      SplitQueue splits,
      BufferAllocator allocator,
      ExecutionContext context,
      DynamicFilterCollector filters,
      boolean coalesce) {
    int workers = Math.min(context.parallelism(), splits.load());
    List<String> names = new ArrayList<>();
    for (PlanNode node : nodes) {
      names.add(node instanceof SortNode && topN >= 0 ? "TopNOperator" : operatorName(node));
    }
    boolean endsInAggregation = nodes.get(nodes.size() - 1) instanceof AggregateNode;
    int lookahead = Math.max(1, ScanOperator.LOOKAHEAD / workers);
    // one build table per join, shared by the workers' probes and built before they start
    List<BufferAllocator> shared = new ArrayList<>();
    Map<Integer, JoinBridge> bridges = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) instanceof JoinNode join) {
        BufferAllocator tableAllocator =
            allocator.newChildAllocator(
                context.queryId() + "/" + i + "-JoinTable", 0, Long.MAX_VALUE);
        shared.add(tableAllocator);
        ExecutionContext buildContext = context.child(i + "b");
        JoinBridge bridge =
            new JoinBridge(
                join, () -> build(join.right(), buildContext), tableAllocator, workers, context);
        bridges.put(i, bridge);
        if (filters != null) {
          filters.register(i, bridge);
        }
      }
    }
    ParallelSourceOperator.WorkerChain factory =
        (worker, own) -> {
          List<Operator> operators = new ArrayList<>();
          try {
            for (int i = 0; i < nodes.size(); i++) {
              PlanNode node = nodes.get(i);
              BufferAllocator child =
                  allocator.newChildAllocator(
                      context.queryId() + "/" + i + "-w" + worker + "-" + names.get(i),
                      0,
                      Long.MAX_VALUE);
              own.add(child);
              JoinBridge bridge = bridges.get(i);
              operators.add(
                  i == 0
                      ? new ScanOperator(splits, lookahead, child, filters)
                          .coalesceSmallBatches(coalesce)
                      : bridge != null
                          ? probe((JoinNode) node, bridge, child)
                          : node instanceof SortNode sort && topN >= 0
                              ? new TopNOperator(sort.keys(), sort.schema(), topN, child)
                              : operator(node, child, context, i, null));
            }
            return operators;
          } catch (RuntimeException e) {
            for (int i = operators.size() - 1; i >= 0; i--) {
              operators.get(i).close();
            }
            throw e;
          }
        };
    Runnable buildTables =
        () -> {
          bridges.values().forEach(JoinBridge::table);
          if (filters != null) {
            filters.filters(); // before the workers' scans open splits (builds later joins too)
          }
        };
    return new ParallelSourceOperator(
        names, workers, endsInAggregation, factory, buildTables, shared, allocator, context);
  }

  private static HashJoinOperator probe(
      JoinNode join, JoinBridge bridge, BufferAllocator allocator) {
    return new HashJoinOperator(
        join,
        bridge,
        join.residual() == null ? null : ExpressionCompiler.compile(join.residual()),
        allocator);
  }

  /** The smallest limit on the way from {@code allocator} to the root: the one that will bind. */
  private static long memoryLimit(BufferAllocator allocator) {
    long limit = Long.MAX_VALUE;
    for (BufferAllocator a = allocator; a != null; a = a.getParentAllocator()) {
      limit = Math.min(limit, a.getLimit());
    }
    return limit;
  }

  /** The class name of the operator that runs {@code node}, for allocators and statistics. */
  private static String operatorName(PlanNode node) {
    if (node instanceof AggregateNode) {
      return "HashAggregationOperator";
    }
    if (node instanceof JoinNode) {
      return "HashJoinOperator";
    }
    return node.getClass().getSimpleName().replace("Node", "Operator");
  }

  /**
   * The operator of the node at {@code index} of a pipeline; {@code filters} (may be null) learns
   * of its join bridges and is offered to its scan.
   */
  private static Operator operator(
      PlanNode node,
      BufferAllocator allocator,
      ExecutionContext context,
      int index,
      DynamicFilterCollector filters) {
    if (node instanceof JoinNode join) {
      Supplier<ResultStream> build = () -> build(join.right(), context.child(index + "b"));
      JoinBridge bridge = new JoinBridge(join, build, allocator, 1, context);
      if (filters != null) {
        filters.register(index, bridge);
      }
      return probe(join, bridge, allocator);
    }
    if (node instanceof UnionAllNode union) {
      List<Supplier<ResultStream>> inputs = new ArrayList<>();
      for (int u = 0; u < union.inputs().size(); u++) {
        PlanNode input = union.inputs().get(u);
        ExecutionContext inputContext = context.child(index + "u" + u);
        inputs.add(() -> build(input, inputContext));
      }
      return new UnionAllOperator(inputs, union.schema(), allocator);
    }
    if (node instanceof ScanNode scan) {
      return new ScanOperator(scan, allocator, filters).coalesceSmallBatches(false);
    }
    if (node instanceof ValuesNode values) {
      return new ValuesOperator(values, allocator);
    }
    if (node instanceof FilterNode filter) {
      return new FilterOperator(ExpressionCompiler.compile(filter.condition()), allocator);
    }
    if (node instanceof ProjectNode project) {
      return ProjectOperator.create(
          project.expressions(),
          project.input().schema().getFields().size(),
          project.schema(),
          allocator);
    }
    if (node instanceof AggregateNode aggregate) {
      return new HashAggregationOperator(aggregate, allocator, context);
    }
    if (node instanceof WindowNode window) {
      return new WindowOperator(window, allocator);
    }
    if (node instanceof SortNode sort) {
      return new SortOperator(sort.keys(), sort.schema(), allocator, context);
    }
    if (node instanceof LimitNode limit) {
      return new LimitOperator(limit.offset(), limit.limit());
    }
    throw io.oxbow.spi.error.OxbowException.userError(
        "%s is not supported yet", node.getClass().getSimpleName());
  }
}
