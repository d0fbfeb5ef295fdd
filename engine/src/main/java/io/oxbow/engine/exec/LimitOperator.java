package io.oxbow.engine.exec;

/** Skips {@code offset} rows, then passes at most {@code limit} rows (-1: unlimited). */
final class LimitOperator implements Operator {
  private long toSkip;
  private long remaining;
  private Page pending;
  private boolean finishing;

  LimitOperator(long offset, long limit) {
    this.toSkip = offset;
    this.remaining = limit < 0 ? Long.MAX_VALUE : limit;
  }

  @Override
  public boolean needsInput() {
    return pending == null && !finishing && remaining > 0;
  }

  @Override
  public void addInput(Page page) {
    int n = page.count();
    int skip = (int) Math.min(toSkip, n);
    toSkip -= skip;
    int take = (int) Math.min(remaining, n - skip);
    if (take <= 0) {
      page.close();
      return;
    }
    remaining -= take;
    if (skip == 0 && take == n) {
      pending = page;
      return;
    }
    int[] selection = new int[take];
    for (int i = 0; i < take; i++) {
      selection[i] = page.position(skip + i);
    }
    pending = new Page(page.root(), selection, take);
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
    return pending == null && (finishing || remaining <= 0);
  }

  @Override
  public void close() {
    if (pending != null) {
      pending.close();
      pending = null;
    }
  }
}
