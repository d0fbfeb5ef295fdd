package io.oxbow.engine.exec;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Group ids for any keys (strings, wide decimals, floating point, many columns): each row's keys
 * are serialised column by column into a page buffer (a null byte per key, then the value) while
 * the row hashes are computed column by column; groups keep their bytes in one arena with the hash
 * alongside. With {@code prefixed}, each row starts with a 4-byte int given by the caller (a group
 * id, for DISTINCT sets) whose hash is xor-ed in so that it can be replaced later.
 */
final class BytesGroupByHash extends GroupByHash {
  private final KeyLayout[] layouts;
  private final int prefixBytes;
  private final int fixedRowBytes;
  private final boolean variable;

  private byte[] arena = new byte[1024];
  private int arenaSize;
  private int[] offsets = new int[16];
  private int[] lengths = new int[16];
  private long[] hashes = new long[16];
  private int size;
  private int[] table;
  private int tableMask;

  private byte[] rowBytes = new byte[0];
  private int[] rowOffsets = new int[0];
  private long[] rowHashes = new long[0];
  private int[] cursors = new int[0];

  BytesGroupByHash(List<ArrowType> types) {
    this(types, false);
  }

  BytesGroupByHash(List<ArrowType> types, boolean prefixed) {
    this.layouts = new KeyLayout[types.size()];
    int fixed = prefixed ? 4 : 0;
    boolean var = false;
    for (int k = 0; k < layouts.length; k++) {
      layouts[k] = KeyLayout.of(types.get(k));
      if (layouts[k] == KeyLayout.VARCHAR) {
        var = true;
      } else {
        fixed += 1 + layouts[k].fixedBytes();
      }
    }
    this.prefixBytes = prefixed ? 4 : 0;
    this.fixedRowBytes = fixed;
    this.variable = var;
    this.table = new int[16];
    Arrays.fill(table, -1);
    this.tableMask = 15;
  }

  @Override
  int size() {
    return size;
  }

  /** Serialises rows {@code positions[0..n)} into the page buffer, with their hashes. */
  void serialize(FieldVector[] keys, int[] positions, int n, int[] prefix) {
    if (rowOffsets.length < n + 1) {
      rowOffsets = new int[n + 1];
      rowHashes = new long[n];
    }
    int[] offs = rowOffsets;
    long total;
    if (!variable) {
      for (int i = 0; i <= n; i++) {
        offs[i] = i * fixedRowBytes;
      }
      total = (long) n * fixedRowBytes;
    } else {
      // lengths column by column, then prefix sums
      int[] lens = offs;
      Arrays.fill(lens, 0, n + 1, fixedRowBytes);
      for (int k = 0; k < layouts.length; k++) {
        if (layouts[k] == KeyLayout.VARCHAR) {
          KeyLayout.addVarcharLengths(keys[k], positions, n, lens);
        }
      }
      lens[0] = 0;
      for (int i = 1; i <= n; i++) {
        lens[i] += lens[i - 1];
      }
      total = offs[n];
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException("Group keys of one page exceed 2 GB");
    }
    if (rowBytes.length < total) {
      rowBytes = new byte[(int) Math.max(total, rowBytes.length * 2L)];
    }
    byte[] out = rowBytes;
    long[] h = rowHashes;
    Arrays.fill(h, 0, n, 0L);
    if (cursors.length < n) {
      cursors = new int[n];
    }
    int[] cursor = cursors;
    System.arraycopy(offs, 0, cursor, 0, n);
    if (prefixBytes > 0) {
      for (int i = 0; i < n; i++) {
        KeyLayout.INTS.set(out, cursor[i], prefix[i]);
        cursor[i] += 4;
      }
    }
    for (int k = 0; k < layouts.length; k++) {
      layouts[k].serializeColumn(keys[k], positions, n, out, cursor, h);
    }
    if (prefixBytes > 0) {
      for (int i = 0; i < n; i++) {
        h[i] ^= prefixHash(prefix[i]);
      }
    }
  }

  static long prefixHash(int prefix) {
    return KeyLayout.mix(prefix + 0x632BE59BD9B4E019L);
  }

  @Override
  void groupIds(FieldVector[] keys, int[] positions, int n, int[] ids) {
    serialize(keys, positions, n, null);
    probeRows(n, ids);
  }

  @Override
  void findGroupIds(FieldVector[] keys, int[] positions, int n, int[] ids) {
    serialize(keys, positions, n, null);
    byte[] rows = rowBytes;
    int[] offs = rowOffsets;
    long[] h = rowHashes;
    for (int i = 0; i < n; i++) {
      ids[i] = find(rows, offs[i], offs[i + 1] - offs[i], h[i]);
    }
  }

  /**
   * The hash of row {@code i} of the page buffer, from the key values alone (the same in every
   * table over the same key types).
   */
  long rowHash(int i) {
    return rowHashes[i];
  }

  private int find(byte[] bytes, int off, int len, long hash) {
    int slot = (int) (hash ^ (hash >>> 32)) & tableMask;
    while (true) {
      int g = table[slot];
      if (g < 0) {
        return -1;
      }
      if (hashes[g] == hash && lengths[g] == len && equal(arena, offsets[g], bytes, off, len)) {
        return g;
      }
      slot = (slot + 1) & tableMask;
    }
  }

  /** Finds or adds every row of the page buffer; writes their ids. */
  void probeRows(int n, int[] ids) {
    byte[] rows = rowBytes;
    int[] offs = rowOffsets;
    long[] h = rowHashes;
    for (int i = 0; i < n; i++) {
      ids[i] = findOrInsert(rows, offs[i], offs[i + 1] - offs[i], h[i]);
    }
  }

