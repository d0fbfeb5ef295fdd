package io.oxbow.engine.exec;

import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Dense int ids for the distinct strings of one VARCHAR group key, so that string keys can be
 * packed into longs by {@link PackedGroupByHash}. Hashes and compares straight from the Arrow
 * buffers (no copy per row); the strings live once in a byte arena.
 */
final class StringDictionary {
  private byte[] arena = new byte[256];
  private int arenaSize;
  private int[] offsets = new int[16];
  private int[] lengths = new int[16];
  private long[] hashes = new long[16];
  private int size;
  private int[] table = newTable(16);
  private int tableMask = 15;
  // strings of at most 7 bytes, packed with their length into one long (see pack): a second,
  // long-keyed table that finds their ids without hashing or comparing bytes; it caches what the
  // main table holds and is filled from it on a miss
  private long[] shortKeys = new long[16];
  private int[] shortIds = newTable(16);
  private int shortMask = 15;
  private int shortSize;
  // the ids of the one-byte strings, by byte (-1: not looked up yet)
  private final int[] singleByte = newTable(256);

  private static int[] newTable(int capacity) {
    int[] t = new int[capacity];
    Arrays.fill(t, -1);
    return t;
  }

  int size() {
    return size;
  }

  /** Writes the id of each non-null string at {@code positions[0..n)} into {@code ids}. */
  void ids(FieldVector v, int[] positions, int n, long[] ids) {
    ids(v, positions, n, ids, true);
  }

  /**
   * Like {@link #ids(FieldVector, int[], int, long[])}; with {@code add} false, strings not in the
   * dictionary get id -1 and are not added.
   */
  void ids(FieldVector v, int[] positions, int n, long[] ids, boolean add) {
    ArrowBuf data = v.getDataBuffer();
    ArrowBuf offs = v.getOffsetBuffer();
    boolean nulls = KeyLayout.mayHaveNulls(v);
    ArrowBuf validity = v.getValidityBuffer();
    // the previous short string and its id: runs of one value skip the table
    long lastPacked = -1;
    int lastId = -1;
    long capacity = data.capacity();
    for (int i = 0; i < n; i++) {
      int pos = positions[i];
      if (nulls && !KeyLayout.isSet(validity, pos)) {
        ids[i] = 0;
        continue;
      }
      int start = offs.getInt((long) pos * BaseVariableWidthVector.OFFSET_WIDTH);
      int len = offs.getInt((long) (pos + 1) * BaseVariableWidthVector.OFFSET_WIDTH) - start;
      if (len == 1) {
        // one-byte strings (flags, codes): a direct table
        int b = data.getByte(start) & 0xff;
        int id = singleByte[b];
        if (id < 0) {
          id = shortId(data, start, 1, 1L | ((long) b << 8), add);
          if (id >= 0) {
            singleByte[b] = id;
          }
        }
        ids[i] = id;
        continue;
      }
      if (len <= MAX_SHORT) {
        long packed;
        if (start + 8L <= capacity) {
          packed = ((data.getLong(start) & ((1L << (8 * len)) - 1)) << 8) | len;
        } else {
          packed = len;
          for (int j = 0; j < len; j++) {
            packed |= (data.getByte(start + j) & 0xffL) << (8 * j + 8);
          }
        }
        if (packed == lastPacked) {
          ids[i] = lastId;
          continue;
        }
        int id = shortId(data, start, len, packed, add);
        ids[i] = id;
        if (id >= 0) {
          lastPacked = packed;
          lastId = id;
        }
        continue;
      }
      ids[i] = find(data, start, len, hashBytes(data, start, len), add);
    }
  }

  private static final int MAX_SHORT = 7;

  /** The id of a short string packed as {@code packed} (see {@link #findShort}), or -1. */
  private int shortId(ArrowBuf data, int start, int len, long packed, boolean add) {
    int id = findShort(packed);
    if (id < 0) {
      id = find(data, start, len, hashBytes(data, start, len), add);
      if (id >= 0) {
        putShort(packed, id);
      }
    }
    return id;
  }

  private static long hashBytes(ArrowBuf data, int start, int len) {
    long hash = 0xcbf29ce484222325L ^ len;
    for (int j = 0; j < len; j++) {
      hash = (hash ^ (data.getByte(start + j) & 0xff)) * 0x100000001b3L;
    }
    return KeyLayout.mix(hash);
  }

