package io.oxbow.flight;

import io.oxbow.connector.delta.DeltaTableWriter;
import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A small Delta warehouse for the Flight tests, written with {@link DeltaTableWriter}:
 *
 * <ul>
 *   <li>{@code tpch.items(id bigint, name varchar, price decimal(10,2), sold_on date)}: {@value
 *       #ITEMS} rows, id = 0..n-1, name = 'item-' || id % 7, price = (id % 100) / 100, sold_on =
 *       day 9000 + id % 30
 *   <li>{@code tpch.nation(n_nationkey int, n_name varchar)}: 5 rows
 *   <li>{@code sales.orders(o_orderkey bigint, o_item bigint)}: 3 rows
 * </ul>
 *
 * and a {@link QueryEngine} over it as catalog {@code demo} with users admin/admin and
 * analyst/analyst, default namespace demo.tpch, Flight port 0.
 */
final class TestingFlightWarehouse {
  static final int ITEMS = 12_345;
  static final List<String> NATIONS = List.of("ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT");

  static final Schema ITEMS_SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("name", ArrowType.Utf8.INSTANCE),
              Field.nullable("price", new ArrowType.Decimal(10, 2, 128)),
              Field.nullable("sold_on", new ArrowType.Date(DateUnit.DAY))));

  private TestingFlightWarehouse() {}

  static void write(Path warehouse) {
    try (BufferAllocator allocator = new RootAllocator()) {
      writeItems(warehouse.resolve("tpch").resolve("items"), allocator);
      writeNation(warehouse.resolve("tpch").resolve("nation"), allocator);
      writeOrders(warehouse.resolve("sales").resolve("orders"), allocator);
    }
  }

  static QueryEngine engine(Path warehouse) {
    return new QueryEngine(
        OxbowConfig.defaults()
            .withCatalog("demo", "delta", Map.of("warehouse", warehouse.toString()))
            .withUser("admin", "admin")
            .withUser("analyst", "analyst")
            .withDefaultNamespace("demo", "tpch")
            .withFlightPort(0));
  }

  private static void writeItems(Path dir, BufferAllocator allocator) {
    try (DeltaTableWriter writer = DeltaTableWriter.create(dir, ITEMS_SCHEMA)) {
      for (int start = 0; start < ITEMS; start += 4096) {
        int n = Math.min(4096, ITEMS - start);
        try (VectorSchemaRoot root = VectorSchemaRoot.create(ITEMS_SCHEMA, allocator)) {
          for (int i = 0; i < n; i++) {
            int id = start + i;
            ((BigIntVector) root.getVector(0)).setSafe(i, id);
            ((VarCharVector) root.getVector(1)).setSafe(i, utf8("item-" + id % 7));
            ((DecimalVector) root.getVector(2)).setSafe(i, BigDecimal.valueOf(id % 100, 2));
            ((DateDayVector) root.getVector(3)).setSafe(i, 9000 + id % 30);
          }
          root.setRowCount(n);
          writer.write(root);
        }
      }
      writer.commit();
    }
  }

  private static void writeNation(Path dir, BufferAllocator allocator) {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("n_nationkey", new ArrowType.Int(32, true)),
                Field.nullable("n_name", ArrowType.Utf8.INSTANCE)));
    try (DeltaTableWriter writer = DeltaTableWriter.create(dir, schema);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      for (int i = 0; i < NATIONS.size(); i++) {
        ((IntVector) root.getVector(0)).setSafe(i, i);
        ((VarCharVector) root.getVector(1)).setSafe(i, utf8(NATIONS.get(i)));
      }
      root.setRowCount(NATIONS.size());
      writer.write(root);
      writer.commit();
    }
  }

  private static void writeOrders(Path dir, BufferAllocator allocator) {
    Schema schema =
        new Schema(
            List.of(
                Field.nullable("o_orderkey", new ArrowType.Int(64, true)),
                Field.nullable("o_item", new ArrowType.Int(64, true))));
    try (DeltaTableWriter writer = DeltaTableWriter.create(dir, schema);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      for (int i = 0; i < 3; i++) {
        ((BigIntVector) root.getVector(0)).setSafe(i, 100 + i);
        ((BigIntVector) root.getVector(1)).setSafe(i, i * 10);
      }
      root.setRowCount(3);
      writer.write(root);
      writer.commit();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
