package io.oxbow.engine.exec;

import io.oxbow.engine.eval.Evaluator;
import io.oxbow.engine.eval.ExpressionCompiler;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Computes one output column per expression over the live rows of each page. When a page has a
 * selection vector and some column is read more than once (TPC-H Q1's {@code l_extendedprice} in
 * three expressions), the referenced columns are gathered once into a dense page first, instead of
 * once per reference. Calls computed more than once ({@link CommonSubexpressions}) are computed
 * once per page, into extra columns the expressions then read.
 */
final class ProjectOperator implements Operator {
  /**
   * A page whose selection keeps at least this fraction of its rows is computed for every row (see
   * {@link #evaluateEveryRow}).
   */
  static final double DENSE_LIVE_FRACTION = 0.875;

  private final List<Evaluator> expressions;
  private final Schema schema;
  private final BufferAllocator allocator;

  /** The input columns the expressions read, or an empty array when none is read twice. */
  private final int[] gatherFirst;

  /** Shared calls, appended as columns after the input's before {@link #expressions} run. */
  private final List<Evaluator> shared;

  private Page pending;
  private boolean finishing;

  ProjectOperator(List<Evaluator> expressions, Schema schema, BufferAllocator allocator) {
    this(expressions, schema, allocator, new int[0]);
  }

  /**
   * @param gatherFirst see {@link #referencedIfShared(List)}
   */
  ProjectOperator(
      List<Evaluator> expressions, Schema schema, BufferAllocator allocator, int[] gatherFirst) {
    this(expressions, schema, allocator, gatherFirst, List.of());
  }

  /**
   * @param shared evaluators of the shared calls, over the input columns; {@code expressions} read
   *     their results as the columns following the input's. When not empty, {@code gatherFirst}
   *     must name every input column read (the shared results are dense, so the page must be too).
   */
  ProjectOperator(
      List<Evaluator> expressions,
      Schema schema,
      BufferAllocator allocator,
      int[] gatherFirst,
      List<Evaluator> shared) {
    this.expressions = expressions;
    this.schema = schema;
    this.allocator = allocator;
    this.gatherFirst = gatherFirst;
    this.shared = shared;
  }

  /** Builds the operator for {@code expressions} over {@code inputColumns} input columns. */
  static ProjectOperator create(
      List<Expr> expressions, int inputColumns, Schema schema, BufferAllocator allocator) {
    CommonSubexpressions cse = CommonSubexpressions.of(expressions, inputColumns);
    List<Evaluator> evaluators = new ArrayList<>();
    for (Expr e : cse.rewritten()) {
      evaluators.add(ExpressionCompiler.compile(e));
    }
    if (cse.shared().isEmpty()) {
      return new ProjectOperator(evaluators, schema, allocator, referencedIfShared(expressions));
    }
    List<Evaluator> shared = new ArrayList<>();
    for (Expr e : cse.shared()) {
      shared.add(ExpressionCompiler.compile(e));
    }
    return new ProjectOperator(evaluators, schema, allocator, referenced(expressions), shared);
  }

