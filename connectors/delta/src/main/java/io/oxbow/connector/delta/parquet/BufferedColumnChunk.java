package io.oxbow.connector.delta.parquet;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;

/**
 * The pages of one column chunk, taken out of parquet-mr's page reader (decompressed) so that the
 * decoder can look at every page's encodings before choosing how to decode the chunk; {@link
 * #pageReader()} hands them to parquet-mr's own column reader when the chunk is not decoded in
 * bulk.
 */
public final class BufferedColumnChunk {
  private final DictionaryPage dictionary;
  private final byte[] dictionaryBytes;
  private final List<DataPage> pages;
  private final List<byte[]> data;
  private final List<byte[]> levels;
  private final long totalValues;

  private BufferedColumnChunk(
      DictionaryPage dictionary,
      byte[] dictionaryBytes,
      List<DataPage> pages,
      List<byte[]> data,
      List<byte[]> levels,
      long totalValues) {
    this.dictionary = dictionary;
    this.dictionaryBytes = dictionaryBytes;
    this.pages = pages;
    this.data = data;
    this.levels = levels;
    this.totalValues = totalValues;
  }

  /**
   * Reads every page of a chunk into heap arrays (parquet-mr's decompressed pages may be streams
   * over a shared decompressor, valid only until the next page is read).
   */
  public static BufferedColumnChunk read(PageReader reader) throws IOException {
    DictionaryPage dictionary = reader.readDictionaryPage();
    byte[] dictionaryBytes = null;
    if (dictionary != null) {
      dictionaryBytes = bytes(dictionary.getBytes());
      dictionary =
          new DictionaryPage(
              BytesInput.from(dictionaryBytes),
              dictionary.getDictionarySize(),
              dictionary.getEncoding());
    }
    List<DataPage> pages = new ArrayList<>();
    List<byte[]> data = new ArrayList<>();
    List<byte[]> levels = new ArrayList<>();
    for (DataPage page = reader.readPage(); page != null; page = reader.readPage()) {
      if (page instanceof DataPageV1 v1) {
        byte[] bytes = bytes(v1.getBytes());
        data.add(bytes);
        levels.add(null);
        pages.add(
            new DataPageV1(
                BytesInput.from(bytes),
                v1.getValueCount(),
                v1.getUncompressedSize(),
                v1.getStatistics(),
                v1.getRlEncoding(),
                v1.getDlEncoding(),
                v1.getValueEncoding()));
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        byte[] bytes = bytes(v2.getData());
        byte[] definitions = bytes(v2.getDefinitionLevels());
        data.add(bytes);
        levels.add(definitions);
        pages.add(
            DataPageV2.uncompressed(
                v2.getRowCount(),
                v2.getNullCount(),
                v2.getValueCount(),
                BytesInput.from(v2.getRepetitionLevels().toByteArray()),
                BytesInput.from(definitions),
                v2.getDataEncoding(),
                BytesInput.from(bytes),
                v2.getStatistics()));
      }
    }
    return new BufferedColumnChunk(
        dictionary, dictionaryBytes, pages, data, levels, reader.getTotalValueCount());
  }

  /**
   * A page's bytes in a heap array of their own. An uncompressed page is a slice of the chunk's
   * buffer: it is copied out in one bulk copy ({@code toByteArray} would copy it twice, through a
   * growing stream); a decompressed page (a stream) is read once by {@code toByteArray}.
   */
  private static byte[] bytes(BytesInput input) throws IOException {
    if (!input.getClass().getName().endsWith("$ByteBufferBytesInput")) {
      return input.toByteArray();
    }
    byte[] out = new byte[Math.toIntExact(input.size())];
    try (InputStream in = input.toInputStream()) {
      int at = 0;
      while (at < out.length) {
        int n = in.read(out, at, out.length - at);
        if (n < 0) {
          throw new IOException("Parquet page ended after " + at + " of " + out.length + " bytes");
        }
        at += n;
      }
    }
    return out;
  }

  /** The data pages, in order. */
  List<DataPage> pages() {
    return pages;
  }

  /** The bytes of data page {@code i}: all of a v1 page, the values of a v2 page. */
  byte[] data(int i) {
    return data.get(i);
  }

  /** The definition levels of data page {@code i} if it is a v2 page, else null. */
  byte[] definitionLevels(int i) {
    return levels.get(i);
  }

  /** The dictionary page's bytes, or null. */
  byte[] dictionaryBytes() {
    return dictionaryBytes;
  }

  /** The dictionary page, or null. */
  DictionaryPage dictionaryPage() {
    return dictionary;
  }

  /** A page reader over the buffered pages, from the first. */
  public PageReader pageReader() {
    return new PageReader() {
      private int next;

      @Override
      public DictionaryPage readDictionaryPage() {
        return dictionary;
      }

      @Override
      public long getTotalValueCount() {
        return totalValues;
      }

      @Override
      public DataPage readPage() {
        return next < pages.size() ? pages.get(next++) : null;
      }
    };
  }
}
