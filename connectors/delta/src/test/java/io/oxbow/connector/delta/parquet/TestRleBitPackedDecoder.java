package io.oxbow.connector.delta.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.junit.jupiter.api.Test;

/**
 * The RLE / bit-packed hybrid decoder against parquet-mr's encoder, for every bit width, with runs
 * of repeated values (RLE) and random values (bit-packed), read in uneven pieces.
 */
class TestRleBitPackedDecoder {
  @Test
  void decodesWhatParquetMrEncodesForEveryBitWidth() throws Exception {
    Random random = new Random(7);
    for (int width = 0; width <= 32; width++) {
      int n = 5000 + random.nextInt(100);
      int[] values = new int[n];
      long bound = width == 0 ? 1 : 1L << width;
      for (int i = 0; i < n; ) {
        int value = (int) (random.nextLong() & (bound - 1));
        int run = random.nextInt(4) == 0 ? 1 + random.nextInt(40) : 1;
        for (int r = 0; r < run && i < n; r++) {
          values[i++] = value;
        }
      }
      RunLengthBitPackingHybridEncoder encoder =
          new RunLengthBitPackingHybridEncoder(
              width, 64, 1 << 16, HeapByteBufferAllocator.getInstance());
      for (int value : values) {
        encoder.writeInt(value);
      }
      byte[] bytes = encoder.toBytes().toByteArray();
      encoder.close();
      RleBitPackedDecoder decoder = new RleBitPackedDecoder(bytes, 0, bytes.length, width);
      int[] decoded = new int[n];
      for (int at = 0; at < n; ) {
        int piece = Math.min(n - at, 1 + random.nextInt(700));
        if (random.nextBoolean()) {
          decoder.read(decoded, at, piece);
        } else {
          int[] part = new int[piece];
          int expectedCount = 0;
          for (int i = 0; i < piece; i++) {
            if (values[at + i] == values[at]) {
              expectedCount++;
            }
          }
          assertThat(decoder.readAndCount(part, piece, values[at])).isEqualTo(expectedCount);
          System.arraycopy(part, 0, decoded, at, piece);
        }
        at += piece;
      }
      assertThat(decoded).as("bit width %d", width).containsExactly(values);
    }
  }
}
