package io.oxbow.connector.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.StructType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Presents an Arrow record batch to delta-kernel's writer without copying it. */
final class ArrowColumnarBatch implements ColumnarBatch {
  private final VectorSchemaRoot root;
  private final StructType schema;

  ArrowColumnarBatch(VectorSchemaRoot root, StructType schema) {
    this.root = root;
    this.schema = schema;
  }

  @Override
  public StructType getSchema() {
    return schema;
  }

  @Override
  public ColumnVector getColumnVector(int ordinal) {
    return new ArrowColumnVector(root.getVector(ordinal), schema.at(ordinal).getDataType());
  }

  @Override
  public int getSize() {
    return root.getRowCount();
  }

  /** One Arrow vector seen as a delta-kernel column vector. */
  private static final class ArrowColumnVector implements ColumnVector {
    private final FieldVector vector;
    private final DataType type;

    ArrowColumnVector(FieldVector vector, DataType type) {
      this.vector = vector;
      this.type = type;
    }

    @Override
    public DataType getDataType() {
      return type;
    }

    @Override
    public int getSize() {
      return vector.getValueCount();
    }

    @Override
    public void close() {}

    @Override
    public boolean isNullAt(int rowId) {
      return vector.isNull(rowId);
    }

    @Override
    public boolean getBoolean(int rowId) {
      return ((BitVector) vector).get(rowId) != 0;
    }

    @Override
    public byte getByte(int rowId) {
      return ((TinyIntVector) vector).get(rowId);
    }

    @Override
    public short getShort(int rowId) {
      return ((SmallIntVector) vector).get(rowId);
    }

    @Override
    public int getInt(int rowId) {
      if (vector instanceof DateDayVector d) {
        return d.get(rowId);
      }
      return ((IntVector) vector).get(rowId);
    }

    @Override
    public long getLong(int rowId) {
      if (vector instanceof TimeStampVector t) {
        return t.get(rowId);
      }
      return ((BigIntVector) vector).get(rowId);
    }

    @Override
    public float getFloat(int rowId) {
      return ((Float4Vector) vector).get(rowId);
    }

    @Override
    public double getDouble(int rowId) {
      return ((Float8Vector) vector).get(rowId);
    }

    @Override
    public String getString(int rowId) {
      return new String(((VarCharVector) vector).get(rowId), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] getBinary(int rowId) {
      return ((BaseVariableWidthVector) vector).get(rowId);
    }

    @Override
    public BigDecimal getDecimal(int rowId) {
      return ((DecimalVector) vector).getObject(rowId);
    }
  }
}
