package io.oxbow.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.plan.ScanNode;
import io.oxbow.engine.plan.SortKey;
import io.oxbow.engine.plan.SortNode;
import io.oxbow.engine.spill.SpillContext;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplit;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The external sort: generated rows of several types sorted under small memory limits, checked row
 * by row against a stable Java sort of the same rows, with spill files counted and gone afterwards.
 * One thread per query: ties keep the order of a serial scan, and the whole limit goes to the sort.
 */
class TestSortSpill extends EngineTesting {
  private static final int ID = 0;
  private static final int K = 1;
  private static final int DEC = 2;
  private static final int S = 3;
  private static final int D = 4;
  private static final Schema SCHEMA =
      schema(
          "id",
          Kind.INT64,
          "k",
          Kind.INT64,
          "dec",
          Kind.decimal(15, 2),
          "s",
          Kind.UTF8,
          "d",
          Kind.DATE_DAY);

  private Path spillRoot;

  @BeforeEach
  void createSpillRoot() throws IOException {
    spillRoot = Files.createTempDirectory("test-sort-spill");
  }

  @AfterEach
  void deleteSpillRoot() throws IOException {
    try (Stream<Path> left = Files.walk(spillRoot)) {
      List<Path> paths = left.sorted(Comparator.reverseOrder()).toList();
      for (Path p : paths) {
        Files.delete(p);
      }
    }
  }

  /** Row {@code i}'s values, a pure function of {@code i}: keys with many ties, some nulls. */
  private static final class Rows {
    final int count;
    final long[] k;
    final boolean[] kNull;
    final long[] dec;
    final boolean[] decNull;
    final String[] s;
    final int[] d;
    final boolean[] dNull;

    Rows(int count) {
      this.count = count;
      k = new long[count];
      kNull = new boolean[count];
      dec = new long[count];
      decNull = new boolean[count];
      s = new String[count];
      d = new int[count];
      dNull = new boolean[count];
      for (int i = 0; i < count; i++) {
        long h = mix(i);
        kNull[i] = (h & 31) == 0;
        k[i] = Math.floorMod(h >>> 8, 200) - 100;
        decNull[i] = ((h >>> 16) & 63) == 1;
        dec[i] = Math.floorMod(h >>> 20, 2_000_000) - 1_000_000;
        s[i] =
            ((h >>> 28) & 63) == 2
                ? null
                : "v" + Math.floorMod(h >>> 32, 5000) + "x".repeat((int) ((h >>> 44) % 20));
        dNull[i] = ((h >>> 48) & 127) == 3;
        d[i] = (int) Math.floorMod(h >>> 50, 3000) - 1000;
      }
    }

    private static long mix(long x) {
      x += 0x9E3779B97F4A7C15L;
      x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
      x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
      return x ^ (x >>> 31);
    }

    /** Whether row {@code r} of {@code batch} holds row {@code i}'s values. */
    boolean matches(VectorSchemaRoot batch, int r, int i) {
      BigIntVector kv = (BigIntVector) batch.getVector(K);
      DecimalVector decv = (DecimalVector) batch.getVector(DEC);
      VarCharVector sv = (VarCharVector) batch.getVector(S);
      DateDayVector dv = (DateDayVector) batch.getVector(D);
      return kv.isNull(r) == kNull[i]
          && (kNull[i] || kv.get(r) == k[i])
          && decv.isNull(r) == decNull[i]
          && (decNull[i] || decv.getObject(r).equals(BigDecimal.valueOf(dec[i], 2)))
          && sv.isNull(r) == (s[i] == null)
          && (s[i] == null || new String(sv.get(r), StandardCharsets.UTF_8).equals(s[i]))
          && dv.isNull(r) == dNull[i]
          && (dNull[i] || dv.get(r) == d[i]);
    }

    boolean isNull(int i, int c) {
      return switch (c) {
        case K -> kNull[i];
        case DEC -> decNull[i];
        case S -> s[i] == null;
        case D -> dNull[i];
        default -> false;
      };
    }

    /** Row ids in the order a stable sort by {@code keys} puts them. */
    int[] expectedOrder(List<SortKey> keys) {
      Integer[] ids = new Integer[count];
      for (int i = 0; i < count; i++) {
        ids[i] = i;
      }
      Arrays.sort(ids, (a, b) -> compare(keys, a, b)); // stable
      return Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
    }

    private int compare(List<SortKey> keys, int a, int b) {
      for (SortKey key : keys) {
        int c = key.column();
        boolean na = isNull(a, c);
        boolean nb = isNull(b, c);
        int r;
        if (na || nb) {
          r = na && nb ? 0 : na == key.nullsFirst() ? -1 : 1;
        } else {
          r =
              switch (c) {
                case K -> Long.compare(k[a], k[b]);
                case DEC -> Long.compare(dec[a], dec[b]);
                case S -> s[a].compareTo(s[b]); // ASCII: code point order
                case D -> Integer.compare(d[a], d[b]);
                default -> Integer.compare(a, b);
              };
          r = key.ascending() ? r : -r;
        }
        if (r != 0) {
          return r;
        }
      }
      return 0;
    }
  }

