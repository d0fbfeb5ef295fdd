package io.oxbow.benchmarks.jmh;

import io.oxbow.connector.delta.DeltaConnectorFactory;
import io.oxbow.connector.delta.DeltaTableWriter;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.tpch.TpchGenerator;
import io.trino.tpch.LineItem;
import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.dataset.file.FileFormat;
import org.apache.arrow.dataset.file.FileSystemDatasetFactory;
import org.apache.arrow.dataset.jni.NativeMemoryPool;
import org.apache.arrow.dataset.scanner.ScanOptions;
import org.apache.arrow.dataset.scanner.Scanner;
import org.apache.arrow.dataset.source.Dataset;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parquet decoding: a TPC-H {@code lineitem} Delta table at {@code scaleFactor} (6M rows at SF 1;
 * longs, ints, DECIMAL(15, 2), dates, dictionary-encoded low-cardinality strings and the
 * high-cardinality {@code l_comment}), written once by Oxbow's own Delta writer under {@code
 * java.io.tmpdir/oxbow-jmh} and reused, read in full: a {@code subset} of 6 columns (a long, three
 * decimals, a date, a low-cardinality string) or {@code all} 16.
 *
 * <ul>
 *   <li>{@code oxbow}: the Delta connector through the SPI ({@link DeltaConnectorFactory}, {@code
 *       createPageSource}), every split decoded into Arrow batches;
 *   <li>{@code parquetMr}: parquet-mr's {@code ParquetFileReader} and {@code ColumnReadStoreImpl}
 *       value by value (Oxbow's decoder before issue 6), values summed, not materialized;
 *   <li>{@code arrowDataset}: Arrow's C++ Parquet reader through JNI ({@code arrow-dataset}) into
 *       Arrow batches; it decodes on Arrow's own thread pool;
 *   <li>{@code duckdbOneThread} and {@code duckdbAllThreads}: DuckDB's {@code read_parquet} over
 *       the same files with {@code min()} of every column read, so each value is decoded (DuckDB
 *       answers {@code count(*)} from metadata).
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "-Darrow.enable_unsafe_memory_access=true",
      "-Darrow.enable_null_check_for_get=false",
      "-Xmx4g"
    })
public class BenchmarkParquetDecode {
  private static final List<String> SUBSET =
      List.of(
          "l_orderkey",
          "l_quantity",
          "l_extendedprice",
          "l_discount",
          "l_shipdate",
          "l_returnflag");

  /** The table on disk (generated on first use) and Oxbow's Delta connector over it. */
  @State(Scope.Benchmark)
  public static class Data {
    @Param("1")
    public double scaleFactor;

    @Param({"subset", "all"})
    public String columns;

    Path warehouse;
    Path tableDir;
    List<String> columnNames;
    BufferAllocator allocator;
    Connector connector;
    ConnectorTableHandle handle;

    @Setup
    public void setup() throws IOException {
      warehouse =
          Path.of(System.getProperty("java.io.tmpdir"), "oxbow-jmh", "lineitem-sf" + scaleFactor);
      tableDir = warehouse.resolve("bench").resolve("lineitem");
      if (!Files.isDirectory(tableDir.resolve("_delta_log"))) {
        generate(warehouse, tableDir, scaleFactor);
      }
      columnNames =
          columns.equals("all")
              ? TpchGenerator.schema(TpchTable.LINE_ITEM).getFields().stream()
                  .map(f -> f.getName())
                  .toList()
              : SUBSET;
      allocator = new RootAllocator();
      connector =
          new DeltaConnectorFactory()
              .create("bench", Map.of(DeltaConnectorFactory.WAREHOUSE, warehouse.toString()));
      handle =
          connector
              .metadata()
              .getTableHandle(new SchemaTableName("bench", "lineitem"))
              .orElseThrow(() -> new IllegalStateException("no table at " + tableDir));
    }

