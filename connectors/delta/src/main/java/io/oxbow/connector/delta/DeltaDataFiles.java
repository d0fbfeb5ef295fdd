package io.oxbow.connector.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.internal.DataWriteContextImpl;
import io.delta.kernel.internal.data.TransactionStateRow;
import io.delta.kernel.internal.util.PartitionUtils;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
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

/**
 * The data files of one Delta transaction: buffers rows (copied into its own allocator), groups
 * them by partition values, and writes them through delta-kernel's Parquet writer as files of about
 * {@code targetFileRows} rows (kernel also caps a file at 128 MB), with statistics for every column
 * that kernel indexes. The resulting add actions carry those statistics.
 */
final class DeltaDataFiles implements AutoCloseable {
  /** Default buffered bytes above which the largest partitions are written early. */
  private static final long MAX_BUFFERED_BYTES = 256L << 20;

  private final Engine engine;
  private final Row transactionState;
  private final String tableName;
  private final StructType deltaSchema;
  private final Schema arrowSchema;
  private final int[] partitionOrdinals;
  private final List<String> partitionNames;
  private final int targetFileRows;
  private final long maxBufferedBytes;
  private final BufferAllocator allocator = new RootAllocator();
  private final Map<List<Object>, Partition> buffers = new LinkedHashMap<>();
  private final List<Row> addActions = new ArrayList<>();
  private final List<String> writtenFiles = new ArrayList<>();
  private long rows;

  /** The rows of one partition waiting to be written, as copied batches. */
  private static final class Partition {
    final Map<String, Literal> values;
    final List<VectorSchemaRoot> batches = new ArrayList<>();
    int rows;

    Partition(Map<String, Literal> values) {
      this.values = values;
    }
  }

  DeltaDataFiles(Engine engine, Transaction transaction, String tableName, int targetFileRows) {
    this(engine, transaction, tableName, targetFileRows, MAX_BUFFERED_BYTES);
  }

  /**
   * @param maxBufferedBytes buffered bytes above which the largest partitions are written before
   *     they reach {@code targetFileRows}
   */
  DeltaDataFiles(
      Engine engine,
      Transaction transaction,
      String tableName,
      int targetFileRows,
      long maxBufferedBytes) {
    this.engine = engine;
    this.transactionState = transaction.getTransactionState(engine);
    this.tableName = tableName;
    this.deltaSchema = transaction.getSchema(engine);
    this.arrowSchema = DeltaTypes.toArrow(deltaSchema, tableName);
    this.targetFileRows = targetFileRows;
    this.maxBufferedBytes = maxBufferedBytes;
    this.partitionNames = transaction.getPartitionColumns(engine);
    this.partitionOrdinals = new int[partitionNames.size()];
    List<String> names = deltaSchema.fieldNames();
    for (int p = 0; p < partitionNames.size(); p++) {
      int ordinal = -1;
      for (int i = 0; i < names.size(); i++) {
        if (names.get(i).equalsIgnoreCase(partitionNames.get(p))) {
          ordinal = i;
        }
      }
      if (ordinal < 0) {
        throw new OxbowException(
            ErrorCode.INTERNAL,
            "Partition column " + partitionNames.get(p) + " is not a column of " + tableName);
      }
      partitionOrdinals[p] = ordinal;
    }
  }

