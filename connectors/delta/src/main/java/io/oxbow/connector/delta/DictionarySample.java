package io.oxbow.connector.delta;

import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.connector.delta.fs.ParquetInputFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Distinct-value counts sampled from one data file: for each column asked for, the number of
 * entries in the dictionary of its chunk in the file's first row group, read from the dictionary
 * page's header (one small read per column; on S3 one ranged GET), when every data page of the
 * chunk is dictionary-encoded (so the dictionary holds exactly the chunk's distinct values). Taken
 * once per table version, for the columns {@link FileStatistics#sampleCandidates} names.
 */
final class DictionarySample {
  private static final Logger LOG = LoggerFactory.getLogger(DictionarySample.class);

  /** Bytes read at a dictionary page for its header (the header is a few dozen bytes). */
  private static final int HEADER_READ = 64 * 1024;

  /** Row groups smaller than this say too little about a column's repetition. */
  static final long MIN_SAMPLE_VALUES = 10_000;

  private DictionarySample() {}

  /**
   * Applies the sample of {@code columns} taken from {@code file} to {@code statistics}. Statistics
   * are optional: a file that cannot be read, or a column without a usable dictionary, changes
   * nothing.
   */
  static void apply(
      DeltaFileIO fileIO,
      DeltaSplit file,
      Schema schema,
      List<String> columns,
      FileStatistics statistics) {
    if (columns.isEmpty()) {
      return;
    }
    try (ParquetInputFile input = fileIO.newParquetInputFile(file.path(), file.size(), Set.of());
        ParquetFileReader reader = ParquetFileReader.open(input)) {
      List<BlockMetaData> groups = reader.getFooter().getBlocks();
      if (groups.isEmpty()) {
        return;
      }
      BlockMetaData group = groups.get(0);
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      try (SeekableInputStream stream = input.newStream()) {
        for (String name : columns) {
          Field field = schema.findField(name);
          Type type = ParquetPageSource.findColumn(fileSchema, field);
          if (type == null || !type.isPrimitive()) {
            continue;
          }
          ColumnChunkMetaData chunk = RowGroupSkipping.chunk(group, type.getName());
          long entries = chunk == null ? -1 : dictionaryEntries(stream, input.getLength(), chunk);
          long values = chunk == null ? 0 : chunk.getValueCount();
          if (chunk != null && chunk.getStatistics() != null && !chunk.getStatistics().isEmpty()) {
            values -= chunk.getStatistics().getNumNulls();
          }
          if (entries > 0 && values >= MIN_SAMPLE_VALUES) {
            statistics.applySample(name, values, entries);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("No distinct-value sample from {}: {}", file.path(), e.toString());
    }
  }

  /**
   * The number of entries of the chunk's dictionary, or -1 when the chunk has none or some of its
   * data pages are not dictionary-encoded (a writer that gave up on the dictionary part way).
   */
  private static long dictionaryEntries(
      SeekableInputStream stream, long fileLength, ColumnChunkMetaData chunk) throws IOException {
    EncodingStats stats = chunk.getEncodingStats();
    if (stats == null || !stats.hasDictionaryPages() || stats.hasNonDictionaryEncodedPages()) {
      return -1;
    }
    long offset = chunk.getDictionaryPageOffset();
    if (offset <= 0) {
      // some writers leave the dictionary page offset unset: the chunk starts with it
      offset = chunk.getStartingPos();
    }
    // one bounded read (on S3 one ranged GET of this size, not a read-ahead of the dictionary)
    int length = (int) Math.min(HEADER_READ, fileLength - offset);
    if (length <= 0) {
      return -1;
    }
    byte[] bytes = new byte[length];
    stream.seek(offset);
    stream.readFully(bytes, 0, length);
    PageHeader header = Util.readPageHeader(new ByteArrayInputStream(bytes));
    if (header.getType() != PageType.DICTIONARY_PAGE || !header.isSetDictionary_page_header()) {
      return -1;
    }
    return header.getDictionary_page_header().getNum_values();
  }
}
