package io.oxbow.engine.eval;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;

/**
 * A LIKE pattern made only of literal text and {@code %} (no {@code _}, no escape), matched on
 * UTF-8 bytes without decoding: the text before the first {@code %} anchors at the start, the text
 * after the last at the end, and the pieces between are found left to right. UTF-8 is
 * self-synchronising, so a byte match of whole characters is a character match.
 */
final class LikeMatcher {
  private final byte[] prefix;
  private final byte[] suffix;
  private final byte[][] middle;
  private final boolean exact;

  private LikeMatcher(byte[] prefix, byte[] suffix, byte[][] middle, boolean exact) {
    this.prefix = prefix;
    this.suffix = suffix;
    this.middle = middle;
    this.exact = exact;
  }

  /** A matcher for {@code pattern}, or null when it needs the general (regex) path. */
  static LikeMatcher of(String pattern) {
    if (pattern.indexOf('_') >= 0) {
      return null;
    }
    String[] pieces = pattern.split("%", -1);
    if (pieces.length == 1) {
      return new LikeMatcher(utf8(pattern), new byte[0], new byte[0][], true);
    }
    List<byte[]> middle = new ArrayList<>();
    for (int i = 1; i < pieces.length - 1; i++) {
      if (!pieces[i].isEmpty()) {
        middle.add(utf8(pieces[i]));
      }
    }
    return new LikeMatcher(
        utf8(pieces[0]), utf8(pieces[pieces.length - 1]), middle.toArray(new byte[0][]), false);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Whether the bytes {@code [start, end)} of {@code buf} match. */
  boolean matches(ArrowBuf buf, int start, int end) {
    int length = end - start;
    if (exact) {
      return length == prefix.length && PredicateKernels.bytesEqual(buf, start, prefix);
    }
    if (length < prefix.length + suffix.length) {
      return false;
    }
    if (!PredicateKernels.bytesEqual(buf, start, prefix)
        || !PredicateKernels.bytesEqual(buf, end - suffix.length, suffix)) {
      return false;
    }
    int from = start + prefix.length;
    int limit = end - suffix.length;
    for (byte[] piece : middle) {
      int at = indexOf(buf, from, limit, piece);
      if (at < 0) {
        return false;
      }
      from = at + piece.length;
    }
    return true;
  }

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final boolean LITTLE_ENDIAN =
      java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

  /**
   * The first position in {@code [from, limit)} where {@code piece} starts and fits, or -1. Eight
   * starting positions at a time: one 8-byte load at the positions and one at the positions plus
   * the piece's length minus one, compared with the piece's first and last byte in every lane at
   * once; only lanes where both match are compared in full (TPC-H Q13's {@code %special%requests%}
   * over 1.5 million comments, Q9's {@code %green%}).
   */
  private static int indexOf(ArrowBuf buf, int from, int limit, byte[] piece) {
    byte first = piece[0];
    int length = piece.length;
    int last = limit - length;
    int i = from;
    if (LITTLE_ENDIAN && length > 1) {
      long firsts = (first & 0xffL) * ONES;
      long lasts = (piece[length - 1] & 0xffL) * ONES;
      // both loads stay inside [from, limit): the second ends at i + 7 + length - 1 <= limit - 1
      for (; i + 7 <= last; i += 8) {
        long a = buf.getLong(i) ^ firsts;
        long b = buf.getLong(i + length - 1) ^ lasts;
        // a lane is 0 in (a | b) exactly where both bytes match; the borrow trick flags every such
        // lane (and at worst some lanes above one), all checked in full below
        long x = a | b;
        long candidates = (x - ONES) & ~x & HIGHS;
        while (candidates != 0) {
          int at = i + (Long.numberOfTrailingZeros(candidates) >>> 3);
          if (buf.getByte(at) == first && matchesAt(buf, at, piece)) {
            return at;
          }
          candidates &= candidates - 1;
        }
      }
    }
    for (; i <= last; i++) {
      if (buf.getByte(i) == first && matchesAt(buf, i, piece)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matchesAt(ArrowBuf buf, int at, byte[] piece) {
    for (int k = 1; k < piece.length; k++) {
      if (buf.getByte(at + k) != piece[k]) {
        return false;
      }
    }
    return true;
  }
}
