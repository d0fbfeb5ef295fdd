package io.oxbow.engine.plan;

/** One ORDER BY key: an input column index, its direction and where NULLs go. */
public record SortKey(int column, boolean ascending, boolean nullsFirst) {}
