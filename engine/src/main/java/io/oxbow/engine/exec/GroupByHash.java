package io.oxbow.engine.exec;

import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Assigns dense group ids (0, 1, 2, .. in order of first appearance) to the rows of a page by their
 * group-key values, without boxing: an open-addressing table over keys stored in typed, columnar
 * form. NULL is a key value like any other. {@link #create} picks {@link PackedGroupByHash} when
 * every key is fixed-width or a string and all fit in two longs, otherwise {@link
 * BytesGroupByHash}.
 */
abstract class GroupByHash {
  /** A table for keys of {@code types}. */
  static GroupByHash create(List<ArrowType> types) {
    PackedGroupByHash packed = PackedGroupByHash.tryCreate(types);
    return packed != null ? packed : new BytesGroupByHash(types);
  }

  /** Number of groups so far. */
  abstract int size();

  /**
   * Writes the group id of each row {@code positions[0..n)} of {@code keys} into {@code ids},
   * adding new groups as needed.
   */
  abstract void groupIds(FieldVector[] keys, int[] positions, int n, int[] ids);

  /**
   * Writes the group id of each row {@code positions[0..n)} of {@code keys} into {@code ids}, or -1
   * for a row whose key has no group; adds nothing.
   */
  abstract void findGroupIds(FieldVector[] keys, int[] positions, int n, int[] ids);

  /**
   * Adds {@code other}'s groups (a table for the same key types) and returns, for each of its group
   * ids, the id of the same key in this table.
   */
  abstract int[] mergeFrom(GroupByHash other);

  /**
   * Adds {@code other}'s groups {@code groups[0..n)} and returns, for each of its group ids, the id
   * of the same key in this table, or -1 for a group not among them.
   */
  abstract int[] mergeFrom(GroupByHash other, int[] groups, int n);

  /**
   * A hash of each group's key values alone, the same in every table over the same key types
   * (whatever ids its strings got): what partitions groups across tables.
   */
  abstract long[] valueHashes();

  /** Writes key {@code key} of groups {@code [first, first + n)} into slots 0.. of {@code out}. */
  abstract void writeKey(int key, FieldVector out, int first, int n);

  /** Estimated bytes of heap held. */
  abstract long retainedBytes();

  /**
   * Makes room for {@code groups} groups in all, ahead of adding them (a merge); may do nothing.
   */
  void reserve(int groups) {}
}
