package io.oxbow.engine.exec;

import io.oxbow.engine.eval.Literals;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Values;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Produces the constant rows of a {@link ValuesNode} in batches of up to 4096 rows. */
final class ValuesOperator extends SourceOperator {
  static final int BATCH = 4096;

  private final ValuesNode node;
  private final BufferAllocator allocator;
  private int emitted;
  private boolean finished;

  ValuesOperator(ValuesNode node, BufferAllocator allocator) {
    this.node = node;
    this.allocator = allocator;
  }

  @Override
  public Page getOutput() {
    if (finished) {
      return null;
    }
    int n = Math.min(BATCH, node.rows().size() - emitted);
    if (n <= 0) {
      finished = true;
      return null;
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(node.schema(), allocator);
    try {
      List<FieldVector> vectors = root.getFieldVectors();
      for (FieldVector v : vectors) {
        v.setInitialCapacity(n);
        v.allocateNew();
      }
      for (int r = 0; r < n; r++) {
        List<Object> row = node.rows().get(emitted + r);
        for (int c = 0; c < vectors.size(); c++) {
          FieldVector vector = vectors.get(c);
          Values.set(vector, r, Literals.normalize(row.get(c), vector.getField().getType()));
        }
      }
      root.setRowCount(n);
      emitted += n;
      finished = emitted >= node.rows().size();
      return Page.of(root);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  @Override
  public void close() {
    finished = true;
  }
}
