/**
 * Benchmarks that compare Oxbow with a peer measured in the same run: {@link
 * io.oxbow.benchmarks.BenchmarkTpch} runs the TPC-H queries and a {@code lineitem} scan on Oxbow
 * and on DuckDB over the same Parquet files, alternately, and reports medians and ratios. Never
 * part of the test suite; started by {@code ./oxbow bench tpch}.
 */
package io.oxbow.benchmarks;
