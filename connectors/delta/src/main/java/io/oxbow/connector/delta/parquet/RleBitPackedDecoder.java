package io.oxbow.connector.delta.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes Parquet's RLE / bit-packed hybrid encoding (definition levels and dictionary indices)
 * into int arrays, a run at a time: an RLE run is one {@code Arrays.fill}, a bit-packed run one
 * tight unpacking loop.
 */
final class RleBitPackedDecoder {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] data;
  private final int end;
  private final int bitWidth;
  private final long mask;
  private int pos;
  private int rleLeft;
  private int rleValue;
  private int packedLeft;
  private long packedBit;

  /** Where the current bit-packed run starts: its groups of 8 values start every width bytes. */
  private long runStartBit;

  /**
   * @param data the encoded bytes
   * @param offset where the runs start
   * @param end where they end (exclusive)
   * @param bitWidth bits per value, 0 to 32
   */
  RleBitPackedDecoder(byte[] data, int offset, int end, int bitWidth) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new IllegalArgumentException("Bad RLE bit width " + bitWidth);
    }
    this.data = data;
    this.pos = offset;
    this.end = end;
    this.bitWidth = bitWidth;
    this.mask = bitWidth == 32 ? 0xffffffffL : (1L << bitWidth) - 1;
  }

  /** Decodes the next {@code n} values into {@code out[offset..offset+n)}. */
  void read(int[] out, int offset, int n) {
    while (n > 0) {
      if (rleLeft == 0 && packedLeft == 0) {
        readHeader();
      }
      if (rleLeft > 0) {
        int m = Math.min(n, rleLeft);
        Arrays.fill(out, offset, offset + m, rleValue);
        rleLeft -= m;
        offset += m;
        n -= m;
      } else {
        int m = Math.min(n, packedLeft);
        unpack(out, offset, m);
        packedLeft -= m;
        offset += m;
        n -= m;
      }
    }
  }

  /**
   * Counts how many of the next {@code n} values equal {@code value}, decoding them into {@code
   * out} as well.
   */
  int readAndCount(int[] out, int n, int value) {
    int count = 0;
    int offset = 0;
    while (n > 0) {
      if (rleLeft == 0 && packedLeft == 0) {
        readHeader();
      }
      if (rleLeft > 0) {
        int m = Math.min(n, rleLeft);
        Arrays.fill(out, offset, offset + m, rleValue);
        if (rleValue == value) {
          count += m;
        }
        rleLeft -= m;
        offset += m;
        n -= m;
      } else {
        int m = Math.min(n, packedLeft);
        unpack(out, offset, m);
        for (int i = offset; i < offset + m; i++) {
          if (out[i] == value) {
            count++;
          }
        }
        packedLeft -= m;
        offset += m;
        n -= m;
      }
    }
    return count;
  }

  /** Skips the next {@code n} values without decoding them. */
  void skip(int n) {
    while (n > 0) {
      if (rleLeft == 0 && packedLeft == 0) {
        readHeader();
      }
      if (rleLeft > 0) {
        int m = Math.min(n, rleLeft);
        rleLeft -= m;
        n -= m;
      } else {
        int m = Math.min(n, packedLeft);
        packedBit += (long) m * bitWidth;
        packedLeft -= m;
        n -= m;
      }
    }
  }

  /**
   * Counts how many of the next {@code n} values equal {@code value} without keeping them ({@code
   * scratch} holds at least {@code n} values).
   */
  int skipAndCount(int[] scratch, int n, int value) {
    int count = 0;
    while (n > 0) {
      if (rleLeft == 0 && packedLeft == 0) {
        readHeader();
      }
      if (rleLeft > 0) {
        int m = Math.min(n, rleLeft);
        if (rleValue == value) {
          count += m;
        }
        rleLeft -= m;
        n -= m;
      } else {
        int m = Math.min(Math.min(n, packedLeft), scratch.length);
        unpack(scratch, 0, m);
        for (int i = 0; i < m; i++) {
          if (scratch[i] == value) {
            count++;
          }
        }
        packedLeft -= m;
        n -= m;
      }
    }
    return count;
  }

  private void unpack(int[] out, int offset, int m) {
    if (bitWidth == 0) {
      Arrays.fill(out, offset, offset + m, 0);
      return;
    }
    int done = 0;
    if (bitWidth <= 16 && m >= 16) {
      // values one at a time up to the next group of 8 (the run's groups start on byte
      // boundaries), then whole groups from one or two words each
      long groupBits = 8L * bitWidth;
      long into = (packedBit - runStartBit) % groupBits;
      if (into != 0) {
        done = (int) ((groupBits - into) / bitWidth);
        unpackEach(out, offset, done);
      }
      done += unpackGroups(out, offset + done, (m - done) >>> 3);
    }
    unpackEach(out, offset + done, m - done);
  }

  /**
   * Unpacks up to {@code groups} whole groups of 8 values (bit width at most 16) starting on a
   * group boundary; returns the number of values unpacked, fewer when the words of the last groups
   * would reach past the array (the caller unpacks those one by one).
   */
  private int unpackGroups(int[] out, int offset, int groups) {
    byte[] data = this.data;
    int w = bitWidth;
    long mask = this.mask;
    int at = (int) (packedBit >>> 3);
    // a group's 8 values lie in one word (width <= 8) or in two: values 0-3 in the word at the
    // group's first byte, values 4-7 in the word at byte half, shifted by shift bits
    int half = (4 * w) >>> 3;
    int shift = (4 * w) & 7;
    int reach = w <= 8 ? 8 : half + 8;
    int room = data.length - reach - at;
    int safe = room < 0 ? 0 : Math.min(groups, room / w + 1);
    int o = offset;
    if (w <= 8) {
      int w2 = 2 * w;
      int w3 = 3 * w;
      int w4 = 4 * w;
      int w5 = 5 * w;
      int w6 = 6 * w;
      int w7 = 7 * w;
      for (int g = 0; g < safe; g++, at += w, o += 8) {
        long word = (long) LONG_LE.get(data, at);
        out[o] = (int) (word & mask);
        out[o + 1] = (int) ((word >>> w) & mask);
        out[o + 2] = (int) ((word >>> w2) & mask);
        out[o + 3] = (int) ((word >>> w3) & mask);
        out[o + 4] = (int) ((word >>> w4) & mask);
        out[o + 5] = (int) ((word >>> w5) & mask);
        out[o + 6] = (int) ((word >>> w6) & mask);
        out[o + 7] = (int) ((word >>> w7) & mask);
      }
    } else {
      int w2 = 2 * w;
      int w3 = 3 * w;
      for (int g = 0; g < safe; g++, at += w, o += 8) {
        long low = (long) LONG_LE.get(data, at);
        long high = (long) LONG_LE.get(data, at + half) >>> shift;
        out[o] = (int) (low & mask);
        out[o + 1] = (int) ((low >>> w) & mask);
        out[o + 2] = (int) ((low >>> w2) & mask);
        out[o + 3] = (int) ((low >>> w3) & mask);
        out[o + 4] = (int) (high & mask);
        out[o + 5] = (int) ((high >>> w) & mask);
        out[o + 6] = (int) ((high >>> w2) & mask);
        out[o + 7] = (int) ((high >>> w3) & mask);
      }
    }
    packedBit += (long) safe * 8 * w;
    return safe * 8;
  }

  /** Unpacks the next {@code m} values of the bit-packed run one at a time. */
  private void unpackEach(int[] out, int offset, int m) {
    long bit = packedBit;
    int w = bitWidth;
    long mask = this.mask;
    byte[] data = this.data;
    // values whose 8-byte window lies inside the array are read with one unaligned load each
    long lastSafeBit = ((long) data.length - 8) << 3;
    int fast = lastSafeBit < bit ? 0 : (int) Math.min(m, (lastSafeBit - bit) / w + 1);
    for (int i = 0; i < fast; i++, bit += w) {
      long word = (long) LONG_LE.get(data, (int) (bit >>> 3));
      out[offset + i] = (int) ((word >>> (bit & 7)) & mask);
    }
    for (int i = fast; i < m; i++, bit += w) {
      int byteIndex = (int) (bit >>> 3);
      long word = 0;
      for (int b = 0; b < 8 && byteIndex + b < data.length; b++) {
        word |= (data[byteIndex + b] & 0xffL) << (8 * b);
      }
      out[offset + i] = (int) ((word >>> (bit & 7)) & mask);
    }
    packedBit = bit;
  }

  private void readHeader() {
    if (pos >= end) {
      throw new IllegalStateException("RLE / bit-packed data ended early");
    }
    int header = 0;
    int shift = 0;
    while (true) {
      int b = data[pos++];
      header |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 28 || pos >= end) {
        throw new IllegalStateException("Bad RLE / bit-packed run header");
      }
    }
    if ((header & 1) == 0) {
      rleLeft = header >>> 1;
      int bytes = (bitWidth + 7) / 8;
      int value = 0;
      for (int i = 0; i < bytes; i++) {
        value |= (data[pos++] & 0xff) << (8 * i);
      }
      rleValue = value;
    } else {
      int groups = header >>> 1;
      packedLeft = groups * 8;
      packedBit = (long) pos << 3;
      runStartBit = packedBit;
      pos += groups * bitWidth;
    }
    if (rleLeft == 0 && packedLeft == 0) {
      readHeader(); // an empty run
    }
  }
}
