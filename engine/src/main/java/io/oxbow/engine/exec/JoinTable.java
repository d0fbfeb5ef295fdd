package io.oxbow.engine.exec;

import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.plan.JoinNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The build side of a hash join: every build row in one set of Arrow vectors (allocated from the
 * join's allocator) and a hash index over their keys. Immutable once built, so any number of
 * threads may probe it at once, each through its own {@link Prober}.
 *
 * <p>The index is open addressing with linear probing over distinct keys; each slot holds the first
 * build row with its key and {@code next[row]} chains the other rows with the same key (ascending),
 * -1 ending a chain. One long-encoded key column is stored as one long per slot, two as two longs,
 * anything else as serialised key bytes compared byte for byte (see {@link JoinKeys}). A single
 * long key whose values span a dense range is instead indexed by value (an int per value of the
 * range, holding the first row), when that takes no more memory than the hash slots (the key range
 * is read first, so such keys are never hashed). Probes look up a whole page's keys at once. Rows
 * with a NULL key are stored but never indexed, so they never match. Without key columns every
 * build row is chained after row 0, which makes the join a nested loop.
 *
 * <p>The index lives in Java heap arrays, which Arrow does not see; so that the query's memory
 * limit covers them, {@link #of} accounts their bytes on the table's allocator (accounting only, no
 * buffer behind it) before allocating them, and {@link #close()} gives them back.
 */
public final class JoinTable implements AutoCloseable {
  private static final int CHUNK = 65_536;
  private static final long PHI = 0x9E3779B97F4A7C15L;

  private final JoinKeys keys;
  private final JoinNode node;
  private final VectorSchemaRoot data;
  private final List<OperatorStats> buildStats;
  private final boolean[] hasNulls;
  private final int rows;

  /** Next build row with the same key, or -1. */
  final int[] next;

  private final int shift;
  private final int mask;
  private final int[] slotFirst;

  /** LONG1 keys: per slot the key and the first row (-1: empty), side by side (one cache miss). */
  private final long[] slots1;

  /**
   * LONG1 keys in a dense range: the first row of key {@code minKey + i} at {@code i} (-1: none),
   * which replaces {@link #slots1} (one smaller array, no key comparison); null otherwise.
   */
  private final int[] direct;

  private final long[] slotKey0;
  private final long[] slotKey1;
  private final int[] slotHash;
  private final byte[] keyBytes;
  private final int[] keyOffsets;
  private final int distinct;
  private final boolean unique;
  private final long minKey;
  private final long maxKey;

  /** Where the heap of the index is accounted, and how many bytes (see {@link #of}). */
  private BufferAllocator allocator;

  private long accounted;

  private JoinTable(
      JoinNode node, JoinKeys keys, VectorSchemaRoot data, List<OperatorStats> buildStats) {
    this.node = node;
    this.keys = keys;
    this.data = data;
    this.buildStats = buildStats;
    this.rows = data.getRowCount();
    this.hasNulls = new boolean[data.getFieldVectors().size()];
    for (int c = 0; c < hasNulls.length; c++) {
      hasNulls[c] = data.getVector(c).getNullCount() > 0;
    }
    this.next = new int[rows];
    Arrays.fill(next, -1);
    if (keys.mode == JoinKeys.Mode.NONE) {
      for (int r = 0; r + 1 < rows; r++) {
        next[r] = r + 1;
      }
    }
    boolean indexed =
        keys.mode != JoinKeys.Mode.NONE && keys.mode != JoinKeys.Mode.NEVER && rows > 0;
    // 2 to 4 slots per row: linear probing stays short
    int capacity = indexed ? (int) (Long.highestOneBit(Math.max(4L, 2L * rows - 1)) << 1) : 1;
    this.mask = capacity - 1;
    this.shift = 64 - Integer.numberOfTrailingZeros(capacity);
    JoinKeys.Mode mode = indexed ? keys.mode : JoinKeys.Mode.NONE;
    int[] positions = new int[Math.min(CHUNK, Math.max(rows, 1))];
    long[] k0 = new long[positions.length];
    boolean[] noMatch = new boolean[positions.length];
    List<FieldVector> vectors = data.getFieldVectors();
    // a single long key: its range first, to index dense keys (the usual surrogate keys) by value
    // when that takes no more memory than the hash slots
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    if (mode == JoinKeys.Mode.LONG1) {
      long[] range = keyRange(keys.right, vectors, rows, positions, k0, noMatch);
      min = range[0];
      max = range[1];
    }
    long range = max - min;
    boolean dense =
        mode == JoinKeys.Mode.LONG1 && min <= max && range >= 0 && range < 4L * capacity;
    this.direct = dense ? new int[(int) range + 1] : null;
    if (dense) {
      Arrays.fill(direct, -1);
      mode = JoinKeys.Mode.NONE; // no hash slots
    }
    this.slotFirst =
        new int[mode == JoinKeys.Mode.LONG2 || mode == JoinKeys.Mode.BYTES ? capacity : 0];
    Arrays.fill(slotFirst, -1);
    this.slots1 = new long[mode == JoinKeys.Mode.LONG1 ? capacity * 2 : 0];
    for (int i = 1; i < slots1.length; i += 2) {
      slots1[i] = -1;
    }
    this.slotKey0 = new long[mode == JoinKeys.Mode.LONG2 ? capacity : 0];
    this.slotKey1 = new long[mode == JoinKeys.Mode.LONG2 ? capacity : 0];
    this.slotHash = new int[mode == JoinKeys.Mode.BYTES ? capacity : 0];
    this.keyOffsets = new int[mode == JoinKeys.Mode.BYTES ? rows + 1 : 0];
    long[] k1 = new long[mode == JoinKeys.Mode.LONG2 ? positions.length : 0];
    // each mode's loops are methods of their own, which the JIT compiles (and recompiles) apart
    int count =
        dense
            ? indexDense(keys.right, vectors, rows, positions, k0, noMatch, direct, next, min)
            : 0;
    byte[] bytes =
        mode == JoinKeys.Mode.BYTES
            ? serialiseKeys(keys.right, vectors, rows, positions, noMatch, keyOffsets)
            : new byte[0];
    this.keyBytes = bytes;
    // insert from the last row to the first so that chains come out in ascending row order
    for (int end = rows; end > 0 && mode != JoinKeys.Mode.NONE; end -= CHUNK) {
      int start = Math.max(0, end - CHUNK);
      int n = end - start;
      for (int i = 0; i < n; i++) {
        positions[i] = start + i;
      }
      Arrays.fill(noMatch, 0, n, false);
      if (mode == JoinKeys.Mode.BYTES) {
        for (int i = 0; i < n; i++) {
          noMatch[i] = keyOffsets[start + i] == keyOffsets[start + i + 1];
        }
        count +=
            insertBytes(
                start, n, noMatch, bytes, keyOffsets, slotHash, slotFirst, next, shift, mask);
      } else {
        keys.right.readLongs(vectors, 0, positions, n, k0, noMatch);
        if (mode == JoinKeys.Mode.LONG2) {
          keys.right.readLongs(vectors, 1, positions, n, k1, noMatch);
          count +=
              insertLong2(
                  start, n, k0, k1, noMatch, slotKey0, slotKey1, slotFirst, next, shift, mask);
        } else {
          count += insertLong1(start, n, k0, noMatch, slots1, next, shift, mask);
        }
      }
    }
    this.distinct = count;
    int chained = 0;
    boolean keyed = mode != JoinKeys.Mode.NONE || dense;
    for (int r = 0; r < rows && keyed; r++) {
      chained += next[r] >= 0 ? 1 : 0;
    }
    this.unique = keyed && chained == 0;
    this.minKey = min;
    this.maxKey = max;
  }

  /** Reads the single long key of rows {@code [start, start + n)} into {@code k0}. */
  private static void readChunk(
      JoinKeys.Side side,
      List<FieldVector> vectors,
      int start,
      int n,
      int[] positions,
      long[] k0,
      boolean[] noMatch) {
    for (int i = 0; i < n; i++) {
      positions[i] = start + i;
    }
    Arrays.fill(noMatch, 0, n, false);
    side.readLongs(vectors, 0, positions, n, k0, noMatch);
  }

  /** The smallest and largest single long key of the first {@code rows} rows. */
  private static long[] keyRange(
      JoinKeys.Side side,
      List<FieldVector> vectors,
      int rows,
      int[] positions,
      long[] k0,
      boolean[] noMatch) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int start = 0; start < rows; start += CHUNK) {
      int n = Math.min(CHUNK, rows - start);
      readChunk(side, vectors, start, n, positions, k0, noMatch);
      for (int i = 0; i < n; i++) {
        if (!noMatch[i]) {
          min = Math.min(min, k0[i]);
          max = Math.max(max, k0[i]);
        }
      }
    }
    return new long[] {min, max};
  }

  /**
   * Indexes dense single long keys by value into {@code first} (key {@code min + i} at {@code i}),
   * from the last row to the first so that chains come out in ascending order; returns the number
   * of distinct keys.
   */
  private static int indexDense(
      JoinKeys.Side side,
      List<FieldVector> vectors,
      int rows,
      int[] positions,
      long[] k0,
      boolean[] noMatch,
      int[] first,
      int[] next,
      long min) {
    int count = 0;
    for (int end = rows; end > 0; end -= CHUNK) {
      int start = Math.max(0, end - CHUNK);
      int n = end - start;
      readChunk(side, vectors, start, n, positions, k0, noMatch);
      for (int i = n - 1; i >= 0; i--) {
        if (noMatch[i]) {
          continue;
        }
        int offset = (int) (k0[i] - min);
        int head = first[offset];
        count += head >>> 31;
        next[start + i] = head;
        first[offset] = start + i;
      }
    }
    return count;
  }

  /**
   * Serialises every row's key (rows with a NULL key get an empty one) and returns the bytes; key
   * {@code r} is {@code [keyOffsets[r], keyOffsets[r + 1])}.
   */
  private static byte[] serialiseKeys(
      JoinKeys.Side side,
      List<FieldVector> vectors,
      int rows,
      int[] positions,
      boolean[] noMatch,
      int[] keyOffsets) {
    byte[] bytes = new byte[1024];
    int used = 0;
    for (int start = 0; start < rows; start += CHUNK) {
      int n = Math.min(CHUNK, rows - start);
      for (int i = 0; i < n; i++) {
        positions[i] = start + i;
      }
      long[][] longs = readKeyLongs(side, vectors, positions, n, noMatch);
      for (int i = 0; i < n; i++) {
        keyOffsets[start + i] = used;
        if (noMatch[i]) {
          continue;
        }
        int end;
        while ((end = serialise(side, vectors, longs, i, positions[i], bytes, used)) < 0) {
          bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, 1024));
        }
        used = end;
      }
    }
    if (rows > 0) {
      keyOffsets[rows] = used;
    }
    return bytes;
  }

  /**
   * Inserts rows {@code [start, start + n)} (their single long keys in {@code k0}) into the LONG1
   * slots, last row first; returns the number of new keys.
   */
  private static int insertLong1(
      int start,
      int n,
      long[] k0,
      boolean[] noMatch,
      long[] slots1,
      int[] next,
      int shift,
      int mask) {
    int count = 0;
    for (int i = n - 1; i >= 0; i--) {
      if (noMatch[i]) {
        continue;
      }
      long k = k0[i];
      int s = (int) ((k * PHI) >>> shift);
      while (slots1[2 * s + 1] >= 0 && slots1[2 * s] != k) {
        s = (s + 1) & mask;
      }
      if (slots1[2 * s + 1] < 0) {
        slots1[2 * s] = k;
        count++;
      }
      next[start + i] = (int) slots1[2 * s + 1];
      slots1[2 * s + 1] = start + i;
    }
    return count;
  }

  /** {@link #insertLong1} for two long keys. */
  private static int insertLong2(
      int start,
      int n,
      long[] k0,
      long[] k1,
      boolean[] noMatch,
      long[] slotKey0,
      long[] slotKey1,
      int[] slotFirst,
      int[] next,
      int shift,
      int mask) {
    int count = 0;
    for (int i = n - 1; i >= 0; i--) {
      if (noMatch[i]) {
        continue;
      }
      long a = k0[i];
      long b = k1[i];
      int s = (int) (hash2(a, b) >>> shift);
      while (slotFirst[s] >= 0 && (slotKey0[s] != a || slotKey1[s] != b)) {
        s = (s + 1) & mask;
      }
      if (slotFirst[s] < 0) {
        slotKey0[s] = a;
        slotKey1[s] = b;
        count++;
      }
      next[start + i] = slotFirst[s];
      slotFirst[s] = start + i;
    }
    return count;
  }

  /** {@link #insertLong1} for serialised keys ({@link #serialiseKeys}). */
  private static int insertBytes(
      int start,
      int n,
      boolean[] noMatch,
      byte[] bytes,
      int[] keyOffsets,
      int[] slotHash,
      int[] slotFirst,
      int[] next,
      int shift,
      int mask) {
    int count = 0;
    for (int i = n - 1; i >= 0; i--) {
      if (noMatch[i]) {
        continue;
      }
      int row = start + i;
      int from = keyOffsets[row];
      int to = keyOffsets[row + 1];
      long h = hashBytes(bytes, from, to);
      int tag = (int) h;
      int s = (int) (h * PHI >>> shift);
      while (slotFirst[s] >= 0
          && (slotHash[s] != tag
              || !Arrays.equals(
                  bytes,
                  from,
                  to,
                  bytes,
                  keyOffsets[slotFirst[s]],
                  keyOffsets[slotFirst[s] + 1]))) {
        s = (s + 1) & mask;
      }
      if (slotFirst[s] < 0) {
        slotHash[s] = tag;
        count++;
      }
      next[row] = slotFirst[s];
      slotFirst[s] = row;
    }
    return count;
  }

  /**
   * The table of the rows of {@code batches} (compacted, allocated from {@code allocator}), which
   * it takes over (and closes, also if it fails). The heap of the index is accounted on {@code
   * allocator} (see {@link #retainedBytes()}) until the table closes; when that passes a limit this
   * throws Arrow's {@link OutOfMemoryException}, which names the limit.
   */
  static JoinTable of(
      JoinNode node,
      List<VectorSchemaRoot> batches,
      List<OperatorStats> stats,
      BufferAllocator allocator) {
    VectorSchemaRoot data = null;
    long reserved = 0;
    JoinTable table;
    try {
      if (batches.size() == 1) {
        data = batches.remove(0);
      } else {
        // the batches' own types (the plan's types when there are none)
        Schema schema = batches.isEmpty() ? node.right().schema() : batches.get(0).getSchema();
        data = VectorSchemaRoot.create(schema, allocator);
        int total = 0;
        for (VectorSchemaRoot b : batches) {
          total += b.getRowCount();
        }
        for (int c = 0; c < data.getFieldVectors().size(); c++) {
          List<FieldVector> sources = new ArrayList<>();
          for (VectorSchemaRoot b : batches) {
            sources.add(b.getVector(c));
          }
          ColumnGather.concat(sources, data.getVector(c));
          for (FieldVector s : sources) {
            s.clear();
          }
        }
        data.setRowCount(total);
        batches.forEach(VectorSchemaRoot::close);
        batches.clear();
      }
      JoinKeys keys =
          JoinKeys.of(node.left().schema(), node.leftKeys(), data.getSchema(), node.rightKeys());
      // reserve the index's heap before allocating it, then settle on what it really took
      long estimate =
          indexBytes(keys.mode, data.getRowCount(), serialisedKeyBytes(keys.right, data));
      reserve(allocator, estimate);
      reserved = estimate;
      table = new JoinTable(node, keys, data, stats);
    } catch (RuntimeException | Error e) {
      batches.forEach(VectorSchemaRoot::close);
      batches.clear();
      if (reserved > 0) {
        allocator.releaseBytes(reserved);
      }
      if (data != null) {
        data.close();
      }
      throw e;
    }
    // from here on the table owns its data and the bytes reserved
    table.allocator = allocator;
    table.accounted = reserved;
    try {
      long retained = table.retainedBytes();
      if (retained > table.accounted) {
        reserve(allocator, retained - table.accounted);
      } else {
        allocator.releaseBytes(table.accounted - retained);
      }
      table.accounted = retained;
      return table;
    } catch (RuntimeException | Error e) {
      table.close();
      throw e;
    }
  }

  /**
   * Accounts {@code bytes} of heap on {@code allocator}, or throws Arrow's {@link
   * OutOfMemoryException} (accounting nothing) when that passes a limit on its way to the root.
   */
  private static void reserve(BufferAllocator allocator, long bytes) {
    if (bytes > 0 && !allocator.forceAllocate(bytes)) {
      allocator.releaseBytes(bytes);
      throw new OutOfMemoryException(
          "Hash join table needs "
              + bytes
              + " more bytes of heap for its index, over the memory limit of "
              + allocator.getName());
    }
  }

  /**
   * About the heap the index of {@code rows} build rows takes, as the constructor lays it out
   * ({@code keyBytes}: their serialised keys, for byte-encoded keys). The spilling build uses it to
   * see the index coming; keep it in step with the constructor.
   */
  static long indexBytes(JoinKeys.Mode mode, long rows, long keyBytes) {
    long bytes = 4L * rows;
    if (mode == JoinKeys.Mode.NONE || mode == JoinKeys.Mode.NEVER || rows == 0) {
      return bytes;
    }
    long capacity = Long.highestOneBit(Math.max(4L, 2L * rows - 1)) << 1;
    return switch (mode) {
      // the slots, or a dense index by value (an int per value of a range under 4 * capacity)
      case LONG1 -> bytes + 16L * capacity;
      case LONG2 -> bytes + 20L * capacity;
      default -> bytes + 8L * capacity + 4L * (rows + 1) + keyBytes;
    };
  }

  /**
   * The bytes the rows of {@code batch} take serialised by {@code side}, for {@link #indexBytes}.
   */
  static long serialisedKeyBytes(JoinKeys.Side side, VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    long bytes = 0;
    for (int k = 0; k < side.columns.length; k++) {
      FieldVector v = batch.getVector(side.columns[k].index());
      if (side.isLong(k)) {
        bytes += 8L * rows;
      } else if (v instanceof BaseVariableWidthVector strings) {
        bytes +=
            4L * rows
                + (rows == 0
                    ? 0
                    : strings.getOffsetBuffer().getInt((long) rows << 2)
                        - strings.getOffsetBuffer().getInt(0));
      } else {
        bytes += 16L * rows;
      }
    }
    return bytes;
  }

  private static long[][] readKeyLongs(
      JoinKeys.Side side, List<FieldVector> vectors, int[] positions, int n, boolean[] noMatch) {
    Arrays.fill(noMatch, 0, n, false);
    long[][] longs = new long[side.columns.length][];
    for (int k = 0; k < longs.length; k++) {
      if (side.isLong(k)) {
        longs[k] = new long[n];
        side.readLongs(vectors, k, positions, n, longs[k], noMatch);
      } else {
        side.markNulls(vectors, k, positions, n, noMatch);
      }
    }
    return longs;
  }

  /** Serialises the key of row {@code i} (at {@code position}); -1 if {@code out} is too small. */
  private static int serialise(
      JoinKeys.Side side,
      List<FieldVector> vectors,
      long[][] longs,
      int i,
      int position,
      byte[] out,
      int at) {
    for (int k = 0; k < longs.length && at >= 0; k++) {
      if (longs[k] != null) {
        if (at + 8 > out.length) {
          return -1;
        }
        JoinKeys.putLong(out, at, longs[k][i]);
        at += 8;
      } else {
        at = side.writeBytes(vectors, k, position, out, at);
      }
    }
    return at;
  }

  private static long hash2(long a, long b) {
    return (a * PHI + Long.rotateLeft(b * 0xC2B2AE3D27D4EB4FL, 31)) * PHI;
  }

  private static long hashBytes(byte[] bytes, int from, int to) {
    long h = 0xCBF29CE484222325L;
    for (int i = from; i < to; i++) {
      h = (h ^ bytes[i]) * 0x100000001B3L;
    }
    return h ^ (h >>> 29);
  }

  /** The number of build rows. */
  public int rowCount() {
    return rows;
  }

  /** Build column {@code c} (all rows, in build order). */
  FieldVector column(int c) {
    return data.getVector(c);
  }

  /** Whether build column {@code c} may hold NULLs. */
  boolean hasNulls(int c) {
    return hasNulls[c];
  }

  /** Statistics of the build side's operators. */
  List<OperatorStats> buildStats() {
    return buildStats;
  }

  /** Whether no two build rows share a key (every chain has one row): no need to follow next. */
  boolean uniqueKeys() {
    return unique;
  }

  /** Whether a single long key is indexed by value rather than hashed. */
  boolean indexedByValue() {
    return direct != null;
  }

  /** The number of distinct non-NULL keys (0 without key columns). */
  public long distinctKeys() {
    return distinct;
  }

  /**
   * For a single integer-like key (integers, dates, timestamps, times, intervals, as longs): the
   * smallest non-NULL build key; empty for other keys or when no build row has a key. A dynamic
   * filter may skip probe rows whose key is outside {@code [minKey, maxKey]}.
   */
  public OptionalLong minKey() {
    return keys.integerLike() && distinct > 0 ? OptionalLong.of(minKey) : OptionalLong.empty();
  }

  /** The largest non-NULL build key, under the same conditions as {@link #minKey()}. */
  public OptionalLong maxKey() {
    return keys.integerLike() && distinct > 0 ? OptionalLong.of(maxKey) : OptionalLong.empty();
  }

  /**
   * Whether a build row has the key {@code key}, for a single integer-like key (when {@link
   * #minKey()} is present; false otherwise): the key set a dynamic filter offers the probe side's
   * scan. Reads only the immutable index, so any thread may call it.
   */
  public boolean containsKey(long key) {
    if (direct != null) {
      long offset = key - minKey;
      return offset >= 0 && offset < direct.length && direct[(int) offset] >= 0;
    }
    if (slots1.length == 0) {
      return false;
    }
    int s = (int) ((key * PHI) >>> shift);
    while (slots1[2 * s + 1] >= 0) {
      if (slots1[2 * s] == key) {
        return true;
      }
      s = (s + 1) & mask;
    }
    return false;
  }

  /**
   * Estimated heap bytes of the index (slot and chain arrays, serialised keys); the build rows
   * themselves are Arrow buffers counted by the allocator.
   */
  public long retainedBytes() {
    return 4L * next.length
        + 4L * slotFirst.length
        + 8L * slots1.length
        + (direct == null ? 0 : 4L * direct.length)
        + 8L * slotKey0.length
        + 8L * slotKey1.length
        + 4L * slotHash.length
        + keyBytes.length
        + 4L * keyOffsets.length;
  }

  /** A new prober with its own scratch space; use one per thread. */
  Prober prober() {
    return new Prober();
  }

  @Override
  public void close() {
    data.close();
    if (accounted > 0) {
      allocator.releaseBytes(accounted);
      accounted = 0;
    }
  }

  /** Finds the chain heads of probe rows. Not thread-safe: each probing thread has its own. */
  final class Prober {
    private int[] identity = new int[0];
    private int[] slots = new int[0];
    private long[] k0 = new long[0];
    private long[] k1 = new long[0];
    private boolean[] noMatch = new boolean[0];
    private byte[] bytes = new byte[256];
    private JoinKeys.Side left = keys.left;
    private Schema checked;

    /** The probe key readers for the actual types of {@code page} (normally the plan's). */
    private JoinKeys.Side left(Page page) {
      Schema schema = page.root().getSchema();
      if (schema == checked) {
        return left;
      }
      boolean planned = true;
      for (JoinKeys.Column c : keys.left.columns) {
        planned &=
            schema
                .getFields()
                .get(c.index())
                .getType()
                .equals(node.left().schema().getFields().get(c.index()).getType());
      }
      if (planned) {
        left = keys.left;
      } else {
        JoinKeys actual = JoinKeys.of(schema, node.leftKeys(), data.getSchema(), node.rightKeys());
        if (actual.mode != keys.mode || !Arrays.equals(actual.right.columns, keys.right.columns)) {
          throw new IllegalStateException(
              "join probe keys have types "
                  + schema
                  + " unlike the plan's "
                  + node.left().schema());
        }
        left = actual.left;
      }
      checked = schema;
      return left;
    }

    /**
     * Sets {@code heads[i]} to the first build row matching live row {@code i} of {@code page}
     * (follow {@link JoinTable#next} for the others), or -1 if none.
     */
    void lookup(Page page, int[] heads) {
      int n = page.count();
      if (rows == 0 || keys.mode == JoinKeys.Mode.NEVER) {
        Arrays.fill(heads, 0, n, -1);
        return;
      }
      if (keys.mode == JoinKeys.Mode.NONE) {
        Arrays.fill(heads, 0, n, 0);
        return;
      }
      if (noMatch.length < n) {
        int size = Math.max(n, noMatch.length * 2);
        noMatch = new boolean[size];
        k0 = new long[size];
        k1 = keys.mode == JoinKeys.Mode.LONG2 ? new long[size] : k1;
      }
      int[] positions = page.selection();
      if (positions == null) {
        if (identity.length < n) {
          identity = new int[Math.max(n, identity.length * 2)];
          for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
          }
        }
        positions = identity;
      }
      List<FieldVector> vectors = page.root().getFieldVectors();
      JoinKeys.Side left = left(page);
      ArrowBuf plain;
      if (keys.mode == JoinKeys.Mode.LONG1
          && direct != null
          && positions == identity
          && (plain = left.plainLongs(vectors, 0)) != null) {
        lookupDirect(plain, n, heads);
        if (left.hasNulls(vectors, 0)) {
          left.clearNulls(vectors, 0, positions, n, heads);
        }
      } else if (keys.mode == JoinKeys.Mode.LONG1) {
        left.readLongs(vectors, 0, positions, n, k0, null);
        if (direct != null) {
          lookupDirect(n, heads);
        } else {
          lookupHashed(n, heads);
        }
        if (left.hasNulls(vectors, 0)) {
          left.clearNulls(vectors, 0, positions, n, heads);
        }
      } else if (keys.mode == JoinKeys.Mode.LONG2) {
        left.readLongs(vectors, 0, positions, n, k0, null);
        left.readLongs(vectors, 1, positions, n, k1, null);
        lookupHashed2(n, heads);
        for (int k = 0; k < 2; k++) {
          if (left.hasNulls(vectors, k)) {
            left.clearNulls(vectors, k, positions, n, heads);
          }
        }
      } else {
        long[][] longs = readKeyLongs(left, vectors, positions, n, noMatch);
        for (int i = 0; i < n; i++) {
          if (noMatch[i]) {
            heads[i] = -1;
            continue;
          }
          int end;
          while ((end = serialise(left, vectors, longs, i, positions[i], bytes, 0)) < 0) {
            bytes = new byte[bytes.length * 2];
          }
          heads[i] = findBytes(bytes, end);
        }
      }
    }

    /** Dense keys: one array read per row, out-of-range keys (unsigned compare) finding none. */
    private void lookupDirect(int n, int[] heads) {
      long[] keys = k0;
      int[] first = direct;
      long min = minKey;
      long limit = first.length ^ Long.MIN_VALUE;
      for (int i = 0; i < n; i++) {
        long offset = keys[i] - min;
        heads[i] = (offset ^ Long.MIN_VALUE) < limit ? first[(int) offset] : -1;
      }
    }

    /** {@link #lookupDirect(int, int[])} reading the keys straight from a page's BIGINT column. */
    private void lookupDirect(ArrowBuf keys, int n, int[] heads) {
      int[] first = direct;
      long min = minKey;
      long limit = first.length ^ Long.MIN_VALUE;
      if (keys.capacity() < (long) n << 3) {
        throw new IllegalStateException("probe key column shorter than its page");
      }
      long address = keys.memoryAddress();
      for (int i = 0; i < n; i++) {
        long offset = MemoryUtil.getLong(address + ((long) i << 3)) - min;
        heads[i] = (offset ^ Long.MIN_VALUE) < limit ? first[(int) offset] : -1;
      }
    }

    /**
     * Hashed single keys: every row's home slot first (independent multiplications), then one pass
     * that settles the rows found in their home slot or whose home slot is empty (the usual case at
     * this table's load), and only the rest walk the probe sequence.
     */
    private void lookupHashed(int n, int[] heads) {
      long[] keys = k0;
      int[] home = slotScratch(n);
      int sh = shift;
      for (int i = 0; i < n; i++) {
        home[i] = (int) ((keys[i] * PHI) >>> sh);
      }
      long[] table = slots1;
      for (int i = 0; i < n; i++) {
        int s = home[i];
        long first = table[2 * s + 1];
        heads[i] = first < 0 || table[2 * s] == keys[i] ? (int) first : find1(keys[i]);
      }
    }

    /** Two long keys, as {@link #lookupHashed}: home slots first, then one compare per row. */
    private void lookupHashed2(int n, int[] heads) {
      long[] a = k0;
      long[] b = k1;
      int[] home = slotScratch(n);
      int sh = shift;
      for (int i = 0; i < n; i++) {
        home[i] = (int) (hash2(a[i], b[i]) >>> sh);
      }
      int[] firsts = slotFirst;
      long[] keys0 = slotKey0;
      long[] keys1 = slotKey1;
      for (int i = 0; i < n; i++) {
        int s = home[i];
        int first = firsts[s];
        heads[i] = first < 0 || (keys0[s] == a[i] && keys1[s] == b[i]) ? first : find2(a[i], b[i]);
      }
    }

    private int[] slotScratch(int n) {
      if (slots.length < n) {
        slots = new int[Math.max(n, slots.length * 2)];
      }
      return slots;
    }

    private int find1(long k) {
      int s = (int) ((k * PHI) >>> shift);
      while (true) {
        long first = slots1[2 * s + 1];
        if (first < 0 || slots1[2 * s] == k) {
          return (int) first;
        }
        s = (s + 1) & mask;
      }
    }

    private int find2(long a, long b) {
      int s = (int) (hash2(a, b) >>> shift);
      while (true) {
        int first = slotFirst[s];
        if (first < 0 || (slotKey0[s] == a && slotKey1[s] == b)) {
          return first;
        }
        s = (s + 1) & mask;
      }
    }

    private int findBytes(byte[] key, int length) {
      long h = hashBytes(key, 0, length);
      int tag = (int) h;
      int s = (int) (h * PHI >>> shift);
      while (true) {
        int first = slotFirst[s];
        if (first < 0
            || (slotHash[s] == tag
                && Arrays.equals(
                    key, 0, length, keyBytes, keyOffsets[first], keyOffsets[first + 1]))) {
          return first;
        }
        s = (s + 1) & mask;
      }
    }
  }
}
