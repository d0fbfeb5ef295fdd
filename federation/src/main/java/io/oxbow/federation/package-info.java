/**
 * The {@link io.oxbow.federation.QueryEngine} facade every protocol uses: configuration, the
 * catalog registry of connectors found with ServiceLoader, users, sessions, and query lifecycle
 * with one memory-limited Arrow allocator per query.
 */
package io.oxbow.federation;
