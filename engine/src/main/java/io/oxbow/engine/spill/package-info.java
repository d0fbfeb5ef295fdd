/**
 * Spilling to local disk: a per-query {@link io.oxbow.engine.spill.SpillContext} (where, whether,
 * and counters), a per-operator {@link io.oxbow.engine.spill.SpillDirectory} of {@link
 * io.oxbow.engine.spill.SpillFile}s, each a sequence of Arrow record batches written and read back
 * batch by batch, and the {@link io.oxbow.engine.spill.MemoryThreshold} that tells an operator when
 * to spill.
 */
package io.oxbow.engine.spill;
