package io.oxbow.engine.exec;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.spill.MemoryThreshold;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.spill.SpillDirectory;
import io.oxbow.engine.spill.SpillFile;
import io.oxbow.engine.type.Values;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Hash aggregation: assigns each input row a group id from a {@link GroupByHash} over the group
 * keys (hashed a column at a time, no boxing), then updates each aggregate's typed per-group state
 * ({@link Accumulator}) in a loop over the page. Emits all groups, 4096 at a time, when the input
 * finishes. Partial aggregations built from the same node on several threads can be combined with
 * {@link #mergeFrom} before {@link #finish}, or, when they hold many groups, a partition of the
 * groups at a time into new operators on several threads ({@link #groupsByPartition}, {@link
 * #mergePartitionFrom}; the groups' partitions follow a hash of their key values, the same in every
 * table).
 *
 * <p>The group table and the states live in Java heap arrays, which Arrow does not see; so that the
 * query's memory limit covers them, the operator keeps as many bytes accounted on its allocator as
 * {@link #retainedBytes()} estimates (accounting only, no buffer behind it), updated after every
 * page and merge and given back on {@link #close()}. When the table outgrows the limit (of its
 * allocator or any ancestor), the operator throws Arrow's {@link OutOfMemoryException}, which the
 * driver reports as the query exceeding its memory limit.
 *
 * <p>Spilling. Once the query's memory passes its spill threshold ({@link MemoryThreshold}; for an
 * operator aggregating one spilled partition, half the memory left under the limit when it
 * started), the operator stops adding groups. From then on a row whose key already has a group is
 * aggregated in memory as before; every other row is written, whole, to one of {@value #PARTITIONS}
 * spill files chosen by bits of a hash of its key values alone (the same in every operator, at a
 * given depth). A group thus keeps all its rows in memory, or has rows in exactly one partition
 * (and possibly in memory). At the end, each partition is read back: its rows whose key now has a
 * group in memory are aggregated there (merged tables may have gained groups, see below), the rest
 * go to a new operator of the same plan one level deeper, which sees each of its groups' rows whole
 * and emits them; being disjoint from memory's groups and from other partitions', they are final.
 * The groups in memory are emitted last, after every partition has added its rows. A partition too
 * large for the deeper operator is partitioned again by the next hash bits, at most {@value
 * #MAX_DEPTH} levels deep; past that, or when too little memory is left to aggregate a partition at
 * all, the query fails with Arrow's {@link OutOfMemoryException} (the memory limit is named).
 * {@link #mergeFrom} merges the in-memory tables as without spilling and takes over the other
 * operator's partition files (depth 0 everywhere, so partition i of both holds the same keys); the
 * routing at the end makes the result exact wherever a group's rows went. Spill files are deleted
 * as soon as they are read, and all of them on {@link #close()}.
 */
final class HashAggregationOperator implements Operator {
  private static final int BATCH = 4096;

  /**
   * Fewer groups than this in all the tables to merge together, and they are merged into one on one
   * thread: a parallel merge would cost more in hand-offs than it saves.
   */
  static final int PARALLEL_MERGE_MIN_GROUPS = 16_384;

  /** Spill partitions per level, chosen by {@link #PARTITION_BITS} bits of the key hash. */
  static final int PARTITIONS = 16;

  private static final int PARTITION_BITS = 4;

  /** Deepest level of partitioning (a partition of a partition of ..). */
  static final int MAX_DEPTH = 4;

  /** An operator for a spilled partition gets at least this much memory, or the query fails. */
  private static final long MIN_PARTITION_BUDGET = 256 << 10;

  private final AggregateNode node;
  private final BufferAllocator allocator;
  private final GroupByHash hash;
  private final Accumulator[] accumulators;
  private final int[] keyColumns;
  private final FieldVector[] keyVectors;
  private int[] identity = new int[0];
  private int[] groupIds = new int[0];
  private int[] filteredPositions = new int[0];

  /** At most this many groups, a page's rows are sorted by group first ({@link #sortByGroup}). */
  private static final int RUN_GROUPS = 16;

  private int[] sortedPositions = new int[0];
  private int[] sortedIds = new int[0];
  private final int[] runGroups = new int[RUN_GROUPS];
  private final int[] runStarts = new int[RUN_GROUPS + 1];
  private final int[] groupRows = new int[RUN_GROUPS + 1];
  private int[] filteredGroups = new int[0];
  private boolean finishing;
  private boolean prepared;
  private int emitted;
  private boolean done;

  /** Bytes accounted on {@link #allocator} for the heap this operator holds. */
  private long accounted;

  private final SpillContext spill;
  private final MemoryThreshold threshold;
  private final Runnable checkCancelled;
  private final int depth;

  /** For a partition's operator (depth > 0): the heap it may hold before spilling. */
  private final long budget;

  /** Directories of the spill files this operator owns (its own and merged operators'). */
  private final List<SpillDirectory> directories = new ArrayList<>();

  /** Per partition, its spill files; null until this operator spills. */
  private List<SpillFile>[] partitions;

  /** Per partition, the file this operator is writing, or null. */
  private SpillFile[] writing;

  private BytesGroupByHash partitioner;
  private int[] found = new int[0];
  private int[] partitionOf = new int[0];
  private int[] byPartition = new int[0];
  private int[] missing = new int[0];
  private int nextPartition;
  private HashAggregationOperator partitionAggregation;
  private SpillFile.Reader reader;

  /** Without spilling (the operator fails at the memory limit). */
  HashAggregationOperator(AggregateNode node, BufferAllocator allocator) {
    this(node, allocator, SpillContext.disabled(), () -> {}, 0, Long.MAX_VALUE);
  }

  /** Spilling as {@code context} says, checking it for cancellation while it reads spill files. */
  HashAggregationOperator(AggregateNode node, BufferAllocator allocator, ExecutionContext context) {
    this(node, allocator, context.spill(), context::checkCancelled, 0, Long.MAX_VALUE);
  }

  private HashAggregationOperator(
      AggregateNode node,
      BufferAllocator allocator,
      SpillContext spill,
      Runnable checkCancelled,
      int depth,
      long budget) {
    this.node = node;
    this.allocator = allocator;
    this.spill = spill;
    this.threshold = new MemoryThreshold(allocator, spill.threshold());
    this.checkCancelled = checkCancelled;
    this.depth = depth;
    this.budget = budget;
    List<ArrowType> keyTypes = new ArrayList<>();
    this.keyColumns = new int[node.groupKeys().size()];
    for (int k = 0; k < keyColumns.length; k++) {
      keyColumns[k] = node.groupKeys().get(k);
      keyTypes.add(node.input().schema().getFields().get(keyColumns[k]).getType());
    }
    this.keyVectors = new FieldVector[keyColumns.length];
    this.hash = keyColumns.length == 0 ? null : GroupByHash.create(keyTypes);
    this.accumulators = new Accumulator[node.aggregates().size()];
    for (int i = 0; i < accumulators.length; i++) {
      AggregateCall call = node.aggregates().get(i);
      ArrowType argType =
          call.arguments().isEmpty()
              ? null
              : node.input().schema().getFields().get(call.arguments().get(0)).getType();
      accumulators[i] = Accumulator.create(call, argType, allocator);
      accumulators[i].ensureCapacity(groupCount());
    }
  }

  private int groupCount() {
    return hash == null ? 1 : hash.size();
  }

  @Override
  public boolean needsInput() {
    return !finishing;
  }

  @Override
  public void addInput(Page page) {
    try {
      int n = page.count();
      if (n == 0) {
        return;
      }
      int[] positions = page.selection();
      if (positions == null) {
        if (identity.length < n) {
          identity = new int[Math.max(n, BATCH)];
          for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
          }
        }
        positions = identity;
      }
      if (groupIds.length < n) {
        groupIds = new int[Math.max(n, BATCH)];
      }
      VectorSchemaRoot root = page.root();
      if (hash == null) {
        Arrays.fill(groupIds, 0, n, 0);
      } else {
        for (int k = 0; k < keyColumns.length; k++) {
          keyVectors[k] = root.getVector(keyColumns[k]);
        }
        if (partitions != null) {
          addSpilling(root, positions, n);
          return;
        }
        hash.groupIds(keyVectors, positions, n, groupIds);
      }
      accumulate(root, positions, n, groupIds);
      account();
      if (hash != null && spill.enabled() && overBudget()) {
        startSpilling();
      }
    } finally {
      page.close();
    }
  }

  /**
   * Adds rows {@code positions[0..n)} of {@code root} to groups {@code ids[0..n)} (all 0 without
   * keys).
   */
  private void accumulate(VectorSchemaRoot root, int[] positions, int n, int[] ids) {
    int groups = groupCount();
    int runs = hash != null && groups <= RUN_GROUPS && n >= 64 ? sortByGroup(positions, n, ids) : 0;
    for (int a = 0; a < accumulators.length; a++) {
      AggregateCall call = node.aggregates().get(a);
      FieldVector arg = call.arguments().isEmpty() ? null : root.getVector(call.arguments().get(0));
      Accumulator accumulator = accumulators[a];
      accumulator.ensureCapacity(groups);
      if (call.filterColumn() < 0) {
        if (hash == null) {
          accumulator.addToOne(arg, 0, ids, positions, n);
        } else if (runs > 0) {
          accumulator.addRuns(arg, runGroups, runStarts, runs, sortedIds, sortedPositions);
        } else {
          accumulator.add(arg, ids, positions, n);
        }
      } else {
        int m = filter((BitVector) root.getVector(call.filterColumn()), positions, ids, n);
        accumulator.add(arg, filteredGroups, filteredPositions, m);
      }
    }
  }

  /**
   * With few groups (TPC-H Q1's four), orders a page's rows by group (a counting sort into {@link
   * #sortedPositions} and {@link #sortedIds}) so that accumulators add each group's run of rows in
   * locals ({@link Accumulator#addRuns}) instead of updating the same few array slots row after
   * row. Returns the number of runs, {@link #runGroups} and {@link #runStarts} describing them.
   */
  private int sortByGroup(int[] positions, int n, int[] ids) {
    if (sortedPositions.length < n) {
      sortedPositions = new int[Math.max(n, BATCH)];
      sortedIds = new int[Math.max(n, BATCH)];
    }
    int[] rows = groupRows;
    java.util.Arrays.fill(rows, 0);
    for (int i = 0; i < n; i++) {
      rows[ids[i]]++;
    }
    int runs = 0;
    int start = 0;
    for (int g = 0; g < RUN_GROUPS; g++) {
      int count = rows[g];
      if (count > 0) {
        runGroups[runs] = g;
        runStarts[runs] = start;
        runs++;
      }
      rows[g] = start; // from here on: where group g's next row goes
      start += count;
    }
    runStarts[runs] = n;
    int[] sorted = sortedPositions;
    int[] sortedGroup = sortedIds;
    for (int i = 0; i < n; i++) {
      int g = ids[i];
      int at = rows[g]++;
      sorted[at] = positions[i];
      sortedGroup[at] = g;
    }
    return runs;
  }

  /**
   * Whether the table should stop growing: its heap could double (a rehash) without passing the
   * spill threshold, or for a partition's operator, its budget.
   */
  private boolean overBudget() {
    if (groupCount() == 0) {
      return false;
    }
    long retained = retainedBytes();
    if (depth > 0) {
      return 2 * retained > budget;
    }
    return threshold.limited() && threshold.exceeded(retained);
  }

  private void startSpilling() {
    if (depth >= MAX_DEPTH) {
      return; // grows until it fits or meets the limit
    }
    @SuppressWarnings("unchecked")
    List<SpillFile>[] lists = new List[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) {
      lists[p] = new ArrayList<>();
    }
    partitions = lists;
    writing = new SpillFile[PARTITIONS];
    List<ArrowType> keyTypes = new ArrayList<>();
    for (int column : keyColumns) {
      keyTypes.add(node.input().schema().getFields().get(column).getType());
    }
    partitioner = new BytesGroupByHash(keyTypes);
  }

  /** After the switch: rows with a group are aggregated, the others written to their partitions. */
  private void addSpilling(VectorSchemaRoot root, int[] positions, int n) {
    int m = aggregateFound(root, positions, n);
    if (m > 0) {
      writePartitions(root, missing, m);
    }
    account();
  }

  /**
   * Aggregates the rows of {@code positions[0..n)} whose key has a group (the key vectors are set);
   * leaves the others in {@code missing} and returns how many.
   */
  private int aggregateFound(VectorSchemaRoot root, int[] positions, int n) {
    if (found.length < n) {
      found = new int[Math.max(n, BATCH)];
      missing = new int[Math.max(n, BATCH)];
    }
    hash.findGroupIds(keyVectors, positions, n, groupIds);
    int f = 0;
    int m = 0;
    for (int i = 0; i < n; i++) {
      int g = groupIds[i];
      if (g >= 0) {
        found[f] = positions[i];
        groupIds[f++] = g;
      } else {
        missing[m++] = positions[i];
      }
    }
    if (f > 0) {
      accumulate(root, found, f, groupIds);
    }
    return m;
  }

  /** Writes rows {@code rows[0..n)} of {@code root} to their partitions' spill files. */
  private void writePartitions(VectorSchemaRoot root, int[] rows, int n) {
    if (partitionOf.length < n) {
      partitionOf = new int[Math.max(n, BATCH)];
      byPartition = new int[Math.max(n, BATCH)];
    }
    partitioner.serialize(keyVectors, rows, n, null);
    int shift = 64 - PARTITION_BITS * (depth + 1);
    int[] starts = new int[PARTITIONS + 1];
    for (int i = 0; i < n; i++) {
      int p = (int) (KeyLayout.mix(partitioner.rowHash(i)) >>> shift) & (PARTITIONS - 1);
      partitionOf[i] = p;
      starts[p + 1]++;
    }
    for (int p = 0; p < PARTITIONS; p++) {
      starts[p + 1] += starts[p];
    }
    int[] next = Arrays.copyOf(starts, PARTITIONS);
    for (int i = 0; i < n; i++) {
      byPartition[next[partitionOf[i]]++] = rows[i];
    }
    Schema schema = node.input().schema();
    for (int p = 0; p < PARTITIONS; p++) {
      int count = starts[p + 1] - starts[p];
      if (count == 0) {
        continue;
      }
      if (writing[p] == null) {
        if (directories.isEmpty()) {
          directories.add(spill.newDirectory(allocator.getName()));
        }
        writing[p] = directories.get(0).create(schema);
        partitions[p].add(writing[p]);
      }
      try (VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator)) {
        for (int c = 0; c < schema.getFields().size(); c++) {
          ColumnGather.gather(
              root.getVector(c), true, byPartition, starts[p], count, batch.getVector(c));
        }
        batch.setRowCount(count);
        writing[p].write(batch);
      }
    }
  }

  /** Ends the spill files being written; they can be read from now on. */
  private void finishWriting() {
    if (writing == null) {
      return;
    }
    for (int p = 0; p < PARTITIONS; p++) {
      if (writing[p] != null) {
        writing[p].finishWriting();
        writing[p] = null;
      }
    }
  }

  /** Whether this operator has spilled rows (or taken over spilled rows in a merge). */
  boolean spilled() {
    return partitions != null;
  }

  /**
   * Keeps the rows whose filter is TRUE (not FALSE, not NULL), with their groups from {@code ids};
   * returns how many.
   */
  private int filter(BitVector filter, int[] positions, int[] ids, int n) {
    if (filteredPositions.length < n) {
      filteredPositions = new int[Math.max(n, BATCH)];
      filteredGroups = new int[Math.max(n, BATCH)];
    }
    ArrowBuf validity = filter.getValidityBuffer();
    ArrowBuf data = filter.getDataBuffer();
    int m = 0;
    for (int i = 0; i < n; i++) {
      int pos = positions[i];
      if (KeyLayout.isSet(validity, pos) && KeyLayout.isSet(data, pos)) {
        filteredPositions[m] = pos;
        filteredGroups[m++] = ids[i];
      }
    }
    return m;
  }

  /**
   * Folds {@code other}'s groups and aggregate states into this operator. Both were built from the
   * same node and neither has finished; the caller closes {@code other} afterwards.
   */
  void mergeFrom(HashAggregationOperator other) {
    if (other.node != node && !other.node.equals(node)) {
      throw new IllegalArgumentException("Cannot merge aggregations of different plans");
    }
    if (finishing || other.finishing) {
      throw new IllegalStateException("Merge before finish()");
    }
    int[] map = hash == null ? new int[] {0} : hash.mergeFrom(other.hash);
    int groups = groupCount();
    for (int a = 0; a < accumulators.length; a++) {
      accumulators[a].ensureCapacity(groups);
      accumulators[a].mergeFrom(other.accumulators[a], map);
    }
    // other's table is dropped once the caller closes it: only this one's counts from now on
    other.releaseAccounted();
    account();
    if (other.partitions != null) {
      if (depth != 0 || other.depth != 0) {
        throw new IllegalStateException("Only whole aggregations merge");
      }
      other.finishWriting();
      if (partitions == null) {
        startSpilling();
      }
      for (int p = 0; p < PARTITIONS; p++) {
        partitions[p].addAll(other.partitions[p]);
        other.partitions[p].clear();
      }
      directories.addAll(other.directories);
      other.directories.clear();
    }
  }

  /**
   * Whether {@code tables}, operators of the same node that have not finished, are worth merging a
   * partition of the groups at a time in parallel ({@link #mergePartitionFrom}) rather than all
   * into one: they have group keys, at least {@value #PARALLEL_MERGE_MIN_GROUPS} groups together,
   * and none has spilled (spilled rows find their groups through the one table that holds every
   * group in memory, so spilled tables merge into one).
   */
  static boolean mergesInParallel(List<HashAggregationOperator> tables) {
    long groups = 0;
    for (HashAggregationOperator table : tables) {
      if (table.hash == null || table.spilled() || table.depth != 0 || table.finishing) {
        return false;
      }
      groups += table.groupCount();
    }
    return tables.size() > 1 && groups >= PARALLEL_MERGE_MIN_GROUPS;
  }

  /** A new, empty operator of the same node, to merge one partition of other operators into. */
  HashAggregationOperator emptyCopy(BufferAllocator target) {
    return new HashAggregationOperator(node, target, spill, checkCancelled, 0, Long.MAX_VALUE);
  }

  /** The partition, of {@code partitions}, of a group whose key values hash to {@code hash}. */
  static int partitionOf(long hash, int partitions) {
    return (int) (((KeyLayout.mix(hash) >>> 32) * partitions) >>> 32);
  }

  /**
   * This operator's groups by partition: for each of {@code partitions} partitions, the ids of the
   * groups whose key values fall in it ({@link #partitionOf} of their {@link
   * GroupByHash#valueHashes value hashes}), ascending. Only reads the table.
   */
  int[][] groupsByPartition(int partitions) {
    if (hash == null || spilled()) {
      throw new IllegalStateException("Only grouped, unspilled aggregations merge by partition");
    }
    long[] hashes = hash.valueHashes();
    int[] partitionOf = new int[hashes.length];
    int[] counts = new int[partitions];
    for (int g = 0; g < hashes.length; g++) {
      int p = partitionOf(hashes[g], partitions);
      partitionOf[g] = p;
      counts[p]++;
    }
    int[][] groups = new int[partitions][];
    for (int p = 0; p < partitions; p++) {
      groups[p] = new int[counts[p]];
    }
    int[] next = new int[partitions];
    for (int g = 0; g < partitionOf.length; g++) {
      int p = partitionOf[g];
      groups[p][next[p]++] = g;
    }
    return groups;
  }

  /**
   * Makes room for {@code groups} groups in all (a table that {@link #mergePartitionFrom} will
   * fill), accounting for the heap it takes.
   */
  void reserve(int groups) {
    if (hash == null) {
      return;
    }
    hash.reserve(groups);
    for (Accumulator a : accumulators) {
      a.ensureCapacity(groups);
    }
    account();
  }

  /**
   * Like {@link #mergeFrom}, for the groups {@code groups} of {@code other} (one partition of its
   * {@link #groupsByPartition}). {@code other} is only read, so several operators may each merge
   * another partition of it at the same time; it must not have spilled, and the caller closes it
   * once all are done.
   */
  void mergePartitionFrom(HashAggregationOperator other, int[] groups) {
    if (other.node != node && !other.node.equals(node)) {
      throw new IllegalArgumentException("Cannot merge aggregations of different plans");
    }
    if (finishing || other.finishing) {
      throw new IllegalStateException("Merge before finish()");
    }
    if (hash == null || other.spilled()) {
      throw new IllegalStateException("Only grouped, unspilled aggregations merge by partition");
    }
    hash.reserve(groupCount() + groups.length);
    int[] map = hash.mergeFrom(other.hash, groups, groups.length);
    int count = groupCount();
    for (int a = 0; a < accumulators.length; a++) {
      accumulators[a].ensureCapacity(count);
      accumulators[a].mergeFrom(other.accumulators[a], map);
    }
    account();
  }

  /**
   * Finishes the input and computes what the output needs before the first page (DISTINCT
   * aggregates fold their value sets), so that this work can run on another thread than {@link
   * #getOutput}'s; only for an operator that has not spilled.
   */
  void prepareOutput() {
    if (partitions != null) {
      throw new IllegalStateException("A spilled aggregation prepares its output as it reads");
    }
    finish();
    prepareGroups();
  }

  private void prepareGroups() {
    if (!prepared) {
      prepared = true;
      for (Accumulator a : accumulators) {
        a.prepareOutput(groupCount());
      }
      account();
    }
  }

  /**
   * Brings the bytes accounted on the allocator to {@link #retainedBytes()}; throws {@link
   * OutOfMemoryException} (accounting nothing more) when that passes a limit.
   */
  private void account() {
    long retained = retainedBytes();
    if (retained > accounted) {
      long more = retained - accounted;
      if (!allocator.forceAllocate(more)) {
        allocator.releaseBytes(more);
        throw new OutOfMemoryException(
            "Hash aggregation needs "
                + retained
                + " bytes of heap for its groups, over the memory limit of "
                + allocator.getName());
      }
    } else if (retained < accounted) {
      allocator.releaseBytes(accounted - retained);
    }
    accounted = retained;
  }

  private void releaseAccounted() {
    if (accounted > 0) {
      allocator.releaseBytes(accounted);
      accounted = 0;
    }
  }

  /** Bytes accounted on the allocator for this operator's heap (for tests). */
  long accountedBytes() {
    return accounted;
  }

  /** Estimated bytes of heap held by the group table and the aggregate states. */
  long retainedBytes() {
    long bytes = hash == null ? 0 : hash.retainedBytes();
    for (Accumulator a : accumulators) {
      bytes += a.retainedBytes();
    }
    if (partitioner != null) {
      bytes += partitioner.retainedBytes() + 8L * (partitionOf.length + found.length);
    }
    return bytes + 12L * (identity.length + groupIds.length) + 8L * filteredPositions.length;
  }

  @Override
  public Page getOutput() {
    if (!finishing || done) {
      return null;
    }
    if (partitions != null) {
      Page page = partitionOutput();
      if (page != null) {
        return page;
      }
    }
    int total = groupCount();
    prepareGroups();
    int n = Math.min(BATCH, total - emitted);
    if (n <= 0) {
      done = true;
      return null;
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(node.schema(), allocator);
    try {
      for (FieldVector v : root.getFieldVectors()) {
        v.setInitialCapacity(n);
        v.allocateNew();
      }
      for (int k = 0; k < keyColumns.length; k++) {
        FieldVector out = root.getVector(k);
        ArrowType inputType = node.input().schema().getFields().get(keyColumns[k]).getType();
        if (out.getField().getType().equals(inputType)) {
          hash.writeKey(k, out, emitted, n);
        } else {
          writeConvertedKey(k, inputType, out, n);
        }
      }
      for (int a = 0; a < accumulators.length; a++) {
        accumulators[a].write(root.getVector(keyColumns.length + a), emitted, n);
      }
      for (FieldVector v : root.getFieldVectors()) {
        v.setValueCount(n);
      }
      root.setRowCount(n);
      emitted += n;
      if (emitted >= total) {
        done = true;
      }
      return Page.of(root);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /**
   * The next page of the spilled partitions' groups, aggregating partition after partition; null
   * once all are done (their rows with groups in memory then have been aggregated there).
   */
  private Page partitionOutput() {
    while (true) {
      if (partitionAggregation == null) {
        if (nextPartition == PARTITIONS) {
          partitions = null;
          return null;
        }
        partitionAggregation = aggregatePartition(nextPartition++);
        if (partitionAggregation == null) {
          continue;
        }
      }
      Page page = partitionAggregation.getOutput();
      if (page != null) {
        return page;
      }
      partitionAggregation.close();
      partitionAggregation = null;
    }
  }

  /**
   * Reads partition {@code p} back, aggregating its rows with groups in memory here and the others
   * in a new operator one level deeper, which it returns finished (null when there were none). The
   * partition's files are deleted as they are read.
   */
  private HashAggregationOperator aggregatePartition(int p) {
    List<SpillFile> files = partitions[p];
    HashAggregationOperator deeper = null;
    try {
      while (!files.isEmpty()) {
        SpillFile file = files.get(0);
        reader = file.openReader(allocator);
        VectorSchemaRoot batch;
        while ((batch = reader.next()) != null) {
          int n = batch.getRowCount();
          int m;
          try {
            checkCancelled.run();
            if (identity.length < n) {
              identity = new int[Math.max(n, BATCH)];
              for (int i = 0; i < identity.length; i++) {
                identity[i] = i;
              }
            }
            if (groupIds.length < n) {
              groupIds = new int[Math.max(n, BATCH)];
            }
            for (int k = 0; k < keyColumns.length; k++) {
              keyVectors[k] = batch.getVector(keyColumns[k]);
            }
            m = aggregateFound(batch, identity, n);
            account();
            if (m > 0 && deeper == null) {
              deeper = partitionOperator();
            }
          } catch (RuntimeException e) {
            batch.close();
            throw e;
          }
          if (m == 0) {
            batch.close();
            continue;
          }
          deeper.addInput(new Page(batch, Arrays.copyOf(missing, m), m));
        }
        reader = null;
        files.remove(0);
        file.close(); // closes the reader and deletes the file
      }
      if (deeper != null) {
        deeper.finish();
      }
      return deeper;
    } catch (RuntimeException e) {
      if (deeper != null) {
        deeper.close();
      }
      throw e;
    }
  }

  /** A new operator for one partition, with half the memory left under the limit. */
  private HashAggregationOperator partitionOperator() {
    long headroom = Long.MAX_VALUE;
    for (BufferAllocator a = allocator; a != null; a = a.getParentAllocator()) {
      if (a.getLimit() != Long.MAX_VALUE) {
        headroom = Math.min(headroom, a.getLimit() - a.getAllocatedMemory());
      }
    }
    long partitionBudget = headroom == Long.MAX_VALUE ? Long.MAX_VALUE : headroom / 2;
    if (partitionBudget < MIN_PARTITION_BUDGET) {
      throw new OutOfMemoryException(
          "Hash aggregation has "
              + Math.max(0, headroom)
              + " bytes left under the memory limit to aggregate a spilled partition, too little");
    }
    return new HashAggregationOperator(
        node, allocator, spill, checkCancelled, depth + 1, partitionBudget);
  }

  /** Keys whose output type differs from the input's go through the engine's Java values. */
  private void writeConvertedKey(int key, ArrowType inputType, FieldVector out, int n) {
    try (FieldVector raw = Values.newVector("k", inputType, allocator)) {
      raw.setInitialCapacity(n);
      raw.allocateNew();
      hash.writeKey(key, raw, emitted, n);
      raw.setValueCount(n);
      for (int i = 0; i < n; i++) {
        Values.set(out, i, Values.get(raw, i));
      }
    }
  }

  @Override
  public void finish() {
    if (finishing) {
      return;
    }
    finishing = true;
    finishWriting();
  }

  @Override
  public boolean isFinished() {
    return done;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    if (partitionAggregation != null) {
      try {
        partitionAggregation.close();
      } catch (RuntimeException e) {
        failure = e;
      }
      partitionAggregation = null;
    }
    if (reader != null) {
      try {
        reader.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
      reader = null;
    }
    for (SpillDirectory directory : directories) {
      try {
        directory.close(); // deletes every file left
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    directories.clear();
    partitions = null;
    writing = null;
    releaseAccounted();
    if (failure != null) {
      throw failure;
    }
  }
}
