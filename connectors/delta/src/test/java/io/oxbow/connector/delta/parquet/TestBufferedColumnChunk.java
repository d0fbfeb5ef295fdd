package io.oxbow.connector.delta.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;

/**
 * Uncompressed pages are ranges of the row group's read buffer, not copies: the decoder must read
 * each page from its start to its end within a larger array, never the bytes of the pages beside
 * it. Pages here are slices of one heap buffer with other bytes before, between and after them, as
 * parquet-mr hands out an uncompressed chunk's pages.
 */
class TestBufferedColumnChunk {
  private static final PrimitiveType LONG_REQUIRED =
      Types.required(PrimitiveTypeName.INT64).named("x");
  private static final PrimitiveType LONG_OPTIONAL =
      Types.optional(PrimitiveTypeName.INT64).named("x");
  private static final PrimitiveType STRING_REQUIRED =
      Types.required(PrimitiveTypeName.BINARY).named("s");

  /** Pages laid out in one array, with 16 bytes of 0x7f before, between and after them. */
  private static final class Layout {
    final byte[] array;
    final List<int[]> ranges = new ArrayList<>();

    Layout(List<byte[]> pages) {
      int size = 16;
      for (byte[] page : pages) {
        size += page.length + 16;
      }
      array = new byte[size];
      java.util.Arrays.fill(array, (byte) 0x7f);
      int at = 16;
      for (byte[] page : pages) {
        System.arraycopy(page, 0, array, at, page.length);
        ranges.add(new int[] {at, page.length});
        at += page.length + 16;
      }
    }

    BytesInput slice(int page) {
      int[] range = ranges.get(page);
      return BytesInput.from(ByteBuffer.wrap(array, range[0], range[1]).slice());
    }
  }