  /** The input columns {@code expressions} reference, in ascending order. */
  static int[] referenced(List<Expr> expressions) {
    return references(expressions).keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The input columns {@code expressions} reference, in ascending order, when at least one of them
   * is referenced more than once; otherwise an empty array.
   */
  static int[] referencedIfShared(List<Expr> expressions) {
    java.util.TreeMap<Integer, Integer> counts = references(expressions);
    if (counts.values().stream().noneMatch(c -> c > 1)) {
      return new int[0];
    }
    return counts.keySet().stream().mapToInt(Integer::intValue).toArray();
  }

  /** How often {@code expressions} reference each input column, by column. */
  private static java.util.TreeMap<Integer, Integer> references(List<Expr> expressions) {
    java.util.TreeMap<Integer, Integer> counts = new java.util.TreeMap<>();
    java.util.ArrayDeque<Expr> work = new java.util.ArrayDeque<>(expressions);
    while (!work.isEmpty()) {
      Expr e = work.pop();
      if (e instanceof ColumnRef ref) {
        counts.merge(ref.index(), 1, Integer::sum);
      } else if (e instanceof Call call) {
        call.args().forEach(work::push);
      }
    }
    return counts;
  }

  @Override
  public boolean needsInput() {
    return pending == null && !finishing;
  }

  @Override
  public void addInput(Page page) {
    if (page.selection() != null
        && page.count() >= page.root().getRowCount() * DENSE_LIVE_FRACTION
        && evaluateEveryRow(page)) {
      return;
    }
    if (page.selection() != null && gatherFirst.length > 0 && page.count() > 0) {
      page = gatherReferenced(page);
    }
    if (!shared.isEmpty()) {
      page = appendShared(page);
    }
    List<FieldVector> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < expressions.size(); i++) {
        outputs.add(named(expressions.get(i).evaluate(page, allocator), i, page.count()));
      }
      pending = Page.of(new VectorSchemaRoot(schema.getFields(), outputs, page.count()));
    } catch (RuntimeException e) {
      outputs.forEach(FieldVector::close);
      throw e;
    } finally {
      page.close();
    }
  }

  /**
   * When a page's selection keeps nearly every row (TPC-H Q1's filter keeps 98%), the expressions
   * are computed for every row, and the output page keeps the input's selection: no column is
   * gathered. An expression that fails (a division by zero, an overflow, a failed cast) may do so
   * only on a row the selection drops, so then the page is computed again over its live rows only,
   * which fails exactly when a live row does.
   */
  private boolean evaluateEveryRow(Page page) {
    VectorSchemaRoot root = page.root();
    int rows = root.getRowCount();
    Page all = Page.of(root); // a view: the input page still owns the vectors
    List<FieldVector> sharedColumns = new ArrayList<>();
    List<FieldVector> outputs = new ArrayList<>();
    try {
      // with shared calls, a view too: closing it would close the input's vectors
      Page input = shared.isEmpty() ? all : Page.of(withShared(all, sharedColumns));
      for (int i = 0; i < expressions.size(); i++) {
        outputs.add(named(expressions.get(i).evaluate(input, allocator), i, rows));
      }
    } catch (RuntimeException e) {
      outputs.forEach(FieldVector::close);
      return false;
    } finally {
      sharedColumns.forEach(FieldVector::close);
    }
    pending =
        new Page(
            new VectorSchemaRoot(schema.getFields(), outputs, rows),
            page.selection(),
            page.count());
    page.close();
    return true;
  }

  /** {@code computed} (which this closes) as output column {@code i}, with its name. */
  private FieldVector named(FieldVector computed, int i, int count) {
    try (computed) {
      FieldVector named = schema.getFields().get(i).createVector(allocator);
      TransferPair pair = computed.makeTransferPair(named);
      pair.transfer();
      named.setValueCount(count);
      return named;
    }
  }

  /**
   * A dense page of the referenced columns' live rows (the other columns are left empty: no
   * expression reads them); closes {@code page}.
   */
  private Page gatherReferenced(Page page) {
    VectorSchemaRoot root = page.root();
    List<FieldVector> columns = new ArrayList<>();
    try {
      int next = 0;
      for (int c = 0; c < root.getFieldVectors().size(); c++) {
        FieldVector from = root.getVector(c);
        FieldVector to = from.getField().createVector(allocator);
        columns.add(to);
        if (next < gatherFirst.length && gatherFirst[next] == c) {
          next++;
          ColumnGather.gather(from, from.getNullCount() > 0, page.selection(), 0, page.count(), to);
        }
      }
      return Page.of(new VectorSchemaRoot(root.getSchema().getFields(), columns, page.count()));
    } catch (RuntimeException | Error e) {
      columns.forEach(FieldVector::close);
      throw e;
    } finally {
      page.close();
    }
  }

  /**
   * {@code page} (dense) with the shared calls' results as extra columns; takes over its vectors.
   */
  private Page appendShared(Page page) {
    List<FieldVector> results = new ArrayList<>();
    try {
      return new Page(withShared(page, results), page.selection(), page.count());
    } catch (RuntimeException | Error e) {
      results.forEach(FieldVector::close);
      page.close();
      throw e;
    }
  }

  /**
   * A root of {@code page}'s columns followed by the shared calls' results over it; each result is
   * also added to {@code results} as soon as it is computed, for the caller to close on failure.
   */
  private VectorSchemaRoot withShared(Page page, List<FieldVector> results) {
    List<FieldVector> columns = new ArrayList<>(page.root().getFieldVectors());
    for (Evaluator e : shared) {
      FieldVector v = e.evaluate(page, allocator);
      results.add(v);
      columns.add(v);
    }
    List<Field> fields = new ArrayList<>();
    for (FieldVector v : columns) {
      fields.add(v.getField());
    }
    return new VectorSchemaRoot(fields, columns, page.count());
  }

  @Override
  public Page getOutput() {
    Page out = pending;
    pending = null;
    return out;
  }

  @Override
  public void finish() {
    finishing = true;
  }

  @Override
  public boolean isFinished() {
    return finishing && pending == null;
  }

  @Override
  public void close() {
    if (pending != null) {
      pending.close();
      pending = null;
    }
  }
}
