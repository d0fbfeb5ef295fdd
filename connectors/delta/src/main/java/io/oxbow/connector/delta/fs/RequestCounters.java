package io.oxbow.connector.delta.fs;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the object-store requests a {@link DeltaFileIO} sent, so tests and metrics can check that
 * reads stay efficient (no HEAD per file, one LIST for a log, few GETs per data file).
 */
public final class RequestCounters {
  private final AtomicLong lists = new AtomicLong();
  private final AtomicLong gets = new AtomicLong();
  private final AtomicLong heads = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong bytesRead = new AtomicLong();

  /** LIST requests (one per page). */
  public long lists() {
    return lists.get();
  }

  /** GET requests (whole or ranged). */
  public long gets() {
    return gets.get();
  }

  /** HEAD requests. */
  public long heads() {
    return heads.get();
  }

  /** PUT requests. */
  public long puts() {
    return puts.get();
  }

  /** DELETE requests. */
  public long deletes() {
    return deletes.get();
  }

  /** Bytes received by GET requests. */
  public long bytesRead() {
    return bytesRead.get();
  }

  /** Sets every counter back to zero. */
  public void reset() {
    lists.set(0);
    gets.set(0);
    heads.set(0);
    puts.set(0);
    deletes.set(0);
    bytesRead.set(0);
  }

  void list() {
    lists.incrementAndGet();
  }

  void get(long bytes) {
    gets.incrementAndGet();
    bytesRead.addAndGet(bytes);
  }

  void head() {
    heads.incrementAndGet();
  }

  void put() {
    puts.incrementAndGet();
  }

  void delete() {
    deletes.incrementAndGet();
  }

  @Override
  public String toString() {
    return "lists="
        + lists()
        + " gets="
        + gets()
        + " heads="
        + heads()
        + " puts="
        + puts()
        + " deletes="
        + deletes()
        + " bytesRead="
        + bytesRead();
  }
}
