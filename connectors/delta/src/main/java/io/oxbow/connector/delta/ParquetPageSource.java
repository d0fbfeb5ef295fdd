package io.oxbow.connector.delta;

import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
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
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads one Parquet file into Arrow batches, column by column: for each row group and each
 * requested column, a Parquet column reader decodes values and definition levels straight into that
 * column's Arrow vector. Columns that were not requested are never decoded; partition columns are
 * filled from the split's partition values.
 */
final class ParquetPageSource implements ConnectorPageSource {
  private static final int BATCH_ROWS = 4096;
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private final DeltaSplit split;
  private final List<Field> fields;
  private final List<String> partitionColumns;
  private final BufferAllocator allocator;
  private final Schema outputSchema;
  private ParquetFileReader reader;
  private MessageType requested;
  private ColumnDescriptor[] descriptors;
  private ColumnReader[] readers;
  private long rowsLeftInGroup;
  private int rowGroupIndex;
  private List<BlockMetaData> blocks;
  private long completedBytes;
  private boolean closed;
  private boolean opened;

  ParquetPageSource(
      DeltaSplit split,
      Schema tableSchema,
      List<String> partitionColumns,
      List<String> columns,
      BufferAllocator allocator) {
    this.split = split;
    this.partitionColumns = partitionColumns;
    this.allocator = allocator;
    this.fields = new ArrayList<>();
    for (String column : columns) {
      Field field =
          tableSchema.getFields().stream()
              .filter(f -> f.getName().equals(column))
              .findFirst()
              .orElseThrow(() -> OxbowException.notFound("Column '%s' not found", column));
      fields.add(field);
    }
    this.outputSchema = new Schema(fields);
  }

  private void open() {
    opened = true;
    Path path = localPath(split.path());
    try {
      reader = ParquetFileReader.open(new LocalInputFile(path));
    } catch (NoSuchFileException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Data file " + path + " is missing: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Cannot read data file " + path + ": " + e.getMessage(), e);
    }
    MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
    List<Type> types = new ArrayList<>();
    descriptors = new ColumnDescriptor[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      String name = fields.get(i).getName();
      if (partitionColumns.contains(name)) {
        continue;
      }
      Type type = null;
      for (Type t : fileSchema.getFields()) {
        if (t.getName().toLowerCase(Locale.ROOT).equals(name)) {
          type = t;
        }
      }
      if (type == null) {
        continue; // column added after this file was written: all NULL
      }
      if (!type.isPrimitive()) {
        throw OxbowException.userError("Nested column '%s' is not supported yet", name);
      }
      if (!types.contains(type)) {
        types.add(type);
      }
      descriptors[i] = fileSchema.getColumnDescription(new String[] {type.getName()});
    }
    requested = new MessageType(fileSchema.getName(), types);
    reader.setRequestedSchema(requested);
    blocks = reader.getRowGroups();
  }

  private static Path localPath(String location) {
    if (location.startsWith("file:")) {
      return Path.of(URI.create(location.replace(" ", "%20")));
    }
    return Path.of(location);
  }

