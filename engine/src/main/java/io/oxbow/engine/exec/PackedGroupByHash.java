package io.oxbow.engine.exec;

import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Group ids for keys that are fixed-width or strings (as 32-bit ids of a {@link StringDictionary})
 * and fit in two longs together: each row's keys are packed into two longs plus a null bit per key,
 * column by column over the page, then hashed and probed in one loop.
 */
final class PackedGroupByHash extends GroupByHash {
  private final KeyLayout[] layouts;
  private final int[] word;
  private final int[] shift;
  private final long[] mask;

  /** Per key, the ids of its strings (VARCHAR keys are packed as 32-bit ids), else null. */
  private final StringDictionary[] dictionaries;

  private long[] keys0 = new long[16];
  private long[] keys1 = new long[16];
  private int[] nulls = new int[16];
  private int size;

  /**
   * Open addressing, {@link #stride} longs per slot: the key's first word, its second word (only
   * when keys use two), then {@code (null bits << 32) | (group + 1)}; 0 there marks an empty slot.
   * A lookup compares the whole key in the slot, so finding a group touches one cache line, not the
   * group arrays.
   */
  private long[] slots;

  private final int stride;
  private int slotMask;

  private long[] rowKeys0 = new long[0];
  private long[] rowKeys1 = new long[0];
  private int[] rowNulls = new int[0];
  private long[] values = new long[0];

  private PackedGroupByHash(KeyLayout[] layouts, int[] word, int[] shift) {
    this.layouts = layouts;
    this.word = word;
    this.shift = shift;
    this.mask = new long[layouts.length];
    this.dictionaries = new StringDictionary[layouts.length];
    for (int k = 0; k < layouts.length; k++) {
      if (layouts[k] == KeyLayout.VARCHAR) {
        dictionaries[k] = new StringDictionary();
      }
      int bits =
          layouts[k] == KeyLayout.DECIMAL
              ? 64
              : layouts[k] == KeyLayout.VARCHAR ? 32 : layouts[k].bits;
      mask[k] = bits == 64 ? -1L : (1L << bits) - 1;
    }
    boolean twoWords = false;
    for (int w : word) {
      twoWords |= w == 1;
    }
    this.stride = twoWords ? 3 : 2;
    this.slots = new long[16 * stride];
    this.slotMask = 15;
  }

  /** A packed table for {@code types}, or null when they do not fit in two longs. */
  static PackedGroupByHash tryCreate(List<ArrowType> types) {
    if (types.size() > 31) {
      return null;
    }
    int n = types.size();
    int[] bits = new int[n];
    Integer[] order = new Integer[n];
    for (int k = 0; k < n; k++) {
      bits[k] = KeyLayout.packedBits(types.get(k));
      if (bits[k] < 0) {
        return null;
      }
      order[k] = k;
    }
    // widest first, each into the first word with room
    Arrays.sort(order, (a, b) -> Integer.compare(bits[b], bits[a]));
    int[] used = new int[2];
    int[] word = new int[n];
    int[] shift = new int[n];
    for (int k : order) {
      int w = used[0] + bits[k] <= 64 ? 0 : used[1] + bits[k] <= 64 ? 1 : -1;
      if (w < 0) {
        return null;
      }
      word[k] = w;
      shift[k] = used[w];
      used[w] += bits[k];
    }
    KeyLayout[] layouts = new KeyLayout[n];
    for (int k = 0; k < n; k++) {
      layouts[k] = KeyLayout.of(types.get(k));
    }
    return new PackedGroupByHash(layouts, word, shift);
  }

  @Override
  int size() {
    return size;
  }

  /** In a row's null bits: a string key not in its dictionary (no group has this bit). */
  private static final int MISSING = 1 << 31;

