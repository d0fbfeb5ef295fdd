package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StringDictionary} ids: equal strings share an id and different strings never do, for short
 * strings (found through the packed-long table) and long ones alike, including strings that differ
 * only in trailing zero bytes or length.
 */
class TestStringDictionary {
  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  private VarCharVector vector(List<byte[]> values) {
    VarCharVector v = new VarCharVector("s", allocator);
    v.allocateNew();
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == null) {
        v.setNull(i);
      } else {
        v.setSafe(i, values.get(i));
      }
    }
    v.setValueCount(values.size());
    return v;
  }

  private static long[] ids(StringDictionary d, VarCharVector v, boolean add) {
    int n = v.getValueCount();
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) {
      positions[i] = i;
    }
    long[] ids = new long[n];
    d.ids(v, positions, n, ids, add);
    return ids;
  }

  private static List<byte[]> randomStrings(Random random, int count, int distinct) {
    List<byte[]> pool = new ArrayList<>();
    for (int i = 0; i < distinct; i++) {
      byte[] b = new byte[random.nextInt(13)];
      for (int j = 0; j < b.length; j++) {
        // few byte values, zero among them, so that strings share prefixes and trailing zeros
        b[j] = (byte) random.nextInt(3);
      }
      pool.add(b);
    }
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(random.nextInt(20) == 0 ? null : pool.get(random.nextInt(pool.size())));
    }
    return out;
  }

  /** Checks that ids partition the non-null strings exactly as their contents do. */
  private static void assertConsistent(
      List<byte[]> values, long[] ids, Map<String, Long> seen, StringDictionary d) {
    Map<Long, String> byId = new HashMap<>();
    for (Map.Entry<String, Long> e : seen.entrySet()) {
      byId.put(e.getValue(), e.getKey());
    }
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == null) {
        continue;
      }
      String key = Arrays.toString(values.get(i));
      Long known = seen.putIfAbsent(key, ids[i]);
      if (known != null) {
        assertThat(ids[i]).as("id of %s", key).isEqualTo(known);
      } else {
        assertThat(byId.put(ids[i], key)).as("id %d reused for %s", ids[i], key).isNull();
      }
    }
    assertThat(d.size()).isEqualTo(seen.size());
  }

  @Test
  void equalStringsShareIdsAndDifferentStringsNever() {
    Random random = new Random(7);
    StringDictionary d = new StringDictionary();
    Map<String, Long> seen = new HashMap<>();
    for (int batch = 0; batch < 20; batch++) {
      List<byte[]> values = randomStrings(random, 3000, 50 + batch * 200);
      try (VarCharVector v = vector(values)) {
        assertConsistent(values, ids(d, v, true), seen, d);
      }
    }
    assertThat(seen.size()).as("distinct strings seen").isGreaterThan(1000);
  }

  @Test
  void lookupWithoutAddReturnsMinusOneForUnknownStrings() {
    StringDictionary d = new StringDictionary();
    List<byte[]> known = List.of(bytes("A"), bytes("N"), bytes("a long string, past 7 bytes"));
    try (VarCharVector v = vector(known)) {
      assertThat(ids(d, v, true)).containsExactly(0, 1, 2);
    }
    List<byte[]> probe =
        List.of(
            bytes("N"),
            bytes("R"),
            bytes("A\0"),
            bytes(""),
            bytes("a long string, past 7 bytes"),
            bytes("a long string, past 7 byteZ"),
            bytes("A"));
    try (VarCharVector v = vector(probe)) {
      assertThat(ids(d, v, false)).containsExactly(1, -1, -1, -1, 2, -1, 0);
      assertThat(ids(d, v, false))
          .as("a miss is not cached")
          .containsExactly(1, -1, -1, -1, 2, -1, 0);
    }
    assertThat(d.size()).isEqualTo(3);
    try (VarCharVector v = vector(probe)) {
      assertThat(ids(d, v, true)).containsExactly(1, 3, 4, 5, 2, 6, 0);
    }
  }

  @Test
  void mergedDictionariesKeepShortStringLookupsConsistent() {
    Random random = new Random(11);
    StringDictionary a = new StringDictionary();
    StringDictionary b = new StringDictionary();
    List<byte[]> first = randomStrings(random, 2000, 300);
    List<byte[]> second = randomStrings(random, 2000, 300);
    Map<String, Long> seen = new HashMap<>();
    try (VarCharVector v = vector(first)) {
      assertConsistent(first, ids(a, v, true), seen, a);
    }
    try (VarCharVector v = vector(second)) {
      ids(b, v, true);
    }
    // strings only b had enter a through mergeFrom (the byte path), then must be found by a lookup
    int[] map = a.mergeFrom(b);
    try (VarCharVector v = vector(second)) {
      long[] inB = ids(b, v, false);
      long[] inA = ids(a, v, false);
      for (int i = 0; i < second.size(); i++) {
        if (second.get(i) != null) {
          assertThat(inA[i]).isEqualTo(map[(int) inB[i]]);
        }
      }
      assertConsistent(second, inA, seen, a);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
