package io.oxbow.engine.exec;

import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.plan.FilterNode;
import io.oxbow.engine.plan.JoinNode;
import io.oxbow.engine.plan.JoinNode.JoinType;
import io.oxbow.engine.plan.PlanNode;
import io.oxbow.engine.plan.ProjectNode;
import io.oxbow.engine.plan.ScanNode;
import io.oxbow.spi.connector.DynamicFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The dynamic filters of one pipeline's scan: what the hash joins further down the pipeline learn
 * from their build sides about which probe rows can match at all, handed to the scan before it
 * opens its splits so that the connector can skip files, row groups, pages and rows (see {@link
 * DynamicFilter}).
 *
 * <p>{@link #plan} finds the joins that may filter the scan: INNER, SEMI, RIGHT, RIGHT_SEMI and
 * RIGHT_ANTI joins with equi-keys (LEFT, FULL and ANTI joins keep their unmatched probe rows) whose
 * probe input reaches back to the scan through filters, projections and the probe sides of other
 * joins only (each of which passes every row's column values through unchanged or drops the row). A
 * key column that traces back, through projections of plain column references, to a scan column of
 * an integer type or DATE gets a filter: the build keys' range, and for a single-column key with at
 * most {@link #MAX_KEY_SET} distinct values also the exact set (a view of the join table). A column
 * of a key of several columns gets its own values' range, and their set too when a bitmap holds it
 * and it leaves out at least half of the range. When such a join's build side has no key at all, no
 * probe row can match: the scan reads nothing.
 *
 * <p>{@link PipelineBuilder} registers each of those joins' {@link JoinBridge}s; the first call of
 * {@link #filters()} builds their tables (if the pipeline has not yet) and derives the filters,
 * which every scan of the pipeline (one per worker) then shares. Thread-safe.
 */
final class DynamicFilterCollector {
  /** The most distinct build keys for which the exact key set is offered, not just the range. */
  static final long MAX_KEY_SET = 1L << 20;

  /** One key column of one join that traces back to a scan column. */
  private record KeyTarget(int key, String column) {}

  /** A join that may filter the scan: its keys that reach a scan column (maybe none). */
  private record Source(JoinNode join, List<KeyTarget> keys) {}

  /** The filters once known, or that nothing can match. */
  record Filters(List<DynamicFilter> filters, boolean nothingMatches) {
    static final Filters NONE = new Filters(List.of(), false);

    /** For EXPLAIN ANALYZE: {@code "dynamic filters: ..."}. */
    String describe() {
      if (nothingMatches) {
        return "dynamic filters: a join's build side is empty, nothing read";
      }
      List<String> parts = new ArrayList<>();
      for (DynamicFilter f : filters) {
        parts.add(f.toString());
      }
      return "dynamic filters: " + String.join(", ", parts);
    }
  }

  /** Sources by their index in the pipeline's chain. */
  private final Map<Integer, Source> sources;

  private final Map<Integer, JoinBridge> bridges = new TreeMap<>();
  private Filters filters;

  private DynamicFilterCollector(Map<Integer, Source> sources) {
    this.sources = sources;
  }

  /**
   * The collector for a pipeline ({@code chain} from its source to its last operator), or null when
   * its source is no scan or no join of it can filter the scan.
   */
  static DynamicFilterCollector plan(List<PlanNode> chain) {
    if (chain.isEmpty() || !(chain.get(0) instanceof ScanNode scan)) {
      return null;
    }
    Map<Integer, Source> sources = new TreeMap<>();
    for (int i = 1; i < chain.size(); i++) {
      if (!(chain.get(i) instanceof JoinNode join)
          || !filtersProbe(join.type())
          || join.leftKeys().isEmpty()
          || !passesRows(chain.subList(1, i))) {
        continue;
      }
      List<KeyTarget> keys = new ArrayList<>();
      for (int k = 0; k < join.leftKeys().size(); k++) {
        int column = trace(chain.subList(0, i), join.leftKeys().get(k));
        if (column >= 0 && integerLike(scan.schema().getFields().get(column).getType())) {
          keys.add(new KeyTarget(k, scan.columns().get(column)));
        }
      }
      sources.put(i, new Source(join, keys));
    }
    return sources.isEmpty() ? null : new DynamicFilterCollector(sources);
  }

  /** Whether a join drops every probe row without a match. */
  private static boolean filtersProbe(JoinType type) {
    // RIGHT_SEMI and RIGHT_ANTI output build rows by whether a probe row matched: a probe row
    // without a match changes nothing
    return type == JoinType.INNER
        || type == JoinType.SEMI
        || type == JoinType.RIGHT
        || type.outputsBuildRows();
  }

  /**
   * Whether every node in {@code nodes} outputs each input row (or none) with its values (not a
   * join that outputs its build rows instead).
   */
  private static boolean passesRows(List<PlanNode> nodes) {
    for (PlanNode node : nodes) {
      if (!(node instanceof FilterNode
          || node instanceof ProjectNode
          || node instanceof JoinNode join && !join.type().outputsBuildRows())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The scan column ({@code below.get(0)}) that column {@code column} of the last node of {@code
   * below} holds unchanged, or -1.
   */
  private static int trace(List<PlanNode> below, int column) {
    for (int i = below.size() - 1; i > 0; i--) {
      PlanNode node = below.get(i);
      if (node instanceof ProjectNode project) {
        Expr e = project.expressions().get(column);
        if (!(e instanceof ColumnRef ref)) {
          return -1;
        }
        column = ref.index();
      } else if (node instanceof JoinNode join) {
        if (join.type().outputsBuildRows()) {
          return -1;
        }
        // the probe side's columns come first and keep their values (NULL in the unmatched build
        // rows of RIGHT and FULL joins, which no join key matches either)
        if (column >= join.left().schema().getFields().size()) {
          return -1;
        }
      } else if (!(node instanceof FilterNode)) {
        return -1;
      }
    }
    return column;
  }

  /** Whether a connector reads values of {@code type} as the longs the join compares. */
  private static boolean integerLike(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getIsSigned();
    }
    return type instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY;
  }

  /** Whether the join at {@code index} of the chain may filter the scan. */
  boolean wants(int index) {
    return sources.containsKey(index);
  }

  /** Registers the bridge of the join at {@code index} of the chain (see {@link #wants}). */
  synchronized void register(int index, JoinBridge bridge) {
    if (wants(index)) {
      bridges.put(index, bridge);
    }
  }

  /**
   * The scan's filters: on the first call builds the registered joins' tables (those not built yet)
   * and derives the filters from them; later calls return the same.
   */
  synchronized Filters filters() {
    if (filters != null) {
      return filters;
    }
    List<DynamicFilter> list = new ArrayList<>();
    boolean nothing = false;
    for (Map.Entry<Integer, JoinBridge> entry : bridges.entrySet()) {
      Source source = sources.get(entry.getKey());
      JoinTable table = entry.getValue().table();
      if (entry.getValue().onDisk() != null) {
        continue; // a spilled build: its table holds the keys of some partitions only
      }
      if (table.distinctKeys() == 0) {
        nothing = true;
        continue;
      }
      for (KeyTarget target : source.keys()) {
        DynamicFilter filter = filter(source.join(), table, target);
        if (filter != null) {
          list.add(filter);
        }
      }
    }
    filters = nothing ? new Filters(List.of(), true) : new Filters(List.copyOf(list), false);
    return filters;
  }

  /** The filters if {@link #filters()} has run, else null. */
  synchronized Filters known() {
    return filters;
  }

  private static DynamicFilter filter(JoinNode join, JoinTable table, KeyTarget target) {
    OptionalLong min = table.minKey();
    OptionalLong max = table.maxKey();
    if (join.leftKeys().size() == 1 && min.isPresent() && max.isPresent()) {
      DynamicFilter.KeySet keys = null;
      if (table.distinctKeys() <= MAX_KEY_SET) {
        keys =
            KeyBitmap.of(table.column(join.rightKeys().get(0)), min.getAsLong(), max.getAsLong());
      }
      if (keys == null && table.distinctKeys() <= MAX_KEY_SET) {
        keys =
            new DynamicFilter.KeySet() {
              @Override
              public boolean contains(long key) {
                return table.containsKey(key);
              }

              @Override
              public long size() {
                return table.distinctKeys();
              }
            };
      }
      return new DynamicFilter(target.column(), min.getAsLong(), max.getAsLong(), keys);
    }
    FieldVector column = table.column(join.rightKeys().get(target.key()));
    long[] range = range(column);
    if (range == null) {
      return null;
    }
    // a key of several columns: a probe row can match only if each of its key columns holds one of
    // that column's build values, so each column's values are a set of their own (TPC-H Q20's 2,127
    // part keys out of 200,000 among its (part, supplier) pairs); offered when they leave out at
    // least half of their range, below which the range alone filters about as well
    KeyBitmap keys = KeyBitmap.of(column, range[0], range[1]);
    if (keys != null && keys.size() * 2 > range[1] - range[0] + 1) {
      keys = null;
    }
    return new DynamicFilter(target.column(), range[0], range[1], keys);
  }

  /**
   * The smallest and largest non-NULL value of a build key column whose values the join compares as
   * they are (integers, days), or null for other types or when all are NULL.
   */
  private static long[] range(FieldVector vector) {
    if (!KeyBitmap.integerLike(vector)) {
      return null;
    }
    BaseFixedWidthVector fixed = (BaseFixedWidthVector) vector;
    int width = fixed.getTypeWidth();
    ArrowBuf data = fixed.getDataBuffer();
    boolean nulls = fixed.getNullCount() > 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    boolean any = false;
    int n = fixed.getValueCount();
    for (int r = 0; r < n; r++) {
      if (nulls && fixed.isNull(r)) {
        continue;
      }
      long v = KeyBitmap.value(data, width, r);
      min = Math.min(min, v);
      max = Math.max(max, v);
      any = true;
    }
    return any ? new long[] {min, max} : null;
  }
}
