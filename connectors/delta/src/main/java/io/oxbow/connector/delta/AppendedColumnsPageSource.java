package io.oxbow.connector.delta;

import io.oxbow.spi.connector.ConnectorPageSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Wraps a page source and adds columns that hold one value for the whole split (the {@code $file}
 * column, and the {@code _change_type} / {@code _commit_version} / {@code _commit_timestamp}
 * columns of the change data feed), returning the columns in the requested order.
 */
final class AppendedColumnsPageSource implements ConnectorPageSource {
  private final ConnectorPageSource delegate;
  private final List<Field> output;
  private final Map<String, Object> constants;
  private final BufferAllocator allocator;

  /**
   * @param delegate reads the other columns
   * @param output the requested columns, in order
   * @param constants value of each added column by name: a {@code String} (Utf8) or a {@code Long}
   *     (Int64, or microseconds for Timestamp)
   */
  AppendedColumnsPageSource(
      ConnectorPageSource delegate,
      List<Field> output,
      Map<String, Object> constants,
      BufferAllocator allocator) {
    this.delegate = delegate;
    this.output = output;
    this.constants = constants;
    this.allocator = allocator;
  }

  @Override
  public VectorSchemaRoot nextBatch() {
    VectorSchemaRoot batch = delegate.nextBatch();
    if (batch == null) {
      return null;
    }
    int rows = batch.getRowCount();
    List<FieldVector> vectors = new ArrayList<>();
    List<FieldVector> used = new ArrayList<>();
    try {
      for (Field field : output) {
        if (constants.containsKey(field.getName())) {
          vectors.add(constant(field, constants.get(field.getName()), rows));
        } else {
          FieldVector vector = batch.getVector(field.getName());
          vectors.add(vector);
          used.add(vector);
        }
      }
    } catch (RuntimeException e) {
      vectors.stream().filter(v -> !used.contains(v)).forEach(FieldVector::close);
      batch.close();
      throw e;
    }
    for (FieldVector vector : batch.getFieldVectors()) {
      if (!used.contains(vector)) {
        vector.close();
      }
    }
    List<Field> fields = vectors.stream().map(FieldVector::getField).toList();
    return new VectorSchemaRoot(fields, vectors, rows);
  }

  private FieldVector constant(Field field, Object value, int rows) {
    FieldVector vector = field.createVector(allocator);
    try {
      if (vector instanceof VarCharVector varChar) {
        byte[] bytes = ((String) value).getBytes(StandardCharsets.UTF_8);
        varChar.allocateNew((long) bytes.length * rows, rows);
        for (int i = 0; i < rows; i++) {
          varChar.setSafe(i, bytes);
        }
      } else if (vector instanceof BigIntVector bigInt) {
        bigInt.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          bigInt.set(i, (Long) value);
        }
      } else if (vector instanceof TimeStampVector timestamp) {
        timestamp.allocateNew(rows);
        for (int i = 0; i < rows; i++) {
          timestamp.set(i, (Long) value);
        }
      } else {
        throw new IllegalStateException("No constant column of type " + field.getType());
      }
      vector.setValueCount(rows);
      return vector;
    } catch (RuntimeException e) {
      vector.close();
      throw e;
    }
  }

  @Override
  public long completedBytes() {
    return delegate.completedBytes();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