  @Override
  void groupIds(FieldVector[] keys, int[] positions, int n, int[] ids) {
    pack(keys, positions, n, true);
    long[] k0 = rowKeys0;
    long[] k1 = rowKeys1;
    int[] nl = rowNulls;
    // a row with the previous row's key has its group: data sorted or clustered by the key
    // (lineitem by l_orderkey) looks up each key once per run instead of once per row
    long a = 0;
    long b = 0;
    int nulls = 0;
    int id = -1;
    for (int i = 0; i < n; i++) {
      if (id < 0 || k0[i] != a || k1[i] != b || nl[i] != nulls) {
        a = k0[i];
        b = k1[i];
        nulls = nl[i];
        id = findOrInsert(a, b, nulls);
      }
      ids[i] = id;
    }
  }

  @Override
  void findGroupIds(FieldVector[] keys, int[] positions, int n, int[] ids) {
    pack(keys, positions, n, false);
    long[] k0 = rowKeys0;
    long[] k1 = rowKeys1;
    int[] nl = rowNulls;
    for (int i = 0; i < n; i++) {
      ids[i] = nl[i] < 0 ? -1 : find(k0[i], k1[i], nl[i]);
    }
  }

  /**
   * Packs the keys of rows {@code positions[0..n)} into {@code rowKeys0/1} and {@code rowNulls};
   * without {@code add}, strings not in their dictionary are not added and set {@link #MISSING}.
   */
  private void pack(FieldVector[] keys, int[] positions, int n, boolean add) {
    if (rowKeys0.length < n) {
      rowKeys0 = new long[n];
      rowKeys1 = new long[n];
      rowNulls = new int[n];
      values = new long[n];
    }
    long[] k0 = rowKeys0;
    long[] k1 = rowKeys1;
    int[] nl = rowNulls;
    Arrays.fill(k0, 0, n, 0L);
    Arrays.fill(k1, 0, n, 0L);
    Arrays.fill(nl, 0, n, 0);
    for (int k = 0; k < layouts.length; k++) {
      FieldVector v = keys[k];
      if (dictionaries[k] != null) {
        dictionaries[k].ids(v, positions, n, values, add);
        if (!add) {
          long[] vals = values;
          for (int i = 0; i < n; i++) {
            if (vals[i] < 0) {
              vals[i] = 0;
              nl[i] |= MISSING;
            }
          }
        }
      } else {
        layouts[k].gatherLongs(v, positions, n, values);
      }
      long[] vals = values;
      long m = mask[k];
      int s = shift[k];
      if (layouts[k] == KeyLayout.NULL) {
        int bit = 1 << k;
        for (int i = 0; i < n; i++) {
          nl[i] |= bit;
        }
        continue;
      }
      if (KeyLayout.mayHaveNulls(v)) {
        org.apache.arrow.memory.ArrowBuf validity = v.getValidityBuffer();
        int bit = 1 << k;
        for (int i = 0; i < n; i++) {
          if (!KeyLayout.isSet(validity, positions[i])) {
            vals[i] = 0;
            nl[i] |= bit;
          }
        }
      }
      long[] target = word[k] == 0 ? k0 : k1;
      for (int i = 0; i < n; i++) {
        target[i] |= (vals[i] & m) << s;
      }
    }
  }

  private static long hash(long a, long b, int nullBits) {
    return KeyLayout.mix(a * 0x9E3779B97F4A7C15L + Long.rotateLeft(b, 31) + nullBits);
  }

  /**
   * The home slot of a key. The key's low 6 bits pick its place within a run of 64 slots (rotated
   * by the hash), the hash of the rest picks the run: keys that differ only there, such as
   * neighbouring integers, sit side by side, so inserting or finding keys in ascending order
   * (lineitem's l_orderkey, 1.5 million groups in TPC-H Q18) walks the table instead of jumping
   * across it on every row, while keys with equal low bits still spread over all runs.
   */
  private static int homeSlot(long a, long b, int nullBits, int slotMask) {
    long h = KeyLayout.mix((a >>> 6) * 0x9E3779B97F4A7C15L + Long.rotateLeft(b, 31) + nullBits);
    return (int) ((h & ~63L) | ((a + h) & 63L)) & slotMask;
  }

