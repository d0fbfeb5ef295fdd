package io.oxbow.connector.delta.parquet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.bytes.ByteBufferInputStream;
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
 *
 * <p>A data page's bytes are a range of a heap array ({@link #data}, {@link #dataStart}, {@link
 * #dataEnd}): an uncompressed page is the range of the row group's read buffer that holds it, not a
 * copy (the buffers parquet-mr reads a row group into are its own and never reused), so the array
 * may hold other pages' bytes before and after the range.
 */
public final class BufferedColumnChunk {
  private final DictionaryPage dictionary;
  private final byte[] dictionaryBytes;
  private final List<DataPage> pages;
  private final List<Slice> data;
  private final List<byte[]> levels;
  private final long totalValues;

  /** {@code length} bytes of {@code array} from {@code start}. */
  private record Slice(byte[] array, int start, int length) {
    static Slice of(byte[] bytes) {
      return new Slice(bytes, 0, bytes.length);
    }

    BytesInput input() {
      return BytesInput.from(array, start, length);
    }
  }

  private BufferedColumnChunk(
      DictionaryPage dictionary,
      byte[] dictionaryBytes,
      List<DataPage> pages,
      List<Slice> data,
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
      dictionaryBytes = copy(dictionary.getBytes());
      dictionary =
          new DictionaryPage(
              BytesInput.from(dictionaryBytes),
              dictionary.getDictionarySize(),
              dictionary.getEncoding());
    }
    List<DataPage> pages = new ArrayList<>();
    List<Slice> data = new ArrayList<>();
    List<byte[]> levels = new ArrayList<>();
    for (DataPage page = reader.readPage(); page != null; page = reader.readPage()) {
      if (page instanceof DataPageV1 v1) {
        Slice bytes = bytes(v1.getBytes());
        data.add(bytes);
        levels.add(null);
        pages.add(
            new DataPageV1(
                bytes.input(),
                v1.getValueCount(),
                v1.getUncompressedSize(),
                v1.getStatistics(),
                v1.getRlEncoding(),
                v1.getDlEncoding(),
                v1.getValueEncoding()));
      } else {
        DataPageV2 v2 = (DataPageV2) page;
        Slice bytes = bytes(v2.getData());
        byte[] definitions = copy(v2.getDefinitionLevels());
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
                bytes.input(),
                v2.getStatistics()));
      }
    }
    return new BufferedColumnChunk(
        dictionary, dictionaryBytes, pages, data, levels, reader.getTotalValueCount());
  }

  /**
   * A page's bytes as a range of a heap array. An uncompressed page is a slice of the chunk's read
   * buffer: when that buffer is on the heap, the slice is the page (no copy); otherwise it is
   * copied out once. A decompressed page (a stream) is read once by {@code toByteArray}.
   */
  private static Slice bytes(BytesInput input) throws IOException {
    if (!input.getClass().getName().endsWith("$ByteBufferBytesInput")) {
      return Slice.of(input.toByteArray());
    }
    int length = Math.toIntExact(input.size());
    ByteBuffer buffer;
    try (ByteBufferInputStream in = input.toInputStream()) {
      buffer = in.slice(length);
    }
    if (buffer.hasArray()) {
      return new Slice(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
    }
    byte[] out = new byte[length];
    buffer.get(out);
    return Slice.of(out);
  }

  /** The bytes in an array of their own (dictionaries and levels: small, read from offset 0). */
  private static byte[] copy(BytesInput input) throws IOException {
    Slice slice = bytes(input);
    if (slice.start() == 0 && slice.length() == slice.array().length) {
      return slice.array();
    }
    return Arrays.copyOfRange(slice.array(), slice.start(), slice.start() + slice.length());
  }

  /** The data pages, in order. */
  List<DataPage> pages() {
    return pages;
  }

  /**
   * The array holding the bytes of data page {@code i} (all of a v1 page, the values of a v2 page)
   * from {@link #dataStart} to {@link #dataEnd}.
   */
  byte[] data(int i) {
    return data.get(i).array();
  }

  /** Where data page {@code i}'s bytes start in {@link #data}. */
  int dataStart(int i) {
    return data.get(i).start();
  }

  /** Where data page {@code i}'s bytes end (exclusive) in {@link #data}. */
  int dataEnd(int i) {
    Slice slice = data.get(i);
    return slice.start() + slice.length();
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