  int findOrInsert(byte[] bytes, int off, int len, long hash) {
    int slot = (int) (hash ^ (hash >>> 32)) & tableMask;
    while (true) {
      int g = table[slot];
      if (g < 0) {
        return insert(slot, bytes, off, len, hash);
      }
      if (hashes[g] == hash && lengths[g] == len && equal(arena, offsets[g], bytes, off, len)) {
        return g;
      }
      slot = (slot + 1) & tableMask;
    }
  }

  private static boolean equal(byte[] a, int aOffset, byte[] b, int bOffset, int len) {
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      if ((long) KeyLayout.LONGS.get(a, aOffset + i)
          != (long) KeyLayout.LONGS.get(b, bOffset + i)) {
        return false;
      }
    }
    for (; i < len; i++) {
      if (a[aOffset + i] != b[bOffset + i]) {
        return false;
      }
    }
    return true;
  }

  private int insert(int slot, byte[] bytes, int off, int len, long hash) {
    int g = size++;
    if (g == offsets.length) {
      int cap = g * 2;
      offsets = Arrays.copyOf(offsets, cap);
      lengths = Arrays.copyOf(lengths, cap);
      hashes = Arrays.copyOf(hashes, cap);
    }
    if (arenaSize + len > arena.length) {
      long cap = Math.max((long) arena.length * 2, (long) arenaSize + len);
      if (cap > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("Group keys exceed 2 GB");
      }
      arena = Arrays.copyOf(arena, (int) cap);
    }
    System.arraycopy(bytes, off, arena, arenaSize, len);
    offsets[g] = arenaSize;
    lengths[g] = len;
    hashes[g] = hash;
    arenaSize += len;
    table[slot] = g;
    if (size * 2 > table.length) {
      rehash();
    }
    return g;
  }

  private void rehash() {
    int capacity = table.length * 2;
    int[] newTable = new int[capacity];
    Arrays.fill(newTable, -1);
    int m = capacity - 1;
    for (int g = 0; g < size; g++) {
      long hash = hashes[g];
      int slot = (int) (hash ^ (hash >>> 32)) & m;
      while (newTable[slot] >= 0) {
        slot = (slot + 1) & m;
      }
      newTable[slot] = g;
    }
    table = newTable;
    tableMask = m;
  }

  @Override
  int[] mergeFrom(GroupByHash other) {
    BytesGroupByHash o = (BytesGroupByHash) other;
    int[] map = new int[o.size];
    for (int g = 0; g < o.size; g++) {
      map[g] = findOrInsert(o.arena, o.offsets[g], o.lengths[g], o.hashes[g]);
    }
    return map;
  }

  @Override
  int[] mergeFrom(GroupByHash other, int[] groups, int n) {
    BytesGroupByHash o = (BytesGroupByHash) other;
    int[] map = new int[o.size];
    Arrays.fill(map, -1);
    for (int i = 0; i < n; i++) {
      int g = groups[i];
      map[g] = findOrInsert(o.arena, o.offsets[g], o.lengths[g], o.hashes[g]);
    }
    return map;
  }

  @Override
  long[] valueHashes() {
    if (prefixBytes > 0) {
      throw new IllegalStateException("Prefixed rows hash their prefix too");
    }
    return Arrays.copyOf(hashes, size);
  }

  /**
   * Adds {@code other}'s prefixed rows with each prefix replaced by {@code prefixMap[prefix]}
   * (DISTINCT sets merging under new group ids); rows whose new prefix is negative are skipped.
   */
  void mergePrefixedFrom(BytesGroupByHash other, int[] prefixMap) {
    byte[] row = new byte[64];
    for (int g = 0; g < other.size; g++) {
      int newPrefix = prefixMap[other.prefix(g)];
      if (newPrefix < 0) {
        continue;
      }
      int len = other.lengths[g];
      if (row.length < len) {
        row = new byte[Math.max(len, row.length * 2)];
      }
      System.arraycopy(other.arena, other.offsets[g], row, 0, len);
      int oldPrefix = (int) KeyLayout.INTS.get(row, 0);
      KeyLayout.INTS.set(row, 0, newPrefix);
      long hash = other.hashes[g] ^ prefixHash(oldPrefix) ^ prefixHash(newPrefix);
      findOrInsert(row, 0, len, hash);
    }
  }

  /** The prefix of row {@code g}. */
  int prefix(int g) {
    return (int) KeyLayout.INTS.get(arena, offsets[g]);
  }

  @Override
  void writeKey(int key, FieldVector out, int first, int n) {
    KeyLayout layout = layouts[key];
    for (int i = 0; i < n; i++) {
      int g = first + i;
      int at = offsets[g] + prefixBytes;
      for (int k = 0; k < key; k++) {
        at = skip(layouts[k], at);
      }
      layout.deserialize(arena, at, out, i);
    }
  }

  private int skip(KeyLayout layout, int at) {
    if (layout == KeyLayout.VARCHAR) {
      return arena[at] != 0 ? at + 1 : at + 5 + (int) KeyLayout.INTS.get(arena, at + 1);
    }
    return at + 1 + layout.fixedBytes();
  }

  @Override
  long retainedBytes() {
    return arena.length
        + 16L * offsets.length
        + 4L * table.length
        + rowBytes.length
        + 12L * rowOffsets.length;
  }
}