    List<Path> parquetFiles() {
      try (Stream<Path> files = Files.list(tableDir)) {
        return files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @TearDown
    public void tearDown() {
      connector.close();
      allocator.close();
    }
  }

  /** DuckDB with one thread. */
  @State(Scope.Benchmark)
  public static class DuckDbOneThread extends DuckDbState {
    @Setup
    public void setup() throws SQLException {
      open(1);
    }

    @TearDown
    public void tearDown() throws SQLException {
      close();
    }
  }

  /** DuckDB with one thread per core. */
  @State(Scope.Benchmark)
  public static class DuckDbAllThreads extends DuckDbState {
    @Setup
    public void setup() throws SQLException {
      open(allThreads());
    }

    @TearDown
    public void tearDown() throws SQLException {
      close();
    }
  }

  @Benchmark
  public long oxbow(Data data) {
    long rows = 0;
    for (ConnectorSplit split : data.connector.splitManager().getSplits(data.handle)) {
      try (ConnectorPageSource source =
          data.connector
              .pageSourceProvider()
              .createPageSource(data.handle, split, data.columnNames, data.allocator)) {
        VectorSchemaRoot batch;
        while ((batch = source.nextBatch()) != null) {
          rows += batch.getRowCount();
          batch.close();
        }
      }
    }
    return rows;
  }

  @Benchmark
  public long parquetMr(Data data) throws IOException {
    Configuration conf = new Configuration();
    long checksum = 0;
    for (Path file : data.parquetFiles()) {
      try (ParquetFileReader reader =
          ParquetFileReader.open(
              HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), conf))) {
        MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
        List<Type> fields = new ArrayList<>();
        for (String name : data.columnNames) {
          fields.add(fileSchema.getType(name));
        }
        MessageType requested = new MessageType(fileSchema.getName(), fields);
        reader.setRequestedSchema(requested);
        String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
        PageReadStore pages;
        while ((pages = reader.readNextRowGroup()) != null) {
          ColumnReadStoreImpl store =
              new ColumnReadStoreImpl(pages, new NoConverter(requested), requested, createdBy);
          for (ColumnDescriptor column : requested.getColumns()) {
            checksum += readColumn(store.getColumnReader(column), column);
          }
        }
      }
    }
    return checksum;
  }

  private static long readColumn(ColumnReader reader, ColumnDescriptor column) {
    long sum = 0;
    int defined = column.getMaxDefinitionLevel();
    long values = reader.getTotalValueCount();
    switch (column.getPrimitiveType().getPrimitiveTypeName()) {
      case INT32 -> {
        for (long i = 0; i < values; i++) {
          if (reader.getCurrentDefinitionLevel() == defined) {
            sum += reader.getInteger();
          }
          reader.consume();
        }
      }
      case INT64 -> {
        for (long i = 0; i < values; i++) {
          if (reader.getCurrentDefinitionLevel() == defined) {
            sum += reader.getLong();
          }
          reader.consume();
        }
      }
      default -> {
        for (long i = 0; i < values; i++) {
          if (reader.getCurrentDefinitionLevel() == defined) {
            sum += reader.getBinary().length();
          }
          reader.consume();
        }
      }
    }
    return sum;
  }

  @Benchmark
  public long arrowDataset(Data data) throws Exception {
    String[] uris =
        data.parquetFiles().stream().map(f -> f.toUri().toString()).toArray(String[]::new);
    long rows = 0;
    try (FileSystemDatasetFactory factory =
            new FileSystemDatasetFactory(
                data.allocator, NativeMemoryPool.getDefault(), FileFormat.PARQUET, uris);
        Dataset dataset = factory.finish();
        Scanner scanner =
            dataset.newScan(
                new ScanOptions(
                    InMemoryTable.BATCH_ROWS,
                    Optional.of(data.columnNames.toArray(String[]::new))));
        ArrowReader reader = scanner.scanBatches()) {
      while (reader.loadNextBatch()) {
        rows += reader.getVectorSchemaRoot().getRowCount();
      }
    }
    return rows;
  }

