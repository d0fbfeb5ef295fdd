package io.oxbow.planner;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.Executor;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.connector.Connector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A planner over in-memory tables of catalog {@code w}, schema {@code s}, for tests that check a
 * rewrite's plan and compare its answer with one computed in the test. Closing it closes the
 * allocator every query ran under, which fails on a leak.
 */
final class InMemoryPlanner implements AutoCloseable {
  private final InMemoryConnector connector = new InMemoryConnector("s");
  private final BufferAllocator allocator = new RootAllocator();
  private final OxbowPlanner planner =
      new OxbowPlanner(
          new CatalogProvider() {
            @Override
            public List<String> catalogNames() {
              return List.of("w");
            }

            @Override
            public Optional<Connector> connector(String name) {
              return name.equals("w") ? Optional.of(connector) : Optional.empty();
            }
          });

  /** Adds table {@code s.name}. */
  InMemoryPlanner table(String name, Schema schema, List<List<Object>> rows) {
    connector.table(name, schema, rows);
    return this;
  }

  /** Adds table {@code s.name} with the distinct values of its columns, for the optimiser. */
  InMemoryPlanner table(
      String name,
      Schema schema,
      List<List<Object>> rows,
      java.util.Map<String, Double> distinctValues) {
    connector.table(name, schema, rows, distinctValues);
    return this;
  }

  PlanNode plan(String sql) {
    return planner.plan(sql, new PlannerSession("t", "w", "s")).plan();
  }

  /** Runs {@code sql} and returns its rows sorted by their text. */
  List<List<Object>> run(String sql) {
    PlannedQuery planned = planner.plan(sql, new PlannerSession("t", "w", "s"));
    List<List<Object>> rows = new ArrayList<>();
    try (BufferAllocator query = allocator.newChildAllocator("query", 0, Long.MAX_VALUE);
        ResultStream stream = Executor.execute(planned.plan(), new ExecutionContext("q", query))) {
      VectorSchemaRoot batch;
      while ((batch = stream.next()) != null) {
        try (VectorSchemaRoot b = batch) {
          for (int r = 0; r < b.getRowCount(); r++) {
            List<Object> row = new ArrayList<>();
            for (FieldVector v : b.getFieldVectors()) {
              row.add(Values.get(v, r));
            }
            rows.add(row);
          }
        }
      }
    }
    rows.sort(Comparator.comparing(Object::toString));
    return rows;
  }

  /**
   * The number of joins of {@code type} in {@code node}; for SEMI and ANTI also those built on the
   * preserved side (RIGHT_SEMI, RIGHT_ANTI), the same join with its sides swapped.
   */
  static int joins(PlanNode node, JoinNode.JoinType type) {
    int count = node instanceof JoinNode join && sameJoin(join.type(), type) ? 1 : 0;
    for (PlanNode input : node.inputs()) {
      count += joins(input, type);
    }
    return count;
  }

  private static boolean sameJoin(JoinNode.JoinType actual, JoinNode.JoinType wanted) {
    return actual == wanted
        || wanted == JoinNode.JoinType.SEMI && actual == JoinNode.JoinType.RIGHT_SEMI
        || wanted == JoinNode.JoinType.ANTI && actual == JoinNode.JoinType.RIGHT_ANTI;
  }

  @Override
  public void close() {
    allocator.close();
  }
}
