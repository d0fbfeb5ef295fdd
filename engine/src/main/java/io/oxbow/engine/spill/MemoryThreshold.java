package io.oxbow.engine.spill;

import org.apache.arrow.memory.BufferAllocator;

/**
 * When an operator should spill. The policy: an operator that holds data it can write out spills
 * before taking more memory once, on any allocator between its own and the root that has a limit,
 * the memory allocated there plus what it is about to take would pass {@code threshold} times that
 * limit. Usually that allocator is the query's, so the test is against the whole query's memory
 * (every operator's buffers, not only the spilling one's): the spilling operator gives memory back
 * while the rest of the query still has {@code 1 - threshold} of the limit for batches in flight,
 * output and the merge. An operator that still meets the hard limit (Arrow's {@link
 * org.apache.arrow.memory.OutOfMemoryException}) fails the query with the limit named, as without
 * spilling.
 */
public final class MemoryThreshold {
  private final BufferAllocator allocator;
  private final double threshold;
  private final long limit;

  /**
   * @param allocator the operator's allocator
   * @param threshold fraction of each limit on the way to the root at which to spill
   */
  public MemoryThreshold(BufferAllocator allocator, double threshold) {
    this.allocator = allocator;
    this.threshold = threshold;
    long smallest = Long.MAX_VALUE;
    for (BufferAllocator a = allocator; a != null; a = a.getParentAllocator()) {
      smallest = Math.min(smallest, a.getLimit());
    }
    this.limit = smallest;
  }

  /**
   * The smallest limit on the way from the operator's allocator to the root: the one that binds.
   */
  public long limit() {
    return limit;
  }

  /** Whether there is a limit at all. */
  public boolean limited() {
    return limit != Long.MAX_VALUE;
  }

  /** True when taking {@code additional} more bytes would pass the threshold of some limit. */
  public boolean exceeded(long additional) {
    for (BufferAllocator a = allocator; a != null; a = a.getParentAllocator()) {
      long l = a.getLimit();
      if (l != Long.MAX_VALUE && a.getAllocatedMemory() + additional > (long) (threshold * l)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Bytes the operator may still take before some allocator on its way to the root passes its
   * threshold (negative once past it; {@link Long#MAX_VALUE} without limits).
   */
  public long headroom() {
    long headroom = Long.MAX_VALUE;
    for (BufferAllocator a = allocator; a != null; a = a.getParentAllocator()) {
      long l = a.getLimit();
      if (l != Long.MAX_VALUE) {
        headroom = Math.min(headroom, (long) (threshold * l) - a.getAllocatedMemory());
      }
    }
    return headroom;
  }
}