  @Benchmark
  public long duckdbOneThread(Data data, DuckDbOneThread duckdb) throws SQLException {
    return duckdb(data, duckdb.connection);
  }

  @Benchmark
  public long duckdbAllThreads(Data data, DuckDbAllThreads duckdb) throws SQLException {
    return duckdb(data, duckdb.connection);
  }

  private static long duckdb(Data data, Connection duckdb) throws SQLException {
    List<String> mins = data.columnNames.stream().map(c -> "min(" + c + ")").toList();
    return Engines.duckdbQuery(
        duckdb,
        "SELECT "
            + String.join(", ", mins)
            + " FROM read_parquet('"
            + data.tableDir.toString().replace("'", "''")
            + "/*.parquet')");
  }

  /** parquet-mr asks for a converter tree; values are read from the column readers directly. */
  private static final class NoConverter extends GroupConverter {
    private final int fields;

    NoConverter(MessageType schema) {
      this.fields = schema.getFieldCount();
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

  /**
   * Writes {@code lineitem} at {@code scaleFactor} with Oxbow's Delta writer (the TPC-H generator's
   * columns and types) into a temporary folder, then moves it into place, so an interrupted run
   * leaves nothing half-written behind.
   */
  private static void generate(Path warehouse, Path tableDir, double scaleFactor)
      throws IOException {
    Path staging = Files.createTempDirectory(Files.createDirectories(warehouse.getParent()), "tmp");
    Path stagedTable = staging.resolve("lineitem");
    Schema schema = TpchGenerator.schema(TpchTable.LINE_ITEM);
    List<TpchColumn<LineItem>> tpchColumns = TpchTable.LINE_ITEM.getColumns();
    try (BufferAllocator allocator = new RootAllocator();
        DeltaTableWriter writer = DeltaTableWriter.create(stagedTable, schema)) {
      VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator);
      try {
        int n = 0;
        allocate(batch);
        for (LineItem item : TpchTable.LINE_ITEM.createGenerator(scaleFactor, 1, 1)) {
          for (int c = 0; c < tpchColumns.size(); c++) {
            set(batch.getVector(c), n, tpchColumns.get(c), item);
          }
          if (++n == InMemoryTable.BATCH_ROWS) {
            batch.setRowCount(n);
            writer.write(batch);
            batch.close();
            batch = VectorSchemaRoot.create(schema, allocator);
            allocate(batch);
            n = 0;
          }
        }
        if (n > 0) {
          batch.setRowCount(n);
          writer.write(batch);
        }
      } finally {
        batch.close();
      }
      writer.commit();
    }
    Files.createDirectories(tableDir.getParent());
    Files.move(stagedTable, tableDir, StandardCopyOption.ATOMIC_MOVE);
    try (Stream<Path> left = Files.walk(staging)) {
      left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void allocate(VectorSchemaRoot batch) {
    for (FieldVector v : batch.getFieldVectors()) {
      v.setInitialCapacity(InMemoryTable.BATCH_ROWS);
      v.allocateNew();
    }
  }

  private static void set(FieldVector vector, int row, TpchColumn<LineItem> column, LineItem item) {
    switch (column.getType().getBase()) {
      case IDENTIFIER -> ((BigIntVector) vector).setSafe(row, column.getIdentifier(item));
      case INTEGER -> ((IntVector) vector).setSafe(row, column.getInteger(item));
      case DATE -> ((DateDayVector) vector).setSafe(row, column.getDate(item));
      case DOUBLE ->
          ((DecimalVector) vector).setSafe(row, Math.round(column.getDouble(item) * 100));
      case VARCHAR ->
          ((VarCharVector) vector)
              .setSafe(row, column.getString(item).getBytes(StandardCharsets.UTF_8));
    }
  }
}
