package io.oxbow.flight;

import io.oxbow.federation.QueryEngine;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Statement handles the server has handed out: tickets of planned statements not yet fetched, and
 * open prepared statements. Thread-safe. A handle belongs to the user who created it; another user
 * sees it as unknown. Tickets expire a while after they were issued, prepared statements after they
 * have been idle for a while, so clients that never fetch or close cannot fill the map; expired
 * entries are swept whenever a handle is registered.
 */
final class StatementRegistry {
  static final Duration DEFAULT_TICKET_TTL = Duration.ofMinutes(10);
  static final Duration DEFAULT_PREPARED_IDLE_TTL = Duration.ofHours(1);
  static final int DEFAULT_MAX_OPEN = 10_000;
  private static final long SWEEP_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

  /**
   * One statement: who owns it, its SQL, and for a ticket the plan made when it was issued (run
   * once, so never stale for long).
   */
  record Statement(
      String handle, String user, String sql, boolean prepared, QueryEngine.Plan plan) {}

  private static final class Entry {
    final Statement statement;
    volatile long lastUsedNanos;

    /** A prepared statement's plan from its latest GetFlightInfo, for the DoGet that follows. */
    final AtomicReference<QueryEngine.Plan> nextPlan = new AtomicReference<>();

    Entry(Statement statement, long now) {
      this.statement = statement;
      this.lastUsedNanos = now;
    }
  }

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final int maxOpen;
  private final long ticketTtlNanos;
  private final long preparedIdleTtlNanos;
  private final LongSupplier clock;
  private volatile long lastSweepNanos;

  StatementRegistry() {
    this(DEFAULT_MAX_OPEN, DEFAULT_TICKET_TTL, DEFAULT_PREPARED_IDLE_TTL, System::nanoTime);
  }

  StatementRegistry(
      int maxOpen, Duration ticketTtl, Duration preparedIdleTtl, LongSupplier nanoClock) {
    this.maxOpen = maxOpen;
    this.ticketTtlNanos = ticketTtl.toNanos();
    this.preparedIdleTtlNanos = preparedIdleTtl.toNanos();
    this.clock = nanoClock;
    this.lastSweepNanos = nanoClock.getAsLong();
  }

  /** Registers a statement and returns its new handle. */
  String register(String user, String sql, boolean prepared) {
    return register(user, sql, prepared, null);
  }

  /** Registers a statement with the plan its ticket will run, and returns its new handle. */
  String register(String user, String sql, boolean prepared, QueryEngine.Plan plan) {
    long now = clock.getAsLong();
    if (now - lastSweepNanos > SWEEP_INTERVAL_NANOS || entries.size() >= maxOpen) {
      lastSweepNanos = now;
      expire();
    }
    if (entries.size() >= maxOpen) {
      throw new OxbowException(
          ErrorCode.RESOURCE_EXHAUSTED,
          "Too many open statements ("
              + maxOpen
              + "); close prepared statements you no longer need");
    }
    String handle = UUID.randomUUID().toString();
    entries.put(
        handle, new Entry(new Statement(handle, user, sql, prepared, prepared ? null : plan), now));
    return handle;
  }

  /** The statement of a handle owned by {@code user}, marking it used. */
  Statement get(String handle, String user) {
    Entry entry = entries.get(handle);
    if (entry == null || !entry.statement.user().equals(user) || expired(entry)) {
      throw unknown(handle);
    }
    entry.lastUsedNanos = clock.getAsLong();
    return entry.statement;
  }

  /** Keeps a fresh plan of a prepared statement for its next execution. */
  void offerPlan(String handle, String user, QueryEngine.Plan plan) {
    Entry entry = entries.get(handle);
    if (entry != null && entry.statement.user().equals(user)) {
      entry.nextPlan.set(plan);
    }
  }

  /** The plan kept by {@link #offerPlan}, if any, removing it: each plan runs at most once. */
  QueryEngine.Plan takePlan(String handle, String user) {
    Entry entry = entries.get(handle);
    return entry != null && entry.statement.user().equals(user)
        ? entry.nextPlan.getAndSet(null)
        : null;
  }

  /** Removes and returns the statement of a one-shot ticket owned by {@code user}. */
  Statement take(String handle, String user) {
    Entry entry = entries.get(handle);
    if (entry == null
        || !entry.statement.user().equals(user)
        || expired(entry)
        || !entries.remove(handle, entry)) {
      throw unknown(handle);
    }
    return entry.statement;
  }

  /** Forgets a handle owned by {@code user}; returns whether it existed. */
  boolean remove(String handle, String user) {
    Entry entry = entries.get(handle);
    return entry != null && entry.statement.user().equals(user) && entries.remove(handle, entry);
  }

  /** A handle's statement if it exists and belongs to {@code user}, without marking it used. */
  Optional<Statement> peek(String handle, String user) {
    Entry entry = entries.get(handle);
    return entry == null || !entry.statement.user().equals(user)
        ? Optional.empty()
        : Optional.of(entry.statement);
  }

  int size() {
    return entries.size();
  }

  void clear() {
    entries.clear();
  }

  /** Drops expired entries; returns how many. */
  int expire() {
    int removed = 0;
    for (Map.Entry<String, Entry> e : entries.entrySet()) {
      if (expired(e.getValue()) && entries.remove(e.getKey(), e.getValue())) {
        removed++;
      }
    }
    return removed;
  }

  private boolean expired(Entry entry) {
    long ttl = entry.statement.prepared() ? preparedIdleTtlNanos : ticketTtlNanos;
    return clock.getAsLong() - entry.lastUsedNanos > ttl;
  }

  private static OxbowException unknown(String handle) {
    return new OxbowException(
        ErrorCode.NOT_FOUND,
        "Unknown, closed or expired statement handle '"
            + handle
            + "'; prepare or run the statement again");
  }
}
