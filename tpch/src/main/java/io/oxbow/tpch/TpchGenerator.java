package io.oxbow.tpch;

import io.oxbow.connector.delta.DeltaTableWriter;
import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates TPC-H data with {@code io.trino.tpch} (a port of dbgen) and writes each table as a
 * Delta table under {@code <warehouse>/tpch/<table>}, streaming rows into Arrow batches of 4096
 * rows so no table is held in memory.
 *
 * <p>Column types: every identifier ({@code *_orderkey}, {@code *_partkey}, {@code *_suppkey},
 * {@code *_custkey}, {@code n_nationkey}, {@code *_regionkey}, ...) is BIGINT, so keys never
 * overflow at large scale factors; the other integers ({@code l_linenumber}, {@code p_size}, {@code
 * ps_availqty}, {@code o_shippriority}) are INTEGER as the specification says. Money, quantity,
 * discount and tax columns (the generator's DOUBLE columns) are DECIMAL(15, 2), built exactly from
 * the value in cents; dates are DATE and text is VARCHAR.
 */
public final class TpchGenerator {
  private static final Logger LOG = LoggerFactory.getLogger(TpchGenerator.class);
  private static final int BATCH_ROWS = 4096;
  private static final long PROGRESS_ROWS = 1_000_000;
  public static final String SCHEMA = "tpch";

  private TpchGenerator() {}

  /** Writes all eight tables at scale factor {@code scaleFactor}. */
  public static void generate(Path warehouse, double scaleFactor) {
    long started = System.nanoTime();
    LOG.info("Generating TPC-H SF {} into {}", scaleFactor, warehouse.toAbsolutePath());
    for (TpchTable<?> table : TpchTable.getTables()) {
      generate(warehouse, scaleFactor, table);
    }
    LOG.info(
        "TPC-H SF {} generated in {} ms", scaleFactor, (System.nanoTime() - started) / 1_000_000);
  }

  /** The table's Arrow schema. */
  public static Schema schema(TpchTable<?> table) {
    List<Field> fields = new ArrayList<>();
    for (TpchColumn<?> column : table.getColumns()) {
      fields.add(Field.nullable(column.getColumnName(), arrowType(column)));
    }
    return new Schema(fields);
  }

  private static ArrowType arrowType(TpchColumn<?> column) {
    return switch (column.getType().getBase()) {
      case IDENTIFIER -> new ArrowType.Int(64, true);
      case INTEGER -> new ArrowType.Int(32, true);
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case DOUBLE -> new ArrowType.Decimal(15, 2, 128);
      case VARCHAR -> ArrowType.Utf8.INSTANCE;
    };
  }

  private static <E extends TpchEntity> void generate(
      Path warehouse, double scaleFactor, TpchTable<E> table) {
    long started = System.nanoTime();
    Path dir = warehouse.resolve(SCHEMA).resolve(table.getTableName());
    Schema schema = schema(table);
    List<TpchColumn<E>> columns = table.getColumns();
    long rows = 0;
    try (BufferAllocator allocator = new RootAllocator();
        DeltaTableWriter writer = DeltaTableWriter.create(dir, schema)) {
      VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
      try {
        allocate(root);
        int n = 0;
        for (E entity : table.createGenerator(scaleFactor, 1, 1)) {
          for (int c = 0; c < columns.size(); c++) {
            set(root.getVector(c), n, columns.get(c), entity);
          }
          n++;
          rows++;
          if (rows % PROGRESS_ROWS == 0) {
            LOG.info("tpch.{}: {} rows ...", table.getTableName(), rows);
          }
          if (n == BATCH_ROWS) {
            root.setRowCount(n);
            writer.write(root);
            root.close();
            root = VectorSchemaRoot.create(schema, allocator);
            allocate(root);
            n = 0;
          }
        }
        root.setRowCount(n);
        if (n > 0) {
          writer.write(root);
        }
      } finally {
        root.close();
      }
      writer.commit();
    }
    LOG.info(
        "tpch.{}: {} rows in {} ms",
        table.getTableName(),
        rows,
        (System.nanoTime() - started) / 1_000_000);
  }

  private static void allocate(VectorSchemaRoot root) {
    for (FieldVector v : root.getFieldVectors()) {
      v.setInitialCapacity(BATCH_ROWS);
      v.allocateNew();
    }
  }

  private static <E extends TpchEntity> void set(
      FieldVector vector, int row, TpchColumn<E> column, E entity) {
    switch (column.getType().getBase()) {
      case IDENTIFIER -> ((BigIntVector) vector).setSafe(row, column.getIdentifier(entity));
      case INTEGER -> ((IntVector) vector).setSafe(row, column.getInteger(entity));
      case DATE -> ((DateDayVector) vector).setSafe(row, column.getDate(entity));
      // the generator keeps money in cents; its double is cents / 100, so rounding recovers them
      case DOUBLE ->
          ((DecimalVector) vector).setSafe(row, Math.round(column.getDouble(entity) * 100));
      case VARCHAR ->
          ((VarCharVector) vector)
              .setSafe(row, column.getString(entity).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** True if a complete TPC-H warehouse exists at {@code warehouse}. */
  public static boolean exists(Path warehouse) {
    for (TpchTable<?> table : TpchTable.getTables()) {
      if (!Files.isDirectory(
          warehouse.resolve(SCHEMA).resolve(table.getTableName()).resolve("_delta_log"))) {
        return false;
      }
    }
    return true;
  }
}
