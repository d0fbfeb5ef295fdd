package io.oxbow.engine.exec;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateNode;
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

/**
 * Hash aggregation: assigns each input row a group id from a {@link GroupByHash} over the group
 * keys (hashed a column at a time, no boxing), then updates each aggregate's typed per-group state
 * ({@link Accumulator}) in a loop over the page. Emits all groups, 4096 at a time, when the input
 * finishes. Partial aggregations built from the same node on several threads can be combined with
 * {@link #mergeFrom} before {@link #finish}.
 *
 * <p>The group table and the states live in Java heap arrays, which Arrow does not see; so that the
 * query's memory limit covers them, the operator keeps as many bytes accounted on its allocator as
 * {@link #retainedBytes()} estimates (accounting only, no buffer behind it), updated after every
 * page and merge and given back on {@link #close()}. When the table outgrows the limit (of its
 * allocator or any ancestor), the operator throws Arrow's {@link OutOfMemoryException}, which the
 * driver reports as the query exceeding its memory limit.
 */
final class HashAggregationOperator implements Operator {
  private static final int BATCH = 4096;

  private final AggregateNode node;
  private final BufferAllocator allocator;
  private final GroupByHash hash;
  private final Accumulator[] accumulators;
  private final int[] keyColumns;
  private final FieldVector[] keyVectors;
  private int[] identity = new int[0];
  private int[] groupIds = new int[0];
  private int[] filteredPositions = new int[0];
  private int[] filteredGroups = new int[0];
  private boolean finishing;
  private boolean prepared;
  private int emitted;
  private boolean done;

  /** Bytes accounted on {@link #allocator} for the heap this operator holds. */
  private long accounted;

  HashAggregationOperator(AggregateNode node, BufferAllocator allocator) {
    this.node = node;
    this.allocator = allocator;
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
        hash.groupIds(keyVectors, positions, n, groupIds);
      }
      int groups = groupCount();
      for (int a = 0; a < accumulators.length; a++) {
        AggregateCall call = node.aggregates().get(a);
        FieldVector arg =
            call.arguments().isEmpty() ? null : root.getVector(call.arguments().get(0));
        Accumulator accumulator = accumulators[a];
        accumulator.ensureCapacity(groups);
        if (call.filterColumn() < 0) {
          accumulator.add(arg, groupIds, positions, n);
        } else {
          int m = filter((BitVector) root.getVector(call.filterColumn()), positions, n);
          accumulator.add(arg, filteredGroups, filteredPositions, m);
        }
      }
      account();
    } finally {
      page.close();
    }
  }

  /** Keeps the rows whose filter is TRUE (not FALSE, not NULL); returns how many. */
  private int filter(BitVector filter, int[] positions, int n) {
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
        filteredGroups[m++] = groupIds[i];
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
    return bytes + 12L * (identity.length + groupIds.length) + 8L * filteredPositions.length;
  }

  @Override
  public Page getOutput() {
    if (!finishing || done) {
      return null;
    }
    int total = groupCount();
    if (!prepared) {
      prepared = true;
      for (Accumulator a : accumulators) {
        a.prepareOutput(total);
      }
      account();
    }
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
    finishing = true;
  }

  @Override
  public boolean isFinished() {
    return done;
  }

  @Override
  public void close() {
    releaseAccounted();
  }
}
