package io.oxbow.flight;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sends the small results of metadata commands (catalogs, schemas, tables, table types) as one
 * batch. Values are strings (VARCHAR columns), byte arrays (VARBINARY columns) or null.
 */
final class MetadataResults {
  private MetadataResults() {}

  static void send(
      Schema schema, List<List<Object>> rows, BufferAllocator allocator, ServerStreamListener out) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      fill(root, rows);
      out.start(root);
      out.putNext();
      out.completed();
    }
  }

  static void fill(VectorSchemaRoot root, List<List<Object>> rows) {
    List<FieldVector> vectors = root.getFieldVectors();
    for (FieldVector vector : vectors) {
      vector.setInitialCapacity(rows.size());
      vector.allocateNew();
    }
    for (int r = 0; r < rows.size(); r++) {
      List<Object> row = rows.get(r);
      if (row.size() != vectors.size()) {
        throw new IllegalArgumentException(
            "row " + r + " has " + row.size() + " values for " + vectors.size() + " columns");
      }
      for (int c = 0; c < row.size(); c++) {
        Object value = row.get(c);
        FieldVector vector = vectors.get(c);
        if (value == null) {
          vector.setNull(r);
        } else if (vector instanceof VarCharVector v) {
          v.setSafe(r, value.toString().getBytes(StandardCharsets.UTF_8));
        } else if (vector instanceof VarBinaryVector v) {
          v.setSafe(r, (byte[]) value);
        } else {
          throw new IllegalArgumentException(
              "unsupported metadata column type " + vector.getField().getType());
        }
      }
    }
    root.setRowCount(rows.size());
  }
}
