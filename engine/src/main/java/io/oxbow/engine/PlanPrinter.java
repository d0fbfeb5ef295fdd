package io.oxbow.engine;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.LimitNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.plan.ValuesNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/** Renders an engine plan as indented text, one operator per line (used by EXPLAIN). */
public final class PlanPrinter {
  private PlanPrinter() {}

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
          + scan.table().name()
          + ", columns="
          + scan.columns()
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
      for (AggregateCall call : aggregate.aggregates()) {
        String args = call.arguments().isEmpty() ? "*" : call.arguments().toString();
        calls.add(
            call.function().name().toLowerCase()
                + (call.distinct() ? "(distinct " : "(")
                + args.replace("[", "$").replace("]", "")
                + ")"
                + (call.filterColumn() >= 0 ? " filter $" + call.filterColumn() : ""));
      }
      return "HashAggregate[keys=" + aggregate.groupKeys() + ", aggregates=" + calls + "]";
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
    return node.getClass().getSimpleName();
  }
}
