package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hash join under a memory limit: a build side of a million rows (long and string keys, many
 * duplicates, NULL keys) that does not fit the limit spills (a grace hash join) and every join type
 * still returns exactly the rows a brute-force join over the same generated values gives, serially
 * and with parallel probe workers; the join's hash index counts against the limit; a join that
 * cannot fit fails with the limit named; spill files are gone and nothing leaks afterwards, also
 * after cancellation and an early close.
 */
class TestJoinSpill extends EngineTesting {
  private static final int BUILD_ROWS = 1_000_000;
  private static final int PROBE_ROWS = 300_000;
  private static final int BUILD_KEYS = 500_000;
  private static final int PROBE_KEYS = 700_000;

  /** A key that a thousandth of the build rows share (long chains). */
  private static final int HOT_KEY = 4242;

  // both sides: 0 key BIGINT, 1 skey VARCHAR ("key-" + key), 2 id BIGINT
  private static final Schema BUILD = schema("bk", Kind.INT64, "bs", Kind.UTF8, "bid", Kind.INT64);
  private static final Schema PROBE = schema("pk", Kind.INT64, "ps", Kind.UTF8, "pid", Kind.INT64);

  private Path spillRoot;

  @BeforeEach
  void createSpillRoot() throws IOException {
    spillRoot = Files.createTempDirectory("test-join-spill");
  }

