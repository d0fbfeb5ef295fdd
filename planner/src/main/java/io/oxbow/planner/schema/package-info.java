/**
 * Calcite schemas over connectors: the root holds one schema per catalog, each catalog one schema
 * per connector schema, and each of those its tables, described lazily from connector metadata.
 * Table names with {@link io.oxbow.planner.schema.TableVariant} suffixes ({@code t@v3}, {@code
 * t$history}, {@code t$changes@2-5}, {@code t$file}) resolve to time travel, history, change feed
 * and file-column handles of the table.
 */
package io.oxbow.planner.schema;
