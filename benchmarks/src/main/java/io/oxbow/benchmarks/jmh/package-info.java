/**
 * JMH micro-benchmarks of the engine's hot spots, each measured against its baselines in the same
 * run on the same data: Parquet decoding ({@link io.oxbow.benchmarks.jmh.BenchmarkParquetDecode}:
 * Oxbow's Delta reader, parquet-mr value by value, Arrow's C++ reader through JNI, DuckDB), hash
 * aggregation, hash join and sort (Oxbow's executor over in-memory Arrow batches against DuckDB on
 * the same rows, with one thread and with every core). Built with the module, never run by the
 * build; started by {@code ./oxbow bench jmh} (see {@code benchmarks/README.md}).
 */
package io.oxbow.benchmarks.jmh;
