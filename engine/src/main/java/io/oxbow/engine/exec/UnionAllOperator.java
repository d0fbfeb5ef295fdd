package io.oxbow.engine.exec;

import io.oxbow.engine.ResultStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** UNION ALL: runs each input's pipeline in turn and passes its batches on. */
final class UnionAllOperator extends SourceOperator {
  private final Deque<Supplier<ResultStream>> inputs;
  private final Schema schema;
  private final BufferAllocator allocator;
  private ResultStream current;
  private final java.util.List<java.util.List<io.oxbow.engine.OperatorStats>> inputStats =
      new java.util.ArrayList<>();

  @Override
  public java.util.List<java.util.List<io.oxbow.engine.OperatorStats>> pipelines() {
    return java.util.List.copyOf(inputStats);
  }

  private boolean finished;

  UnionAllOperator(List<Supplier<ResultStream>> inputs, Schema schema, BufferAllocator allocator) {
    this.inputs = new ArrayDeque<>(inputs);
    this.schema = schema;
    this.allocator = allocator;
  }

  @Override
  public Page getOutput() {
    while (!finished) {
      if (current == null) {
        Supplier<ResultStream> next = inputs.poll();
        if (next == null) {
          finished = true;
          return null;
        }
        current = next.get();
      }
      VectorSchemaRoot batch = current.next();
      if (batch != null) {
        // the union's names and types, over the input's buffers
        int rows = batch.getRowCount();
        VectorSchemaRoot renamed = VectorSchemaRoot.create(schema, allocator);
        try (batch) {
          for (int c = 0; c < schema.getFields().size(); c++) {
            batch.getVector(c).makeTransferPair(renamed.getVector(c)).transfer();
          }
        } catch (RuntimeException e) {
          renamed.close();
          throw e;
        }
        renamed.setRowCount(rows);
        return Page.of(renamed);
      }
      inputStats.add(current.operatorStats());
      current.close();
      current = null;
    }
    return null;
  }

  @Override
  public boolean isFinished() {
    return finished;
  }

  @Override
  public void close() {
    if (current != null) {
      inputStats.add(current.operatorStats());
      current.close();
      current = null;
    }
    finished = true;
  }
}
