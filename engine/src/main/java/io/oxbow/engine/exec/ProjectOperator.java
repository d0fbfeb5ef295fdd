package io.oxbow.engine.exec;

import io.oxbow.engine.eval.Evaluator;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/** Computes one output column per expression over the live rows of each page. */
final class ProjectOperator implements Operator {
  private final List<Evaluator> expressions;
  private final Schema schema;
  private final BufferAllocator allocator;
  private Page pending;
  private boolean finishing;

  ProjectOperator(List<Evaluator> expressions, Schema schema, BufferAllocator allocator) {
    this.expressions = expressions;
    this.schema = schema;
    this.allocator = allocator;
  }

  @Override
  public boolean needsInput() {
    return pending == null && !finishing;
  }

  @Override
  public void addInput(Page page) {
    List<FieldVector> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < expressions.size(); i++) {
        FieldVector computed = expressions.get(i).evaluate(page, allocator);
        Field field = schema.getFields().get(i);
        FieldVector named = field.createVector(allocator);
        TransferPair pair = computed.makeTransferPair(named);
        pair.transfer();
        named.setValueCount(page.count());
        computed.close();
        outputs.add(named);
      }
      pending = Page.of(new VectorSchemaRoot(schema.getFields(), outputs, page.count()));
    } catch (RuntimeException e) {
      outputs.forEach(FieldVector::close);
      throw e;
    } finally {
      page.close();
    }
  }

  @Override
  public Page getOutput() {
    Page out = pending;
    pending = null;
    return out;
  }

  @Override
  public void finish() {
    finishing = true;
  }

  @Override
  public boolean isFinished() {
    return finishing && pending == null;
  }

  @Override
  public void close() {
    if (pending != null) {
      pending.close();
      pending = null;
    }
  }
}
