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
  private long rows;

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

  /** Rows written. */
  long rows() {
    return rows;
  }

  /** The finished files of partition {@code p}, in the order written; the caller may close them. */
  List<SpillFile> files(int p) {
    return files[p];
  }

  /** Appends every row of {@code batch} (keys read by {@code side}); the caller keeps the batch. */
  void write(VectorSchemaRoot batch, JoinKeys.Side side, BufferAllocator allocator) {
    int n = batch.getRowCount();
    write(batch, identity(n), n, side, allocator);
  }

  /**
   * Appends rows {@code positions[0..n)} of {@code batch} (keys read by {@code side}) to their
   * partitions; the caller keeps the batch.
   */
  void write(
      VectorSchemaRoot batch,
      int[] positions,
      int n,
      JoinKeys.Side side,
      BufferAllocator allocator) {
    if (n == 0) {
      return;
    }
    Schema schema = batch.getSchema();
    if (writingSchema != null && !writingSchema.equals(schema)) {
      finishWriting(); // a file holds one schema: later batches of another go to new files
    }
    if (partitionOf.length < n) {
      partitionOf = new int[Math.max(n, 4096)];
      byPartition = new int[partitionOf.length];
    }
    hash(side, batch.getFieldVectors(), positions, n);
    int shift = 64 - BITS;
    int[] starts = new int[PARTITIONS + 1];
    for (int i = 0; i < n; i++) {
      int p =
          isNull[i]
              ? nullRow++ & (PARTITIONS - 1)
              : (int) (KeyLayout.mix(hashes[i] + depth * PHI) >>> shift);
      partitionOf[i] = p;
      starts[p + 1]++;
    }
    for (int p = 0; p < PARTITIONS; p++) {
      starts[p + 1] += starts[p];
    }
    int[] next = Arrays.copyOf(starts, PARTITIONS);
    for (int i = 0; i < n; i++) {
      byPartition[next[partitionOf[i]]++] = positions[i];
    }
    for (int p = 0; p < PARTITIONS; p++) {
      int count = starts[p + 1] - starts[p];
      if (count == 0) {
        continue;
      }
      if (writing[p] == null) {
        if (directory == null) {
          directory = spill.newDirectory(owner);
        }
        writing[p] = directory.create(schema);
        files[p].add(writing[p]);
        writingSchema = schema;
      }
      try (VectorSchemaRoot part = VectorSchemaRoot.create(schema, allocator)) {
        for (int c = 0; c < schema.getFields().size(); c++) {
          ColumnGather.gather(
              batch.getVector(c), true, byPartition, starts[p], count, part.getVector(c));
        }
        part.setRowCount(count);
        writing[p].write(part);
      }
    }
    rows += n;
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
