package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.TreeSet;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link KeyBitmap}: membership by {@code contains} and {@code retain} against a TreeSet. */
class TestKeyBitmap {
  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    allocator.close();
  }

  @Test
  void membershipMatchesTheBuildKeysAtTheEdgesAndOutsideTheRange() {
    Random random = new Random(3);
    for (int round = 0; round < 50; round++) {
      long min = random.nextInt(2_000_000) - 1_000_000;
      int span = 1 + random.nextInt(round % 2 == 0 ? 200 : 100_000);
      TreeSet<Long> keys = new TreeSet<>();
      keys.add(min);
      keys.add(min + span - 1);
      try (BigIntVector v = new BigIntVector("k", allocator)) {
        int n = 1 + random.nextInt(500);
        v.allocateNew(n + 2);
        v.set(0, min);
        v.set(1, min + span - 1);
        for (int i = 2; i < n + 2; i++) {
          if (random.nextInt(10) == 0) {
            v.setNull(i);
          } else {
            long k = min + random.nextInt(span);
            v.set(i, k);
            keys.add(k);
          }
        }
        v.setValueCount(n + 2);
        KeyBitmap bitmap = KeyBitmap.of(v, min, min + span - 1);
        assertThat(bitmap).isNotNull();
        assertThat(bitmap.size()).isEqualTo(keys.size());
        long[] probes = new long[4096];
        boolean[] keep = new boolean[4096];
        for (int i = 0; i < probes.length; i++) {
          probes[i] = min - 70 + random.nextInt(span + 140);
          keep[i] = i % 7 != 0; // cleared flags must stay cleared
        }
        probes[0] = Long.MIN_VALUE;
        probes[1] = Long.MAX_VALUE;
        keep[0] = keep[1] = true;
        bitmap.retain(probes, probes.length, keep);
        for (int i = 0; i < probes.length; i++) {
          boolean in = keys.contains(probes[i]);
          assertThat(bitmap.contains(probes[i])).as("contains %d", probes[i]).isEqualTo(in);
          assertThat(keep[i]).as("retain %d at %d", probes[i], i).isEqualTo(in && i % 7 != 0);
        }
      }
    }
  }

  @Test
  void tooWideARangeOrValuesOutsideItGiveNoBitmap() {
    try (IntVector v = new IntVector("k", allocator)) {
      v.allocateNew(2);
      v.set(0, 5);
      v.set(1, 9);
      v.setValueCount(2);
      assertThat(KeyBitmap.of(v, 5, 5 + KeyBitmap.MAX_BITS)).isNull();
      assertThat(KeyBitmap.of(v, 6, 9)).isNull();
      assertThat(KeyBitmap.of(v, 5, 8)).isNull();
      KeyBitmap exact = KeyBitmap.of(v, 5, 9);
      assertThat(exact).isNotNull();
      assertThat(exact.contains(5)).isTrue();
      assertThat(exact.contains(7)).isFalse();
      assertThat(exact.contains(9)).isTrue();
    }
  }
}