  private int findOrInsert(long a, long b, int nullBits) {
    int slot = homeSlot(a, b, nullBits, slotMask);
    long[] t = slots;
    int st = stride;
    while (true) {
      int at = slot * st;
      long meta = t[at + st - 1];
      if (meta == 0) {
        return insert(at, a, b, nullBits);
      }
      if (t[at] == a && (int) (meta >>> 32) == nullBits && (st == 2 || t[at + 1] == b)) {
        return (int) meta - 1;
      }
      slot = (slot + 1) & slotMask;
    }
  }

  private int find(long a, long b, int nullBits) {
    int slot = homeSlot(a, b, nullBits, slotMask);
    long[] t = slots;
    int st = stride;
    while (true) {
      int at = slot * st;
      long meta = t[at + st - 1];
      if (meta == 0) {
        return -1;
      }
      if (t[at] == a && (int) (meta >>> 32) == nullBits && (st == 2 || t[at + 1] == b)) {
        return (int) meta - 1;
      }
      slot = (slot + 1) & slotMask;
    }
  }

  private int insert(int at, long a, long b, int nullBits) {
    int g = size++;
    if (g == keys0.length) {
      growGroups(g * 2);
    }
    keys0[g] = a;
    keys1[g] = b;
    nulls[g] = nullBits;
    place(slots, at, a, b, nullBits, g);
    // at most half full
    if ((long) size * 2 > slotMask + 1) {
      rehash();
    }
    return g;
  }

  private void place(long[] t, int at, long a, long b, int nullBits, int g) {
    t[at] = a;
    if (stride == 3) {
      t[at + 1] = b;
    }
    t[at + stride - 1] = ((long) nullBits << 32) | (g + 1L);
  }

  /**
   * Doubles the table. The old slots are moved in their order: a key's home in the bigger table is
   * its old home plus a multiple of the old capacity (see {@link #homeSlot}), so the writes go to a
   * few ascending runs of slots instead of all over the table (what moving the groups by id would
   * do).
   */
  private void rehash() {
    rehash((slotMask + 1) * 2);
  }

  /** Makes the per-group key arrays {@code capacity} long. */
  private void growGroups(int capacity) {
    keys0 = Arrays.copyOf(keys0, capacity);
    keys1 = Arrays.copyOf(keys1, capacity);
    nulls = Arrays.copyOf(nulls, capacity);
  }

  @Override
  void reserve(int groups) {
    if (keys0.length < groups) {
      growGroups(groups);
    }
    int capacity = slotMask + 1;
    while ((long) groups * 2 > capacity) {
      capacity *= 2;
    }
    if (capacity > slotMask + 1) {
      rehash(capacity);
    }
  }

  /** Moves the slots into a table of {@code capacity} slots (a larger power of two). */
  private void rehash(int capacity) {
    int oldCapacity = slotMask + 1;
    int st = stride;
    long[] old = slots;
    long[] bigger = new long[capacity * st];
    int m = capacity - 1;
    for (int s = 0; s < oldCapacity; s++) {
      int at = s * st;
      long meta = old[at + st - 1];
      if (meta == 0) {
        continue;
      }
      long a = old[at];
      long b = st == 3 ? old[at + 1] : 0;
      int slot = homeSlot(a, b, (int) (meta >>> 32), m);
      while (bigger[slot * st + st - 1] != 0) {
        slot = (slot + 1) & m;
      }
      int to = slot * st;
      bigger[to] = a;
      if (st == 3) {
        bigger[to + 1] = b;
      }
      bigger[to + st - 1] = meta;
    }
    slots = bigger;
    slotMask = m;
  }

  @Override
  int[] mergeFrom(GroupByHash other) {
    PackedGroupByHash o = (PackedGroupByHash) other;
    int[][] idMaps = new int[layouts.length][];
    for (int k = 0; k < layouts.length; k++) {
      if (dictionaries[k] != null) {
        idMaps[k] = dictionaries[k].mergeFrom(o.dictionaries[k]);
      }
    }
    int[] map = new int[o.size];
    for (int g = 0; g < o.size; g++) {
      long a = o.keys0[g];
      long b = o.keys1[g];
      for (int k = 0; k < layouts.length; k++) {
        if (idMaps[k] == null || (o.nulls[g] & (1 << k)) != 0) {
          continue;
        }
        long m = mask[k] << shift[k];
        if (word[k] == 0) {
          long id = idMaps[k][(int) ((a >>> shift[k]) & mask[k])];
          a = (a & ~m) | (id << shift[k]);
        } else {
          long id = idMaps[k][(int) ((b >>> shift[k]) & mask[k])];
          b = (b & ~m) | (id << shift[k]);
        }
      }
      map[g] = findOrInsert(a, b, o.nulls[g]);
    }
    return map;
  }

