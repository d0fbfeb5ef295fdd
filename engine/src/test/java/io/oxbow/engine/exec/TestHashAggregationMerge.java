package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
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
 * Random inputs through {@link HashAggregationOperator}, alone and split across several operators
 * combined with {@code mergeFrom}, checked against a brute-force computation in Java.
 */
class TestHashAggregationMerge {
  private static final ArrowType DEC = Kind.decimal(15, 2);
  private static final ArrowType WIDE = Kind.decimal(38, 3);
  private static final ArrowType KDEC = Kind.decimal(10, 2);
  private static final ArrowType KWIDE = Kind.decimal(30, 4);

  // keys: 0 ki INT32, 1 kl INT64, 2 ks UTF8, 3 kd FLOAT64, 4 kdec, 5 kwide, 6 kb BOOL, 7 kdate
  // values: 8 x INT64, 9 d DEC, 10 w WIDE, 11 f FLOAT64, 12 s UTF8, 13 flag BOOL, 14 ts, 15 date
  private static final Schema INPUT =
      schema(
          "ki",
          Kind.INT32,
          "kl",
          Kind.INT64,
          "ks",
          Kind.UTF8,
          "kd",
          Kind.FLOAT64,
          "kdec",
          KDEC,
          "kwide",
          KWIDE,
          "kb",
          Kind.BOOL,
          "kdate",
          Kind.DATE_DAY,
          "x",
          Kind.INT64,
          "d",
          DEC,
          "w",
          WIDE,
          "f",
          Kind.FLOAT64,
          "s",
          Kind.UTF8,
          "flag",
          Kind.BOOL,
          "ts",
          Kind.TIMESTAMP_MICRO,
          "dt",
          Kind.DATE_DAY);

  private static final String[] STRINGS = {
    "", "a", "b", "apple", "pear", "\uFFFD", "\uD83D\uDE00", "é", "a longer string over 32 bytes!!!"
  };

  private BufferAllocator allocator;

  @BeforeEach
  void createAllocator() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void closeAllocator() {
    allocator.close(); // throws on a leak
  }