  private static byte[] plainLongs(long... values) {
    ByteBuffer buffer = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long value : values) {
      buffer.putLong(value);
    }
    return buffer.array();
  }

  private static DataPage page(BytesInput bytes, int valueCount) {
    return new DataPageV1(
        bytes,
        valueCount,
        Math.toIntExact(bytes.size()),
        Statistics.createStats(LONG_REQUIRED),
        Encoding.RLE,
        Encoding.RLE,
        Encoding.PLAIN);
  }

  private static PageReader reader(List<DataPage> pages) {
    long total = pages.stream().mapToLong(DataPage::getValueCount).sum();
    return new PageReader() {
      private int next;

      @Override
      public DictionaryPage readDictionaryPage() {
        return null;
      }

      @Override
      public long getTotalValueCount() {
        return total;
      }

      @Override
      public DataPage readPage() {
        return next < pages.size() ? pages.get(next++) : null;
      }
    };
  }

  @Test
  void uncompressedPagesAreRangesOfTheReadBufferAndDecodeToTheirOwnValues() throws Exception {
    Layout layout = new Layout(List.of(plainLongs(1, 2, 3), plainLongs(-4, 5_000_000_000L)));
    BufferedColumnChunk chunk =
        BufferedColumnChunk.read(
            reader(List.of(page(layout.slice(0), 3), page(layout.slice(1), 2))));
    // no copy: both pages point into the one array, at their own ranges
    assertThat(chunk.data(0)).isSameAs(layout.array);
    assertThat(chunk.data(1)).isSameAs(layout.array);
    assertThat(chunk.dataStart(0)).isEqualTo(16);
    assertThat(chunk.dataEnd(0)).isEqualTo(16 + 24);
    assertThat(chunk.dataStart(1)).isEqualTo(16 + 24 + 16);
    assertThat(chunk.dataEnd(1)).isEqualTo(16 + 24 + 16 + 16);

    ColumnDescriptor column = new ColumnDescriptor(new String[] {"x"}, LONG_REQUIRED, 0, 0);
    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector vector = new BigIntVector("x", allocator)) {
      // every row (a bulk copy per page) ...
      ColumnChunkDecoder decoder =
          ColumnChunkDecoder.create(column, chunk, new ArrowType.Int(64, true), 16);
      vector.allocateNew(5);
      decoder.read(vector, 5, null);
      vector.setValueCount(5);
      assertThat(values(vector)).containsExactly(1L, 2L, 3L, -4L, 5_000_000_000L);

      // ... and only some rows (values picked by position within each page)
      decoder = ColumnChunkDecoder.create(column, chunk, new ArrowType.Int(64, true), 16);
      vector.allocateNew(5);
      decoder.read(vector, 5, new boolean[] {false, true, true, true, false});
      vector.setValueCount(3);
      assertThat(values(vector)).containsExactly(2L, 3L, -4L);

      // parquet-mr's own reader sees the same pages
      assertThat(chunk.pageReader().readPage().getCompressedSize()).isEqualTo(24);
    }
  }

  @Test
  void definitionLevelsAndStringsAreReadWithinTheirPage() throws Exception {
    // optional column, rows [7, null, 9]: 4-byte length, RLE levels, then the two values
    byte[] levels = {0x02, 0x01, 0x02, 0x00, 0x02, 0x01}; // runs of 1 x 1, 1 x 0, 1 x 1
    ByteBuffer optional =
        ByteBuffer.allocate(4 + levels.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    optional.putInt(levels.length).put(levels).putLong(7).putLong(9);
    byte[] a = "abc".getBytes(StandardCharsets.UTF_8);
    byte[] b = "de".getBytes(StandardCharsets.UTF_8);
    ByteBuffer strings =
        ByteBuffer.allocate(8 + a.length + b.length).order(ByteOrder.LITTLE_ENDIAN);
    strings.putInt(a.length).put(a).putInt(b.length).put(b);
    Layout layout = new Layout(List.of(optional.array(), strings.array()));

    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector longs = new BigIntVector("x", allocator);
        VarCharVector text = new VarCharVector("s", allocator)) {
      BufferedColumnChunk chunk =
          BufferedColumnChunk.read(reader(List.of(page(layout.slice(0), 3))));
      assertThat(chunk.dataStart(0)).isEqualTo(16);
      ColumnChunkDecoder decoder =
          ColumnChunkDecoder.create(
              new ColumnDescriptor(new String[] {"x"}, LONG_OPTIONAL, 0, 1),
              chunk,
              new ArrowType.Int(64, true),
              16);
      longs.allocateNew(3);
      decoder.read(longs, 3, null);
      longs.setValueCount(3);
      assertThat(longs.getObject(0)).isEqualTo(7L);
      assertThat(longs.isNull(1)).isTrue();
      assertThat(longs.getObject(2)).isEqualTo(9L);

      chunk = BufferedColumnChunk.read(reader(List.of(page(layout.slice(1), 2))));
      assertThat(chunk.dataStart(0)).isGreaterThan(16);
      decoder =
          ColumnChunkDecoder.create(
              new ColumnDescriptor(new String[] {"s"}, STRING_REQUIRED, 0, 0),
              chunk,
              ArrowType.Utf8.INSTANCE,
              16);
      text.allocateNew(2);
      decoder.read(text, 2, null);
      text.setValueCount(2);
      assertThat(text.getObject(0).toString()).isEqualTo("abc");
      assertThat(text.getObject(1).toString()).isEqualTo("de");
    }
  }

  @Test
  void aPageWithFewerValuesThanItsHeaderFailsInsteadOfReadingTheNextPage() throws Exception {
    // the first page's header claims 4 values but holds 3; the next page's bytes follow it in the
    // array, so reading on would silently return them
    Layout layout = new Layout(List.of(plainLongs(1, 2, 3), plainLongs(4, 5)));
    ColumnDescriptor column = new ColumnDescriptor(new String[] {"x"}, LONG_REQUIRED, 0, 0);
    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector vector = new BigIntVector("x", allocator)) {
      for (boolean[] keep : new boolean[][] {null, {true, false, true, true}}) {
        BufferedColumnChunk chunk =
            BufferedColumnChunk.read(
                reader(List.of(page(layout.slice(0), 4), page(layout.slice(1), 2))));
        ColumnChunkDecoder decoder =
            ColumnChunkDecoder.create(column, chunk, new ArrowType.Int(64, true), 16);
        vector.allocateNew(4);
        assertThatThrownBy(() -> decoder.read(vector, 4, keep))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("fewer values than its header says");
      }
    }
  }

  @Test
  void oneScratchServesTheDecodersOfOneColumnChunkAfterChunk() throws Exception {
    ColumnDescriptor column = new ColumnDescriptor(new String[] {"x"}, LONG_REQUIRED, 0, 0);
    ColumnDescriptor text = new ColumnDescriptor(new String[] {"s"}, STRING_REQUIRED, 0, 0);
    ColumnChunkDecoder.Scratch longs = new ColumnChunkDecoder.Scratch(16);
    ColumnChunkDecoder.Scratch strings = new ColumnChunkDecoder.Scratch(16);
    try (BufferAllocator allocator = new RootAllocator();
        BigIntVector vector = new BigIntVector("x", allocator);
        VarCharVector varchar = new VarCharVector("s", allocator)) {
      for (int chunkNumber = 0; chunkNumber < 3; chunkNumber++) {
        long base = 100L * chunkNumber;
        Layout layout = new Layout(List.of(plainLongs(base + 1, base + 2, base + 3)));
        BufferedColumnChunk chunk =
            BufferedColumnChunk.read(reader(List.of(page(layout.slice(0), 3))));
        ColumnChunkDecoder decoder =
            ColumnChunkDecoder.create(column, chunk, new ArrowType.Int(64, true), 16, longs);
        vector.allocateNew(3);
        // a selective read goes through the scratch's map and value arrays
        decoder.read(vector, 3, new boolean[] {true, false, true});
        vector.setValueCount(2);
        assertThat(values(vector)).containsExactly(base + 1, base + 3);

        // each chunk's strings are longer than the last one's: the gather buffer grows
        String value = "v".repeat(40 * (chunkNumber + 1)) + chunkNumber;
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer page =
            ByteBuffer.allocate(2 * (4 + bytes.length)).order(ByteOrder.LITTLE_ENDIAN);
        page.putInt(bytes.length).put(bytes).putInt(bytes.length).put(bytes);
        Layout stringLayout = new Layout(List.of(page.array()));
        decoder =
            ColumnChunkDecoder.create(
                text,
                BufferedColumnChunk.read(reader(List.of(page(stringLayout.slice(0), 2)))),
                ArrowType.Utf8.INSTANCE,
                16,
                strings);
        varchar.allocateNew(2);
        decoder.read(varchar, 2, null);
        varchar.setValueCount(2);
        assertThat(varchar.getObject(0).toString()).isEqualTo(value);
        assertThat(varchar.getObject(1).toString()).isEqualTo(value);
      }
      BufferedColumnChunk chunk =
          BufferedColumnChunk.read(
              reader(List.of(page(new Layout(List.of(plainLongs(1))).slice(0), 1))));
      assertThatThrownBy(
              () ->
                  ColumnChunkDecoder.create(
                      column,
                      chunk,
                      new ArrowType.Int(64, true),
                      32,
                      new ColumnChunkDecoder.Scratch(16)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Scratch for 16 rows used for batches of 32");
    }
  }

  private static List<Long> values(BigIntVector vector) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < vector.getValueCount(); i++) {
      out.add(vector.getObject(i));
    }
    return out;
  }
}
