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

  /** The first position in {@code [from, limit)} where {@code piece} starts and fits, or -1. */
  private static int indexOf(ArrowBuf buf, int from, int limit, byte[] piece) {
    byte first = piece[0];
    int last = limit - piece.length;
    for (int i = from; i <= last; i++) {
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
