package io.oxbow.engine.exec;

import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.spill.SpillDirectory;
import io.oxbow.engine.spill.SpillFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One side of a spilled hash join, split by key into {@value #PARTITIONS} partitions of spill
 * files, so that build partition {@code p} only ever matches probe partition {@code p}.
 *
 * <p>A row's partition is {@value #BITS} bits of a hash of its key as {@link JoinKeys} normalises
 * it (the long encoding, or the serialised bytes), the same for either side of the join whatever
 * their column types (an INT 5 and a BIGINT 5 land in the same partition); the hash is seeded with
 * the depth, so a partition split again one level deeper spreads over all partitions there. Rows
 * with a NULL key never match and go round-robin to any partition.
 *
 * <p>Not thread-safe: one writer; it may then be handed to another thread (through a lock) to be
 * read. {@link #close()} deletes every file still there.
 */
final class JoinPartitions implements AutoCloseable {
  static final int BITS = 4;
  static final int PARTITIONS = 1 << BITS;

  private static final long PHI = 0x9E3779B97F4A7C15L;

  private final SpillContext spill;
  private final String owner;
  private final int depth;
  private final List<SpillFile>[] files;
  private final SpillFile[] writing = new SpillFile[PARTITIONS];
  private Schema writingSchema;
  private SpillDirectory directory;
  private int nullRow;

  // scratch
  private int[] identity = new int[0];
  private long[] hashes = new long[0];
  private long[] longs = new long[0];
  private boolean[] isNull = new boolean[0];
  private int[] partitionOf = new int[0];
  private int[] byPartition = new int[0];
  private byte[] bytes = new byte[256];

  /**
   * @param owner names the spill directory (an allocator's name)
   * @param depth 0 for a join's own partitions, one more for each partitioning of a partition
   */
  @SuppressWarnings("unchecked")
  JoinPartitions(SpillContext spill, String owner, int depth) {
    this.spill = spill;
    this.owner = owner;
    this.depth = depth;
    this.files = new List[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) {
      files[p] = new ArrayList<>();
    }
  }

  /** The finished files of partition {@code p}, in the order written; the caller may close them. */
  List<SpillFile> files(int p) {
    return files[p];
  }

  /** Appends every row of {@code batch} (keys read by {@code side}); the caller keeps the batch. */
  void write(VectorSchemaRoot batch, JoinKeys.Side side, BufferAllocator allocator) {
    int n = batch.getRowCount();
    int[] positions = identity(n);
    int[] partitionOf = assign(side, batch.getFieldVectors(), positions, n, true);
    write(batch, positions, n, partitionOf, null, allocator);
  }

  /**
   * The partition of each row {@code positions[0..n)} of {@code vectors} (keys read by {@code
   * side}) at index {@code i} of the returned array (scratch, valid until the next call). Rows with
   * a NULL key go round-robin to any partition with {@code spreadNulls}, else get -1.
   */
  int[] assign(
      JoinKeys.Side side, List<FieldVector> vectors, int[] positions, int n, boolean spreadNulls) {
    if (partitionOf.length < n) {
      partitionOf = new int[Math.max(n, 4096)];
      byPartition = new int[partitionOf.length];
    }
    hash(side, vectors, positions, n);
    int shift = 64 - BITS;
    long seed = depth * PHI;
    for (int i = 0; i < n; i++) {
      partitionOf[i] =
          isNull[i]
              ? (spreadNulls ? nullRow++ & (PARTITIONS - 1) : -1)
              : (int) (KeyLayout.mix(hashes[i] + seed) >>> shift);
    }
    return partitionOf;
  }

  /**
   * Groups rows {@code positions[0..n)} by their partition ({@code partitionOf[i]}, rows of
   * partition -1 left out): partition {@code p}'s positions are {@code byPartition[starts[p] ..
   * starts[p + 1])}.
   */
  private int[] group(int[] positions, int n, int[] partitionOf) {
    int[] starts = new int[PARTITIONS + 1];
    for (int i = 0; i < n; i++) {
      starts[partitionOf[i] + 1]++;
    }
    starts[0] = 0; // rows of partition -1 counted there are left out
    for (int p = 0; p < PARTITIONS; p++) {
      starts[p + 1] += starts[p];
    }
    int[] next = Arrays.copyOf(starts, PARTITIONS);
    for (int i = 0; i < n; i++) {
      int p = partitionOf[i];
      if (p >= 0) {
        byPartition[next[p]++] = positions[i];
      }
    }
    return starts;
  }

  /**
   * Appends the rows {@code positions[i]} of {@code batch} whose partition {@code partitionOf[i]}
   * is on disk ({@code onDisk[p]}; all partitions when null) to their partitions' files; the caller
   * keeps the batch.
   */
  void write(
      VectorSchemaRoot batch,
      int[] positions,
      int n,
      int[] partitionOf,
      boolean[] onDisk,
      BufferAllocator allocator) {
    if (n == 0) {
      return;
    }
    int[] starts = group(positions, n, partitionOf);
    for (int p = 0; p < PARTITIONS; p++) {
      int count = starts[p + 1] - starts[p];
      if (count == 0 || (onDisk != null && !onDisk[p])) {
        continue;
      }
      try (VectorSchemaRoot part = gather(batch, starts[p], count, allocator)) {
        writeWhole(p, part);
      }
    }
  }

  /**
   * The rows {@code positions[i]} of {@code batch} of each partition {@code p} with {@code
   * keep[p]}, gathered into a new batch (owned by the caller) at index {@code p}, null where none.
   */
  VectorSchemaRoot[] split(
      VectorSchemaRoot batch,
      int[] positions,
      int n,
      int[] partitionOf,
      boolean[] keep,
      BufferAllocator allocator) {
    VectorSchemaRoot[] out = new VectorSchemaRoot[PARTITIONS];
    int[] starts = group(positions, n, partitionOf);
    try {
      for (int p = 0; p < PARTITIONS; p++) {
        int count = starts[p + 1] - starts[p];
        if (count > 0 && keep[p]) {
          out[p] = gather(batch, starts[p], count, allocator);
        }
      }
      return out;
    } catch (RuntimeException | Error e) {
      for (VectorSchemaRoot b : out) {
        if (b != null) {
          b.close();
        }
      }
      throw e;
    }
  }

  private VectorSchemaRoot gather(
      VectorSchemaRoot batch, int from, int count, BufferAllocator allocator) {
    Schema schema = batch.getSchema();
    VectorSchemaRoot part = VectorSchemaRoot.create(schema, allocator);
    try {
      for (int c = 0; c < schema.getFields().size(); c++) {
        ColumnGather.gather(batch.getVector(c), true, byPartition, from, count, part.getVector(c));
      }
      part.setRowCount(count);
      return part;
    } catch (RuntimeException | Error e) {
      part.close();
      throw e;
    }
  }

  /** Appends all of {@code batch} (rows of partition {@code p}) to the partition's file. */
  void writeWhole(int p, VectorSchemaRoot batch) {
    Schema schema = batch.getSchema();
    if (writingSchema != null && !writingSchema.equals(schema)) {
      finishWriting(); // a file holds one schema: later batches of another go to new files
    }
    if (writing[p] == null) {
      if (directory == null) {
        directory = spill.newDirectory(owner);
      }
      writing[p] = directory.create(schema);
      files[p].add(writing[p]);
      writingSchema = schema;
    }
    writing[p].write(batch);
  }

  /**
   * Whether every row of {@code batches} whose key is not NULL has the same key hash: then no
   * partitioning, at any depth, can split them.
   */
  boolean oneKeyHash(List<VectorSchemaRoot> batches, JoinKeys.Side side) {
    boolean any = false;
    long first = 0;
    for (VectorSchemaRoot batch : batches) {
      int n = batch.getRowCount();
      hash(side, batch.getFieldVectors(), identity(n), n);
      for (int i = 0; i < n; i++) {
        if (isNull[i]) {
          continue;
        }
        if (!any) {
          any = true;
          first = hashes[i];
        } else if (hashes[i] != first) {
          return false;
        }
      }
    }
    return true;
  }

  /** Ends the files being written; they can be read from now on. */
  void finishWriting() {
    for (int p = 0; p < PARTITIONS; p++) {
      if (writing[p] != null) {
        writing[p].finishWriting();
        writing[p] = null;
      }
    }
    writingSchema = null;
  }

  private int[] identity(int n) {
    if (identity.length < n) {
      identity = new int[Math.max(n, 4096)];
      for (int i = 0; i < identity.length; i++) {
        identity[i] = i;
      }
    }
    return identity;
  }

  /** Sets {@code hashes[i]} to the key hash of row {@code positions[i]}, or isNull[i]. */
  private void hash(JoinKeys.Side side, List<FieldVector> vectors, int[] positions, int n) {
    if (hashes.length < n) {
      int size = Math.max(n, 4096);
      hashes = new long[size];
      longs = new long[size];
      isNull = new boolean[size];
    }
    Arrays.fill(hashes, 0, n, 0x27d4eb2f165667c5L);
    Arrays.fill(isNull, 0, n, false);
    for (int k = 0; k < side.columns.length; k++) {
      if (side.isLong(k)) {
        side.readLongs(vectors, k, positions, n, longs, isNull);
        for (int i = 0; i < n; i++) {
          hashes[i] = (Long.rotateLeft(hashes[i], 27) ^ KeyLayout.mix(longs[i])) * PHI;
        }
      } else {
        side.markNulls(vectors, k, positions, n, isNull);
        for (int i = 0; i < n; i++) {
          if (isNull[i]) {
            continue;
          }
          int end;
          while ((end = side.writeBytes(vectors, k, positions[i], bytes, 0)) < 0) {
            bytes = new byte[bytes.length * 2];
          }
          long h = KeyLayout.hashBytes(bytes, 0, end);
          hashes[i] = (Long.rotateLeft(hashes[i], 27) ^ h) * PHI;
        }
      }
    }
  }

  /** Deletes every file still there. */
  @Override
  public void close() {
    for (List<SpillFile> list : files) {
      list.clear();
    }
    Arrays.fill(writing, null);
    if (directory != null) {
      SpillDirectory d = directory;
      directory = null;
      d.close();
    }
  }
}
