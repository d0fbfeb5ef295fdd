package io.oxbow.engine.exec;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.eval.Evaluator;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.spill.MemoryThreshold;
import io.oxbow.engine.spill.SpillContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Connects the probe operators of one join (one {@link HashJoinOperator} per worker thread) to the
 * one build side they share. The first call of {@link #table()} runs the build side and builds the
 * {@link JoinTable}; concurrent callers wait for it, and if building fails every caller (then and
 * later) gets the same exception.
 *
 * <p>Reference counting: the bridge is created with the number of probe operators that will use it,
 * and each of them calls {@link #release()} exactly once, in its {@code close()}; the last release
 * closes the table (the allocator stays open: it belongs to the caller, who closes it after the
 * probe operators). A release before the table was built just means it is never built.
 *
 * <p>Spilling (a hybrid grace hash join). While the build side runs, its rows are kept in memory as
 * long as they and the index they will need ({@link JoinTable#indexBytes}) stay under the query's
 * spill threshold ({@link MemoryThreshold}). Past it, if spilling is enabled and the join has keys,
 * the build rows (those held and those still to come) are split by key hash into {@link
 * JoinPartitions}: partitions stay in memory until the rows in memory and their index would pass
 * the threshold, then the largest goes to disk with every later row of it, and so on. The table is
 * built of the partitions left in memory ({@link #onDisk()} tells which went to disk). Each probe
 * operator joins its probe rows of partitions in memory with the table as usual and writes the
 * others to partitions of its own, which it hands over with {@link #probeFinished} once its output
 * from the table is all emitted; the last one to do so closes the table and gets a {@link
 * PartitionedJoin}, which joins the partitions on disk one by one on its thread (each through a
 * bridge and probe operator one level deeper, which spill again if the partition is still too
 * large). A build whose keys all hash alike cannot be split and is not spilled: it fits or fails at
 * the limit, as does a partition {@value #MAX_DEPTH} levels deep. The partitions' files are deleted
 * as they are read and, whatever is left, by the last release.
 */
public final class JoinBridge {
  /** Levels of partitioning at most (a partition of a partition of ..). */
  static final int MAX_DEPTH = 4;

  private final JoinNode node;
  private final Supplier<ResultStream> buildSide;
  private final BufferAllocator allocator;
  private final SpillContext spill;
  private final Runnable checkCancelled;
  private final int depth;
  private int references;
  private int probesRunning;
  private int probesMarking;
  private long[] matchedBuild;
  private JoinTable table;
  private boolean built;
  private Throwable failure;
  private List<OperatorStats> buildStats;
  private JoinPartitions buildPartitions;
  private boolean[] onDisk;
  private JoinKeys buildKeys;
  private Schema buildSchema;
  private final List<JoinPartitions> probePartitions = new ArrayList<>();

  /**
   * A bridge for {@code probes} probe operators that never spills; the table is allocated from
   * {@code allocator}.
   *
   * @param buildSide runs the join's right input; called at most once
   */
  public JoinBridge(
      JoinNode node, Supplier<ResultStream> buildSide, BufferAllocator allocator, int probes) {
    this(node, buildSide, allocator, probes, SpillContext.disabled(), () -> {}, 0);
  }

  /** A bridge that spills as {@code context} says, checking it for cancellation. */
  public JoinBridge(
      JoinNode node,
      Supplier<ResultStream> buildSide,
      BufferAllocator allocator,
      int probes,
      ExecutionContext context) {
    this(node, buildSide, allocator, probes, context.spill(), context::checkCancelled, 0);
  }

  JoinBridge(
      JoinNode node,
      Supplier<ResultStream> buildSide,
      BufferAllocator allocator,
      int probes,
      SpillContext spill,
      Runnable checkCancelled,
      int depth) {
    if (probes < 1) {
      throw new IllegalArgumentException("a join bridge needs at least one probe operator");
    }
    this.node = node;
    this.buildSide = buildSide;
    this.allocator = allocator;
    this.references = probes;
    this.probesRunning = probes;
    this.probesMarking = probes;
    this.spill = spill;
    this.checkCancelled = checkCancelled;
    this.depth = depth;
  }

  /** The join this bridge builds. */
  public JoinNode node() {
    return node;
  }

  /**
   * The table, built on the first call: of every build row, or when the build side spilled (see
   * {@link #onDisk()}) of the rows of the partitions that stayed in memory, until the probe
   * operators are done with it (see {@link #probeFinished}). A spilled build's table holds only
   * part of the build rows: its key statistics ({@link JoinTable#minKey()}, {@link
   * JoinTable#distinctKeys()}) do not describe the build side, so no dynamic filter may be derived
   * from it when {@link #onDisk()} is not null.
   */
  public synchronized JoinTable table() {
    if (failure != null) {
      if (failure instanceof Error e) {
        throw e;
      }
      throw (RuntimeException) failure;
    }
    if (references == 0) {
      throw new IllegalStateException("join bridge already released");
    }
    if (!built) {
      try {
        build();
        built = true;
      } catch (RuntimeException | Error e) {
        failure = e;
        throw e;
      }
    }
    return table;
  }

  /**
   * For a spilled build, per partition whether its rows went to disk (the table holds those of the
   * others, and rows with a NULL key of any); null when it did not spill.
   */
  synchronized boolean[] onDisk() {
    return onDisk == null ? null : onDisk.clone();
  }

  /** The partitioning level of this bridge's join (0 for a plan's join). */
  int depth() {
    return depth;
  }

  SpillContext spillContext() {
    return spill;
  }

  Runnable checkCancelled() {
    return checkCancelled;
  }

  /**
   * The key readers for probe pages of {@code probeSchema} against the spilled build rows; fails
   * like the table's prober when the two would encode keys differently.
   */
  synchronized JoinKeys.Side probeKeys(Schema probeSchema) {
    JoinKeys actual = JoinKeys.of(probeSchema, node.leftKeys(), buildSchema, node.rightKeys());
    if (actual.mode != buildKeys.mode
        || !Arrays.equals(actual.right.columns, buildKeys.right.columns)) {
      throw new IllegalStateException(
          "join probe keys have types " + probeSchema + " unlike the plan's " + node.left());
    }
    return actual.left;
  }

  /**
   * For joins that output build rows (RIGHT_SEMI, RIGHT_ANTI): a probe operator has probed all its
   * rows against the table and marked, in {@code matched} (a bitset over the table's rows), the
   * build rows it matched. The last probe operator to get here gets the union of all of theirs, to
   * emit the build rows from; the others get null.
   */
  synchronized long[] probeMarked(long[] matched) {
    if (matchedBuild == null) {
      matchedBuild = matched.clone();
    } else {
      for (int w = 0; w < matched.length; w++) {
        matchedBuild[w] |= matched[w];
      }
    }
    if (--probesMarking > 0) {
      return null;
    }
    long[] all = matchedBuild;
    matchedBuild = null;
    return all;
  }

  /**
   * A probe operator of a spilled join is done with the table (its output of the partitions in
   * memory is all emitted) and has written its probe rows of the partitions on disk to {@code
   * partitions} (finished, or null for none), which the bridge now owns. The last probe operator to
   * get here closes the table and gets the join of the partitions on disk, to run and close; the
   * others get null.
   */
  synchronized PartitionedJoin probeFinished(
      JoinPartitions partitions, Evaluator residual, BufferAllocator probeAllocator) {
    if (partitions != null) {
      probePartitions.add(partitions);
    }
    if (--probesRunning > 0) {
      return null;
    }
    // every probe operator is done with the partitions in memory: make room for the others
    if (table != null) {
      table.close();
      table = null;
    }
    return new PartitionedJoin(
        node,
        residual,
        buildPartitions,
        List.copyOf(probePartitions),
        probeAllocator,
        spill,
        checkCancelled,
        depth);
  }

  /**
   * Runs the build side into a table of all its rows, or (past the spill threshold) into partitions
   * of which those that fit stay in memory, as the table, and the others go to disk.
   */
  private void build() {
    MemoryThreshold threshold = new MemoryThreshold(allocator, spill.threshold());
    Budget over = budget(threshold);
    List<VectorSchemaRoot> batches = new ArrayList<>();
    boolean spillable = spill.enabled() && threshold.limited() && depth < MAX_DEPTH;
    JoinKeys keys = null;
    long rows = 0;
    long keyBytes = 0;
    long[] columnBytes = null;
    JoinPartitions partitions = null;
    Held held = null;
    try {
      List<OperatorStats> stats;
      try (ResultStream stream = buildSide.get()) {
        while (true) {
          VectorSchemaRoot next = stream.next();
          if (next == null) {
            stats = stream.operatorStats();
            break;
          }
          if (next.getRowCount() == 0) {
            next.close();
            continue;
          }
          VectorSchemaRoot batch = Page.of(next).compact(allocator);
          if (partitions != null) {
            try (batch) {
              held.add(batch, partitions, keys.right);
            }
            held.evict(over, keys.mode, partitions);
            continue;
          }
          batches.add(batch);
          if (!spillable) {
            continue;
          }
          if (keys == null) {
            buildSchema = batch.getSchema();
            keys =
                JoinKeys.of(node.left().schema(), node.leftKeys(), buildSchema, node.rightKeys());
            columnBytes = new long[batch.getFieldVectors().size()];
            if (keys.mode == JoinKeys.Mode.NONE || keys.mode == JoinKeys.Mode.NEVER) {
              spillable = false; // no key to partition by
              continue;
            }
          }
          rows += batch.getRowCount();
          keyBytes += JoinTable.serialisedKeyBytes(keys.right, batch);
          long largestColumn = 0;
          long heldBytes = 0;
          for (int c = 0; c < columnBytes.length && c < batch.getFieldVectors().size(); c++) {
            FieldVector v = batch.getVector(c);
            columnBytes[c] += v.getBufferSize();
            largestColumn = Math.max(largestColumn, columnBytes[c]);
            heldBytes += columnBytes[c];
          }
          // what building the table would still take: the index, and concatenating a column
          long coming = JoinTable.indexBytes(keys.mode, rows, keyBytes) + largestColumn;
          if (!over.passed(heldBytes, coming)) {
            continue;
          }
          partitions = new JoinPartitions(spill, allocator.getName(), depth);
          if (partitions.oneKeyHash(batches, keys.right)) {
            // no partitioning can split these rows: build in memory, or fail at the limit
            partitions = null;
            spillable = false;
            continue;
          }
          buildKeys = keys;
          buildPartitions = partitions;
          held = new Held(allocator);
          while (!batches.isEmpty()) {
            try (VectorSchemaRoot b = batches.remove(0)) {
              held.add(b, partitions, keys.right);
            }
          }
          held.evict(over, keys.mode, partitions);
          checkCancelled.run();
        }
      }
      buildStats = stats;
      if (partitions != null) {
        partitions.finishWriting();
        onDisk = held.onDisk.clone();
        batches = held.takeAll();
      }
      table = JoinTable.of(node, batches, stats, allocator);
    } catch (RuntimeException | Error e) {
      batches.forEach(VectorSchemaRoot::close);
      if (held != null) {
        held.takeAll().forEach(VectorSchemaRoot::close);
      }
      if (partitions != null) {
        partitions.close();
      }
      buildPartitions = null;
      throw e;
    }
  }

  /**
   * When a build holding {@code held} bytes, which {@code coming} more would follow, must spill.
   */
  @FunctionalInterface
  private interface Budget {
    boolean passed(long held, long coming);
  }

  /**
   * A plan's join spills when the query's memory would pass its spill threshold. A partition's join
   * (one level deeper) runs when other operators may already hold more than that (other join
   * tables, an aggregation above): it spills only when its own rows and index would pass half the
   * memory left under the limit when it started, so that a partition that fits is not split again
   * for others' memory.
   */
  private Budget budget(MemoryThreshold threshold) {
    if (depth == 0) {
      return (held, coming) -> threshold.exceeded(coming);
    }
    long headroom = Long.MAX_VALUE;
    for (BufferAllocator a = allocator; a != null; a = a.getParentAllocator()) {
      if (a.getLimit() != Long.MAX_VALUE) {
        headroom = Math.min(headroom, a.getLimit() - a.getAllocatedMemory());
      }
    }
    long half = Math.max(0, headroom / 2);
    return (held, coming) -> held + coming > half;
  }

  /**
   * The build rows of a spilling build that stay in memory, by partition, and which partitions went
   * to disk. Past the spill threshold the largest partition in memory goes to disk, its rows held
   * so far and every later one, until the rest fits.
   */
  private static final class Held {
    final boolean[] onDisk = new boolean[JoinPartitions.PARTITIONS];
    final boolean[] inMemory = new boolean[JoinPartitions.PARTITIONS];
    final List<List<VectorSchemaRoot>> batches = new ArrayList<>();
    final long[] bytes = new long[JoinPartitions.PARTITIONS];
    final long[] rows = new long[JoinPartitions.PARTITIONS];
    final long[] keyBytes = new long[JoinPartitions.PARTITIONS];

    /** Per partition, the largest column of each batch added up: at least its largest column. */
    final long[] columnBytes = new long[JoinPartitions.PARTITIONS];

    final BufferAllocator allocator;

    Held(BufferAllocator allocator) {
      this.allocator = allocator;
      Arrays.fill(inMemory, true);
      for (int p = 0; p < JoinPartitions.PARTITIONS; p++) {
        batches.add(new ArrayList<>());
      }
    }

    /** Adds the rows of {@code batch} (the caller keeps it) to memory or disk by partition. */
    void add(VectorSchemaRoot batch, JoinPartitions partitions, JoinKeys.Side side) {
      int n = batch.getRowCount();
      int[] positions = new int[n];
      for (int i = 0; i < n; i++) {
        positions[i] = i;
      }
      int[] partitionOf = partitions.assign(side, batch.getFieldVectors(), positions, n, true);
      VectorSchemaRoot[] parts =
          partitions.split(batch, positions, n, partitionOf, inMemory, allocator);
      try {
        partitions.write(batch, positions, n, partitionOf, onDisk, allocator);
      } catch (RuntimeException | Error e) {
        for (VectorSchemaRoot part : parts) {
          if (part != null) {
            part.close();
          }
        }
        throw e;
      }
      for (int p = 0; p < parts.length; p++) {
        VectorSchemaRoot part = parts[p];
        if (part == null) {
          continue;
        }
        batches.get(p).add(part);
        rows[p] += part.getRowCount();
        keyBytes[p] += JoinTable.serialisedKeyBytes(side, part);
        long largest = 0;
        for (FieldVector v : part.getFieldVectors()) {
          bytes[p] += v.getBufferSize();
          largest = Math.max(largest, v.getBufferSize());
        }
        columnBytes[p] += largest;
      }
    }

    /** Sends the largest partitions in memory to disk while the rest and its index pass it. */
    void evict(Budget over, JoinKeys.Mode mode, JoinPartitions partitions) {
      while (true) {
        long totalRows = 0;
        long totalBytes = 0;
        long totalKeyBytes = 0;
        long largestColumn = 0;
        int largest = -1;
        for (int p = 0; p < JoinPartitions.PARTITIONS; p++) {
          if (!inMemory[p]) {
            continue;
          }
          totalRows += rows[p];
          totalBytes += bytes[p];
          totalKeyBytes += keyBytes[p];
          largestColumn += columnBytes[p];
          if (rows[p] > 0 && (largest < 0 || bytes[p] > bytes[largest])) {
            largest = p;
          }
        }
        long coming = JoinTable.indexBytes(mode, totalRows, totalKeyBytes) + largestColumn;
        if (largest < 0 || !over.passed(totalBytes, coming)) {
          return;
        }
        for (VectorSchemaRoot b : batches.get(largest)) {
          partitions.writeWhole(largest, b);
        }
        batches.get(largest).forEach(VectorSchemaRoot::close);
        batches.get(largest).clear();
        inMemory[largest] = false;
        onDisk[largest] = true;
        rows[largest] = 0;
        keyBytes[largest] = 0;
        bytes[largest] = 0;
        columnBytes[largest] = 0;
      }
    }

    /** The batches in memory, which the caller now owns. */
    List<VectorSchemaRoot> takeAll() {
      List<VectorSchemaRoot> all = new ArrayList<>();
      for (List<VectorSchemaRoot> list : batches) {
        all.addAll(list);
        list.clear();
      }
      return all;
    }
  }

  /**
   * Called once by each probe operator when it closes; the last call closes the table and deletes
   * the partitions.
   */
  public synchronized void release() {
    if (references == 0) {
      throw new IllegalStateException("join bridge released too often");
    }
    references--;
    if (references > 0) {
      return;
    }
    RuntimeException closeFailure = null;
    if (table != null) {
      table.close();
      table = null;
    }
    if (buildPartitions != null) {
      try {
        buildPartitions.close();
      } catch (RuntimeException e) {
        closeFailure = e;
      }
      buildPartitions = null;
    }
    for (JoinPartitions p : probePartitions) {
      try {
        p.close();
      } catch (RuntimeException e) {
        closeFailure = closeFailure == null ? e : closeFailure;
      }
    }
    probePartitions.clear();
    if (closeFailure != null) {
      throw closeFailure;
    }
  }

  /** The build side's operator statistics once it has run (for EXPLAIN ANALYZE). */
  public synchronized List<List<OperatorStats>> pipelines() {
    return buildStats == null ? List.of() : List.of(buildStats);
  }
}
