/**
 * The Delta Lake connector: lists and describes Delta tables under a warehouse folder through
 * delta-kernel, reads their Parquet files column by column straight into Arrow vectors, and writes
 * new tables through delta-kernel's create and append APIs.
 */
package io.oxbow.connector.delta;
