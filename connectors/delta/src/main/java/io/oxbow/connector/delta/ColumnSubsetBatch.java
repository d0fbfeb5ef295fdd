package io.oxbow.connector.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.List;

/**
 * Some columns of a delta-kernel batch, without copying. delta-kernel's write path drops partition
 * columns with {@link #withDeletedColumnAt}, which {@link ArrowColumnarBatch} does not offer.
 */
final class ColumnSubsetBatch implements ColumnarBatch {
  private final ColumnarBatch base;
  private final int[] ordinals;
  private final StructType schema;

  ColumnSubsetBatch(ColumnarBatch base) {
    this(base, allOrdinals(base.getSchema().length()), base.getSchema());
  }

  private ColumnSubsetBatch(ColumnarBatch base, int[] ordinals, StructType schema) {
    this.base = base;
    this.ordinals = ordinals;
    this.schema = schema;
  }

  private static int[] allOrdinals(int n) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    return all;
  }

  @Override
  public StructType getSchema() {
    return schema;
  }

  @Override
  public ColumnVector getColumnVector(int ordinal) {
    return base.getColumnVector(ordinals[ordinal]);
  }

  @Override
  public int getSize() {
    return base.getSize();
  }

  @Override
  public ColumnarBatch withDeletedColumnAt(int ordinal) {
    int[] kept = new int[ordinals.length - 1];
    List<StructField> fields = new ArrayList<>();
    for (int i = 0, j = 0; i < ordinals.length; i++) {
      if (i != ordinal) {
        kept[j++] = ordinals[i];
        fields.add(schema.at(i));
      }
    }
    return new ColumnSubsetBatch(base, kept, new StructType(fields));
  }
}
