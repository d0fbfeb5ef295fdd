package io.oxbow.planner.schema;

import io.oxbow.spi.connector.Connector;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.lookup.LikePattern;
import org.apache.calcite.schema.lookup.Lookup;
import org.apache.calcite.schema.lookup.Named;

/**
 * One schema of a connector; tables are described only when a query uses them. Besides its listed
 * tables, it resolves the unlisted names of {@link TableVariant} (such as {@code t@v3} or {@code
 * t$history}), whose base name is matched like a table name.
 */
public final class ConnectorSchema extends AbstractSchema {
  private final String catalog;
  private final String schema;
  private final Connector connector;
  private Map<String, Table> tables;

  /** Variants by their name as the catalog spells it, so one query sees one handle of each. */
  private final Map<String, Table> variants = new HashMap<>();

  ConnectorSchema(String catalog, String schema, Connector connector) {
    this.catalog = catalog;
    this.schema = schema;
    this.connector = connector;
  }

  @Override
  protected synchronized Map<String, Table> getTableMap() {
    if (tables == null) {
      tables = new LinkedHashMap<>();
      for (String name : connector.metadata().listTables(schema)) {
        tables.put(name, new ConnectorTable(catalog, schema, name, connector));
      }
    }
    return tables;
  }

  @Override
  public Lookup<Table> tables() {
    Lookup<Table> listed = super.tables();
    return new Lookup<>() {
      @Override
      public Table get(String name) {
        Table table = listed.get(name);
        if (table != null) {
          return table;
        }
        return variant(name, true).map(Named::entity).orElse(null);
      }

      @Override
      public Named<Table> getIgnoreCase(String name) {
        Named<Table> table = listed.getIgnoreCase(name);
        if (table != null) {
          return table;
        }
        return variant(name, false).orElse(null);
      }

      @Override
      public Set<String> getNames(LikePattern pattern) {
        return listed.getNames(pattern);
      }

      private Optional<Named<Table>> variant(String name, boolean caseSensitive) {
        Optional<TableVariant> parsed = TableVariant.parse(name);
        if (parsed.isEmpty()) {
          return Optional.empty();
        }
        String base = parsed.get().table();
        String spelled;
        if (caseSensitive) {
          spelled = listed.get(base) == null ? null : base;
        } else {
          Named<Table> named = listed.getIgnoreCase(base);
          spelled = named == null ? null : named.name();
        }
        if (spelled == null) {
          return Optional.empty();
        }
        TableVariant variant = parsed.get().withTable(spelled);
        String key = variant.toName();
        Table table;
        synchronized (ConnectorSchema.this) {
          table =
              variants.computeIfAbsent(
                  key, k -> new ConnectorTable(catalog, schema, variant, connector));
        }
        return Optional.of(new Named<>(key, table));
      }
    };
  }
}
