package io.oxbow.engine.exec;

import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Values;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Produces the constant rows of a {@link ValuesNode} as one page. */
final class ValuesOperator extends SourceOperator {
  private final ValuesNode node;
  private final BufferAllocator allocator;
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
    finished = true;
    VectorSchemaRoot root = VectorSchemaRoot.create(node.schema(), allocator);
    try {
      List<FieldVector> vectors = root.getFieldVectors();
      for (FieldVector v : vectors) {
        v.setInitialCapacity(node.rows().size());
        v.allocateNew();
      }
      for (int r = 0; r < node.rows().size(); r++) {
        List<Object> row = node.rows().get(r);
        for (int c = 0; c < vectors.size(); c++) {
          Values.set(
              vectors.get(c),
              r,
              io.oxbow.engine.eval.Literals.normalize(
                  row.get(c), vectors.get(c).getField().getType()));
        }
      }
      root.setRowCount(node.rows().size());
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
