package io.oxbow.engine.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.ExecutionContext;
import io.oxbow.engine.plan.AggregateCall;
import io.oxbow.engine.plan.AggregateCall.AggregateFunction;
import io.oxbow.engine.plan.AggregateNode;
import io.oxbow.engine.plan.ValuesNode;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.type.Kind;
import io.oxbow.engine.type.Values;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HashAggregationOperator} under a memory limit: the heap its group table and states hold is
 * accounted on its allocator, counts against the limits above it and is given back on close.
 */
class TestAggregationSpill {
  private static final Schema INPUT =
      new Schema(List.of(Field.nullable("k", Kind.INT64), Field.nullable("s", Kind.UTF8)));
  private static final Schema OUTPUT =
      new Schema(
          List.of(
              Field.nullable("k", Kind.INT64),
              Field.nullable("c", Kind.INT64),
              Field.nullable("m", Kind.UTF8)));

  private BufferAllocator root;
  private Path spillRoot;

  @BeforeEach
  void setUp() throws IOException {
    root = new RootAllocator();
    spillRoot = Files.createTempDirectory("test-aggregation-spill");
  }

  @AfterEach
  void tearDown() throws IOException {
    root.close(); // throws on a leak, including bytes still accounted for heap
    try (Stream<Path> paths = Files.walk(spillRoot)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Files and directories left under the spill root (not counting the root itself). */
  private long leftUnderSpillRoot() throws IOException {
    try (Stream<Path> paths = Files.walk(spillRoot)) {
      return paths.count() - 1;
    }
  }

  // wide input: 0 k INT64, 1 ks UTF8, 2 d DECIMAL(15,2), 3 x INT64 (nulls), 4 s UTF8
  private static final ArrowType DEC = Kind.decimal(15, 2);
  private static final Schema WIDE =
      new Schema(
          List.of(
              Field.nullable("k", Kind.INT64),
              Field.nullable("ks", Kind.UTF8),
              Field.nullable("d", DEC),
              Field.nullable("x", Kind.INT64),
              Field.nullable("s", Kind.UTF8)));

  /**
   * Row {@code i} of {@code rows} over {@code groups} groups (each group gets rows/groups rows).
   */
  private static int group(long i, int groups) {
    return (int) ((i * 7919L) % groups);
  }

  private static long unscaled(long i) {
    return (i % 1_000_003) * 37 - 5_000_000;
  }

  private static Long x(long i) {
    return i % 11 == 0 ? null : i % 3;
  }

  private static String s(long i) {
    return "s" + (i * 31) % 100_000;
  }

  private static String ks(int g) {
    return "key-" + g;
  }

  private static Page widePage(BufferAllocator allocator, long first, int n, int groups) {
    VectorSchemaRoot batch = VectorSchemaRoot.create(WIDE, allocator);
    BigIntVector k = (BigIntVector) batch.getVector(0);
    VarCharVector ks = (VarCharVector) batch.getVector(1);
    DecimalVector d = (DecimalVector) batch.getVector(2);
    BigIntVector x = (BigIntVector) batch.getVector(3);
    VarCharVector s = (VarCharVector) batch.getVector(4);
    k.allocateNew(n);
    ks.allocateNew(n);
    d.allocateNew(n);
    x.allocateNew(n);
    s.allocateNew(n);
    for (int j = 0; j < n; j++) {
      long i = first + j;
      int g = group(i, groups);
      k.set(j, g);
      ks.setSafe(j, ks(g).getBytes(StandardCharsets.UTF_8));
      d.setSafe(j, BigDecimal.valueOf(unscaled(i), 2));
      Long xi = x(i);
      if (xi == null) {
        x.setNull(j);
      } else {
        x.set(j, xi);
      }
      s.setSafe(j, s(i).getBytes(StandardCharsets.UTF_8));
    }
    for (org.apache.arrow.vector.FieldVector v : batch.getFieldVectors()) {
      v.setValueCount(n);
    }
    batch.setRowCount(n);
    return Page.of(batch);
  }

  /**
   * GROUP BY k (or ks): SUM(d), AVG(d), COUNT(DISTINCT x), MIN(s), MAX(s), COUNT(*), SUM(d) FILTER
   * (WHERE false) is not used: the aggregates cover decimals, distinct and strings.
   */
  private static AggregateNode wideNode(boolean stringKey) {
    ArrowType keyType = stringKey ? Kind.UTF8 : Kind.INT64;
    return new AggregateNode(
        new ValuesNode(WIDE, List.of()),
        List.of(stringKey ? 1 : 0),
        List.of(
            new AggregateCall(AggregateFunction.SUM, List.of(2), false, -1, Kind.decimal(38, 2)),
            new AggregateCall(AggregateFunction.AVG, List.of(2), false, -1, Kind.decimal(38, 6)),
            new AggregateCall(AggregateFunction.COUNT, List.of(3), true, -1, Kind.INT64),
            new AggregateCall(AggregateFunction.MIN, List.of(4), false, -1, Kind.UTF8),
            new AggregateCall(AggregateFunction.MAX, List.of(4), false, -1, Kind.UTF8),
            new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64)),
        new Schema(
            List.of(
                Field.nullable("k", keyType),
                Field.nullable("sum", Kind.decimal(38, 2)),
                Field.nullable("avg", Kind.decimal(38, 6)),
                Field.nullable("cd", Kind.INT64),
                Field.nullable("mn", Kind.UTF8),
                Field.nullable("mx", Kind.UTF8),
                Field.nullable("c", Kind.INT64))));
  }

  /** The brute-force answer, per group. */
  private static final class Expected {
    final long[] sum;
    final long[] count;
    final int[] distinct;
    final long[] min;
    final long[] max;

    Expected(long rows, int groups) {
      sum = new long[groups];
      count = new long[groups];
      distinct = new int[groups];
      min = new long[groups];
      max = new long[groups];
      Arrays.fill(min, -1);
      Arrays.fill(max, -1);
      for (long i = 0; i < rows; i++) {
        int g = group(i, groups);
        sum[g] += unscaled(i);
        count[g]++;
        Long xi = x(i);
        if (xi != null) {
          distinct[g] |= 1 << xi;
        }
        if (min[g] < 0 || s(i).compareTo(s(min[g])) < 0) {
          min[g] = i;
        }
        if (max[g] < 0 || s(i).compareTo(s(max[g])) > 0) {
          max[g] = i;
        }
      }
    }

    /** Checks one output row against group {@code g}. */
    void check(int g, VectorSchemaRoot out, int row) {
      assertThat(Values.get(out.getVector(1), row)).isEqualTo(BigDecimal.valueOf(sum[g], 2));
      assertThat(Values.get(out.getVector(2), row))
          .isEqualTo(
              BigDecimal.valueOf(sum[g], 2)
                  .divide(BigDecimal.valueOf(count[g]), 6, RoundingMode.HALF_UP));
      assertThat(Values.get(out.getVector(3), row)).isEqualTo((long) Integer.bitCount(distinct[g]));
      assertThat(Values.get(out.getVector(4), row)).isEqualTo(s(min[g]));
      assertThat(Values.get(out.getVector(5), row)).isEqualTo(s(max[g]));
      assertThat(Values.get(out.getVector(6), row)).isEqualTo(count[g]);
    }
  }

  /** Feeds rows {@code [first, first + n)} in pages of 4096. */
  private static void feed(
      HashAggregationOperator op, BufferAllocator allocator, long first, long n, int groups) {
    for (long i = first; i < first + n; i += 4096) {
      op.addInput(widePage(allocator, i, (int) Math.min(4096, first + n - i), groups));
    }
  }

  /** Drains {@code op} and checks every group once against {@code expected}. */
  private static void drainAndCheck(
      HashAggregationOperator op, Expected expected, int groups, boolean stringKey) {
    op.finish();
    boolean[] seen = new boolean[groups];
    int total = 0;
    while (!op.isFinished()) {
      Page page = op.getOutput();
      if (page == null) {
        continue;
      }
      try (VectorSchemaRoot out = page.root()) {
        for (int r = 0; r < out.getRowCount(); r++) {
          Object key = Values.get(out.getVector(0), r);
          int g =
              stringKey ? Integer.parseInt(((String) key).substring(4)) : (int) (long) (Long) key;
          assertThat(seen[g]).as("group %s emitted twice", g).isFalse();
          seen[g] = true;
          total++;
          expected.check(g, out, r);
        }
      }
    }
    assertThat(total).isEqualTo(groups);
  }

  private void spillAndCheck(int groups, boolean stringKey, long limit) throws IOException {
    long rows = 2L * groups;
    Expected expected = new Expected(rows, groups);
    SpillContext spill = new SpillContext(spillRoot, true, 0.6);
    try (BufferAllocator query = root.newChildAllocator("query", 0, limit);
        BufferAllocator allocator = query.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op =
          new HashAggregationOperator(
              wideNode(stringKey),
              allocator,
              new ExecutionContext("q", query, () -> false, 1, spill));
      try {
        feed(op, allocator, 0, rows, groups);
        assertThat(op.spilled()).isTrue();
        drainAndCheck(op, expected, groups, stringKey);
        assertThat(query.getPeakMemoryAllocation()).isLessThanOrEqualTo(limit);
      } finally {
        op.close();
      }
      assertThat(query.getAllocatedMemory()).isZero();
    }
    assertThat(spill.bytesWritten()).isPositive();
    assertThat(spill.filesCreated()).isGreaterThanOrEqualTo(HashAggregationOperator.PARTITIONS);
    assertThat(spill.filesOpen()).isZero();
    assertThat(leftUnderSpillRoot()).isZero();
  }

  @Test
  void millionLongKeysSpillUnderSixteenMegabytesAndStayExact() throws IOException {
    spillAndCheck(1_000_000, false, 16 << 20);
  }

  @Test
  void millionStringKeysSpillUnderThirtyTwoMegabytesAndStayExact() throws IOException {
    spillAndCheck(1_000_000, true, 32 << 20);
  }

  @Test
  void spilledWorkersMergeTheirPartitions() throws IOException {
    int groups = 300_000;
    long rows = 2L * groups;
    Expected expected = new Expected(rows, groups);
    SpillContext spill = new SpillContext(spillRoot, true, 0.6);
    try (BufferAllocator query = root.newChildAllocator("query", 0, 12 << 20);
        BufferAllocator a = query.newChildAllocator("a", 0, Long.MAX_VALUE);
        BufferAllocator b = query.newChildAllocator("b", 0, Long.MAX_VALUE)) {
      ExecutionContext context = new ExecutionContext("q", query, () -> false, 2, spill);
      HashAggregationOperator left = new HashAggregationOperator(wideNode(false), a, context);
      HashAggregationOperator right = new HashAggregationOperator(wideNode(false), b, context);
      try {
        // the workers see the same keys: every group is in both, in memory or spilled
        for (long i = 0; i < rows; i += 4096) {
          int n = (int) Math.min(4096, rows - i);
          HashAggregationOperator op = (i / 4096) % 2 == 0 ? left : right;
          op.addInput(widePage(op == left ? a : b, i, n, groups));
        }
        assertThat(left.spilled()).isTrue();
        assertThat(right.spilled()).isTrue();
        left.mergeFrom(right);
        right.close();
        drainAndCheck(left, expected, groups, false);
      } finally {
        right.close();
        left.close();
      }
    }
    assertThat(spill.filesOpen()).isZero();
    assertThat(leftUnderSpillRoot()).isZero();
  }

  @Test
  void cancelWhileReadingPartitionsAndCloseLeaveNothing() throws IOException {
    int groups = 200_000;
    SpillContext spill = new SpillContext(spillRoot, true, 0.6);
    AtomicBoolean cancelled = new AtomicBoolean();
    try (BufferAllocator query = root.newChildAllocator("query", 0, 8 << 20);
        BufferAllocator allocator = query.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op =
          new HashAggregationOperator(
              wideNode(true),
              allocator,
              new ExecutionContext("q", query, cancelled::get, 1, spill));
      try {
        feed(op, allocator, 0, 2L * groups, groups);
        assertThat(op.spilled()).isTrue();
        assertThat(spill.filesOpen()).isPositive();
        op.finish();
        cancelled.set(true);
        assertThatThrownBy(op::getOutput)
            .isInstanceOf(OxbowException.class)
            .satisfies(e -> assertThat(((OxbowException) e).code()).isEqualTo(ErrorCode.CANCELLED));
      } finally {
        op.close();
      }
      assertThat(query.getAllocatedMemory()).isZero();
    }
    assertThat(spill.filesOpen()).isZero();
    assertThat(leftUnderSpillRoot()).isZero();
  }

  @Test
  void closeWhileSpillingInputLeavesNothing() throws IOException {
    int groups = 200_000;
    SpillContext spill = new SpillContext(spillRoot, true, 0.6);
    try (BufferAllocator query = root.newChildAllocator("query", 0, 8 << 20);
        BufferAllocator allocator = query.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op =
          new HashAggregationOperator(
              wideNode(false), allocator, new ExecutionContext("q", query, () -> false, 1, spill));
      feed(op, allocator, 0, groups, groups);
      assertThat(op.spilled()).isTrue();
      assertThat(spill.filesOpen()).isPositive();
      op.close();
      assertThat(query.getAllocatedMemory()).isZero();
    }
    assertThat(spill.filesOpen()).isZero();
    assertThat(leftUnderSpillRoot()).isZero();
  }

  @Test
  void limitTooSmallForAPartitionFailsNamingNoLeak() throws IOException {
    // 2 MB: the table is frozen early and what is left is too little to aggregate a partition
    int groups = 200_000;
    SpillContext spill = new SpillContext(spillRoot, true, 0.6);
    try (BufferAllocator query = root.newChildAllocator("query", 0, 1 << 20);
        BufferAllocator allocator = query.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op =
          new HashAggregationOperator(
              wideNode(true), allocator, new ExecutionContext("q", query, () -> false, 1, spill));
      try {
        assertThatThrownBy(
                () -> {
                  feed(op, allocator, 0, 2L * groups, groups);
                  op.finish();
                  while (!op.isFinished()) {
                    Page page = op.getOutput();
                    if (page != null) {
                      page.close();
                    }
                  }
                })
            .isInstanceOf(OutOfMemoryException.class)
            .hasMessageContaining("Hash aggregation");
      } finally {
        op.close();
      }
      assertThat(query.getAllocatedMemory()).isZero();
    }
    assertThat(spill.filesOpen()).isZero();
    assertThat(leftUnderSpillRoot()).isZero();
  }

  /** GROUP BY k: COUNT(*), MAX(s). */
  private static AggregateNode node() {
    return new AggregateNode(
        new ValuesNode(INPUT, List.of()),
        List.of(0),
        List.of(
            new AggregateCall(AggregateFunction.COUNT_STAR, List.of(), false, -1, Kind.INT64),
            new AggregateCall(AggregateFunction.MAX, List.of(1), false, -1, Kind.UTF8)),
        OUTPUT);
  }

  /** Rows {@code [first, first + n)}: key {@code row % groups}, string {@code "v" + row}. */
  private static Page page(BufferAllocator allocator, int first, int n, int groups) {
    VectorSchemaRoot batch = VectorSchemaRoot.create(INPUT, allocator);
    BigIntVector k = (BigIntVector) batch.getVector(0);
    VarCharVector s = (VarCharVector) batch.getVector(1);
    k.allocateNew(n);
    s.allocateNew(n);
    for (int i = 0; i < n; i++) {
      k.set(i, (first + i) % groups);
      s.setSafe(i, ("v" + (first + i)).getBytes(StandardCharsets.UTF_8));
    }
    batch.setRowCount(n);
    return Page.of(batch);
  }

  @Test
  void heapOfTheTableIsAccountedOnTheAllocatorAndReleasedOnClose() {
    int rows = 200_000;
    int groups = 50_000;
    try (BufferAllocator allocator = root.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op = new HashAggregationOperator(node(), allocator);
      try {
        long before = allocator.getAllocatedMemory();
        for (int first = 0; first < rows; first += 4096) {
          op.addInput(page(allocator, first, Math.min(4096, rows - first), groups));
        }
        assertThat(op.accountedBytes()).isEqualTo(op.retainedBytes());
        // at least a long key, a count and a string reference per group
        assertThat(op.accountedBytes()).isGreaterThan(20L * groups);
        assertThat(allocator.getAllocatedMemory() - before).isEqualTo(op.accountedBytes());
        assertThat(root.getAllocatedMemory()).isEqualTo(allocator.getAllocatedMemory());
        op.finish();
        Map<Long, long[]> seen = new HashMap<>();
        Page out;
        while (!op.isFinished()) {
          if ((out = op.getOutput()) == null) {
            continue;
          }
          try (VectorSchemaRoot batch = out.root()) {
            BigIntVector k = (BigIntVector) batch.getVector(0);
            BigIntVector c = (BigIntVector) batch.getVector(1);
            VarCharVector m = (VarCharVector) batch.getVector(2);
            for (int i = 0; i < batch.getRowCount(); i++) {
              String max = new String(m.get(i), StandardCharsets.UTF_8);
              assertThat(
                      seen.put(k.get(i), new long[] {c.get(i), Long.parseLong(max.substring(1))}))
                  .isNull();
            }
          }
        }
        assertThat(seen).hasSize(groups);
        for (Map.Entry<Long, long[]> e : seen.entrySet()) {
          long key = e.getKey();
          assertThat(e.getValue()[0]).isEqualTo(rows / groups);
          // the greatest "v<row>" string among rows key, key + groups, ..: compare as strings
          String best = null;
          for (long r = key; r < rows; r += groups) {
            String v = "v" + r;
            best = best == null || v.compareTo(best) > 0 ? v : best;
          }
          assertThat("v" + e.getValue()[1]).isEqualTo(best);
        }
      } finally {
        op.close();
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void tableOverTheLimitThrowsArrowOutOfMemoryAndLeaksNothing() {
    try (BufferAllocator query = root.newChildAllocator("query", 0, 2_000_000);
        BufferAllocator allocator = query.newChildAllocator("agg", 0, Long.MAX_VALUE)) {
      HashAggregationOperator op = new HashAggregationOperator(node(), allocator);
      try {
        assertThatThrownBy(
                () -> {
                  for (int first = 0; first < 1_000_000; first += 4096) {
                    op.addInput(page(allocator, first, 4096, Integer.MAX_VALUE));
                  }
                })
            .isInstanceOf(OutOfMemoryException.class)
            .hasMessageContaining("Hash aggregation needs");
        assertThat(query.getAllocatedMemory()).isLessThanOrEqualTo(2_000_000);
      } finally {
        op.close();
      }
      assertThat(query.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void mergeKeepsOnlyTheMergedTableAccounted() {
    try (BufferAllocator a = root.newChildAllocator("a", 0, Long.MAX_VALUE);
        BufferAllocator b = root.newChildAllocator("b", 0, Long.MAX_VALUE)) {
      HashAggregationOperator left = new HashAggregationOperator(node(), a);
      HashAggregationOperator right = new HashAggregationOperator(node(), b);
      try {
        left.addInput(page(a, 0, 4096, 3000));
        right.addInput(page(b, 4096, 4096, 6000));
        assertThat(b.getAllocatedMemory()).isPositive();
        left.mergeFrom(right);
        assertThat(b.getAllocatedMemory()).isZero();
        assertThat(a.getAllocatedMemory()).isEqualTo(left.retainedBytes());
      } finally {
        right.close();
        left.close();
      }
    }
  }
}
