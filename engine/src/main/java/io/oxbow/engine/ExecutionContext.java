package io.oxbow.engine;

import org.apache.arrow.memory.BufferAllocator;

/**
 * What one query's execution needs from its caller.
 *
 * @param queryId for logs and errors
 * @param allocator the query's allocator (with the query's memory limit); the engine creates a
 *     child per operator and closes every child before the result stream closes
 */
public record ExecutionContext(String queryId, BufferAllocator allocator) {}
