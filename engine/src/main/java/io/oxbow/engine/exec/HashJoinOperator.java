package io.oxbow.engine.exec;

import io.oxbow.engine.OperatorStats;
import io.oxbow.engine.eval.Evaluator;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The probe side of a hash join. The build side (the plan's right input) is built once into a
 * {@link JoinTable} shared through a {@link JoinBridge}; several instances (one per worker thread)
 * may probe the same table. For each probe page (the left input) the keys of all rows are hashed
 * and looked up at once; (probe row, build row) candidate pairs are then collected into int arrays
 * a bounded batch at a time, the residual condition is evaluated over each batch, and output
 * columns are assembled with typed gathers. A page with many matches is emitted over several {@link
 * #getOutput()} calls, so output pages stay bounded. When the build keys are unique and there is no
 * residual, a probe page of at most one output page's rows is joined at once without copying its
 * columns: the build columns are gathered at the matching rows' positions and a selection vector
 * picks the output rows. Without keys every build row is a candidate, which makes this a
 * nested-loop join for cross and non-equi joins.
 *
 * <p>RIGHT and FULL joins remember which build rows matched in this instance (a bitset over build
 * row numbers) and emit the others at the end, so they must run with a single probe instance.
 * RIGHT_SEMI and RIGHT_ANTI joins output nothing while probing: each instance marks the build rows
 * it matched, hands its marks to the bridge when its input ends, and the last instance to do so
 * emits the build rows matched by any (RIGHT_SEMI) or by none (RIGHT_ANTI), so they run with any
 * number of probe instances.
 *
 * <p>When the bridge's build side spilled (see {@link JoinBridge}), the table holds the build rows
 * of the partitions that stayed in memory. This operator computes each probe row's partition (by
 * the same key hash as the build rows): rows of partitions on disk go to spill files of its own,
 * the others (and rows with a NULL key, which match nothing) are joined with the table as above.
 * Once its input is done and all of that is emitted, it hands its partitions to the bridge; the
 * last of the bridge's probe operators to do so gets the join of the partitions on disk (its own
 * and the other workers' probe rows), runs it on its own thread and emits its output; the others
 * are finished. So the join of spilled partitions runs on one thread.
 */
final class HashJoinOperator implements Operator {
  private static final int OUTPUT_ROWS = 4096;

  private final JoinNode node;
  private final JoinBridge bridge;
  private final Evaluator residual;
  private final BufferAllocator allocator;
  private final Schema pairSchema;
  private final int leftWidth;
  private final JoinType type;
  private final boolean buildOutput;
  private final Deque<Page> output = new ArrayDeque<>();
  private final int[] pairProbe = new int[OUTPUT_ROWS];
  private final int[] pairBuild = new int[OUTPUT_ROWS];
  private final int[] pairPosition = new int[OUTPUT_ROWS];
  private JoinTable table;
  private JoinTable.Prober prober;
  private long[] matchedBuild;
  private boolean released;
  private boolean finishing;
  private int unmatchedBuildCursor;
  // RIGHT_SEMI and RIGHT_ANTI: whether this instance handed its marks to the bridge
  private boolean marksHanded;

  // the probe page being joined, and where in it the next output page starts
  private Page current;
  private int[] heads = new int[0];
  private boolean[] matched = new boolean[0];
  private int cursor;
  private int chainRow;

  // whether the probe pages of this schema have the plan's column types
  private Schema checkedSchema;
  private boolean sameProbeTypes;

  // a spilled build: the partitions on disk, this operator's probe partitions until it hands them
  // to the bridge, then (for the last one) the join of the partitions on disk
  private boolean[] onDisk;
  private JoinPartitions probePartitions;
  private JoinKeys.Side probeKeys;
  private Schema probeKeysSchema;
  private boolean handedOver;
  private PartitionedJoin partitionedJoin;

  HashJoinOperator(
      JoinNode node, JoinBridge bridge, Evaluator residual, BufferAllocator allocator) {
    this.node = node;
    this.bridge = bridge;
    this.residual = residual;
    this.allocator = allocator;
    this.type = node.type();
    this.buildOutput = type.outputsBuildRows();
    List<Field> fields = new ArrayList<>(node.left().schema().getFields());
    fields.addAll(node.right().schema().getFields());
    this.pairSchema = new Schema(fields);
    this.leftWidth = node.left().schema().getFields().size();
  }

  @Override
  public List<List<OperatorStats>> pipelines() {
    return bridge.pipelines();
  }

  private void build() {
    if (table != null) {
      return;
    }
    table = bridge.table();
    onDisk = bridge.onDisk();
    prober = table.prober();
    if (type == JoinType.RIGHT || type == JoinType.FULL || buildOutput) {
      matchedBuild = new long[(table.rowCount() + 63) >>> 6];
    }
  }

  @Override
  public boolean needsInput() {
    return !finishing && current == null && output.isEmpty();
  }

  @Override
  public void addInput(Page page) {
    try {
      build();
    } catch (RuntimeException | Error e) {
      page.close();
      throw e;
    }
    int n = page.count();
    if (n == 0) {
      page.close();
      return;
    }
    if (onDisk != null) {
      try {
        page = partitionProbe(page);
      } catch (RuntimeException | Error e) {
        page.close();
        throw e;
      }
      if (page == null) {
        return;
      }
      n = page.count();
    }
    current = page;
    if (heads.length < n) {
      heads = new int[Math.max(n, heads.length * 2)];
      matched = new boolean[heads.length];
    }
    try {
      prober.lookup(page, heads);
    } catch (RuntimeException | Error e) {
      closeCurrent();
      throw e;
    }
    cursor = 0;
    chainRow = heads[0];
    if (residual == null && table.uniqueKeys() && keepsProbeColumns(page)) {
      try {
        if (emitUnique(page)) {
          return;
        }
      } catch (RuntimeException | Error e) {
        closeCurrent();
        throw e;
      }
    }
    if (residual == null && (type == JoinType.SEMI || type == JoinType.ANTI)) {
      // no pairs needed: a row matches iff it has a candidate
      for (int i = 0; i < n; i++) {
        matched[i] = heads[i] >= 0;
      }
      finishPage();
    } else if (residual == null && buildOutput) {
      // no pairs needed: every build row of a probe row's chain matches
      int[] next = table.next;
      long[] marks = matchedBuild;
      for (int i = 0; i < n; i++) {
        int r = heads[i];
        // a chain is marked whole, so a marked head means its chain is done
        if (r >= 0 && (marks[r >>> 6] & (1L << r)) == 0) {
          for (; r >= 0; r = next[r]) {
            marks[r >>> 6] |= 1L << r;
          }
        }
      }
      closeCurrent();
    }
  }

  /**
   * Whether the current join can output {@code page}'s own columns (plus gathered build columns)
   * under a selection vector: a join that outputs pairs, a page no larger than an output page, and
   * columns of the plan's types.
   */
  private boolean keepsProbeColumns(Page page) {
    if (type == JoinType.SEMI || type == JoinType.ANTI || buildOutput) {
      return false;
    }
    VectorSchemaRoot probe = page.root();
    if (probe.getRowCount() > OUTPUT_ROWS) {
      return false;
    }
    Schema schema = probe.getSchema();
    if (schema != checkedSchema) {
      boolean same = schema.getFields().size() == leftWidth;
      for (int c = 0; c < leftWidth && same; c++) {
        Field actual = schema.getFields().get(c);
        Field planned = pairSchema.getFields().get(c);
        same = actual == planned || actual.getType().equals(planned.getType());
      }
      checkedSchema = schema;
      sameProbeTypes = same;
    }
    return sameProbeTypes;
  }

  /**
   * Joins the whole page at once when each probe row has at most one match (unique build keys, no
   * residual): the probe columns stay as they are, the build columns are gathered at the matching
   * rows' positions, and a selection vector picks the output rows (the matches, or every live row
   * for LEFT and FULL joins, whose unmatched rows get NULL build columns). Returns false, having
   * done nothing, when an INNER or RIGHT join matches so few rows that copying them is cheaper.
   */
  private boolean emitUnique(Page page) {
    int n = page.count();
    int[] selection = page.selection();
    int m = 0;
    for (int i = 0; i < n; i++) {
      int head = heads[i];
      if (head >= 0) {
        pairPosition[m] = selection == null ? i : selection[i];
        pairBuild[m] = head;
        m++;
      }
    }
    VectorSchemaRoot probe = page.root();
    int size = probe.getRowCount();
    boolean allRows = type == JoinType.LEFT || type == JoinType.FULL;
    if (!allRows && m * 4 < size) {
      if (m > 0) {
        return false;
      }
      closeCurrent();
      return true;
    }
    if (matchedBuild != null) {
      for (int j = 0; j < m; j++) {
        int b = pairBuild[j];
        matchedBuild[b >>> 6] |= 1L << b;
      }
    }
    List<FieldVector> vectors = new ArrayList<>(pairSchema.getFields().size());
    vectors.addAll(probe.getFieldVectors());
    try {
      for (int c = leftWidth; c < pairSchema.getFields().size(); c++) {
        FieldVector v = pairSchema.getFields().get(c).createVector(allocator);
        vectors.add(v);
        ColumnGather.scatter(
            table.column(c - leftWidth),
            table.hasNulls(c - leftWidth),
            pairBuild,
            pairPosition,
            m,
            v,
            size);
      }
    } catch (RuntimeException | Error e) {
      for (int c = leftWidth; c < vectors.size(); c++) {
        vectors.get(c).close();
      }
      throw e;
    }
    // the probe root's vectors now belong to the output page
    current = null;
    VectorSchemaRoot out = new VectorSchemaRoot(pairSchema.getFields(), vectors, size);
    if (allRows) {
      output.add(new Page(out, selection == null ? null : Arrays.copyOf(selection, n), n));
    } else {
      output.add(new Page(out, m == size ? null : Arrays.copyOf(pairPosition, m), m));
    }
    return true;
  }

  /** Emits the next batch of pairs of the current page, and its unmatched rows at its end. */
  private void advance() {
    int n = current.count();
    if (table.uniqueKeys()) {
      advanceUnique(n);
      return;
    }
    int pairs = 0;
    int i = cursor;
    int r = chainRow;
    int[] next = table.next;
    while (i < n) {
      while (r >= 0 && pairs < OUTPUT_ROWS) {
        // a build row that already matched stays matched: RIGHT_SEMI and RIGHT_ANTI skip its pairs
        if (!buildOutput || (matchedBuild[r >>> 6] & (1L << r)) == 0) {
          pairProbe[pairs] = i;
          pairBuild[pairs] = r;
          pairs++;
        }
        r = next[r];
      }
      if (r >= 0) {
        break;
      }
      i++;
      if (i < n) {
        r = heads[i];
      }
    }
    cursor = i;
    chainRow = r;
    if (pairs > 0) {
      emitPairs(pairs);
    }
    if (cursor >= n) {
      finishPage();
    }
  }

  /** {@link #advance()} when each probe row has at most one candidate (its chain head). */
  private void advanceUnique(int n) {
    int pairs = 0;
    int i = cursor;
    for (; i < n && pairs < OUTPUT_ROWS; i++) {
      int head = heads[i];
      if (head >= 0 && (!buildOutput || (matchedBuild[head >>> 6] & (1L << head)) == 0)) {
        pairProbe[pairs] = i;
        pairBuild[pairs] = head;
        pairs++;
      }
    }
    cursor = i;
    if (pairs > 0) {
      emitPairs(pairs);
    }
    if (cursor >= n) {
      finishPage();
    }
  }

  private void emitPairs(int pairs) {
    int[] selection = current.selection();
    for (int p = 0; p < pairs; p++) {
      pairPosition[p] = selection == null ? pairProbe[p] : selection[pairProbe[p]];
    }
    boolean pairsOutput = type != JoinType.SEMI && type != JoinType.ANTI && !buildOutput;
    if (residual == null) {
      markMatched(null, pairs);
      if (pairsOutput) {
        output.add(Page.of(assemble(pairs)));
      }
      return;
    }
    VectorSchemaRoot combined = assemble(pairs);
    try {
      int[] keep = new int[pairs];
      int kept = 0;
      try (FieldVector result = residual.evaluate(Page.of(combined), allocator)) {
        BitVector bits = (BitVector) result;
        ArrowBuf values = bits.getDataBuffer();
        ArrowBuf validity = bits.getValidityBuffer();
        for (int p = 0; p < pairs; p++) {
          int byteAt = p >>> 3;
          int bit = p & 7;
          if ((((values.getByte(byteAt) & validity.getByte(byteAt)) >>> bit) & 1) != 0) {
            keep[kept++] = p;
          }
        }
      }
      markMatched(keep, kept);
      if (kept == 0 || !pairsOutput) {
        combined.close();
        return;
      }
      output.add(new Page(combined, kept == pairs ? null : Arrays.copyOf(keep, kept), kept));
    } catch (RuntimeException | Error e) {
      combined.close();
      throw e;
    }
  }

  /** Marks the probe and build rows of the given pairs (all {@code count} if keep is null). */
  private void markMatched(int[] keep, int count) {
    for (int k = 0; k < count; k++) {
      int p = keep == null ? k : keep[k];
      matched[pairProbe[p]] = true;
      if (matchedBuild != null) {
        int b = pairBuild[p];
        matchedBuild[b >>> 6] |= 1L << b;
      }
    }
  }

  private VectorSchemaRoot assemble(int pairs) {
    VectorSchemaRoot out = VectorSchemaRoot.create(pairSchema, allocator);
    try {
      VectorSchemaRoot probe = current.root();
      for (int c = 0; c < pairSchema.getFields().size(); c++) {
        if (c < leftWidth) {
          FieldVector from = probe.getVector(c);
          ColumnGather.gather(
              from, from.getNullCount() > 0, pairPosition, 0, pairs, out.getVector(c));
        } else {
          ColumnGather.gather(
              table.column(c - leftWidth),
              table.hasNulls(c - leftWidth),
              pairBuild,
              0,
              pairs,
              out.getVector(c));
        }
      }
      out.setRowCount(pairs);
      return out;
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
  }

  /** The current page is fully probed: emit its unmatched (LEFT, FULL, ANTI) or SEMI rows. */
  private void finishPage() {
    Page page = current;
    current = null;
    try {
      int n = page.count();
      if (type == JoinType.SEMI || type == JoinType.ANTI) {
        boolean want = type == JoinType.SEMI;
        int[] rows = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
          if (matched[i] == want) {
            rows[m++] = page.position(i);
          }
        }
        if (m == 0) {
          page.close();
        } else {
          // the left rows themselves, under a narrower selection: no copy
          output.add(new Page(page.root(), m == page.root().getRowCount() ? null : rows, m));
        }
        return;
      }
      if (type == JoinType.LEFT || type == JoinType.FULL) {
        int[] rows = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
          if (!matched[i]) {
            rows[m++] = page.position(i);
          }
        }
        for (int start = 0; start < m; start += OUTPUT_ROWS) {
          int count = Math.min(OUTPUT_ROWS, m - start);
          VectorSchemaRoot out = VectorSchemaRoot.create(node.schema(), allocator);
          try {
            for (int c = 0; c < out.getFieldVectors().size(); c++) {
              if (c < leftWidth) {
                FieldVector from = page.root().getVector(c);
                ColumnGather.gather(
                    from, from.getNullCount() > 0, rows, start, count, out.getVector(c));
              } else {
                ColumnGather.nulls(out.getVector(c), count);
              }
            }
            out.setRowCount(count);
          } catch (RuntimeException | Error e) {
            out.close();
            throw e;
          }
          output.add(Page.of(out));
        }
      }
      page.close();
    } catch (RuntimeException | Error e) {
      page.close();
      throw e;
    } finally {
      Arrays.fill(matched, 0, Math.min(matched.length, page.count()), false);
    }
  }

  /**
   * RIGHT and FULL joins: the next page of build rows that never matched, NULLs on the left.
   * RIGHT_SEMI and RIGHT_ANTI joins: the next page of build rows that matched, or never did.
   */
  private void emitUnmatchedBuild() {
    int rows = table.rowCount();
    int[] unmatched = new int[OUTPUT_ROWS];
    int m = 0;
    int r = unmatchedBuildCursor;
    long want = type == JoinType.RIGHT_SEMI ? 1 : 0;
    for (; r < rows && m < OUTPUT_ROWS; r++) {
      if (((matchedBuild[r >>> 6] >>> r) & 1L) == want) {
        unmatched[m++] = r;
      }
    }
    unmatchedBuildCursor = r;
    if (m == 0) {
      return;
    }
    VectorSchemaRoot out = VectorSchemaRoot.create(node.schema(), allocator);
    int nullColumns = buildOutput ? 0 : leftWidth;
    try {
      for (int c = 0; c < out.getFieldVectors().size(); c++) {
        if (c < nullColumns) {
          ColumnGather.nulls(out.getVector(c), m);
        } else {
          ColumnGather.gather(
              table.column(c - nullColumns),
              table.hasNulls(c - nullColumns),
              unmatched,
              0,
              m,
              out.getVector(c));
        }
      }
      out.setRowCount(m);
    } catch (RuntimeException | Error e) {
      out.close();
      throw e;
    }
    output.add(Page.of(out));
  }

  private boolean unmatchedBuildPending() {
    return matchedBuild != null && unmatchedBuildCursor < table.rowCount();
  }

  /**
   * Writes the live rows of {@code page} of partitions on disk to this operator's probe partitions;
   * returns the page of the other rows, to join with the table, or null (the page closed) if none.
   */
  private Page partitionProbe(Page page) {
    Schema schema = page.root().getSchema();
    if (schema != probeKeysSchema) {
      probeKeys = bridge.probeKeys(schema);
      probeKeysSchema = schema;
    }
    if (probePartitions == null) {
      probePartitions =
          new JoinPartitions(bridge.spillContext(), allocator.getName(), bridge.depth());
    }
    int n = page.count();
    int[] live = new int[n];
    for (int i = 0; i < n; i++) {
      live[i] = page.position(i);
    }
    List<FieldVector> vectors = page.root().getFieldVectors();
    int[] partitionOf = probePartitions.assign(probeKeys, vectors, live, n, false);
    int[] kept = new int[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      int p = partitionOf[i];
      if (p < 0 || !onDisk[p]) {
        kept[k++] = live[i];
      }
    }
    if (k < n) {
      probePartitions.write(page.root(), live, n, partitionOf, onDisk, allocator);
    }
    if (k == 0) {
      page.close();
      return null;
    }
    return k == n ? page : new Page(page.root(), Arrays.copyOf(kept, k), k);
  }

  @Override
  public Page getOutput() {
    if (handedOver) {
      return partitionedOutput();
    }
    // a batch of candidate pairs may all fail the residual: go on until a page or the page's end
    while (output.isEmpty() && current != null) {
      advance();
    }
    if (buildOutput && !marksHanded && finishing && current == null && output.isEmpty()) {
      // the last instance to finish probing gets every instance's marks and emits the build rows
      marksHanded = true;
      matchedBuild = bridge.probeMarked(matchedBuild);
    }
    if (output.isEmpty() && finishing && current == null && unmatchedBuildPending()) {
      emitUnmatchedBuild();
    }
    Page page = output.poll();
    if (page == null && onDisk != null && memoryPartitionsDone()) {
      handOver();
      return partitionedOutput();
    }
    return page;
  }

  /** Whether a spilled join's output from the table is all emitted. */
  private boolean memoryPartitionsDone() {
    return finishing
        && current == null
        && output.isEmpty()
        && (!buildOutput || marksHanded)
        && !unmatchedBuildPending();
  }

  /** Hands this operator's probe partitions to the bridge: the last one gets the join of them. */
  private void handOver() {
    handedOver = true;
    table = null;
    prober = null;
    JoinPartitions mine = probePartitions;
    probePartitions = null;
    if (mine != null) {
      try {
        mine.finishWriting();
      } catch (RuntimeException | Error e) {
        mine.close();
        throw e;
      }
    }
    partitionedJoin = bridge.probeFinished(mine, residual, allocator);
  }

  private Page partitionedOutput() {
    if (partitionedJoin == null) {
      return null;
    }
    Page page = partitionedJoin.next();
    if (page == null) {
      closePartitionedJoin();
    }
    return page;
  }

  @Override
  public void finish() {
    if (!finishing) {
      finishing = true;
      build();
    }
  }

  @Override
  public boolean isFinished() {
    if (onDisk != null) {
      return handedOver && partitionedJoin == null;
    }
    return finishing
        && current == null
        && output.isEmpty()
        && (!buildOutput || marksHanded)
        && !unmatchedBuildPending();
  }

  private void closePartitionedJoin() {
    if (partitionedJoin != null) {
      PartitionedJoin join = partitionedJoin;
      partitionedJoin = null;
      join.close();
    }
  }

  private void closeCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  @Override
  public void close() {
    closeCurrent();
    output.forEach(Page::close);
    output.clear();
    table = null;
    prober = null;
    RuntimeException failure = null;
    try {
      closePartitionedJoin();
    } catch (RuntimeException e) {
      failure = e;
    }
    if (probePartitions != null) {
      try {
        probePartitions.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
      probePartitions = null;
    }
    if (!released) {
      released = true;
      bridge.release();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