  @Override
  public VectorSchemaRoot nextBatch() {
    if (closed) {
      return null;
    }
    if (!opened) {
      open();
    }
    try {
      while (rowsLeftInGroup == 0) {
        if (rowGroupIndex >= blocks.size()) {
          return null;
        }
        BlockMetaData block = blocks.get(rowGroupIndex++);
        rowsLeftInGroup = block.getRowCount();
        completedBytes += block.getCompressedSize();
        if (requested.getFieldCount() > 0) {
          PageReadStore pages = reader.readNextRowGroup();
          ColumnReadStoreImpl store =
              new ColumnReadStoreImpl(
                  pages,
                  new NoopGroupConverter(requested.getFieldCount()),
                  requested,
                  reader.getFooter().getFileMetaData().getCreatedBy());
          readers = new ColumnReader[fields.size()];
          for (int i = 0; i < fields.size(); i++) {
            if (descriptors[i] != null) {
              readers[i] = store.getColumnReader(descriptors[i]);
            }
          }
        } else {
          reader.skipNextRowGroup();
        }
      }
      int n = (int) Math.min(BATCH_ROWS, rowsLeftInGroup);
      VectorSchemaRoot root = VectorSchemaRoot.create(outputSchema, allocator);
      try {
        for (int i = 0; i < fields.size(); i++) {
          FieldVector vector = root.getVector(i);
          vector.setInitialCapacity(n);
          vector.allocateNew();
          String name = fields.get(i).getName();
          if (partitionColumns.contains(name)) {
            fillPartition(vector, split.partitionValues().get(name), n);
          } else if (readers == null || readers[i] == null) {
            for (int r = 0; r < n; r++) {
              setNull(vector, r);
            }
          } else {
            decode(readers[i], descriptors[i], vector, n);
          }
          vector.setValueCount(n);
        }
        root.setRowCount(n);
      } catch (RuntimeException e) {
        root.close();
        throw e;
      }
      rowsLeftInGroup -= n;
      return root;
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot read data file " + split.path() + ": " + e.getMessage(),
          e);
    }
  }

  private static void setNull(FieldVector vector, int index) {
    if (vector instanceof org.apache.arrow.vector.BaseFixedWidthVector f) {
      f.setNull(index);
    } else if (vector instanceof VarCharVector v) {
      v.setNull(index);
    }
  }

  /** Decodes {@code n} values of one column chunk into {@code vector}. */
  private static void decode(
      ColumnReader cr, ColumnDescriptor descriptor, FieldVector vector, int n) {
    int maxDefinition = descriptor.getMaxDefinitionLevel();
    PrimitiveType primitive = descriptor.getPrimitiveType();
    PrimitiveType.PrimitiveTypeName physical = primitive.getPrimitiveTypeName();
    if (vector instanceof BigIntVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(
              r,
              physical == PrimitiveType.PrimitiveTypeName.INT32 ? cr.getInteger() : cr.getLong());
        }
      }
    } else if (vector instanceof IntVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(r, cr.getInteger());
        }
      }
    } else if (vector instanceof DecimalVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else if (physical == PrimitiveType.PrimitiveTypeName.INT64) {
          v.set(r, cr.getLong());
        } else if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
          v.set(r, cr.getInteger());
        } else {
          v.setBigEndian(r, cr.getBinary().getBytes());
        }
      }
    } else if (vector instanceof VarCharVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          Binary binary = cr.getBinary();
          ByteBuffer bytes = binary.toByteBuffer();
          v.setSafe(r, bytes, bytes.position(), bytes.remaining());
        }
      }
    } else if (vector instanceof DateDayVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(r, cr.getInteger());
        }
      }
    } else if (vector instanceof Float8Vector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(
              r,
              physical == PrimitiveType.PrimitiveTypeName.FLOAT ? cr.getFloat() : cr.getDouble());
        }
      }
    } else if (vector instanceof Float4Vector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(r, cr.getFloat());
        }
      }
    } else if (vector instanceof BitVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(r, cr.getBoolean() ? 1 : 0);
        }
      }
    } else if (vector instanceof SmallIntVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(r, (short) cr.getInteger());
        }
      }
    } else if (vector instanceof TinyIntVector v) {
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else {
          v.set(r, (byte) cr.getInteger());
        }
      }
    } else if (vector instanceof TimeStampVector v) {
      long factor = 1;
      long divisor = 1;
      if (primitive.getLogicalTypeAnnotation()
          instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
        switch (ts.getUnit()) {
          case MILLIS -> factor = 1000;
          case NANOS -> divisor = 1000;
          default -> {}
        }
      }
      for (int r = 0; r < n; r++, cr.consume()) {
        if (cr.getCurrentDefinitionLevel() < maxDefinition) {
          v.setNull(r);
        } else if (physical == PrimitiveType.PrimitiveTypeName.INT96) {
          ByteBuffer b = cr.getBinary().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
          long nanosOfDay = b.getLong();
          long julianDay = b.getInt() & 0xffffffffL;
          v.set(r, (julianDay - JULIAN_EPOCH_DAY) * 86_400_000_000L + nanosOfDay / 1000);
        } else {
          v.set(r, cr.getLong() * factor / divisor);
        }
      }
    } else {
      throw OxbowException.userError(
          "Column '%s' has type %s, which is not supported yet",
          vector.getName(), vector.getField().getType());
    }
  }

  /** Fills a partition column with its (string-encoded) value from the Delta log. */
  private static void fillPartition(FieldVector vector, String value, int n) {
    for (int r = 0; r < n; r++) {
      if (value == null) {
        setNull(vector, r);
        continue;
      }
      if (vector instanceof VarCharVector v) {
        v.setSafe(r, value.getBytes(StandardCharsets.UTF_8));
      } else if (vector instanceof BigIntVector v) {
        v.set(r, Long.parseLong(value));
      } else if (vector instanceof IntVector v) {
        v.set(r, Integer.parseInt(value));
      } else if (vector instanceof SmallIntVector v) {
        v.set(r, Short.parseShort(value));
      } else if (vector instanceof TinyIntVector v) {
        v.set(r, Byte.parseByte(value));
      } else if (vector instanceof DateDayVector v) {
        v.set(r, (int) LocalDate.parse(value).toEpochDay());
      } else if (vector instanceof DecimalVector v) {
        v.set(r, new BigDecimal(value).setScale(v.getScale()));
      } else if (vector instanceof BitVector v) {
        v.set(r, Boolean.parseBoolean(value) ? 1 : 0);
      } else if (vector instanceof Float8Vector v) {
        v.set(r, Double.parseDouble(value));
      } else {
        throw OxbowException.userError(
            "Partition column '%s' of type %s is not supported yet",
            vector.getName(), vector.getField().getType());
      }
    }
  }

  @Override
  public long completedBytes() {
    return completedBytes;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException e) {
        // nothing was lost: the file was only read
      }
    }
  }

  /** Parquet's column readers need a converter tree; values are read directly, so it is inert. */
  private static final class NoopGroupConverter extends GroupConverter {
    private final int fields;

    NoopGroupConverter(int fields) {
      this.fields = fields;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      if (fieldIndex >= fields) {
        throw new IndexOutOfBoundsException(fieldIndex);
      }
      return new PrimitiveConverter() {};
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
