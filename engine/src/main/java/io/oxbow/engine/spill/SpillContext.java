package io.oxbow.engine.spill;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * One query's spilling: the root directory operators spill under, whether they may spill at all,
 * the fraction of the memory limit at which they start (see {@link MemoryThreshold}), and counters
 * of what the query wrote (for tests and {@code EXPLAIN ANALYZE}). Create one per query: the
 * counters are the query's. Nothing touches the disk until an operator first spills.
 */
public final class SpillContext {
  /** The default root: {@code java.io.tmpdir/oxbow-spill}. */
  public static final Path DEFAULT_ROOT =
      Path.of(System.getProperty("java.io.tmpdir"), "oxbow-spill");

  /** By default operators spill once the query holds 60% of its memory limit. */
  public static final double DEFAULT_THRESHOLD = 0.6;

  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

  private final Path root;
  private final boolean enabled;
  private final double threshold;
  private final AtomicLong bytesWritten = new AtomicLong();
  private final AtomicLong filesCreated = new AtomicLong();
  private final AtomicInteger filesOpen = new AtomicInteger();

  /**
   * @param root directory under which each spilling operator creates a directory of its own
   * @param enabled false to never spill (operators then fail at the memory limit)
   * @param threshold fraction of the memory limit, in (0, 1], at which operators spill
   */
  public SpillContext(Path root, boolean enabled, double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("Spill threshold must be in (0, 1]: " + threshold);
    }
    this.root = root;
    this.enabled = enabled;
    this.threshold = threshold;
  }

  /** Spilling enabled under {@link #DEFAULT_ROOT} at {@link #DEFAULT_THRESHOLD}. */
  public static SpillContext defaults() {
    return new SpillContext(DEFAULT_ROOT, true, DEFAULT_THRESHOLD);
  }

  /** Spilling disabled. */
  public static SpillContext disabled() {
    return new SpillContext(DEFAULT_ROOT, false, DEFAULT_THRESHOLD);
  }

  public Path root() {
    return root;
  }

  public boolean enabled() {
    return enabled;
  }

  public double threshold() {
    return threshold;
  }

  /**
   * A directory for one operator's spill files, named after {@code owner} (for example its
   * allocator's name), created on its first file and deleted with its files when closed.
   */
  public SpillDirectory newDirectory(String owner) {
    return new SpillDirectory(this, UNSAFE.matcher(owner).replaceAll("_"));
  }

  /** Bytes the query has written to spill files. */
  public long bytesWritten() {
    return bytesWritten.get();
  }

  /** Spill files the query has created. */
  public long filesCreated() {
    return filesCreated.get();
  }

  /** Spill files of the query that exist now (created and not yet deleted). */
  public int filesOpen() {
    return filesOpen.get();
  }

  void fileCreated() {
    filesCreated.incrementAndGet();
    filesOpen.incrementAndGet();
  }

  void fileDeleted() {
    filesOpen.decrementAndGet();
  }

  void written(long bytes) {
    bytesWritten.addAndGet(bytes);
  }
}
