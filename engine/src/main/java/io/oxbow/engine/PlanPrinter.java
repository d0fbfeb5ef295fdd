package io.oxbow.engine;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.UnionAllNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.plan.WindowNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Renders an engine plan as indented text for EXPLAIN: one operator per line, children indented by
 * two spaces, each with its key attributes (columns, condition, group keys and aggregates, sort
 * keys, offset and limit). Column references print as {@code $index} of the operator's input.
 */
public final class PlanPrinter {
  private PlanPrinter() {}

  /** The plan as text, one line per node, ending with a newline. */
  public static String print(PlanNode plan) {
    StringBuilder out = new StringBuilder();
    print(plan, 0, out);
    return out.toString();
  }

  private static void print(PlanNode node, int depth, StringBuilder out) {
    out.append("  ".repeat(depth)).append(describe(node)).append('\n');
    for (PlanNode input : node.inputs()) {
      print(input, depth + 1, out);
    }
  }

  private static String describe(PlanNode node) {
    if (node instanceof ScanNode scan) {
      return "Scan[table="
          + scan.catalog()
          + "."
          + scan.table().name().schema()
          + "."
          + scan.table().name().table()
          + ", columns="
          + scan.columns()
          + ", handle="
          + scan.table()
          + "]";
    }
    if (node instanceof FilterNode filter) {
      return "Filter[condition=" + filter.condition() + "]";
    }
    if (node instanceof ProjectNode project) {
      List<String> items = new ArrayList<>();
      for (int i = 0; i < project.expressions().size(); i++) {
        items.add(
            project.schema().getFields().get(i).getName() + "=" + project.expressions().get(i));
      }
      return "Project[" + String.join(", ", items) + "]";
    }
    if (node instanceof AggregateNode aggregate) {
      List<String> calls = new ArrayList<>();
      int keyCount = aggregate.groupKeys().size();
      for (int i = 0; i < aggregate.aggregates().size(); i++) {
        AggregateCall call = aggregate.aggregates().get(i);
        String args =
            call.arguments().isEmpty()
                ? "*"
                : call.arguments().stream().map(a -> "$" + a).collect(Collectors.joining(", "));
        calls.add(
            aggregate.schema().getFields().get(keyCount + i).getName()
                + "="
                + call.function().name().toLowerCase(Locale.ROOT)
                + (call.distinct() ? "(distinct " : "(")
                + args
                + ")"
                + (call.filterColumn() >= 0 ? " filter $" + call.filterColumn() : ""));
      }
      return "HashAggregate[keys="
          + aggregate.groupKeys().stream().map(k -> "$" + k).toList()
          + ", aggregates="
          + calls
          + "]";
    }
    if (node instanceof SortNode sort) {
      List<String> keys = new ArrayList<>();
      for (SortKey key : sort.keys()) {
        keys.add(
            "$"
                + key.column()
                + (key.ascending() ? " asc" : " desc")
                + (key.nullsFirst() ? " nulls first" : " nulls last"));
      }
      return "Sort[" + String.join(", ", keys) + "]";
    }
    if (node instanceof LimitNode limit) {
      return "Limit[offset=" + limit.offset() + ", limit=" + limit.limit() + "]";
    }
    if (node instanceof ValuesNode values) {
      return "Values[rows="
          + values.rows().size()
          + ", columns="
          + values.schema().getFields().stream().map(Field::getName).toList()
          + "]";
    }
    if (node instanceof JoinNode join) {
      StringBuilder text = new StringBuilder("HashJoin[type=").append(join.type());
      if (!join.leftKeys().isEmpty()) {
        text.append(", left keys=").append(join.leftKeys());
        text.append(", right keys=").append(join.rightKeys());
      }
      if (join.residual() != null) {
        text.append(", residual=").append(join.residual());
      }
      return text.append("]").toString();
    }
    if (node instanceof WindowNode window) {
      List<String> groups = new ArrayList<>();
      for (WindowNode.WindowGroup group : window.groups()) {
        List<String> calls = new ArrayList<>();
        for (WindowNode.WindowCall call : group.calls()) {
          calls.add(call.function().name().toLowerCase() + call.arguments() + call.constants());
        }
        groups.add(
            "partition="
                + group.partitionKeys()
                + " order="
                + group.orderKeys().stream()
                    .map(k -> "$" + k.column() + (k.ascending() ? "" : " desc"))
                    .toList()
                + (group.rows() ? " rows " : " range ")
                + group.lower().type()
                + ".."
                + group.upper().type()
                + " "
                + calls);
      }
      return "Window[" + String.join("; ", groups) + "]";
    }
    if (node instanceof UnionAllNode) {
      return "UnionAll";
    }
    return node.getClass().getSimpleName();
  }
}
