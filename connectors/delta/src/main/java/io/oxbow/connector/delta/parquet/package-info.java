/**
 * Bulk Parquet decoding into Arrow: column chunks read page by page from parquet-mr's page store
 * (which decompresses), with definition levels, PLAIN values and dictionary indices decoded a run
 * at a time straight into Arrow buffers, and row groups pruned by their statistics.
 */
package io.oxbow.connector.delta.parquet;
