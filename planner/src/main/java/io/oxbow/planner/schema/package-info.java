/**
 * Calcite schemas over connectors: the root holds one schema per catalog, each catalog one schema
 * per connector schema, and each of those its tables, described lazily from connector metadata.
 */
package io.oxbow.planner.schema;
