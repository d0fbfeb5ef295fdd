package io.oxbow.connector.delta.fs;

import io.delta.kernel.defaults.engine.fileio.PositionOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A {@link PositionOutputStream} over another stream that counts the bytes written and, on the
 * first {@link #close}, closes that stream, runs {@link #afterClose} (publish or upload the file)
 * and finally {@link #cleanUp}, even if either failed. Later closes do nothing.
 */
abstract class CountingOutputStream extends PositionOutputStream {
  private final OutputStream out;
  private long position;
  private boolean closed;

  CountingOutputStream(OutputStream out) {
    this.out = out;
  }

  /** Runs once, after the underlying stream was closed, with the number of bytes written. */
  abstract void afterClose(long bytes) throws IOException;

  /** Runs once, last, whether or not closing and {@link #afterClose} succeeded. */
  void cleanUp() throws IOException {}

  @Override
  public long getPos() {
    return position;
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    position++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    position += len;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
      afterClose(position);
    } finally {
      cleanUp();
    }
  }
}
