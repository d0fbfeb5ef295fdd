/**
 * The Delta Lake connector: lists and describes Delta tables under a warehouse folder through
 * delta-kernel, reads their Parquet files column by column straight into Arrow vectors, and writes
 * through delta-kernel's transaction API: CREATE / DROP TABLE (managed and external tables),
 * appends, overwrites, file rewrites for DELETE / UPDATE / MERGE and COPY INTO, each one atomic
 * commit (see docs/delta-writes.md).
 */
package io.oxbow.connector.delta;