  /** Copies {@code batch} (the table's columns, in order) into the buffers; may write files. */
  void add(VectorSchemaRoot batch) {
    checkColumns(batch.getSchema());
    int count = batch.getRowCount();
    if (count == 0) {
      return;
    }
    if (partitionOrdinals.length == 0) {
      Partition partition = buffers.computeIfAbsent(List.of(), k -> new Partition(Map.of()));
      int[] all = new int[count];
      for (int r = 0; r < count; r++) {
        all[r] = r;
      }
      partition.batches.add(copyRows(batch, all, count));
      partition.rows += count;
    } else {
      // group the rows by partition, then copy each group in one go
      Map<List<Object>, Integer> groups = new LinkedHashMap<>();
      int[] groupOfRow = new int[count];
      List<Integer> groupSizes = new ArrayList<>();
      for (int r = 0; r < count; r++) {
        Object[] key = new Object[partitionOrdinals.length];
        for (int p = 0; p < key.length; p++) {
          Object value = batch.getVector(partitionOrdinals[p]).getObject(r);
          key[p] = value == null ? null : value instanceof BigDecimal ? value : value.toString();
        }
        List<Object> k = Arrays.asList(key);
        Integer group = groups.get(k);
        if (group == null) {
          group = groups.size();
          groups.put(k, group);
          groupSizes.add(0);
          final int row = r;
          buffers.computeIfAbsent(k, x -> new Partition(partitionValues(batch, row)));
        }
        groupOfRow[r] = group;
        groupSizes.set(group, groupSizes.get(group) + 1);
      }
      int[][] rowsOfGroup = new int[groups.size()][];
      int[] filled = new int[groups.size()];
      for (int g = 0; g < rowsOfGroup.length; g++) {
        rowsOfGroup[g] = new int[groupSizes.get(g)];
      }
      for (int r = 0; r < count; r++) {
        int g = groupOfRow[r];
        rowsOfGroup[g][filled[g]++] = r;
      }
      for (Map.Entry<List<Object>, Integer> e : groups.entrySet()) {
        int[] groupRows = rowsOfGroup[e.getValue()];
        Partition partition = buffers.get(e.getKey());
        partition.batches.add(copyRows(batch, groupRows, groupRows.length));
        partition.rows += groupRows.length;
      }
    }
    rows += count;
    for (Map.Entry<List<Object>, Partition> e : new ArrayList<>(buffers.entrySet())) {
      if (e.getValue().rows >= targetFileRows) {
        write(e.getKey());
      }
    }
    while (allocator.getAllocatedMemory() > maxBufferedBytes && !buffers.isEmpty()) {
      List<Object> largest =
          buffers.entrySet().stream()
              .max(Comparator.comparingInt(e -> e.getValue().rows))
              .orElseThrow()
              .getKey();
      write(largest);
    }
  }

  /** Writes every buffered row; returns all add actions of this transaction so far. */
  List<Row> finish() {
    for (List<Object> key : new ArrayList<>(buffers.keySet())) {
      write(key);
    }
    return List.copyOf(addActions);
  }

  /** Rows added so far. */
  long rows() {
    return rows;
  }

  /** Deletes the data files written so far (best effort), for an abandoned write. */
  void deleteWrittenFiles() {
    for (String path : writtenFiles) {
      try {
        engine.getFileSystemClient().delete(path);
      } catch (IOException | RuntimeException e) {
        // best effort: an orphan data file is invisible to readers and removed by VACUUM
      }
    }
    writtenFiles.clear();
  }

  @Override
  public void close() {
    buffers.values().forEach(p -> p.batches.forEach(VectorSchemaRoot::close));
    buffers.clear();
    allocator.close();
  }

  private void checkColumns(Schema schema) {
    List<Field> fields = schema.getFields();
    boolean same = fields.size() == arrowSchema.getFields().size();
    for (int i = 0; same && i < fields.size(); i++) {
      DataType expected = deltaSchema.at(i).getDataType();
      DataType actual;
      try {
        actual = DeltaTypes.toDelta(fields.get(i).getType(), fields.get(i).getName());
      } catch (OxbowException e) {
        actual = null;
      }
      same = actual != null && expected.equivalent(actual);
    }
    if (!same) {
      throw new OxbowException(
          ErrorCode.CONFLICT,
          String.format(
              "The columns of Delta table %s changed while writing (table has %s, rows have %s);"
                  + " run the statement again",
              tableName, arrowSchema, schema));
    }
  }

  /** A copy, in this writer's allocator, of the first {@code n} rows listed in {@code rows}. */
  private VectorSchemaRoot copyRows(VectorSchemaRoot from, int[] rows, int n) {
    VectorSchemaRoot to = VectorSchemaRoot.create(arrowSchema, allocator);
    for (int c = 0; c < arrowSchema.getFields().size(); c++) {
      FieldVector source = from.getVector(c);
      FieldVector target = to.getVector(c);
      target.setInitialCapacity(n);
      target.allocateNew();
      for (int i = 0; i < n; i++) {
        target.copyFromSafe(rows[i], i, source);
      }
      target.setValueCount(n);
    }
    to.setRowCount(n);
    return to;
  }