  record Range(int from, int to) implements ConnectorSplit {}

  /** A scan over {@link Rows}: one split per 64K rows, batches of 4096 rows built from arrays. */
  private static ScanNode scan(Rows rows) {
    List<ConnectorSplit> splits = new ArrayList<>();
    for (int from = 0; from < rows.count; from += 65_536) {
      splits.add(new Range(from, Math.min(rows.count, from + 65_536)));
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
                VectorSchemaRoot out = VectorSchemaRoot.create(SCHEMA, allocator);
                try {
                  fill(out, n);
                } catch (RuntimeException e) {
                  out.close();
                  throw e;
                }
                next += n;
                return out;
              }

              private void fill(VectorSchemaRoot out, int n) {
                BigIntVector id = (BigIntVector) out.getVector(ID);
                BigIntVector k = (BigIntVector) out.getVector(K);
                DecimalVector dec = (DecimalVector) out.getVector(DEC);
                VarCharVector s = (VarCharVector) out.getVector(S);
                DateDayVector d = (DateDayVector) out.getVector(D);
                out.allocateNew();
                for (int r = 0; r < n; r++) {
                  int i = next + r;
                  id.setSafe(r, i);
                  if (!rows.kNull[i]) {
                    k.setSafe(r, rows.k[i]);
                  }
                  if (!rows.decNull[i]) {
                    dec.setSafe(r, rows.dec[i]);
                  }
                  if (rows.s[i] != null) {
                    s.setSafe(r, rows.s[i].getBytes(StandardCharsets.UTF_8));
                  }
                  if (!rows.dNull[i]) {
                    d.setSafe(r, rows.d[i]);
                  }
                }
                out.setRowCount(n);
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
        new MemoryTable("t"),
        List.of("id", "k", "dec", "s", "d"),
        t -> splits,
        provider,
        SCHEMA);
  }

  private SpillContext spill() {
    return new SpillContext(spillRoot, true, SpillContext.DEFAULT_THRESHOLD);
  }

  /**
   * Sorts {@code rows} by {@code keys} under {@code limit}, checks every output row against the
   * Java sort and returns the spill counters.
   */
  private SpillContext sortAndCheck(Rows rows, List<SortKey> keys, long limit) {
    int[] expected = rows.expectedOrder(keys);
    SpillContext spill = spill();
    int position = 0;
    try (BufferAllocator query = root.newChildAllocator("query", 0, limit);
        ResultStream stream =
            Executor.execute(
                new SortNode(scan(rows), keys),
                new ExecutionContext("q", query, () -> false, 1, spill))) {
      VectorSchemaRoot next;
      while ((next = stream.next()) != null) {
        try (VectorSchemaRoot batch = next) {
          assertThat(batch.getRowCount()).isBetween(1, 4096);
          for (int r = 0; r < batch.getRowCount(); r++, position++) {
            int id = (int) ((BigIntVector) batch.getVector(ID)).get(r);
            if (id != expected[position]) {
              throw new AssertionError(
                  "row " + position + ": id " + id + ", expected " + expected[position]);
            }
            if (!rows.matches(batch, r, id)) {
              throw new AssertionError("row " + position + " (id " + id + ") has other values");
            }
          }
        }
      }
    }
    assertThat(position).isEqualTo(rows.count);
    assertThat(spill.filesOpen()).isZero();
    assertThat(spillRootEntries()).isEmpty();
    return spill;
  }

