package io.oxbow.federation;

import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A table as listed by metadata calls.
 *
 * @param type {@code TABLE} (views and system tables come later)
 */
public record TableInfo(String catalog, String schema, String name, String type, Schema columns) {}