  private Map<String, Literal> partitionValues(VectorSchemaRoot batch, int row) {
    Map<String, Literal> values = new HashMap<>();
    for (int p = 0; p < partitionOrdinals.length; p++) {
      int ordinal = partitionOrdinals[p];
      values.put(
          partitionNames.get(p),
          literal(batch.getVector(ordinal), row, deltaSchema.at(ordinal).getDataType()));
    }
    return values;
  }

  private static Literal literal(FieldVector vector, int row, DataType type) {
    if (vector.isNull(row)) {
      return Literal.ofNull(type);
    }
    if (type instanceof BooleanType) {
      return Literal.ofBoolean(((BitVector) vector).get(row) != 0);
    } else if (type instanceof ByteType) {
      return Literal.ofByte(((TinyIntVector) vector).get(row));
    } else if (type instanceof ShortType) {
      return Literal.ofShort(((SmallIntVector) vector).get(row));
    } else if (type instanceof IntegerType) {
      return Literal.ofInt(((IntVector) vector).get(row));
    } else if (type instanceof LongType) {
      return Literal.ofLong(((BigIntVector) vector).get(row));
    } else if (type instanceof FloatType) {
      return Literal.ofFloat(((Float4Vector) vector).get(row));
    } else if (type instanceof DoubleType) {
      return Literal.ofDouble(((Float8Vector) vector).get(row));
    } else if (type instanceof DecimalType d) {
      return Literal.ofDecimal(
          ((DecimalVector) vector).getObject(row), d.getPrecision(), d.getScale());
    } else if (type instanceof StringType) {
      return Literal.ofString(((VarCharVector) vector).getObject(row).toString());
    } else if (type instanceof DateType) {
      return Literal.ofDate(((DateDayVector) vector).get(row));
    } else if (type instanceof TimestampNTZType) {
      return Literal.ofTimestampNtz(((TimeStampVector) vector).get(row));
    } else if (type instanceof TimestampType) {
      return Literal.ofTimestamp(((TimeStampVector) vector).get(row));
    }
    throw OxbowException.userError("Cannot partition a Delta table by a column of type %s", type);
  }

  private void write(List<Object> key) {
    Partition partition = buffers.remove(key);
    try {
      DataWriteContext context =
          Transaction.getWriteContext(engine, transactionState, partition.values);
      List<FilteredColumnarBatch> logical = new ArrayList<>();
      for (VectorSchemaRoot root : partition.batches) {
        logical.add(
            new FilteredColumnarBatch(
                new ColumnSubsetBatch(new ArrowColumnarBatch(root, deltaSchema)),
                Optional.empty()));
      }
      CloseableIterator<FilteredColumnarBatch> physical =
          Transaction.transformLogicalData(
              engine,
              transactionState,
              Utils.toCloseableIterator(logical.iterator()),
              partition.values);
      // kernel's context.getTargetDirectory() is URI-escaped, which would put files under
      // escaped folder names (a table at "/a b" would get files in "/a%20b"): use the plain path
      String directory =
          PartitionUtils.getTargetDirectory(
              TransactionStateRow.getTablePath(transactionState),
              partitionNames,
              ((DataWriteContextImpl) context).getPartitionValues());
      CloseableIterator<DataFileStatus> files =
          engine
              .getParquetHandler()
              .writeParquetFiles(directory, physical, context.getStatisticsColumns())
              .map(
                  file -> {
                    writtenFiles.add(file.getPath());
                    return file;
                  });
      try (CloseableIterator<Row> actions =
          Transaction.generateAppendActions(engine, transactionState, files, context)) {
        while (actions.hasNext()) {
          addActions.add(actions.next());
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Writing data files of Delta table " + tableName + " failed: " + e.getMessage(),
          e);
    } finally {
      partition.batches.forEach(VectorSchemaRoot::close);
    }
  }
}
