package io.oxbow.engine.exec;

/** Base of operators that produce pages without input (scans, values). */
abstract class SourceOperator implements Operator {
  @Override
  public final boolean needsInput() {
    return false;
  }

  @Override
  public final void addInput(Page page) {
    throw new IllegalStateException(getClass().getSimpleName() + " takes no input");
  }

  @Override
  public void finish() {}
}
