/**
 * File I/O for Delta tables on S3 (AWS SDK v2) and on the local file system, behind delta-kernel's
 * {@code FileIO} interface so that the kernel's log replay, commits and Parquet writes, and Oxbow's
 * own Parquet reader, all share one implementation: listing with one LIST per page, ranged GETs
 * with a cached footer tail, conditional PUTs for commits, and asynchronous prefetch of data files.
 */
package io.oxbow.connector.delta.fs;