  @AfterEach
  void deleteSpillRoot() throws IOException {
    try (Stream<Path> left = Files.walk(spillRoot)) {
      for (Path p : left.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private List<Path> spillRootEntries() {
    try (Stream<Path> entries = Files.list(spillRoot)) {
      return entries.toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static long mix(long x) {
    x += 0x9E3779B97F4A7C15L;
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }

  /** The key of build row {@code i}, or -1 for NULL. */
  static long buildKey(long i) {
    long h = mix(i);
    if (h % 53 == 0) {
      return -1;
    }
    return i % 1000 == 7 ? HOT_KEY : Math.floorMod(h >>> 8, BUILD_KEYS);
  }

  /** The key of probe row {@code j}, or -1 for NULL. */
  static long probeKey(long j) {
    long h = mix(j + 77_777_777L);
    if (h % 41 == 0) {
      return -1;
    }
    return Math.floorMod(h >>> 8, PROBE_KEYS);
  }

  /** All build rows share one key. */
  static long sameKey(long i) {
    return 9;
  }

  @FunctionalInterface
  interface Keys {
    long key(long row);
  }

  record Range(int from, int to) implements ConnectorSplit {}

  record Generated(String table) implements ConnectorTableHandle {
    @Override
    public io.oxbow.spi.connector.SchemaTableName name() {
      return new io.oxbow.spi.connector.SchemaTableName("gen", table);
    }
  }

  /** A scan of {@code rows} generated rows (key, "key-" + key, row id), 64K rows a split. */
  private static ScanNode scan(String name, Schema schema, int rows, Keys keys) {
    List<ConnectorSplit> splits = new ArrayList<>();
    for (int from = 0; from < rows; from += 65_536) {
      splits.add(new Range(from, Math.min(rows, from + 65_536)));
    }
    ConnectorPageSourceProvider provider =
        (ConnectorTableHandle table,
            ConnectorSplit split,
            List<String> columns,
            BufferAllocator allocator) ->
            new ConnectorPageSource() {
              int next = ((Range) split).from();

              @Override
              public VectorSchemaRoot nextBatch() {
                int to = ((Range) split).to();
                if (next >= to) {
                  return null;
                }
                int n = Math.min(4096, to - next);
                VectorSchemaRoot out = VectorSchemaRoot.create(schema, allocator);
                try {
                  BigIntVector k = (BigIntVector) out.getVector(0);
                  VarCharVector s = (VarCharVector) out.getVector(1);
                  BigIntVector id = (BigIntVector) out.getVector(2);
                  out.allocateNew();
                  for (int r = 0; r < n; r++) {
                    int i = next + r;
                    long key = keys.key(i);
                    if (key >= 0) {
                      k.setSafe(r, key);
                      s.setSafe(r, ("key-" + key).getBytes(StandardCharsets.UTF_8));
                    }
                    id.setSafe(r, i);
                  }
                  out.setRowCount(n);
                } catch (RuntimeException e) {
                  out.close();
                  throw e;
                }
                next += n;
                return out;
              }

              @Override
              public long completedBytes() {
                return 0;
              }

              @Override
              public void close() {}
            };
    return new ScanNode(
        "gen",
        new Generated(name),
        schema.getFields().stream().map(Field::getName).toList(),
        t -> splits,
        provider,
        schema);
  }

  /** {@code bid > pid}: over the join's columns (probe 0..2, build 3..5). */
  private static final Expr BID_GREATER_THAN_PID =
      call(ScalarFunction.GREATER_THAN, Kind.BOOL, col(5, Kind.INT64), col(2, Kind.INT64));

  private static JoinNode join(JoinType type, boolean stringKeys, Expr residual, Keys buildKeys) {
    List<Field> fields = new ArrayList<>();
    if (!type.outputsBuildRows()) {
      fields.addAll(PROBE.getFields());
    }
    if (type != JoinType.SEMI && type != JoinType.ANTI) {
      fields.addAll(BUILD.getFields());
    }
    int key = stringKeys ? 1 : 0;
    return new JoinNode(
        scan("probe", PROBE, PROBE_ROWS, TestJoinSpill::probeKey),
        scan("build", BUILD, BUILD_ROWS, buildKeys),
        type,
        List.of(key),
        List.of(key),
        residual,
        new Schema(fields));
  }

  /** One output row as a long: (probe id + 1) << 21 | (build id + 1), 0 for a NULL side. */
  private static long code(long pid, long bid) {
    return ((pid + 1) << 21) | (bid + 1);
  }

  /** The join by brute force over the generated values, as sorted row codes. */
  private static long[] expected(JoinType type, boolean residual) {
    // build ids grouped by key (counting sort)
    int[] start = new int[BUILD_KEYS + 1];
    for (int i = 0; i < BUILD_ROWS; i++) {
      long k = buildKey(i);
      if (k >= 0) {
        start[(int) k + 1]++;
      }
    }
    for (int k = 0; k < BUILD_KEYS; k++) {
      start[k + 1] += start[k];
    }
    int[] ids = new int[start[BUILD_KEYS]];
    int[] fill = Arrays.copyOf(start, BUILD_KEYS);
    for (int i = 0; i < BUILD_ROWS; i++) {
      long k = buildKey(i);
      if (k >= 0) {
        ids[fill[(int) k]++] = i;
      }
    }
    boolean[] buildMatched = new boolean[BUILD_ROWS];
    long[] out = new long[1 << 20];
    int n = 0;
    for (int j = 0; j < PROBE_ROWS; j++) {
      long k = probeKey(j);
      boolean any = false;
      if (k >= 0 && k < BUILD_KEYS) {
        for (int at = start[(int) k]; at < start[(int) k + 1]; at++) {
          int bid = ids[at];
          if (residual && !(bid > j)) {
            continue;
          }
          any = true;
          buildMatched[bid] = true;
          if (type != JoinType.SEMI && type != JoinType.ANTI && !type.outputsBuildRows()) {
            out = grow(out, n);
            out[n++] = code(j, bid);
          }
        }
      }
      boolean unmatchedRow =
          (type == JoinType.SEMI && any)
              || (!any
                  && (type == JoinType.ANTI || type == JoinType.LEFT || type == JoinType.FULL));
      if (unmatchedRow) {
        out = grow(out, n);
        out[n++] = code(j, -1);
      }
    }
    if (type.outputsBuildRows()) {
      for (int bid = 0; bid < BUILD_ROWS; bid++) {
        if (buildMatched[bid] == (type == JoinType.RIGHT_SEMI)) {
          out = grow(out, n);
          out[n++] = code(-1, bid);
        }
      }
    }
    if (type == JoinType.RIGHT || type == JoinType.FULL) {
      for (int bid = 0; bid < BUILD_ROWS; bid++) {
        if (!buildMatched[bid]) {
          out = grow(out, n);
          out[n++] = code(-1, bid);
        }
      }
    }
    long[] result = Arrays.copyOf(out, n);
    Arrays.sort(result);
    return result;
  }

  private static long[] grow(long[] a, int n) {
    return n < a.length ? a : Arrays.copyOf(a, a.length * 2);
  }

  private static void checkColumns(
      VectorSchemaRoot batch, int r, int keyAt, int idAt, boolean build) throws AssertionError {
    BigIntVector id = (BigIntVector) batch.getVector(idAt);
    BigIntVector k = (BigIntVector) batch.getVector(keyAt);
    VarCharVector s = (VarCharVector) batch.getVector(keyAt + 1);
    if (id.isNull(r)) {
      if (!k.isNull(r) || !s.isNull(r)) {
        throw new AssertionError("row " + r + ": values on a NULL side");
      }
      return;
    }
    long expectedKey = build ? buildKey(id.get(r)) : probeKey(id.get(r));
    boolean ok =
        expectedKey < 0
            ? k.isNull(r) && s.isNull(r)
            : !k.isNull(r)
                && k.get(r) == expectedKey
                && new String(s.get(r), StandardCharsets.UTF_8).equals("key-" + expectedKey);
    if (!ok) {
      throw new AssertionError(
          (build ? "build" : "probe") + " row " + id.get(r) + " has other key values");
    }
  }

  /** Runs {@code plan} and returns its rows as sorted codes, checking every row's columns. */
  private long[] run(JoinNode plan, ExecutionContext context) {
    return run(plan, context, true);
  }

  /** {@link #run(JoinNode, ExecutionContext)}, checking the key columns or not. */
  private long[] run(JoinNode plan, ExecutionContext context, boolean checkKeys) {
    boolean buildOnly = plan.type().outputsBuildRows();
    boolean pairs = plan.type() != JoinType.SEMI && plan.type() != JoinType.ANTI && !buildOnly;
    long[] codes = new long[1 << 20];
    int n = 0;
    try (ResultStream stream = Executor.execute(plan, context)) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          BigIntVector pid = buildOnly ? null : (BigIntVector) batch.getVector(2);
          BigIntVector bid =
              pairs
                  ? (BigIntVector) batch.getVector(5)
                  : buildOnly ? (BigIntVector) batch.getVector(2) : null;
          for (int r = 0; r < batch.getRowCount(); r++) {
            if (checkKeys) {
              checkColumns(batch, r, 0, 2, buildOnly);
            }
            if (pairs && checkKeys) {
              checkColumns(batch, r, 3, 5, true);
            }
            codes = grow(codes, n);
            codes[n++] =
                code(
                    pid == null || pid.isNull(r) ? -1 : pid.get(r),
                    bid == null || bid.isNull(r) ? -1 : bid.get(r));
          }
        }
      }
    }
    long[] result = Arrays.copyOf(codes, n);
    Arrays.sort(result);
    return result;
  }

  private static void assertSameRows(long[] actual, long[] expected, String what) {
    if (Arrays.equals(actual, expected)) {
      return;
    }
    int i = 0;
    while (i < Math.min(actual.length, expected.length) && actual[i] == expected[i]) {
      i++;
    }
    throw new AssertionError(
        what
            + ": "
            + actual.length
            + " rows, expected "
            + expected.length
            + "; first difference at "
            + i
            + ": "
            + (i < actual.length ? decode(actual[i]) : "none")
            + " vs expected "
            + (i < expected.length ? decode(expected[i]) : "none"));
  }

  private static String decode(long code) {
    return "(probe " + ((code >>> 21) - 1) + ", build " + ((code & ((1 << 21) - 1)) - 1) + ")";
  }

  private SpillContext spill() {
    return new SpillContext(spillRoot, true, SpillContext.DEFAULT_THRESHOLD);
  }

  /** Every join type under {@code limit}: spilled, exact, nothing left behind. */
  private void spillEveryJoinType(
      boolean stringKeys, boolean residual, int parallelism, long limit) {
    for (JoinType type : JoinType.values()) {
      long[] expected = expected(type, residual);
      SpillContext spill = spill();
      long[] actual;
      try (BufferAllocator query = root.newChildAllocator("query", 0, limit)) {
        actual =
            run(
                join(
                    type,
                    stringKeys,
                    residual ? BID_GREATER_THAN_PID : null,
                    TestJoinSpill::buildKey),
                new ExecutionContext("q", query, () -> false, parallelism, spill));
        assertThat(query.getPeakMemoryAllocation()).isLessThanOrEqualTo(limit);
        assertThat(query.getAllocatedMemory()).isZero();
      }
      assertSameRows(actual, expected, type + " join");
      assertThat(spill.bytesWritten()).as("%s join spilled", type).isPositive();
      assertThat(spill.filesOpen()).isZero();
      assertThat(spillRootEntries()).isEmpty();
    }
  }

  @Test
  void everyJoinTypeOnLongKeysSpillsUnderThirtyTwoMegabytesAndStaysExact() {
    spillEveryJoinType(false, false, 1, 32 << 20);
  }

  @Test
  void everyJoinTypeOnStringKeysWithAResidualSpillsWithParallelProbesAndStaysExact() {
    spillEveryJoinType(true, true, 3, 32 << 20);
  }

  @Test
  void parallelProbesOnLongKeysShareOneSpilledBuild() {
    for (JoinType type :
        List.of(JoinType.INNER, JoinType.LEFT, JoinType.ANTI, JoinType.RIGHT_SEMI)) {
      long[] expected = expected(type, false);
      SpillContext spill = spill();
      long[] actual;
      try (BufferAllocator query = root.newChildAllocator("query", 0, 24 << 20)) {
        actual =
            run(
                join(type, false, null, TestJoinSpill::buildKey),
                new ExecutionContext("q", query, () -> false, 2, spill));
      }
      assertSameRows(actual, expected, type + " join");
      assertThat(spill.bytesWritten()).isPositive();
      assertThat(spill.filesOpen()).isZero();
      assertThat(spillRootEntries()).isEmpty();
    }
  }

  /**
   * Under 8 MB a sixteenth of the build (62K rows and their index) is still over the spill
   * threshold: its partitions are partitioned again (more than one file per partition and side,
   * which is all one level writes with one probe worker).
   */
  @Test
  void partitionsStillTooLargeArePartitionedAgain() {
    for (JoinType type : List.of(JoinType.INNER, JoinType.FULL)) {
      boolean stringKeys = type == JoinType.FULL;
      long[] expected = expected(type, true);
      SpillContext spill = spill();
      long[] actual;
      try (BufferAllocator query = root.newChildAllocator("query", 0, 8 << 20)) {
        actual =
            run(
                join(type, stringKeys, BID_GREATER_THAN_PID, TestJoinSpill::buildKey),
                new ExecutionContext("q", query, () -> false, 1, spill));
        assertThat(query.getAllocatedMemory()).isZero();
      }
      assertSameRows(actual, expected, type + " join");
      assertThat(spill.filesCreated()).isGreaterThan(2 * 16);
      assertThat(spill.filesOpen()).isZero();
      assertThat(spillRootEntries()).isEmpty();
    }
  }

  private void assertFailsNamingTheLimit(JoinNode plan, long limit, SpillContext spill) {
    assertThatThrownBy(
            () -> {
              try (BufferAllocator query = root.newChildAllocator("query", 0, limit)) {
                run(plan, new ExecutionContext("q", query, () -> false, 2, spill));
              }
            })
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining("memory limit of " + limit + " bytes");
    assertThat(spill.filesOpen()).isZero();
    assertThat(spillRootEntries()).isEmpty();
  }

  @Test
  void withoutSpillingTheSameJoinFailsNamingTheLimit() {
    assertFailsNamingTheLimit(
        join(JoinType.INNER, false, null, TestJoinSpill::buildKey),
        32 << 20,
        SpillContext.disabled());
  }

  /** A key spread over a wide range (so that the index hashes it: no dense index by value). */
  static long sparse(long key) {
    return key < 0 ? -1 : key * 1_000_003L;
  }

  /**
   * A semi join whose build side is the build keys alone (a million longs: 16 MB of Arrow buffers,
   * 32 MB at their peak while the batches are concatenated), spread so that they are hashed, under
   * a limit these fit: its index (16 bytes a hash slot, two slots a row, and a chain int a row:
   * about 36 MB) now counts too, and the query no longer fits.
   */
  @Test
  void theHashIndexCountsAgainstTheLimit() {
    JoinNode plan =
        new JoinNode(
            scan("probe", PROBE, PROBE_ROWS, j -> sparse(probeKey(j))),
            new ProjectNode(
                scan("build", BUILD, BUILD_ROWS, i -> sparse(buildKey(i))),
                List.of(col(0, Kind.INT64)),
                schema("bk", Kind.INT64)),
            JoinType.SEMI,
            List.of(0),
            List.of(0),
            null,
            PROBE);
    long limit = 44L << 20;
    assertThatThrownBy(
            () -> {
              try (BufferAllocator query = root.newChildAllocator("query", 0, limit)) {
                run(
                    plan,
                    new ExecutionContext("q", query, () -> false, 1, SpillContext.disabled()),
                    false);
              }
            })
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining("memory limit of " + limit + " bytes");
    // without a limit it runs, and the index's bytes are given back with the table
    long[] expected = expected(JoinType.SEMI, false);
    try (BufferAllocator query = root.newChildAllocator("query", 0, Long.MAX_VALUE)) {
      long[] actual =
          run(
              plan,
              new ExecutionContext("q", query, () -> false, 1, SpillContext.disabled()),
              false);
      assertSameRows(actual, expected, "SEMI join");
      assertThat(query.getPeakMemoryAllocation()).isGreaterThan(limit);
      assertThat(query.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aBuildWhoseKeysAreAllEqualCannotBeSplitAndFailsNamingTheLimit() {
    SpillContext spill = spill();
    assertFailsNamingTheLimit(
        join(JoinType.INNER, false, null, TestJoinSpill::sameKey), 16 << 20, spill);
    // partitioning could not have helped, so it was not tried
    assertThat(spill.bytesWritten()).isZero();
  }

  @Test
  void cancelWhileTheBuildSpillsLeavesNoFilesAndNoBuffers() {
    SpillContext spill = spill();
    BooleanSupplier cancelled = () -> spill.bytesWritten() > (4 << 20);
    assertThatThrownBy(
            () -> {
              try (BufferAllocator query = root.newChildAllocator("query", 0, 32 << 20)) {
                run(
                    join(JoinType.INNER, true, null, TestJoinSpill::buildKey),
                    new ExecutionContext("q", query, cancelled, 2, spill));
              }
            })
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    assertThat(spill.bytesWritten()).isPositive();
    assertThat(spill.filesOpen()).isZero();
    assertThat(spillRootEntries()).isEmpty();
  }

  @Test
  void closingAfterTheFirstBatchOfASpilledJoinLeavesNoFilesAndNoBuffers() {
    for (int parallelism : new int[] {1, 2}) {
      SpillContext spill = spill();
      try (BufferAllocator query = root.newChildAllocator("query", 0, 32 << 20);
          ResultStream stream =
              Executor.execute(
                  join(JoinType.LEFT, false, null, TestJoinSpill::buildKey),
                  new ExecutionContext("q", query, () -> false, parallelism, spill))) {
        stream.next().close();
        assertThat(spill.filesOpen()).isPositive();
      }
      assertThat(spill.filesOpen()).isZero();
      assertThat(spillRootEntries()).isEmpty();
    }
  }
}