  /** The id cached for a packed short string (length in the low byte, then the bytes), or -1. */
  private int findShort(long packed) {
    int slot = shortSlot(packed);
    while (true) {
      int id = shortIds[slot];
      if (id < 0 || shortKeys[slot] == packed) {
        return id;
      }
      slot = (slot + 1) & shortMask;
    }
  }

  private int shortSlot(long packed) {
    return (int) ((packed * 0x9E3779B97F4A7C15L) >>> 32) & shortMask;
  }

  private void putShort(long packed, int id) {
    if ((shortSize + 1) * 2 > shortIds.length) {
      long[] oldKeys = shortKeys;
      int[] oldIds = shortIds;
      shortKeys = new long[oldIds.length * 2];
      shortIds = newTable(oldIds.length * 2);
      shortMask = shortIds.length - 1;
      shortSize = 0;
      for (int s = 0; s < oldIds.length; s++) {
        if (oldIds[s] >= 0) {
          putShort(oldKeys[s], oldIds[s]);
        }
      }
    }
    int slot = shortSlot(packed);
    while (shortIds[slot] >= 0) {
      slot = (slot + 1) & shortMask;
    }
    shortKeys[slot] = packed;
    shortIds[slot] = id;
    shortSize++;
  }

  private int find(ArrowBuf data, int start, int len, long hash, boolean add) {
    int slot = (int) hash & tableMask;
    while (true) {
      int id = table[slot];
      if (id < 0) {
        if (!add) {
          return -1;
        }
        if (arenaSize + len > arena.length) {
          arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + len));
        }
        data.getBytes(start, arena, arenaSize, len);
        return insert(slot, len, hash);
      }
      if (hashes[id] == hash && lengths[id] == len && equal(data, start, offsets[id], len)) {
        return id;
      }
      slot = (slot + 1) & tableMask;
    }
  }

  private boolean equal(ArrowBuf data, int start, int at, int len) {
    for (int j = 0; j < len; j++) {
      if (data.getByte(start + j) != arena[at + j]) {
        return false;
      }
    }
    return true;
  }

  /** Adds the string just copied to the end of the arena. */
  private int insert(int slot, int len, long hash) {
    int id = size++;
    if (id == offsets.length) {
      offsets = Arrays.copyOf(offsets, id * 2);
      lengths = Arrays.copyOf(lengths, id * 2);
      hashes = Arrays.copyOf(hashes, id * 2);
    }
    offsets[id] = arenaSize;
    lengths[id] = len;
    hashes[id] = hash;
    arenaSize += len;
    table[slot] = id;
    if (size * 2 > table.length) {
      int[] bigger = newTable(table.length * 2);
      int m = bigger.length - 1;
      for (int g = 0; g < size; g++) {
        int s = (int) hashes[g] & m;
        while (bigger[s] >= 0) {
          s = (s + 1) & m;
        }
        bigger[s] = g;
      }
      table = bigger;
      tableMask = m;
    }
    return id;
  }

  private int findBytes(byte[] bytes, int start, int len, long hash) {
    int slot = (int) hash & tableMask;
    while (true) {
      int id = table[slot];
      if (id < 0) {
        if (arenaSize + len > arena.length) {
          arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + len));
        }
        System.arraycopy(bytes, start, arena, arenaSize, len);
        return insert(slot, len, hash);
      }
      if (hashes[id] == hash
          && lengths[id] == len
          && Arrays.equals(arena, offsets[id], offsets[id] + len, bytes, start, start + len)) {
        return id;
      }
      slot = (slot + 1) & tableMask;
    }
  }

  /** Adds {@code other}'s strings and returns, for each of its ids, the id here. */
  int[] mergeFrom(StringDictionary other) {
    int[] map = new int[other.size];
    for (int id = 0; id < other.size; id++) {
      map[id] = findBytes(other.arena, other.offsets[id], other.lengths[id], other.hashes[id]);
    }
    return map;
  }

  /** Adds {@code other}'s string {@code id} (if new) and returns its id here. */
  int add(StringDictionary other, int id) {
    return findBytes(other.arena, other.offsets[id], other.lengths[id], other.hashes[id]);
  }

  /** The hash of string {@code id}, from its bytes alone. */
  long hash(int id) {
    return hashes[id];
  }

  /** Writes string {@code id} into slot {@code i} of {@code out}. */
  void write(FieldVector out, int i, int id) {
    ((VarCharVector) out).setSafe(i, arena, offsets[id], lengths[id]);
  }

  long retainedBytes() {
    return arena.length + 16L * offsets.length + 4L * table.length + 12L * shortIds.length;
  }
}