  static Schema schema(Object... namesAndTypes) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < namesAndTypes.length; i += 2) {
      fields.add(Field.nullable((String) namesAndTypes[i], (ArrowType) namesAndTypes[i + 1]));
    }
    return new Schema(fields);
  }

  /** One aggregate with its brute-force definition over a group's rows. */
  private record Agg(AggregateCall call, Function<List<Object[]>, Object> expected) {}

  private static Agg agg(
      AggregateFunction fn,
      int column,
      boolean distinct,
      int filter,
      ArrowType type,
      Function<List<Object[]>, Object> expected) {
    return new Agg(
        new AggregateCall(fn, column < 0 ? List.of() : List.of(column), distinct, filter, type),
        expected);
  }

  private static List<Object> nonNull(List<Object[]> rows, int column, boolean distinct) {
    List<Object> values = new ArrayList<>();
    for (Object[] r : rows) {
      if (r[column] != null) {
        values.add(r[column]);
      }
    }
    return distinct ? new ArrayList<>(new LinkedHashSet<>(values)) : values;
  }

  private static List<Object[]> filtered(List<Object[]> rows) {
    return rows.stream().filter(r -> Boolean.TRUE.equals(r[13])).collect(Collectors.toList());
  }

  private static Object longSum(List<Object> values) {
    if (values.isEmpty()) {
      return null;
    }
    BigInteger sum = BigInteger.ZERO;
    for (Object v : values) {
      sum = sum.add(BigInteger.valueOf((Long) v));
    }
    return sum.longValueExact();
  }

  private static BigDecimal decimalSum(List<Object> values) {
    BigDecimal sum = BigDecimal.ZERO;
    for (Object v : values) {
      sum = sum.add((BigDecimal) v);
    }
    return sum;
  }

  private static Object extreme(List<Object> values, Comparator<Object> order, boolean min) {
    Object best = null;
    for (Object v : values) {
      if (best == null || (min ? order.compare(v, best) < 0 : order.compare(v, best) > 0)) {
        best = v;
      }
    }
    return best;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Comparator<Object> NATURAL = (a, b) -> ((Comparable) a).compareTo(b);

  private static final Comparator<Object> CODE_POINTS =
      (a, b) ->
          Arrays.compare(((String) a).codePoints().toArray(), ((String) b).codePoints().toArray());

  private static final Comparator<Object> DOUBLES =
      (a, b) -> Double.compare((Double) a, (Double) b);

  private static List<Agg> aggregates() {
    List<Agg> aggs = new ArrayList<>();
    aggs.add(agg(AggregateFunction.COUNT_STAR, -1, false, -1, Kind.INT64, r -> (long) r.size()));
    aggs.add(
        agg(
            AggregateFunction.COUNT,
            12,
            false,
            -1,
            Kind.INT64,
            r -> (long) nonNull(r, 12, false).size()));
    aggs.add(
        agg(AggregateFunction.SUM, 8, false, -1, Kind.INT64, r -> longSum(nonNull(r, 8, false))));
    aggs.add(
        agg(
            AggregateFunction.AVG,
            8,
            false,
            -1,
            Kind.FLOAT64,
            r -> {
              List<Object> v = nonNull(r, 8, false);
              return v.isEmpty() ? null : ((Long) longSum(v)).doubleValue() / v.size();
            }));
    aggs.add(
        agg(
            AggregateFunction.SUM,
            9,
            false,
            -1,
            Kind.decimal(38, 2),
            r -> {
              List<Object> v = nonNull(r, 9, false);
              return v.isEmpty() ? null : decimalSum(v).setScale(2);
            }));
    aggs.add(
        agg(
            AggregateFunction.AVG,
            9,
            false,
            -1,
            Kind.decimal(38, 6),
            r -> {
              List<Object> v = nonNull(r, 9, false);
              return v.isEmpty()
                  ? null
                  : decimalSum(v).divide(BigDecimal.valueOf(v.size()), 6, RoundingMode.HALF_UP);
            }));
    aggs.add(
        agg(
            AggregateFunction.SUM,
            10,
            false,
            -1,
            WIDE,
            r -> {
              List<Object> v = nonNull(r, 10, false);
              return v.isEmpty() ? null : decimalSum(v).setScale(3);
            }));
    aggs.add(
        agg(
            AggregateFunction.AVG,
            10,
            false,
            -1,
            Kind.decimal(38, 5),
            r -> {
              List<Object> v = nonNull(r, 10, false);
              return v.isEmpty()
                  ? null
                  : decimalSum(v).divide(BigDecimal.valueOf(v.size()), 5, RoundingMode.HALF_UP);
            }));
    aggs.add(
        agg(
            AggregateFunction.SUM,
            11,
            false,
            -1,
            Kind.FLOAT64,
            r -> {
              List<Object> v = nonNull(r, 11, false);
              return v.isEmpty() ? null : v.stream().mapToDouble(x -> (Double) x).sum();
            }));
    aggs.add(
        agg(
            AggregateFunction.AVG,
            11,
            false,
            -1,
            Kind.FLOAT64,
            r -> {
              List<Object> v = nonNull(r, 11, false);
              return v.isEmpty()
                  ? null
                  : v.stream().mapToDouble(x -> (Double) x).average().getAsDouble();
            }));
    for (boolean min : new boolean[] {true, false}) {
      AggregateFunction fn = min ? AggregateFunction.MIN : AggregateFunction.MAX;
      aggs.add(
          agg(fn, 12, false, -1, Kind.UTF8, r -> extreme(nonNull(r, 12, false), CODE_POINTS, min)));
      aggs.add(agg(fn, 8, false, -1, Kind.INT64, r -> extreme(nonNull(r, 8, false), NATURAL, min)));
      aggs.add(agg(fn, 9, false, -1, DEC, r -> extreme(nonNull(r, 9, false), NATURAL, min)));
      aggs.add(agg(fn, 10, false, -1, WIDE, r -> extreme(nonNull(r, 10, false), NATURAL, min)));
      aggs.add(
          agg(fn, 11, false, -1, Kind.FLOAT64, r -> extreme(nonNull(r, 11, false), DOUBLES, min)));
      aggs.add(
          agg(fn, 13, false, -1, Kind.BOOL, r -> extreme(nonNull(r, 13, false), NATURAL, min)));
      aggs.add(
          agg(
              fn,
              14,
              false,
              -1,
              Kind.TIMESTAMP_MICRO,
              r -> extreme(nonNull(r, 14, false), NATURAL, min)));
      aggs.add(
          agg(fn, 15, false, -1, Kind.DATE_DAY, r -> extreme(nonNull(r, 15, false), NATURAL, min)));
      aggs.add(
          agg(fn, 12, true, -1, Kind.UTF8, r -> extreme(nonNull(r, 12, true), CODE_POINTS, min)));
    }
    aggs.add(
        agg(
            AggregateFunction.COUNT,
            12,
            true,
            -1,
            Kind.INT64,
            r -> (long) nonNull(r, 12, true).size()));
    aggs.add(
        agg(
            AggregateFunction.COUNT,
            11,
            true,
            -1,
            Kind.INT64,
            r -> (long) nonNull(r, 11, true).size()));
    aggs.add(
        agg(AggregateFunction.SUM, 8, true, -1, Kind.INT64, r -> longSum(nonNull(r, 8, true))));
    aggs.add(
        agg(
            AggregateFunction.AVG,
            9,
            true,
            -1,
            Kind.decimal(38, 4),
            r -> {
              List<Object> v = nonNull(r, 9, true);
              return v.isEmpty()
                  ? null
                  : decimalSum(v).divide(BigDecimal.valueOf(v.size()), 4, RoundingMode.HALF_UP);
            }));
    aggs.add(
        agg(
            AggregateFunction.COUNT,
            10,
            true,
            -1,
            Kind.INT64,
            r -> (long) nonNull(r, 10, true).size()));
    aggs.add(
        agg(
            AggregateFunction.COUNT_STAR,
            -1,
            false,
            13,
            Kind.INT64,
            r -> (long) filtered(r).size()));
    aggs.add(
        agg(
            AggregateFunction.SUM,
            8,
            false,
            13,
            Kind.INT64,
            r -> longSum(nonNull(filtered(r), 8, false))));
    aggs.add(
        agg(
            AggregateFunction.MAX,
            12,
            false,
            13,
            Kind.UTF8,
            r -> extreme(nonNull(filtered(r), 12, false), CODE_POINTS, false)));
    aggs.add(
        agg(
            AggregateFunction.COUNT,
            8,
            true,
            13,
            Kind.INT64,
            r -> (long) nonNull(filtered(r), 8, true).size()));
    return aggs;
  }

  private static Object maybeNull(Random random, Object value) {
    return random.nextInt(10) == 0 ? null : value;
  }

  private static Object[] randomRow(Random random, int keyDomain) {
    double[] doubles = {
      0.0, -0.0, 1.5, Double.NaN, Double.longBitsToDouble(0x7ff8000000000123L), -2.25
    };
    Object[] r = new Object[16];
    r[0] = maybeNull(random, (long) random.nextInt(keyDomain) - keyDomain / 2);
    r[1] = maybeNull(random, random.nextInt(keyDomain) * 1_000_000_007L);
    r[2] = maybeNull(random, STRINGS[random.nextInt(Math.min(keyDomain, STRINGS.length))]);
    r[3] = maybeNull(random, doubles[random.nextInt(doubles.length)]);
    r[4] = maybeNull(random, BigDecimal.valueOf(random.nextInt(keyDomain) - 3, 2));
    r[5] =
        maybeNull(
            random,
            new BigDecimal(
                BigInteger.TEN
                    .pow(25)
                    .multiply(BigInteger.valueOf(random.nextInt(Math.min(keyDomain, 1000)))),
                4));
    r[6] = maybeNull(random, random.nextBoolean());
    r[7] = maybeNull(random, 18_000 + random.nextInt(keyDomain));
    r[8] = maybeNull(random, random.nextLong() >> 8);
    r[9] = maybeNull(random, BigDecimal.valueOf(random.nextLong() % 100_000_000_000_000L, 2));
    r[10] =
        maybeNull(
            random,
            new BigDecimal(new BigInteger(120, random).subtract(BigInteger.ONE.shiftLeft(119)), 3));
    r[11] = maybeNull(random, random.nextInt(5) == 0 ? -0.0 : random.nextGaussian() * 1000);
    r[12] =
        maybeNull(
            random, STRINGS[random.nextInt(STRINGS.length)] + (random.nextInt(3) == 0 ? "z" : ""));
    r[13] = maybeNull(random, random.nextBoolean());
    r[14] = maybeNull(random, random.nextLong() >> 12);
    r[15] = maybeNull(random, random.nextInt(40_000) - 20_000);
    return r;
  }

  /**
   * A page of {@code rows}, with a random selection vector (and random extra rows) half the time.
   */
  private Page page(List<Object[]> rows, Random random) {
    boolean select = random.nextBoolean();
    List<Object[]> physical = new ArrayList<>();
    List<Integer> selection = new ArrayList<>();
    for (Object[] r : rows) {
      if (select && random.nextInt(3) == 0) {
        physical.add(randomRow(random, 50)); // filtered out
      }
      selection.add(physical.size());
      physical.add(r);
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(INPUT, allocator);
    try {
      root.allocateNew();
      for (int i = 0; i < physical.size(); i++) {
        for (int c = 0; c < 16; c++) {
          Values.set(root.getVector(c), i, physical.get(i)[c]);
        }
      }
      root.setRowCount(physical.size());
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
    if (!select) {
      return Page.of(root);
    }
    return new Page(
        root, selection.stream().mapToInt(Integer::intValue).toArray(), selection.size());
  }

  private static Object normaliseKey(Object v) {
    if (v instanceof Double d) {
      return d == 0 ? 0.0 : d.isNaN() ? Double.NaN : d;
    }
    return v;
  }

  private AggregateNode node(List<Integer> keys, List<Agg> aggs) {
    List<Field> out = new ArrayList<>();
    for (int k : keys) {
      out.add(INPUT.getFields().get(k));
    }
    for (int a = 0; a < aggs.size(); a++) {
      out.add(Field.nullable("a" + a, aggs.get(a).call().type()));
    }
    return new AggregateNode(
        new ValuesNode(INPUT, List.of()),
        keys,
        aggs.stream().map(Agg::call).collect(Collectors.toList()),
        new Schema(out));
  }

  private static Map<List<Object>, List<Object>> output(HashAggregationOperator op, int keys) {
    op.finish();
    Map<List<Object>, List<Object>> result = new HashMap<>();
    for (Page page = op.getOutput(); page != null; page = op.getOutput()) {
      try {
        VectorSchemaRoot root = page.root();
        for (int i = 0; i < page.count(); i++) {
          List<Object> row = new ArrayList<>();
          for (FieldVector v : root.getFieldVectors()) {
            row.add(Values.get(v, i));
          }
          List<Object> key =
              row.subList(0, keys).stream()
                  .map(TestHashAggregationMerge::normaliseKey)
                  .collect(Collectors.toList());
          assertThat(result.put(key, new ArrayList<>(row.subList(keys, row.size()))))
              .as("group %s emitted once", key)
              .isNull();
        }
      } finally {
        page.close();
      }
    }
    assertThat(op.isFinished()).isTrue();
    return result;
  }

  private static Map<List<Object>, List<Object>> bruteForce(
      List<Object[]> rows, List<Integer> keys, List<Agg> aggs) {
    Map<List<Object>, List<Object[]>> groups = new HashMap<>();
    if (keys.isEmpty()) {
      groups.put(List.of(), new ArrayList<>());
    }
    for (Object[] r : rows) {
      List<Object> key = new ArrayList<>();
      for (int k : keys) {
        key.add(normaliseKey(r[k]));
      }
      groups.computeIfAbsent(key, x -> new ArrayList<>()).add(r);
    }
    Map<List<Object>, List<Object>> result = new HashMap<>();
    groups.forEach(
        (key, groupRows) -> {
          List<Object> values = new ArrayList<>();
          for (Agg a : aggs) {
            values.add(a.expected().apply(groupRows));
          }
          result.put(key, values);
        });
    return result;
  }

  private static void assertSameResults(
      Map<List<Object>, List<Object>> actual,
      Map<List<Object>, List<Object>> expected,
      List<Agg> aggs) {
    assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<List<Object>, List<Object>> e : expected.entrySet()) {
      List<Object> got = actual.get(e.getKey());
      for (int a = 0; a < aggs.size(); a++) {
        Object want = e.getValue().get(a);
        Object have = got.get(a);
        String what = "group " + e.getKey() + " aggregate " + aggs.get(a).call();
        if (want == null) {
          assertThat(have).as(what).isNull();
        } else if (want instanceof Double d
            && aggs.get(a).call().function() != AggregateFunction.MIN
            && aggs.get(a).call().function() != AggregateFunction.MAX) {
          assertThat((Double) have).as(what).isCloseTo(d, within(1e-9 * Math.max(1, Math.abs(d))));
        } else if (want instanceof BigDecimal d) {
          assertThat((BigDecimal) have).as(what).isEqualByComparingTo(d);
        } else if (want instanceof Integer i && have instanceof Long l) {
          assertThat(l).as(what).isEqualTo(i.longValue());
        } else {
          assertThat(have).as(what).isEqualTo(want);
        }
      }
    }
  }

  private void checkRandom(List<Integer> keys, int keyDomain, int rowCount, long seed) {
    Random random = new Random(seed);
    List<Agg> aggs = aggregates();
    AggregateNode node = node(keys, aggs);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 0; i < rowCount; i++) {
      rows.add(randomRow(random, keyDomain));
    }
    Map<List<Object>, List<Object>> expected = bruteForce(rows, keys, aggs);

    // one operator over every page
    List<List<Object[]>> pages = new ArrayList<>();
    for (int i = 0; i < rows.size(); ) {
      int n = 1 + random.nextInt(700);
      pages.add(rows.subList(i, Math.min(rows.size(), i + n)));
      i += n;
    }
    HashAggregationOperator single = new HashAggregationOperator(node, allocator);
    try {
      for (List<Object[]> p : pages) {
        single.addInput(page(p, random));
      }
      assertThat(single.retainedBytes()).isPositive();
      assertSameResults(output(single, keys.size()), expected, aggs);
    } finally {
      single.close();
    }

    // the same pages spread over 2-4 operators, then merged
    int parts = 2 + random.nextInt(3);
    List<HashAggregationOperator> ops = new ArrayList<>();
    try {
      for (int p = 0; p < parts; p++) {
        ops.add(new HashAggregationOperator(node, allocator));
      }
      for (List<Object[]> p : pages) {
        ops.get(random.nextInt(parts)).addInput(page(p, random));
      }
      if (!keys.isEmpty()) {
        // a partition at a time into new operators, as the parallel merge does (there on threads)
        int partitions = 1 + random.nextInt(4);
        Map<List<Object>, List<Object>> merged = new HashMap<>();
        List<int[][]> byPartition = new ArrayList<>();
        for (HashAggregationOperator op : ops) {
          byPartition.add(op.groupsByPartition(partitions));
        }
        for (int p = 0; p < partitions; p++) {
          HashAggregationOperator target = ops.get(0).emptyCopy(allocator);
          try {
            for (int o = 0; o < ops.size(); o++) {
              target.mergePartitionFrom(ops.get(o), byPartition.get(o)[p]);
            }
            target.prepareOutput();
            Map<List<Object>, List<Object>> part = output(target, keys.size());
            for (List<Object> key : part.keySet()) {
              assertThat(merged).as("groups of two partitions").doesNotContainKey(key);
            }
            merged.putAll(part);
          } finally {
            target.close();
          }
        }
        assertSameResults(merged, expected, aggs);
      }
      HashAggregationOperator target = ops.get(0);
      for (int p = 1; p < parts; p++) {
        target.mergeFrom(ops.get(p));
      }
      assertSameResults(output(target, keys.size()), expected, aggs);
    } finally {
      ops.forEach(HashAggregationOperator::close);
    }
  }

  @Test
  void packedSingleIntegerKey() {
    checkRandom(List.of(0), 40, 3000, 1);
  }

  @Test
  void packedKeysInTwoWords() {
    // 64 + 1 + 32 + 64 (decimal(10,2)) bits
    checkRandom(List.of(1, 6, 7, 4), 6, 3000, 2);
  }

  @Test
  void stringKey() {
    checkRandom(List.of(2), 9, 3000, 3);
  }

  @Test
  void stringDoubleAndWideDecimalKeys() {
    checkRandom(List.of(2, 3, 5), 4, 3000, 4);
  }

  @Test
  void stringKeysTooWideToPack() {
    // 32 + 32 + 64 + 64 bits: serialised rows with two strings
    checkRandom(List.of(2, 12, 1, 4), 4, 3000, 11);
  }

  @Test
  void fixedWidthKeysTooWideToPack() {
    checkRandom(List.of(1, 4, 0, 7), 5, 3000, 5);
  }

  @Test
  void doubleKeyNormalisesZeroAndNaN() {
    checkRandom(List.of(3), 6, 2000, 6);
  }

  @Test
  void noGroupKeys() {
    checkRandom(List.of(), 10, 2000, 7);
  }

  @Test
  void manyGroupsWithRehash() {
    checkRandom(List.of(0, 2), 1_000_000, 10_000, 8);
  }

  @Test
  void twoHundredThousandGroups() {
    // every key twice; x = key, s = "k" + key; integer and string keys, merged from 3 operators
    int groups = 200_000;
    for (int keyColumn : new int[] {1, 12}) {
      List<Agg> aggs =
          List.of(
              agg(AggregateFunction.COUNT_STAR, -1, false, -1, Kind.INT64, r -> null),
              agg(AggregateFunction.SUM, 8, false, -1, Kind.INT64, r -> null),
              agg(AggregateFunction.MIN, 12, false, -1, Kind.UTF8, r -> null),
              agg(AggregateFunction.COUNT, 8, true, -1, Kind.INT64, r -> null));
      AggregateNode node = node(List.of(keyColumn), aggs);
      List<HashAggregationOperator> ops = new ArrayList<>();
      Random random = new Random(9);
      try {
        for (int p = 0; p < 3; p++) {
          ops.add(new HashAggregationOperator(node, allocator));
        }
        long before = ops.get(0).retainedBytes();
        int pageRows = 5000;
        for (int start = 0; start < 2 * groups; start += pageRows) {
          VectorSchemaRoot root = VectorSchemaRoot.create(INPUT, allocator);
          root.allocateNew();
          for (int i = 0; i < pageRows; i++) {
            long key = (start + i) % groups;
            Values.set(root.getVector(1), i, key);
            Values.set(root.getVector(8), i, key);
            Values.set(root.getVector(12), i, "k" + key);
          }
          for (FieldVector v : root.getFieldVectors()) {
            v.setValueCount(pageRows);
          }
          root.setRowCount(pageRows);
          ops.get(random.nextInt(3)).addInput(Page.of(root));
        }
        assertThat(ops.get(0).retainedBytes()).isGreaterThan(before + 8L * groups / 3);
        ops.get(0).mergeFrom(ops.get(1));
        ops.get(0).mergeFrom(ops.get(2));
        Map<List<Object>, List<Object>> result = output(ops.get(0), 1);
        assertThat(result).hasSize(groups);
        for (long key = 0; key < groups; key++) {
          Object k = keyColumn == 1 ? (Object) key : "k" + key;
          assertThat(result.get(List.of(k))).isEqualTo(List.of(2L, 2 * key, "k" + key, 1L));
        }
      } finally {
        ops.forEach(HashAggregationOperator::close);
      }
    }
  }

  @Test
  void singleValueMergesOneRowPerGroupAndFailsOnTwo() {
    List<Agg> aggs =
        List.of(agg(AggregateFunction.SINGLE_VALUE, 12, false, -1, Kind.UTF8, r -> null));
    AggregateNode node = node(List.of(0), aggs);
    HashAggregationOperator a = new HashAggregationOperator(node, allocator);
    HashAggregationOperator b = new HashAggregationOperator(node, allocator);
    HashAggregationOperator c = new HashAggregationOperator(node, allocator);
    try {
      Random random = new Random(10);
      Object[] one = new Object[16];
      one[0] = 1L;
      one[12] = "x";
      Object[] two = new Object[16];
      two[0] = 2L;
      two[12] = "y";
      a.addInput(page(List.<Object[]>of(one), random));
      b.addInput(page(List.<Object[]>of(two), random));
      c.addInput(page(List.<Object[]>of(two), random));
      a.mergeFrom(b);
      assertThatThrownBy(() -> a.mergeFrom(c))
          .isInstanceOf(OxbowException.class)
          .hasMessageContaining("A scalar subquery returned more than one row");
      assertThat(output(b, 1)).isEqualTo(Map.of(List.of(2L), List.of("y")));
    } finally {
      a.close();
      b.close();
      c.close();
    }
  }

  @Test
  void emptyInputMergedIsOneRowWithoutKeys() {
    List<Agg> aggs = aggregates();
    AggregateNode node = node(List.of(), aggs);
    HashAggregationOperator a = new HashAggregationOperator(node, allocator);
    HashAggregationOperator b = new HashAggregationOperator(node, allocator);
    a.mergeFrom(b);
    b.close();
    assertSameResults(output(a, 0), bruteForce(List.of(), List.of(), aggs), aggs);
    a.close();
  }
}
