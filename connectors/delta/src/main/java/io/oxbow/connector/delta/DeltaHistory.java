package io.oxbow.connector.delta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.StructType;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The commit history of a Delta table ({@code DESCRIBE HISTORY}): one row per commit, newest first,
 * with the Databricks column names for what the {@code commitInfo} action holds. The timestamp is
 * the in-commit timestamp when the table records one, else the commit file's modification time.
 */
final class DeltaHistory {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH_ROWS = 4096;

  /** The columns of {@code DESCRIBE HISTORY}. */
  static final Schema SCHEMA =
      new Schema(
          List.of(
              new Field("version", FieldType.notNullable(new ArrowType.Int(64, true)), null),
              new Field(
                  "timestamp",
                  FieldType.notNullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                  null),
              Field.nullable("operation", ArrowType.Utf8.INSTANCE),
              Field.nullable("operationParameters", ArrowType.Utf8.INSTANCE),
              Field.nullable("engineInfo", ArrowType.Utf8.INSTANCE),
              Field.nullable("isBlindAppend", ArrowType.Bool.INSTANCE),
              Field.nullable("operationMetrics", ArrowType.Utf8.INSTANCE)));

  private DeltaHistory() {}

  /** The single split of a history scan. */
  record HistorySplit() implements ConnectorSplit {}

  /** One commit. */
  record Commit(
      long version,
      long timestampMillis,
      String operation,
      String operationParameters,
      String engineInfo,
      Boolean isBlindAppend,
      String operationMetrics) {}

  /** The commits from {@code earliest} to {@code latest}, newest first. */
  static List<Commit> read(Engine engine, String tablePath, long earliest, long latest) {
    Map<Long, Commit> commits = new TreeMap<>();
    StructType schema = new StructType().add("commitInfo", DeltaCommits.COMMIT_INFO, true);
    DeltaCommits.read(
        engine,
        tablePath,
        earliest,
        latest,
        schema,
        (version, fileTime, batch) -> {
          ColumnVector info = batch.getColumnVector(0);
          ColumnVector ict = child(info, "inCommitTimestamp");
          ColumnVector operation = child(info, "operation");
          ColumnVector parameters = child(info, "operationParameters");
          ColumnVector engineInfo = child(info, "engineInfo");
          ColumnVector blindAppend = child(info, "isBlindAppend");
          ColumnVector metrics = child(info, "operationMetrics");
          commits.putIfAbsent(version, new Commit(version, fileTime, null, null, null, null, null));
          for (int row = 0; row < batch.getSize(); row++) {
            if (info.isNullAt(row)) {
              continue;
            }
            commits.put(
                version,
                new Commit(
                    version,
                    ict.isNullAt(row) ? fileTime : ict.getLong(row),
                    operation.isNullAt(row) ? null : operation.getString(row),
                    parameters.isNullAt(row)
                        ? null
                        : json(VectorUtils.toJavaMap(parameters.getMap(row))),
                    engineInfo.isNullAt(row) ? null : engineInfo.getString(row),
                    blindAppend.isNullAt(row) ? null : blindAppend.getBoolean(row),
                    metrics.isNullAt(row)
                        ? null
                        : json(VectorUtils.toJavaMap(metrics.getMap(row)))));
          }
        });
    List<Commit> newestFirst = new ArrayList<>(commits.values());
    newestFirst.sort(Comparator.comparingLong(Commit::version).reversed());
    return newestFirst;
  }

  private static ColumnVector child(ColumnVector struct, String name) {
    return struct.getChild(((io.delta.kernel.types.StructType) struct.getDataType()).indexOf(name));
  }

  private static String json(Map<Object, Object> map) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(map));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A page source over commits already read, for the requested history columns. */
  static ConnectorPageSource pageSource(
      List<Commit> commits, List<String> columns, BufferAllocator allocator) {
    return new ConnectorPageSource() {
      private int next;
      private boolean closed;

      @Override
      public VectorSchemaRoot nextBatch() {
        if (closed || next >= commits.size()) {
          return null;
        }
        List<Commit> batch = commits.subList(next, Math.min(commits.size(), next + BATCH_ROWS));
        next += batch.size();
        List<FieldVector> vectors = new ArrayList<>();
        try {
          for (String column : columns) {
            Field field = SCHEMA.findField(column);
            FieldVector vector = field.createVector(allocator);
            vectors.add(vector);
            fill(vector, column, batch);
          }
        } catch (RuntimeException e) {
          vectors.forEach(FieldVector::close);
          throw e;
        }
        return new VectorSchemaRoot(
            vectors.stream().map(FieldVector::getField).toList(), vectors, batch.size());
      }

      @Override
      public long completedBytes() {
        return 0;
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }

  private static void fill(FieldVector vector, String column, List<Commit> commits) {
    int rows = commits.size();
    vector.setInitialCapacity(rows);
    vector.allocateNew();
    for (int i = 0; i < rows; i++) {
      Commit c = commits.get(i);
      switch (column) {
        case "version" -> ((BigIntVector) vector).setSafe(i, c.version());
        case "timestamp" -> ((TimeStampVector) vector).setSafe(i, c.timestampMillis() * 1000);
        case "isBlindAppend" -> {
          if (c.isBlindAppend() != null) {
            ((BitVector) vector).setSafe(i, c.isBlindAppend() ? 1 : 0);
          } else {
            ((BitVector) vector).setNull(i);
          }
        }
        default -> {
          String text =
              switch (column) {
                case "operation" -> c.operation();
                case "operationParameters" -> c.operationParameters();
                case "engineInfo" -> c.engineInfo();
                case "operationMetrics" -> c.operationMetrics();
                default -> throw new IllegalArgumentException("No history column " + column);
              };
          if (text == null) {
            ((VarCharVector) vector).setNull(i);
          } else {
            ((VarCharVector) vector).setSafe(i, text.getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    }
    vector.setValueCount(rows);
  }
}
