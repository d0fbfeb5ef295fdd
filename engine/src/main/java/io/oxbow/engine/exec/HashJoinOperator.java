package io.oxbow.engine.exec;

import io.oxbow.engine.ResultStream;
import io.oxbow.engine.eval.Evaluator;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.type.Values;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Hash join. The build side (the plan's right input) runs to completion first, in its own pipeline,
 * into a hash table of its key values; probe pages (the left input) then look up candidates, the
 * residual condition is evaluated over all candidate pairs of a page at once, and output rows are
 * assembled column by column. Without keys every build row is a candidate, which makes this a
 * nested-loop join for cross and non-equi joins.
 */
final class HashJoinOperator implements Operator {
  private static final int OUTPUT_ROWS = 4096;
  private static final int MAX_PAIRS = 65_536;

  private final JoinNode node;
  private final Supplier<ResultStream> buildSide;
  private final Evaluator residual;
  private final BufferAllocator allocator;
  private final Schema pairSchema;
  private final int leftWidth;
  private final List<VectorSchemaRoot> buildBatches = new ArrayList<>();
  private final Map<List<Object>, long[]> table = new HashMap<>();
  private long[] allRows = new long[0];
  private BitSet matchedBuild;
  private final Deque<Page> output = new ArrayDeque<>();
  private boolean built;
  private boolean finishing;
  private boolean emittedUnmatchedBuild;

  HashJoinOperator(
      JoinNode node,
      Supplier<ResultStream> buildSide,
      Evaluator residual,
      BufferAllocator allocator) {
    this.node = node;
    this.buildSide = buildSide;
    this.residual = residual;
    this.allocator = allocator;
    List<Field> fields = new ArrayList<>(node.left().schema().getFields());
    fields.addAll(node.right().schema().getFields());
    this.pairSchema = new Schema(fields);
    this.leftWidth = node.left().schema().getFields().size();
  }

  /** The build side's operators, once it has run. */
  private List<io.oxbow.engine.OperatorStats> buildStats;

  @Override
  public List<List<io.oxbow.engine.OperatorStats>> pipelines() {
    return buildStats == null ? List.of() : List.of(buildStats);
  }

  private void build() {
    if (built) {
      return;
    }
    built = true;
    List<Long> everyRow = new ArrayList<>();
    try (ResultStream stream = buildSide.get()) {
      while (true) {
        VectorSchemaRoot batch = stream.next();
        if (batch == null) {
          buildStats = stream.operatorStats();
          break;
        }
        VectorSchemaRoot kept = Page.of(batch).compact(allocator);
        int b = buildBatches.size();
        buildBatches.add(kept);
        for (int r = 0; r < kept.getRowCount(); r++) {
          long ref = ((long) b << 32) | r;
          if (node.rightKeys().isEmpty()) {
            everyRow.add(ref);
            continue;
          }
          List<Object> key = key(kept, node.rightKeys(), r);
          if (key != null) {
            long[] refs = table.get(key);
            if (refs == null) {
              table.put(key, new long[] {ref});
            } else {
              long[] grown = Arrays.copyOf(refs, refs.length + 1);
              grown[refs.length] = ref;
              table.put(key, grown);
            }
          }
        }
      }
    }
    allRows = everyRow.stream().mapToLong(Long::longValue).toArray();
    if (node.type() == JoinType.RIGHT || node.type() == JoinType.FULL) {
      matchedBuild = new BitSet();
    }
  }

  /** The key of a row with values normalised for hashing, or null if any key is NULL. */
  private static List<Object> key(VectorSchemaRoot root, List<Integer> columns, int row) {
    Object[] values = new Object[columns.size()];
    for (int k = 0; k < values.length; k++) {
      Object v = Values.get(root.getVector(columns.get(k)), row);
      if (v == null) {
        return null;
      }
      if (v instanceof BigDecimal d) {
        v = d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
      } else if (v instanceof Integer i) {
        v = (long) i;
      }
      values[k] = v;
    }
    return Arrays.asList(values);
  }

  @Override
  public boolean needsInput() {
    return !finishing && output.isEmpty();
  }

  @Override
  public void addInput(Page page) {
    try {
      build();
      probe(page);
    } finally {
      page.close();
    }
  }

  private void probe(Page page) {
    int n = page.count();
    boolean[] matched = new boolean[n];
    int[] probeRows = new int[Math.min(MAX_PAIRS, 1024)];
    long[] buildRefs = new long[probeRows.length];
    int pairs = 0;
    for (int i = 0; i < n; i++) {
      int pos = page.position(i);
      long[] candidates;
      if (node.leftKeys().isEmpty()) {
        candidates = allRows;
      } else {
        List<Object> key = key(page.root(), node.leftKeys(), pos);
        candidates = key == null ? null : table.get(key);
      }
      if (candidates == null) {
        continue;
      }
      for (long ref : candidates) {
        if (pairs == probeRows.length) {
          if (pairs >= MAX_PAIRS) {
            emitPairs(page, probeRows, buildRefs, pairs, matched);
            pairs = 0;
          } else {
            probeRows = Arrays.copyOf(probeRows, pairs * 2);
            buildRefs = Arrays.copyOf(buildRefs, pairs * 2);
          }
        }
        probeRows[pairs] = i;
        buildRefs[pairs] = ref;
        pairs++;
      }
    }
    if (pairs > 0) {
      emitPairs(page, probeRows, buildRefs, pairs, matched);
    }
    JoinType type = node.type();
    if (type == JoinType.LEFT
        || type == JoinType.FULL
        || type == JoinType.ANTI
        || type == JoinType.SEMI) {
      int[] rows = new int[n];
      int m = 0;
      boolean wantMatched = type == JoinType.SEMI;
      for (int i = 0; i < n; i++) {
        if (matched[i] == wantMatched) {
          rows[m++] = i;
        }
      }
      if (m > 0) {
        if (type == JoinType.SEMI || type == JoinType.ANTI) {
          emitLeftOnly(page, rows, m);
        } else {
          emitLeftWithNulls(page, rows, m);
        }
      }
    }
  }

  /**
   * Evaluates the residual over candidate pairs and emits the surviving ones (for INNER/LEFT/...).
   */
  private void emitPairs(
      Page page, int[] probeRows, long[] buildRefs, int pairs, boolean[] matched) {
    VectorSchemaRoot combined = assemble(page, probeRows, buildRefs, pairs);
    int[] keep = new int[pairs];
    int kept = 0;
    try {
      if (residual == null) {
        for (int p = 0; p < pairs; p++) {
          keep[kept++] = p;
        }
      } else {
        try (FieldVector result = residual.evaluate(Page.of(combined), allocator)) {
          BitVector bits = (BitVector) result;
          for (int p = 0; p < pairs; p++) {
            if (!bits.isNull(p) && bits.get(p) != 0) {
              keep[kept++] = p;
            }
          }
        }
      }
      for (int k = 0; k < kept; k++) {
        int p = keep[k];
        matched[probeRows[p]] = true;
        if (matchedBuild != null) {
          long ref = buildRefs[p];
          matchedBuild.set(bitIndex(ref));
        }
      }
      JoinType type = node.type();
      if (kept == 0 || type == JoinType.SEMI || type == JoinType.ANTI) {
        combined.close();
        return;
      }
      Page result = new Page(combined, kept == pairs ? null : Arrays.copyOf(keep, kept), kept);
      output.add(result);
    } catch (RuntimeException e) {
      combined.close();
      throw e;
    }
  }

  private int bitIndex(long ref) {
    int batch = (int) (ref >>> 32);
    int offset = 0;
    for (int b = 0; b < batch; b++) {
      offset += buildBatches.get(b).getRowCount();
    }
    return offset + (int) ref;
  }

  private VectorSchemaRoot assemble(Page page, int[] probeRows, long[] buildRefs, int pairs) {
    VectorSchemaRoot out = VectorSchemaRoot.create(pairSchema, allocator);
    try {
      for (int c = 0; c < pairSchema.getFields().size(); c++) {
        FieldVector to = out.getVector(c);
        to.setInitialCapacity(pairs);
        to.allocateNew();
        if (c < leftWidth) {
          FieldVector from = page.root().getVector(c);
          for (int p = 0; p < pairs; p++) {
            to.copyFromSafe(page.position(probeRows[p]), p, from);
          }
        } else {
          for (int p = 0; p < pairs; p++) {
            long ref = buildRefs[p];
            to.copyFromSafe(
                (int) ref, p, buildBatches.get((int) (ref >>> 32)).getVector(c - leftWidth));
          }
        }
        to.setValueCount(pairs);
      }
      out.setRowCount(pairs);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private void emitLeftOnly(Page page, int[] rows, int m) {
    VectorSchemaRoot out = VectorSchemaRoot.create(node.schema(), allocator);
    try {
      for (int c = 0; c < leftWidth; c++) {
        FieldVector to = out.getVector(c);
        to.setInitialCapacity(m);
        to.allocateNew();
        FieldVector from = page.root().getVector(c);
        for (int i = 0; i < m; i++) {
          to.copyFromSafe(page.position(rows[i]), i, from);
        }
        to.setValueCount(m);
      }
      out.setRowCount(m);
      output.add(Page.of(out));
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  private void emitLeftWithNulls(Page page, int[] rows, int m) {
    VectorSchemaRoot out = VectorSchemaRoot.create(node.schema(), allocator);
    try {
      for (int c = 0; c < out.getFieldVectors().size(); c++) {
        FieldVector to = out.getVector(c);
        to.setInitialCapacity(m);
        to.allocateNew();
        if (c < leftWidth) {
          FieldVector from = page.root().getVector(c);
          for (int i = 0; i < m; i++) {
            to.copyFromSafe(page.position(rows[i]), i, from);
          }
        } else {
          for (int i = 0; i < m; i++) {
            Values.setNull(to, i);
          }
        }
        to.setValueCount(m);
      }
      out.setRowCount(m);
      output.add(Page.of(out));
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** RIGHT and FULL joins: build rows that never matched, with NULLs for the left columns. */
  private void emitUnmatchedBuild() {
    int index = 0;
    for (VectorSchemaRoot batch : buildBatches) {
      int rows = batch.getRowCount();
      int[] unmatched = new int[rows];
      int m = 0;
      for (int r = 0; r < rows; r++) {
        if (!matchedBuild.get(index + r)) {
          unmatched[m++] = r;
        }
      }
      index += rows;
      for (int start = 0; start < m; start += OUTPUT_ROWS) {
        int count = Math.min(OUTPUT_ROWS, m - start);
        VectorSchemaRoot out = VectorSchemaRoot.create(node.schema(), allocator);
        try {
          for (int c = 0; c < out.getFieldVectors().size(); c++) {
            FieldVector to = out.getVector(c);
            to.setInitialCapacity(count);
            to.allocateNew();
            for (int i = 0; i < count; i++) {
              if (c < leftWidth) {
                Values.setNull(to, i);
              } else {
                to.copyFromSafe(unmatched[start + i], i, batch.getVector(c - leftWidth));
              }
            }
            to.setValueCount(count);
          }
          out.setRowCount(count);
          output.add(Page.of(out));
        } catch (RuntimeException e) {
          out.close();
          throw e;
        }
      }
    }
  }

  @Override
  public Page getOutput() {
    if (finishing && output.isEmpty() && matchedBuild != null && !emittedUnmatchedBuild) {
      emittedUnmatchedBuild = true;
      emitUnmatchedBuild();
    }
    return output.poll();
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
    return finishing && output.isEmpty() && (matchedBuild == null || emittedUnmatchedBuild);
  }

  @Override
  public void close() {
    output.forEach(Page::close);
    output.clear();
    buildBatches.forEach(VectorSchemaRoot::close);
    buildBatches.clear();
    table.clear();
  }
}
