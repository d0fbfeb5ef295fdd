/**
 * TPC-H for Oxbow: a data generator writing the eight tables as Delta tables (with the dbgen port
 * {@code io.trino.tpch}), and the benchmark's query texts.
 */
package io.oxbow.tpch;
