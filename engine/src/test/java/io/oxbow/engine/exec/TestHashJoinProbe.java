package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.ResultStream;
import io.oxbow.engine.eval.ExpressionCompiler;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives {@link HashJoinOperator}s and {@link JoinBridge}s directly (pages with selection vectors,
 * several probe operators on one bridge, threads) and checks every result against a brute-force
 * nested loop over the same Java values.
 */
class TestHashJoinProbe {
  private static final int MAX_PAGE_ROWS = 4096;

  private BufferAllocator root;

  @BeforeEach
  void setUp() {
    root = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    root.close(); // throws on a leak
  }

  /** One side of a join: its schema, key columns and rows. */
  private record Input(Schema schema, List<Integer> keys, List<List<Object>> rows) {}

  // ---------------------------------------------------------------- harness

  private static VectorSchemaRoot batch(
      Schema schema, List<List<Object>> rows, int from, int to, BufferAllocator allocator) {
    VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator);
    for (int c = 0; c < schema.getFields().size(); c++) {
      FieldVector v = batch.getVector(c);
      v.allocateNew();
      for (int r = from; r < to; r++) {
        Values.set(v, r - from, rows.get(r).get(c));
      }
      v.setValueCount(to - from);
    }
    batch.setRowCount(to - from);
    return batch;
  }

  /** A build side producing {@code rows} in batches of {@code batchRows}. */
  private static Supplier<ResultStream> buildSide(
      Input side, int batchRows, BufferAllocator allocator, AtomicInteger calls) {
    return () -> {
      calls.incrementAndGet();
      return new ResultStream() {
        private int at;

        @Override
        public Schema schema() {
          return side.schema();
        }

        @Override
        public VectorSchemaRoot next() {
          if (at >= side.rows().size()) {
            return null;
          }
          int to = Math.min(side.rows().size(), at + batchRows);
          VectorSchemaRoot b = batch(side.schema(), side.rows(), at, to, allocator);
          at = to;
          return b;
        }

        @Override
        public List<OperatorStats> operatorStats() {
          return List.of();
        }

        @Override
        public void close() {}
      };
    };
  }

  /**
   * Probe pages over {@code rows[from, to)}, {@code pageRows} live rows each; with {@code
   * selection}, each page also holds dead rows (random copies) that a selection vector skips.
   */
  private static List<Page> probePages(
      Input side,
      int from,
      int to,
      int pageRows,
      boolean selection,
      Random random,
      BufferAllocator allocator) {
    List<Page> pages = new ArrayList<>();
    for (int start = from; start < to; start += pageRows) {
      int end = Math.min(to, start + pageRows);
      if (!selection) {
        pages.add(Page.of(batch(side.schema(), side.rows(), start, end, allocator)));
        continue;
      }
      List<List<Object>> physical = new ArrayList<>();
      int[] live = new int[end - start];
      for (int r = start; r < end; r++) {
        while (random.nextInt(3) == 0) {
          physical.add(side.rows().get(random.nextInt(side.rows().size())));
        }
        live[r - start] = physical.size();
        physical.add(side.rows().get(r));
      }
      if (random.nextBoolean()) {
        physical.add(side.rows().get(random.nextInt(side.rows().size())));
      }
      VectorSchemaRoot b = batch(side.schema(), physical, 0, physical.size(), allocator);
      pages.add(new Page(b, live, live.length));
    }
    return pages;
  }

  private static void collect(Page page, List<List<Object>> out) {
    try {
      assertThat(page.count()).isLessThanOrEqualTo(MAX_PAGE_ROWS);
      for (int i = 0; i < page.count(); i++) {
        List<Object> row = new ArrayList<>();
        for (int c = 0; c < page.root().getFieldVectors().size(); c++) {
          row.add(page.get(c, i));
        }
        out.add(row);
      }
    } finally {
      page.close();
    }
  }

  /** Feeds {@code pages} through {@code op} and returns every output row. */
  private static List<List<Object>> drive(HashJoinOperator op, List<Page> pages) {
    List<List<Object>> out = new ArrayList<>();
    int i = 0;
    try {
      for (; i < pages.size(); i++) {
        while (!op.needsInput()) {
          // each call makes progress, though a batch of pairs may produce no rows
          Page p = op.getOutput();
          if (p != null) {
            collect(p, out);
          }
        }
        op.addInput(pages.get(i));
      }
      op.finish();
      while (!op.isFinished()) {
        Page p = op.getOutput();
        if (p != null) {
          collect(p, out);
        }
      }
      assertThat(op.getOutput()).isNull();
    } finally {
      for (i++; i < pages.size(); i++) {
        pages.get(i).close();
      }
    }
    return out;
  }

  private static JoinNode node(Input left, Input right, JoinType type, Expr residual) {
    List<Field> fields = new ArrayList<>();
    if (!type.outputsBuildRows()) {
      fields.addAll(left.schema().getFields());
    }
    if (type != JoinType.SEMI && type != JoinType.ANTI) {
      fields.addAll(right.schema().getFields());
    }
    return new JoinNode(
        new ValuesNode(left.schema(), List.of()),
        new ValuesNode(right.schema(), List.of()),
        type,
        left.keys(),
        right.keys(),
        residual,
        new Schema(fields));
  }

  /** Runs the join with one probe operator. */
  private List<List<Object>> join(
      Input left,
      Input right,
      JoinType type,
      Expr residual,
      boolean selection,
      int buildBatchRows,
      int probePageRows) {
    try (BufferAllocator buildAllocator = root.newChildAllocator("build", 0, Long.MAX_VALUE);
        BufferAllocator probeAllocator = root.newChildAllocator("probe", 0, Long.MAX_VALUE)) {
      AtomicInteger calls = new AtomicInteger();
      JoinNode node = node(left, right, type, residual);
      JoinBridge bridge =
          new JoinBridge(
              node, buildSide(right, buildBatchRows, buildAllocator, calls), buildAllocator, 1);
      List<List<Object>> out;
      try (HashJoinOperator op =
          new HashJoinOperator(
              node,
              bridge,
              residual == null ? null : ExpressionCompiler.compile(residual),
              probeAllocator)) {
        List<Page> pages =
            probePages(
                left,
                0,
                left.rows().size(),
                probePageRows,
                selection,
                new Random(7),
                probeAllocator);
        out = drive(op, pages);
      }
      assertThat(calls.get()).isEqualTo(1);
      return out;
    }
  }

  /** The join by a nested loop over Java values. */
  private static List<List<Object>> nestedLoop(
      Input left, Input right, JoinType type, BiPredicate<List<Object>, List<Object>> residual) {
    List<List<Object>> out = new ArrayList<>();
    boolean[] rightMatched = new boolean[right.rows().size()];
    int leftWidth = left.schema().getFields().size();
    int rightWidth = right.schema().getFields().size();
    for (List<Object> l : left.rows()) {
      boolean any = false;
      for (int r = 0; r < right.rows().size(); r++) {
        List<Object> rr = right.rows().get(r);
        if (keysEqual(l, left.keys(), rr, right.keys())
            && (residual == null || residual.test(l, rr))) {
          any = true;
          rightMatched[r] = true;
          if (type != JoinType.SEMI && type != JoinType.ANTI && !type.outputsBuildRows()) {
            List<Object> row = new ArrayList<>(l);
            row.addAll(rr);
            out.add(row);
          }
        }
      }
      if ((type == JoinType.SEMI && any) || (type == JoinType.ANTI && !any)) {
        out.add(l);
      } else if (!any && (type == JoinType.LEFT || type == JoinType.FULL)) {
        List<Object> row = new ArrayList<>(l);
        row.addAll(Arrays.asList(new Object[rightWidth]));
        out.add(row);
      }
    }
    if (type.outputsBuildRows()) {
      for (int r = 0; r < rightMatched.length; r++) {
        if (rightMatched[r] == (type == JoinType.RIGHT_SEMI)) {
          out.add(right.rows().get(r));
        }
      }
    }
    if (type == JoinType.RIGHT || type == JoinType.FULL) {
      for (int r = 0; r < rightMatched.length; r++) {
        if (!rightMatched[r]) {
          List<Object> row = new ArrayList<>(Arrays.asList(new Object[leftWidth]));
          row.addAll(right.rows().get(r));
          out.add(row);
        }
      }
    }
    return out;
  }

  private static boolean keysEqual(
      List<Object> l, List<Integer> leftKeys, List<Object> r, List<Integer> rightKeys) {
    for (int k = 0; k < leftKeys.size(); k++) {
      Object a = l.get(leftKeys.get(k));
      Object b = r.get(rightKeys.get(k));
      if (a == null || b == null) {
        return false;
      }
      if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
        if (x.compareTo(y) != 0) {
          return false;
        }
      } else if (a instanceof BigDecimal || b instanceof BigDecimal) {
        return false;
      } else if (a instanceof Number x && b instanceof Number y && !(a instanceof Double)) {
        if (x.longValue() != y.longValue()) {
          return false;
        }
      } else if (!a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  private static Map<List<Object>, Integer> counts(List<List<Object>> rows) {
    Map<List<Object>, Integer> counts = new HashMap<>();
    for (List<Object> row : rows) {
      counts.merge(row, 1, Integer::sum);
    }
    return counts;
  }

  private static void assertSameRows(List<List<Object>> actual, List<List<Object>> expected) {
    Map<List<Object>, Integer> a = counts(actual);
    Map<List<Object>, Integer> e = counts(expected);
    List<String> differences = new ArrayList<>();
    for (List<Object> row : e.keySet()) {
      if (!e.get(row).equals(a.get(row)) && differences.size() < 10) {
        differences.add(row + ": expected " + e.get(row) + " got " + a.get(row));
      }
    }
    for (List<Object> row : a.keySet()) {
      if (!e.containsKey(row) && differences.size() < 20) {
        differences.add(row + ": not expected, got " + a.get(row));
      }
    }
    assertThat(differences).as("rows that differ (first few)").isEmpty();
    assertThat(actual).hasSameSizeAs(expected);
  }

  private static Input input(
      Random random,
      int rows,
      List<Integer> keys,
      List<Function<Random, Object>> generators,
      Object... namesAndTypes) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      fields.add(Field.nullable((String) namesAndTypes[i], (ArrowType) namesAndTypes[i + 1]));
    }
    List<List<Object>> data = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      List<Object> row = new ArrayList<>();
      for (Function<Random, Object> g : generators) {
        row.add(random.nextInt(10) == 0 ? null : g.apply(random));
      }
      data.add(row);
    }
    return new Input(new Schema(fields), keys, data);
  }

  private static Function<Random, Object> longs(int bound) {
    return r -> (long) r.nextInt(bound);
  }

  private static Function<Random, Object> strings(int bound) {
    return r -> r.nextInt(bound) % 3 == 0 ? "k" + r.nextInt(bound) : "key-é-" + r.nextInt(bound);
  }

  private static Function<Random, Object> decimals(int bound, int scale, String offset) {
    return r ->
        new BigDecimal(offset)
            .add(BigDecimal.valueOf(r.nextInt(bound) - bound / 2, 1))
            .setScale(scale);
  }

  private static final JoinType[] TYPES = JoinType.values();

  /** b > a: left (k, a, s), right (k, b, t). */
  private static final Expr B_GREATER_THAN_A =
      new Call(
          ScalarFunction.GREATER_THAN,
          List.of(new ColumnRef(4, Kind.INT64), new ColumnRef(1, Kind.INT64)),
          Kind.BOOL);

  private static boolean bGreaterThanA(List<Object> l, List<Object> r) {
    return l.get(1) != null && r.get(1) != null && (Long) r.get(1) > (Long) l.get(1);
  }

  private static Input leftKas(Random random, int rows, int keyBound) {
    return input(
        random,
        rows,
        List.of(0),
        List.of(longs(keyBound), longs(100), strings(50)),
        "k",
        Kind.INT64,
        "a",
        Kind.INT64,
        "s",
        Kind.UTF8);
  }

  private static Input rightKbt(Random random, int rows, int keyBound) {
    return input(
        random,
        rows,
        List.of(0),
        List.of(longs(keyBound), longs(100), strings(50)),
        "k",
        Kind.INT64,
        "b",
        Kind.INT64,
        "t",
        Kind.UTF8);
  }

  // ---------------------------------------------------------------- tests

  @Test
  void everyJoinTypeMatchesNestedLoop() {
    Random random = new Random(1);
    Input left = leftKas(random, 700, 150);
    Input right = rightKbt(random, 500, 150);
    for (JoinType type : TYPES) {
      for (boolean selection : new boolean[] {false, true}) {
        assertSameRows(
            join(left, right, type, null, selection, 97, 256), nestedLoop(left, right, type, null));
        assertSameRows(
            join(left, right, type, B_GREATER_THAN_A, selection, 97, 256),
            nestedLoop(left, right, type, TestHashJoinProbe::bGreaterThanA));
      }
    }
  }

  @Test
  void sparseSingleKeysUseTheHashSlots() {
    // keys far apart (and of both signs) are hashed, not indexed by value
    Random random = new Random(12);
    Function<Random, Object> sparse =
        r ->
            (r.nextInt(300) - 150) * 1_000_000_007_000L
                + (r.nextBoolean() ? Long.MIN_VALUE / 4 : 0);
    Input left =
        input(
            random,
            700,
            List.of(0),
            List.of(sparse, longs(100), strings(50)),
            "k",
            Kind.INT64,
            "a",
            Kind.INT64,
            "s",
            Kind.UTF8);
    Input right =
        input(
            random,
            500,
            List.of(0),
            List.of(sparse, longs(100), strings(50)),
            "k",
            Kind.INT64,
            "b",
            Kind.INT64,
            "t",
            Kind.UTF8);
    assertThat(nestedLoop(left, right, JoinType.INNER, null)).isNotEmpty();
    for (JoinType type : TYPES) {
      assertSameRows(
          join(left, right, type, null, true, 97, 256), nestedLoop(left, right, type, null));
      assertSameRows(
          join(left, right, type, B_GREATER_THAN_A, false, 97, 256),
          nestedLoop(left, right, type, TestHashJoinProbe::bGreaterThanA));
    }
  }

  @Test
  void uniqueBuildKeys() {
    Random random = new Random(13);
    Input left = leftKas(random, 900, 400);
    List<List<Object>> rightRows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rightRows.add(row(i % 10 == 0 ? null : (long) i, (long) random.nextInt(100), "t" + i));
    }
    rightRows.add(row(null, 1L, "null key"));
    Input right = new Input(left.schema(), List.of(0), rightRows);
    for (JoinType type : TYPES) {
      assertSameRows(
          join(left, right, type, null, true, 64, 100), nestedLoop(left, right, type, null));
      assertSameRows(
          join(left, right, type, B_GREATER_THAN_A, true, 64, 100),
          nestedLoop(left, right, type, TestHashJoinProbe::bGreaterThanA));
    }
  }

  /** The build side's table, to check which index a test exercises. */
  private JoinTable table(Input left, Input right) {
    try (BufferAllocator allocator = root.newChildAllocator("table", 0, Long.MAX_VALUE)) {
      JoinBridge bridge =
          new JoinBridge(
              node(left, right, JoinType.INNER, null),
              buildSide(right, 100, allocator, new AtomicInteger()),
              allocator,
              1);
      JoinTable table = bridge.table();
      bridge.release();
      return table;
    }
  }

  /**
   * Unique build keys take the probe path that keeps the probe columns and adds the build columns
   * under a selection vector: dense and hashed keys, BIGINT and INT probe keys, NULL keys on both
   * sides, probe pages where every row, about half, a few or no rows match, build columns of every
   * width (bits, ints, longs, 128-bit decimals, strings) with and without NULLs.
   */
  @Test
  void uniqueBuildKeysEveryPathAndColumnType() {
    Random random = new Random(14);
    for (boolean dense : new boolean[] {true, false}) {
      long step = dense ? 1 : 1_000_003_000_017L;
      List<List<Object>> rightRows = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        Long key = i % 50 == 7 ? null : i * step - (dense ? 0 : 700 * step);
        rightRows.add(
            row(
                key,
                i % 3 == 0,
                (long) (i * 31 % 1000),
                (long) i * 7,
                i % 11 == 0 ? null : BigDecimal.valueOf(i * 13L - 9000, 2),
                i % 4 == 0 ? null : "t" + i,
                19_000 + i % 300));
      }
      Input right =
          new Input(
              new Schema(
                  List.of(
                      Field.nullable("k", Kind.INT64),
                      Field.nullable("f", Kind.BOOL),
                      Field.nullable("i", Kind.INT32),
                      Field.nullable("b", Kind.INT64),
                      Field.nullable("d", Kind.decimal(20, 2)),
                      Field.nullable("t", Kind.UTF8),
                      Field.nullable("dt", Kind.DATE_DAY))),
              List.of(0),
              rightRows);
      for (ArrowType probeKeyType : List.of(Kind.INT64, Kind.INT32)) {
        if (!dense && probeKeyType == Kind.INT32) {
          continue; // the sparse keys do not fit an INT
        }
        // pages of 256 rows: all matching, about half, about a tenth, none; NULL keys in some
        List<List<Object>> leftRows = new ArrayList<>();
        double[] matching = {1.0, 0.5, 0.1, 0.0, 0.9, 0.3};
        for (int page = 0; page < 24; page++) {
          double share = matching[page % matching.length];
          for (int r = 0; r < 256; r++) {
            Object key;
            if (page % 3 == 2 && r % 17 == 0) {
              key = null;
            } else if (random.nextDouble() < share) {
              long i = random.nextInt(1500);
              i = i % 50 == 7 ? i + 1 : i;
              key = i * step - (dense ? 0 : 700 * step);
            } else {
              key = (long) (dense ? 1500 + random.nextInt(3000) : random.nextInt(1000) * 3 + 1);
              key = random.nextBoolean() ? key : -1 - (Long) key;
            }
            leftRows.add(row(key, (long) r, r % 5 == 0 ? null : "s" + r));
          }
        }
        Input left =
            new Input(
                new Schema(
                    List.of(
                        Field.nullable("k", probeKeyType),
                        Field.nullable("a", Kind.INT64),
                        Field.nullable("s", Kind.UTF8))),
                List.of(0),
                leftRows);
        JoinTable table = table(left, right);
        assertThat(table.uniqueKeys()).isTrue();
        assertThat(table.indexedByValue()).isEqualTo(dense);
        assertThat(nestedLoop(left, right, JoinType.INNER, null)).hasSizeGreaterThan(2000);
        for (JoinType type : TYPES) {
          for (boolean selection : new boolean[] {false, true}) {
            assertSameRows(
                join(left, right, type, null, selection, 333, 256),
                nestedLoop(left, right, type, null));
          }
        }
        Expr residual =
            new Call(
                ScalarFunction.GREATER_THAN,
                List.of(new ColumnRef(6, Kind.INT64), new ColumnRef(1, Kind.INT64)),
                Kind.BOOL);
        for (JoinType type : TYPES) {
          assertSameRows(
              join(left, right, type, residual, true, 333, 256),
              nestedLoop(
                  left,
                  right,
                  type,
                  (l, r) ->
                      r.get(3) != null && l.get(1) != null && (Long) r.get(3) > (Long) l.get(1)));
        }
      }
    }
  }

  /** Unique two-column and string keys (hashed slots, serialised keys) on every join type. */
  @Test
  void uniqueMultiColumnAndStringKeys() {
    Random random = new Random(16);
    List<List<Object>> rightRows = new ArrayList<>();
    for (int i = 0; i < 800; i++) {
      rightRows.add(
          row(
              i % 37 == 5 ? null : (long) (i / 10),
              (long) (i % 10),
              i % 41 == 3 ? null : "k" + i,
              (long) i * 3));
    }
    Object[] schema = {"a", Kind.INT64, "c", Kind.INT64, "s", Kind.UTF8, "v", Kind.INT64};
    List<List<Object>> leftRows = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      int j = random.nextInt(1100);
      leftRows.add(
          row(
              i % 29 == 0 ? null : (long) (j / 10),
              (long) (j % 10),
              i % 31 == 0 ? null : "k" + j,
              (long) i));
    }
    for (List<Integer> keys : List.of(List.of(0, 1), List.of(2), List.of(2, 0))) {
      Input right = input(random, 0, keys, List.of(), schema);
      right = new Input(right.schema(), keys, rightRows);
      Input left = new Input(right.schema(), keys, leftRows);
      JoinTable table = table(left, right);
      assertThat(table.uniqueKeys()).isTrue();
      assertThat(nestedLoop(left, right, JoinType.INNER, null)).hasSizeGreaterThan(500);
      for (JoinType type : TYPES) {
        for (boolean selection : new boolean[] {false, true}) {
          assertSameRows(
              join(left, right, type, null, selection, 128, 300),
              nestedLoop(left, right, type, null));
        }
      }
    }
  }

  /** Duplicate build keys (chains), dense and hashed, every join type. */
  @Test
  void duplicateBuildKeysDenseAndHashed() {
    Random random = new Random(15);
    for (boolean dense : new boolean[] {true, false}) {
      long step = dense ? 1 : 998_244_353_000L;
      Function<Random, Object> keys = r -> r.nextInt(200) * step;
      Input left =
          input(
              random,
              900,
              List.of(0),
              List.of(keys, longs(100), strings(50)),
              "k",
              Kind.INT64,
              "a",
              Kind.INT64,
              "s",
              Kind.UTF8);
      Input right =
          input(
              random,
              700,
              List.of(0),
              List.of(keys, longs(100), strings(50)),
              "k",
              Kind.INT64,
              "b",
              Kind.INT64,
              "t",
              Kind.UTF8);
      JoinTable table = table(left, right);
      assertThat(table.uniqueKeys()).isFalse();
      assertThat(table.indexedByValue()).isEqualTo(dense);
      for (JoinType type : TYPES) {
        for (boolean selection : new boolean[] {false, true}) {
          assertSameRows(
              join(left, right, type, null, selection, 97, 256),
              nestedLoop(left, right, type, null));
        }
      }
    }
  }

  @Test
  void nullKeysNeverMatch() {
    List<List<Object>> leftRows = List.of(row(null, 1L, "x"), row(1L, 2L, "y"));
    List<List<Object>> rightRows = List.of(row(null, 3L, "z"), row(1L, 4L, "w"));
    Input left = new Input(leftKas(new Random(), 0, 1).schema(), List.of(0), leftRows);
    Input right = new Input(rightKbt(new Random(), 0, 1).schema(), List.of(0), rightRows);
    assertThat(join(left, right, JoinType.INNER, null, false, 10, 10))
        .containsExactly(row(1L, 2L, "y", 1L, 4L, "w"));
    assertThat(join(left, right, JoinType.ANTI, null, true, 10, 10))
        .containsExactly(row(null, 1L, "x"));
    assertThat(join(left, right, JoinType.SEMI, null, true, 10, 10))
        .containsExactly(row(1L, 2L, "y"));
    assertThat(join(left, right, JoinType.FULL, null, false, 10, 10))
        .containsExactlyInAnyOrder(
            row(1L, 2L, "y", 1L, 4L, "w"),
            row(null, 1L, "x", null, null, null),
            row(null, null, null, null, 3L, "z"));
  }

  @Test
  void manyBuildRowsForOneKey() {
    Random random = new Random(2);
    List<List<Object>> rightRows = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      rightRows.add(row(42L, (long) i, i % 7 == 0 ? null : "t" + i));
    }
    rightRows.add(row(7L, -1L, "seven"));
    Input right = new Input(rightKbt(random, 0, 1).schema(), List.of(0), rightRows);
    List<List<Object>> leftRows = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      leftRows.add(row(i % 3 == 0 ? 42L : (long) i, (long) i, "s" + i));
    }
    Input left = new Input(leftKas(random, 0, 1).schema(), List.of(0), leftRows);
    for (JoinType type : TYPES) {
      assertSameRows(
          join(left, right, type, null, true, 1000, 50), nestedLoop(left, right, type, null));
    }
    Expr residual =
        new Call(
            ScalarFunction.LESS_THAN,
            List.of(new ColumnRef(4, Kind.INT64), new ColumnRef(1, Kind.INT64)),
            Kind.BOOL);
    for (JoinType type : List.of(JoinType.INNER, JoinType.RIGHT, JoinType.SEMI, JoinType.ANTI)) {
      assertSameRows(
          join(left, right, type, residual, false, 1000, 50),
          nestedLoop(left, right, type, (l, r) -> (Long) r.get(1) < (Long) l.get(1)));
    }
  }

  @Test
  void mixedKeyTypesCompareByValue() {
    Random random = new Random(3);
    // INT vs BIGINT
    Input intLeft =
        input(
            random,
            400,
            List.of(0),
            List.of(longs(60), longs(9)),
            "k",
            Kind.INT32,
            "a",
            Kind.INT64);
    Input bigintRight =
        input(
            random,
            300,
            List.of(0),
            List.of(longs(60), longs(9)),
            "k",
            Kind.INT64,
            "b",
            Kind.INT64);
    // DECIMAL(12,2) vs DECIMAL(15,3): long path, rescaled
    Input decLeft =
        input(
            random,
            400,
            List.of(1),
            List.of(longs(9), decimals(80, 2, "0")),
            "a",
            Kind.INT64,
            "d",
            Kind.decimal(12, 2));
    Input decRight =
        input(
            random,
            300,
            List.of(0),
            List.of(decimals(80, 3, "0"), longs(9)),
            "d",
            Kind.decimal(15, 3),
            "b",
            Kind.INT64);
    // DECIMAL(30,2) vs DECIMAL(38,4): 128-bit values, rescaled, both signs
    Input wideLeft =
        input(
            random,
            300,
            List.of(0),
            List.of(decimals(60, 2, "-123456789012345678901"), longs(5)),
            "d",
            Kind.decimal(30, 2),
            "a",
            Kind.INT64);
    Input wideRight =
        input(
            random,
            300,
            List.of(0),
            List.of(decimals(60, 4, "-123456789012345678901"), longs(5)),
            "d",
            Kind.decimal(38, 4),
            "b",
            Kind.INT64);
    // DATE vs DATE, DOUBLE vs DOUBLE
    Input dateLeft =
        input(random, 300, List.of(0), List.of(r -> r.nextInt(40) + 19_000), "d", Kind.DATE_DAY);
    Input dateRight =
        input(random, 300, List.of(0), List.of(r -> r.nextInt(40) + 19_000), "d", Kind.DATE_DAY);
    Input doubleLeft =
        input(random, 300, List.of(0), List.of(r -> r.nextInt(30) / 4.0), "x", Kind.FLOAT64);
    Input doubleRight =
        input(random, 300, List.of(0), List.of(r -> r.nextInt(30) / 4.0), "x", Kind.FLOAT64);
    // DECIMAL vs BIGINT never match, as with the boxed keys before
    Input decVsInt = new Input(bigintRight.schema(), List.of(0), bigintRight.rows());
    List<Input[]> cases =
        List.of(
            new Input[] {intLeft, bigintRight},
            new Input[] {decLeft, decRight},
            new Input[] {wideLeft, wideRight},
            new Input[] {dateLeft, dateRight},
            new Input[] {doubleLeft, doubleRight},
            new Input[] {decLeft, decVsInt});
    for (Input[] c : cases) {
      for (JoinType type : List.of(JoinType.INNER, JoinType.FULL, JoinType.ANTI)) {
        List<List<Object>> expected = nestedLoop(c[0], c[1], type, null);
        assertSameRows(join(c[0], c[1], type, null, true, 64, 100), expected);
      }
    }
    assertThat(nestedLoop(intLeft, bigintRight, JoinType.INNER, null)).isNotEmpty();
    assertThat(nestedLoop(decLeft, decRight, JoinType.INNER, null)).isNotEmpty();
    assertThat(nestedLoop(wideLeft, wideRight, JoinType.INNER, null)).isNotEmpty();
  }

  @Test
  void stringAndMultiColumnKeys() {
    Random random = new Random(4);
    List<Function<Random, Object>> gens = List.of(longs(8), strings(12), longs(6), longs(5));
    Object[] schema = {"a", Kind.INT64, "s", Kind.UTF8, "c", Kind.INT32, "d", Kind.INT64};
    List<List<Integer>> keySets =
        List.of(List.of(1), List.of(0, 1), List.of(0, 2), List.of(3, 0, 2), List.of(1, 0));
    for (List<Integer> keys : keySets) {
      Input left = input(random, 500, keys, gens, schema);
      Input right = input(random, 400, keys, gens, schema);
      for (JoinType type : TYPES) {
        assertSameRows(
            join(left, right, type, null, true, 77, 128), nestedLoop(left, right, type, null));
      }
      assertThat(nestedLoop(left, right, JoinType.INNER, null)).isNotEmpty();
    }
  }

  @Test
  void crossJoinWithResidual() {
    Random random = new Random(5);
    Input left =
        new Input(leftKas(random, 0, 1).schema(), List.of(), leftKas(random, 120, 9).rows());
    Input right =
        new Input(rightKbt(random, 0, 1).schema(), List.of(), rightKbt(random, 90, 9).rows());
    for (JoinType type : TYPES) {
      assertSameRows(
          join(left, right, type, B_GREATER_THAN_A, true, 20, 33),
          nestedLoop(left, right, type, TestHashJoinProbe::bGreaterThanA));
    }
  }

  @Test
  void emptyBuildSide() {
    Random random = new Random(6);
    Input left = leftKas(random, 50, 10);
    Input right = new Input(rightKbt(random, 0, 1).schema(), List.of(0), List.of());
    for (JoinType type : TYPES) {
      assertSameRows(
          join(left, right, type, null, true, 10, 16), nestedLoop(left, right, type, null));
    }
  }

  @Test
  void largeBuildSide() {
    int buildRows = 1_000_000;
    List<List<Object>> rightRows = new ArrayList<>(buildRows);
    for (int i = 0; i < buildRows; i++) {
      rightRows.add(row((long) i * 2, (long) i * 3, null));
    }
    Input right = new Input(rightKbt(new Random(), 0, 1).schema(), List.of(0), rightRows);
    Random random = new Random(8);
    List<List<Object>> leftRows = new ArrayList<>();
    int expectedMatches = 0;
    for (int i = 0; i < 100_000; i++) {
      long k = random.nextInt(2_100_000) - 50_000;
      leftRows.add(row(k, (long) i, null));
      if (k >= 0 && k % 2 == 0 && k < 2L * buildRows) {
        expectedMatches++;
      }
    }
    Input left = new Input(leftKas(random, 0, 1).schema(), List.of(0), leftRows);
    List<List<Object>> inner = join(left, right, JoinType.INNER, null, false, 8192, 4096);
    assertThat(inner).hasSize(expectedMatches);
    for (List<Object> r : inner) {
      assertThat(r.get(3)).isEqualTo(r.get(0));
      assertThat((Long) r.get(4)).isEqualTo((Long) r.get(0) / 2 * 3);
    }
    List<List<Object>> anti = join(left, right, JoinType.ANTI, null, true, 8192, 4096);
    assertThat(anti).hasSize(leftRows.size() - expectedMatches);
  }

  @Test
  void probeOperatorsShareOneBridgeAcrossThreads() throws Exception {
    Random random = new Random(9);
    Input left = leftKas(random, 6000, 400);
    Input right = rightKbt(random, 5000, 400);
    int probes = 3;
    for (JoinType type : List.of(JoinType.INNER, JoinType.LEFT, JoinType.SEMI, JoinType.ANTI)) {
      for (Expr residual : Arrays.asList(null, B_GREATER_THAN_A)) {
        List<List<Object>> actual = joinConcurrently(left, right, type, residual, probes);
        assertSameRows(
            actual,
            nestedLoop(
                left, right, type, residual == null ? null : TestHashJoinProbe::bGreaterThanA));
      }
    }
  }

  private List<List<Object>> joinConcurrently(
      Input left, Input right, JoinType type, Expr residual, int probes) throws Exception {
    JoinNode node = node(left, right, type, residual);
    AtomicInteger calls = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(probes);
    List<List<Object>> all = new ArrayList<>();
    try (BufferAllocator buildAllocator = root.newChildAllocator("build", 0, Long.MAX_VALUE)) {
      JoinBridge bridge =
          new JoinBridge(
              node, buildSide(right, 300, buildAllocator, calls), buildAllocator, probes);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<List<Object>>>> futures = new ArrayList<>();
      int share = (left.rows().size() + probes - 1) / probes;
      for (int p = 0; p < probes; p++) {
        int from = p * share;
        int to = Math.min(left.rows().size(), from + share);
        int seed = p;
        futures.add(
            pool.submit(
                () -> {
                  try (BufferAllocator allocator =
                          root.newChildAllocator("probe" + seed, 0, Long.MAX_VALUE);
                      HashJoinOperator op =
                          new HashJoinOperator(
                              node,
                              bridge,
                              residual == null ? null : ExpressionCompiler.compile(residual),
                              allocator)) {
                    List<Page> pages =
                        probePages(left, from, to, 200, true, new Random(seed), allocator);
                    start.await();
                    return drive(op, pages);
                  }
                }));
      }
      start.countDown();
      for (Future<List<List<Object>>> f : futures) {
        all.addAll(f.get());
      }
    } finally {
      pool.shutdown();
    }
    assertThat(calls.get()).isEqualTo(1);
    return all;
  }

  @Test
  void probePagesWhoseKeyTypesDifferFromThePlan() {
    Random random = new Random(11);
    // the plan says BIGINT, the pages carry INT: keys are read by the pages' actual types
    Input actual =
        input(
            random,
            300,
            List.of(0),
            List.of(longs(40), longs(9)),
            "k",
            Kind.INT32,
            "a",
            Kind.INT64);
    Input planned =
        new Input(
            new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("a", Kind.INT64))),
            List.of(0),
            actual.rows());
    Input right =
        input(
            random,
            200,
            List.of(0),
            List.of(longs(40), longs(9)),
            "k",
            Kind.INT64,
            "b",
            Kind.INT64);
    // (SEMI and ANTI joins pass the probe pages through, so their columns keep their own types)
    for (JoinType type : List.of(JoinType.SEMI, JoinType.ANTI)) {
      JoinNode node = node(planned, right, type, null);
      try (BufferAllocator allocator = root.newChildAllocator("q", 0, Long.MAX_VALUE)) {
        JoinBridge bridge =
            new JoinBridge(
                node, buildSide(right, 50, allocator, new AtomicInteger()), allocator, 1);
        try (HashJoinOperator op = new HashJoinOperator(node, bridge, null, allocator)) {
          assertSameRows(
              drive(op, probePages(actual, 0, 300, 64, true, random, allocator)),
              nestedLoop(actual, right, type, null));
        }
      }
    }
  }

  @Test
  void buildFailureReachesEveryProbeOperator() {
    JoinNode node =
        node(leftKas(new Random(), 0, 1), rightKbt(new Random(), 0, 1), JoinType.INNER, null);
    try (BufferAllocator allocator = root.newChildAllocator("q", 0, Long.MAX_VALUE)) {
      AtomicInteger calls = new AtomicInteger();
      Supplier<ResultStream> failing =
          () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("build failed");
          };
      JoinBridge bridge = new JoinBridge(node, failing, allocator, 2);
      try (HashJoinOperator a = new HashJoinOperator(node, bridge, null, allocator);
          HashJoinOperator b = new HashJoinOperator(node, bridge, null, allocator)) {
        Input left = leftKas(new Random(1), 10, 5);
        Throwable first =
            org.assertj.core.api.Assertions.catchThrowable(
                () ->
                    a.addInput(probePages(left, 0, 10, 10, false, new Random(), allocator).get(0)));
        assertThat(first).hasMessage("build failed");
        assertThatThrownBy(b::finish).isSameAs(first);
      }
      assertThat(calls.get()).isEqualTo(1);
      assertThatThrownBy(bridge::release).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void tableExposesKeyRangeAndSize() {
    Random random = new Random(10);
    Input right = rightKbt(random, 3000, 1000);
    Input left = leftKas(random, 0, 1);
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    java.util.Set<Object> distinct = new java.util.HashSet<>();
    for (List<Object> r : right.rows()) {
      if (r.get(0) != null) {
        min = Math.min(min, (Long) r.get(0));
        max = Math.max(max, (Long) r.get(0));
        distinct.add(r.get(0));
      }
    }
    try (BufferAllocator allocator = root.newChildAllocator("q", 0, Long.MAX_VALUE)) {
      JoinBridge bridge =
          new JoinBridge(
              node(left, right, JoinType.INNER, null),
              buildSide(right, 500, allocator, new AtomicInteger()),
              allocator,
              1);
      JoinTable table = bridge.table();
      assertThat(table.minKey()).hasValue(min);
      assertThat(table.maxKey()).hasValue(max);
      assertThat(table.distinctKeys()).isEqualTo(distinct.size());
      assertThat(table.rowCount()).isEqualTo(3000);
      assertThat(table.retainedBytes()).isGreaterThan(3000L * 4);
      bridge.release();
      Input stringRight = new Input(right.schema(), List.of(2), right.rows());
      Input stringLeft = new Input(left.schema(), List.of(2), left.rows());
      JoinBridge strings =
          new JoinBridge(
              node(stringLeft, stringRight, JoinType.INNER, null),
              buildSide(stringRight, 500, allocator, new AtomicInteger()),
              allocator,
              1);
      assertThat(strings.table().minKey()).isEmpty();
      assertThat(strings.table().distinctKeys())
          .isEqualTo(
              stringRight.rows().stream()
                  .map(r -> r.get(2))
                  .filter(java.util.Objects::nonNull)
                  .distinct()
                  .count());
      strings.release();
    }
  }

  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }
}