  @Override
  int[] mergeFrom(GroupByHash other, int[] groups, int n) {
    PackedGroupByHash o = (PackedGroupByHash) other;
    // string ids are translated as met: only the strings of the groups taken are added
    int[][] idMaps = new int[layouts.length][];
    for (int k = 0; k < layouts.length; k++) {
      if (dictionaries[k] != null) {
        idMaps[k] = new int[o.dictionaries[k].size()];
        Arrays.fill(idMaps[k], -1);
      }
    }
    int[] map = new int[o.size];
    Arrays.fill(map, -1);
    for (int i = 0; i < n; i++) {
      int g = groups[i];
      long a = o.keys0[g];
      long b = o.keys1[g];
      for (int k = 0; k < layouts.length; k++) {
        if (idMaps[k] == null || (o.nulls[g] & (1 << k)) != 0) {
          continue;
        }
        long m = mask[k] << shift[k];
        int oldId = (int) (((word[k] == 0 ? a : b) >>> shift[k]) & mask[k]);
        int id = idMaps[k][oldId];
        if (id < 0) {
          id = dictionaries[k].add(o.dictionaries[k], oldId);
          idMaps[k][oldId] = id;
        }
        if (word[k] == 0) {
          a = (a & ~m) | ((long) id << shift[k]);
        } else {
          b = (b & ~m) | ((long) id << shift[k]);
        }
      }
      map[g] = findOrInsert(a, b, o.nulls[g]);
    }
    return map;
  }

  @Override
  long[] valueHashes() {
    long[] out = new long[size];
    boolean strings = false;
    long stringBits0 = 0;
    long stringBits1 = 0;
    for (int k = 0; k < layouts.length; k++) {
      if (dictionaries[k] != null) {
        strings = true;
        if (word[k] == 0) {
          stringBits0 |= mask[k] << shift[k];
        } else {
          stringBits1 |= mask[k] << shift[k];
        }
      }
    }
    if (!strings) {
      for (int g = 0; g < size; g++) {
        out[g] = hash(keys0[g], keys1[g], nulls[g]);
      }
      return out;
    }
    // string ids differ between tables: hash the strings' own hashes instead
    for (int g = 0; g < size; g++) {
      long a = keys0[g];
      long b = keys1[g];
      long h = hash(a & ~stringBits0, b & ~stringBits1, nulls[g]);
      for (int k = 0; k < layouts.length; k++) {
        if (dictionaries[k] != null && (nulls[g] & (1 << k)) == 0) {
          int id = (int) (((word[k] == 0 ? a : b) >>> shift[k]) & mask[k]);
          h = KeyLayout.mix(h * 31 + dictionaries[k].hash(id));
        }
      }
      out[g] = h;
    }
    return out;
  }

  @Override
  void writeKey(int key, FieldVector out, int first, int n) {
    KeyLayout layout = layouts[key];
    StringDictionary dictionary = dictionaries[key];
    long[] source = word[key] == 0 ? keys0 : keys1;
    int bit = 1 << key;
    long m = mask[key];
    int s = shift[key];
    for (int i = 0; i < n; i++) {
      int g = first + i;
      if ((nulls[g] & bit) == 0) {
        long value = (source[g] >>> s) & m;
        if (dictionary != null) {
          dictionary.write(out, i, (int) value);
        } else {
          layout.writeLong(out, i, value);
        }
      }
    }
  }

  @Override
  long retainedBytes() {
    long bytes = 0;
    for (StringDictionary d : dictionaries) {
      bytes += d == null ? 0 : d.retainedBytes();
    }
    return bytes + 20L * keys0.length + 8L * slots.length + 28L * rowKeys0.length;
  }
}