  private List<Path> spillRootEntries() {
    try (Stream<Path> entries = Files.list(spillRoot)) {
      return entries.toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void spilledSortOfAMillionRowsMatchesAStableSort() {
    Rows rows = new Rows(1_000_000);
    SpillContext spill =
        sortAndCheck(
            rows, List.of(new SortKey(K, false, true), new SortKey(S, true, false)), 16 << 20);
    assertThat(spill.filesCreated()).isGreaterThan(1);
    assertThat(spill.bytesWritten()).isGreaterThan(10L << 20);
  }

  @Test
  void decimalsAndDatesWithTiesKeepInputOrderAcrossRuns() {
    Rows rows = new Rows(500_000);
    SpillContext spill =
        sortAndCheck(
            rows, List.of(new SortKey(D, false, false), new SortKey(DEC, true, true)), 4 << 20);
    assertThat(spill.filesCreated()).isGreaterThan(1);
  }

  @Test
  void manyRunsUnderATinyLimitAreMergedInSeveralPasses() {
    Rows rows = new Rows(1_000_000);
    SpillContext spill = sortAndCheck(rows, List.of(new SortKey(S, false, true)), 3 << 20);
    // more runs than one merge can hold a batch of: intermediate merges wrote runs of their own
    assertThat(spill.filesCreated()).isGreaterThan(20);
  }

  @Test
  void withoutALimitNothingSpills() {
    Rows rows = new Rows(50_000);
    SpillContext spill = sortAndCheck(rows, List.of(new SortKey(K, true, false)), Long.MAX_VALUE);
    assertThat(spill.filesCreated()).isZero();
  }

  @Test
  void closingMidMergeDeletesTheRunsAndReleasesMemory() {
    Rows rows = new Rows(300_000);
    SpillContext spill = spill();
    try (BufferAllocator query = root.newChildAllocator("query", 0, 8 << 20)) {
      ResultStream stream =
          Executor.execute(
              new SortNode(scan(rows), List.of(new SortKey(S, true, false))),
              new ExecutionContext("q", query, () -> false, 1, spill));
      stream.next().close();
      stream.next().close();
      assertThat(spill.filesOpen()).isGreaterThan(0);
      assertThat(spillRootEntries()).isNotEmpty();
      stream.close();
      assertThat(query.getAllocatedMemory()).isZero();
    }
    assertThat(spill.filesOpen()).isZero();
    assertThat(spillRootEntries()).isEmpty();
  }

  @Test
  void cancellingWhileSpillingOrMergingLeavesNoFiles() {
    Rows rows = new Rows(300_000);
    for (boolean duringMerge : new boolean[] {false, true}) {
      SpillContext spill = spill();
      AtomicBoolean cancelled = new AtomicBoolean();
      try (BufferAllocator query = root.newChildAllocator("query", 0, 8 << 20)) {
        assertThatThrownBy(
                () -> {
                  try (ResultStream stream =
                      Executor.execute(
                          new SortNode(scan(rows), List.of(new SortKey(K, true, false))),
                          new ExecutionContext(
                              "q",
                              query,
                              () -> cancelled.get() || !duringMerge && spill.filesCreated() > 0,
                              1,
                              spill))) {
                    stream.next().close();
                    cancelled.set(true);
                    stream.next().close();
                  }
                })
            .isInstanceOfSatisfying(
                OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        assertThat(query.getAllocatedMemory()).isZero();
      }
      assertThat(spill.filesCreated()).isGreaterThan(0);
      assertThat(spill.filesOpen()).isZero();
      assertThat(spillRootEntries()).isEmpty();
    }
  }

  @Test
  void aBatchTooLargeToSortWithinTheLimitIsResourceExhaustedNamingTheLimit() {
    // one 4096-row batch of ~300-byte strings: holding it and copying it out passes 1 MB
    List<List<Object>> wide = new ArrayList<>();
    for (long i = 0; i < 4096; i++) {
      wide.add(row(i, "w".repeat(300) + i));
    }
    SpillContext spill = spill();
    assertThatThrownBy(
            () -> {
              try (BufferAllocator query = root.newChildAllocator("query", 0, 1_000_000);
                  ResultStream stream =
                      Executor.execute(
                          new SortNode(
                              new io.oxbow.engine.plan.ValuesNode(
                                  schema("x", Kind.INT64, "s", Kind.UTF8), wide),
                              List.of(new SortKey(0, false, false))),
                          new ExecutionContext("q", query, () -> false, 1, spill))) {
                while (true) {
                  VectorSchemaRoot batch = stream.next();
                  if (batch == null) {
                    break;
                  }
                  batch.close();
                }
              }
            })
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining("memory limit of 1000000 bytes");
    assertThat(spill.filesOpen()).isZero();
    assertThat(spillRootEntries()).isEmpty();
  }

  @Test
  void withSpillingDisabledTheLimitStillFailsTheQueryCleanly() {
    Rows rows = new Rows(200_000);
    assertThatThrownBy(
            () -> {
              try (BufferAllocator query = root.newChildAllocator("query", 0, 4 << 20);
                  ResultStream stream =
                      Executor.execute(
                          new SortNode(scan(rows), List.of(new SortKey(K, true, false))),
                          new ExecutionContext(
                              "q", query, () -> false, 1, SpillContext.disabled()))) {
                stream.next().close();
              }
            })
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining("memory limit of " + (4 << 20) + " bytes");
  }

  @Test
  void aSpillDirectoryThatCannotBeCreatedIsNamedInTheError() throws IOException {
    Path notADirectory = Files.createFile(spillRoot.resolve("file"));
    Rows rows = new Rows(200_000);
    assertThatThrownBy(
            () -> {
              try (BufferAllocator query = root.newChildAllocator("query", 0, 4 << 20);
                  ResultStream stream =
                      Executor.execute(
                          new SortNode(scan(rows), List.of(new SortKey(K, true, false))),
                          new ExecutionContext(
                              "q",
                              query,
                              () -> false,
                              1,
                              new SpillContext(notADirectory.resolve("spill"), true, 0.6)))) {
                stream.next().close();
              }
            })
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining("Cannot create a spill directory under " + notADirectory);
  }
}
