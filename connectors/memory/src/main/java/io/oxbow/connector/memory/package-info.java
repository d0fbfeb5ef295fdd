/**
 * The in-memory connector: writable tables kept as Arrow batches in the server's memory, for
 * scratch data, tests and SQL logic test files. Data is lost when the server stops.
 */
package io.oxbow.connector.memory;
