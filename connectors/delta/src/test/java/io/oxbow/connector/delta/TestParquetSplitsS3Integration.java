package io.oxbow.connector.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.connector.delta.fs.DeltaFileIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-range splits of a Parquet file with many row groups, read from S3 (s3proxy): every row is
 * read exactly once, with the values parquet-mr wrote.
 */
class TestParquetSplitsS3Integration {
  private static final String BUCKET = "splits";
  private static final int ROWS = 20_000;

  private static TestingS3Server server;
  @TempDir static Path local;

  @BeforeAll
  static void start() {
    server = new TestingS3Server();
    server.createBucket(BUCKET);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void splitsOfOneFileReadEveryRowOnce() throws Exception {
    Path folder = Files.createDirectories(local.resolve("data"));
    Path file = folder.resolve("part-0.parquet");
    TestParquetPageSource.writeParquetMr(
        file,
        ParquetProperties.WriterVersion.PARQUET_1_0,
        CompressionCodecName.SNAPPY,
        true,
        64 * 1024,
        ROWS);
    assertThat(TestParquetPageSource.rowGroups(file)).isGreaterThan(5);
    server.copyIntoBucket(folder, BUCKET, "data");
    long size = Files.size(file);
    Schema schema = TestParquetPageSource.tableSchema();
    List<String> columns = schema.getFields().stream().map(Field::getName).toList();
    try (DeltaFileIO fileIO = new DeltaFileIO(server.s3Options());
        BufferAllocator allocator = new RootAllocator()) {
      DeltaSplit whole = new DeltaSplit("s3://" + BUCKET + "/data/part-0.parquet", size, Map.of());
      List<DeltaSplit> splits = whole.byteRanges(40_000);
      assertThat(splits).hasSizeGreaterThan(3);
      BitSet seen = new BitSet();
      for (DeltaSplit split : splits) {
        try (ParquetPageSource source =
            new ParquetPageSource(
                fileIO, split, schema, List.of(), columns, List.of(), true, allocator)) {
          for (Object[] row : TestParquetPageSource.read(source)) {
            int id = (int) (long) (Long) row[0];
            assertThat(seen.get(id)).as("row %d read twice", id).isFalse();
            seen.set(id);
            Object[] expected = TestParquetPageSource.expectedRow(id);
            if (!Arrays.equals(row, expected)) {
              assertThat(row).as("row %d", id).containsExactly(expected);
            }
          }
        }
      }
      assertThat(seen.cardinality()).isEqualTo(ROWS);
    }
  }
}
