package io.oxbow.engine.exec;

import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Expr;
import io.oxbow.engine.expr.ScalarFunction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the function calls a projection computes more than once (TPC-H Q1's {@code l_extendedprice
 * * (1 - l_discount)}, in two of its outputs) so that each is computed once per batch: the shared
 * calls become extra input columns, appended after the input's own, and the projection's
 * expressions read those columns instead.
 *
 * <p>A call is shared only if at least one of its occurrences is evaluated for every row (not
 * inside a branch of CASE or COALESCE, nor an operand of AND or OR): evaluating it ahead for every
 * row must not raise an error the query would not have raised (a division guarded by a CASE). Calls
 * that read no column are left alone (the planner folds constants).
 */
record CommonSubexpressions(List<Expr> shared, List<Expr> rewritten) {

  static CommonSubexpressions of(List<Expr> expressions, int inputColumns) {
    Map<Expr, int[]> counts = new HashMap<>(); // [occurrences, unconditional occurrences]
    for (Expr e : expressions) {
      count(e, false, counts);
    }
    List<Call> candidates = new ArrayList<>();
    for (Map.Entry<Expr, int[]> entry : counts.entrySet()) {
      int[] c = entry.getValue();
      if (c[0] > 1 && c[1] > 0 && readsColumn(entry.getKey())) {
        candidates.add((Call) entry.getKey());
      }
    }
    if (candidates.isEmpty()) {
      return new CommonSubexpressions(List.of(), expressions);
    }
    // largest first: a shared call inside a larger shared call is then computed only once, inside
    candidates.sort(Comparator.comparingInt(CommonSubexpressions::size).reversed());
    List<Expr> shared = new ArrayList<>();
    List<Expr> current = expressions;
    for (Call candidate : candidates) {
      Map<Expr, int[]> now = new HashMap<>();
      for (Expr e : current) {
        count(e, false, now);
      }
      int[] c = now.get(candidate);
      if (c == null || c[0] < 2 || c[1] == 0) {
        continue; // its repeats were all inside a larger shared call
      }
      ColumnRef ref = new ColumnRef(inputColumns + shared.size(), candidate.type());
      shared.add(candidate);
      List<Expr> next = new ArrayList<>();
      for (Expr e : current) {
        next.add(replace(e, candidate, ref));
      }
      current = next;
    }
    return new CommonSubexpressions(List.copyOf(shared), List.copyOf(current));
  }

  private static void count(Expr e, boolean conditional, Map<Expr, int[]> counts) {
    if (!(e instanceof Call call)) {
      return;
    }
    int[] c = counts.computeIfAbsent(call, k -> new int[2]);
    c[0]++;
    if (!conditional) {
      c[1]++;
    }
    ScalarFunction f = call.function();
    for (int i = 0; i < call.args().size(); i++) {
      boolean argConditional =
          conditional
              || f == ScalarFunction.AND
              || f == ScalarFunction.OR
              || (f == ScalarFunction.COALESCE && i > 0)
              || (f == ScalarFunction.CASE && i > 0);
      count(call.args().get(i), argConditional, counts);
    }
  }

  private static Expr replace(Expr e, Call target, ColumnRef ref) {
    if (!(e instanceof Call call)) {
      return e;
    }
    if (call.equals(target)) {
      return ref;
    }
    boolean any = false;
    List<Expr> args = new ArrayList<>(call.args().size());
    for (Expr a : call.args()) {
      Expr r = replace(a, target, ref);
      any |= r != a;
      args.add(r);
    }
    return any ? new Call(call.function(), args, call.type()) : call;
  }

  private static boolean readsColumn(Expr e) {
    return e instanceof ColumnRef
        || e instanceof Call call
            && call.args().stream().anyMatch(CommonSubexpressions::readsColumn);
  }

  private static int size(Expr e) {
    if (!(e instanceof Call call)) {
      return 1;
    }
    int n = 1;
    for (Expr a : call.args()) {
      n += size(a);
    }
    return n;
  }
}
