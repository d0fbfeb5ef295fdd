package io.oxbow.connector.delta.fs;

import io.delta.kernel.defaults.engine.fileio.InputFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A parquet-mr {@link org.apache.parquet.io.InputFile} over a {@link DeltaFileIO} file. For S3
 * objects it starts fetching, on the IO pool, the footer tail and the first row group's chunks of
 * the requested columns as soon as it is created; {@link #newStream()} waits for that fetch, and
 * the reads it covers are served from memory. {@link #close()} cancels the fetch and drops the
 * cached bytes.
 */
public final class ParquetInputFile implements org.apache.parquet.io.InputFile, AutoCloseable {
  /** The most bytes of a first row group fetched ahead. */
  static final int MAX_PREFETCH = 16 * 1024 * 1024;

  private final InputFile file;
  private final CompletableFuture<Void> prefetch;

  /** Set by whichever comes first: the prefetch task, or a reader that no longer waits for it. */
  private final AtomicBoolean claimed = new AtomicBoolean();

  /** Set by {@link #close()}: a prefetch already running stops at its next step. */
  private volatile boolean closed;

  ParquetInputFile(InputFile file, Executor executor, Set<String> columns) {
    this.file = file;
    if (file instanceof S3InputFile s3 && s3.knownLength() >= 0) {
      this.prefetch = CompletableFuture.runAsync(() -> prefetch(s3, columns), executor);
    } else {
      this.prefetch = null;
    }
  }

  private void prefetch(S3InputFile s3, Set<String> columns) {
    if (!claimed.compareAndSet(false, true)) {
      return; // the reader started first and fetches what it needs itself
    }
    try {
      if (closed) {
        return;
      }
      S3InputFile.Range tail = s3.tail();
      if (columns.isEmpty() || tail.start() == 0) {
        return; // nothing more to read, or the tail is the whole file
      }
      if (closed) {
        return;
      }
      List<BlockMetaData> blocks;
      try (ParquetFileReader reader = ParquetFileReader.open(new Opened(s3))) {
        blocks = reader.getFooter().getBlocks();
      }
      if (blocks.isEmpty()) {
        return;
      }
      long start = Long.MAX_VALUE;
      long end = -1;
      for (ColumnChunkMetaData chunk : blocks.get(0).getColumns()) {
        String top = chunk.getPath().toArray()[0].toLowerCase(java.util.Locale.ROOT);
        if (columns.contains(top)) {
          start = Math.min(start, chunk.getStartingPos());
          end = Math.max(end, chunk.getStartingPos() + chunk.getTotalSize());
        }
      }
      // the part inside the cached tail is not fetched twice
      long stop = Math.min(end, tail.start());
      if (!closed && stop > start && stop - start <= MAX_PREFETCH) {
        s3.prefetch(start, (int) (stop - start));
      }
    } catch (IOException | RuntimeException e) {
      // best effort: the reader fetches what it needs itself and reports any error
    }
  }

  /** The path this file was opened with. */
  public String path() {
    return file.path();
  }

  @Override
  public long getLength() throws IOException {
    return file.length();
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    // a prefetch still queued behind other files' is skipped rather than waited for
    if (prefetch != null && !claimed.compareAndSet(false, true)) {
      try {
        prefetch.join();
      } catch (RuntimeException e) {
        // cancelled or failed: read directly
      }
    }
    return new Stream(file.newStream());
  }

  /** Cancels a prefetch still running and drops cached bytes. */
  @Override
  public void close() {
    closed = true;
    if (prefetch != null) {
      claimed.set(true);
      prefetch.cancel(false);
    }
    if (file instanceof S3InputFile s3) {
      s3.release();
    }
  }

  @Override
  public String toString() {
    return file.path();
  }

  /** The same file, opened without waiting for the prefetch (used by the prefetch itself). */
  private static final class Opened implements org.apache.parquet.io.InputFile {
    private final InputFile file;

    Opened(InputFile file) {
      this.file = file;
    }

    @Override
    public long getLength() throws IOException {
      return file.length();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      return new Stream(file.newStream());
    }
  }

  /** parquet-mr's stream over kernel's: whole-buffer reads become one read (one ranged GET). */
  private static final class Stream extends SeekableInputStream {
    private final io.delta.kernel.defaults.engine.fileio.SeekableInputStream in;

    Stream(io.delta.kernel.defaults.engine.fileio.SeekableInputStream in) {
      this.in = in;
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos();
    }

    @Override
    public void seek(long newPos) throws IOException {
      in.seek(newPos);
    }

    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      in.readFully(bytes, 0, bytes.length);
    }

    @Override
    public void readFully(byte[] bytes, int start, int len) throws IOException {
      in.readFully(bytes, start, len);
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      if (!buf.hasRemaining()) {
        return 0;
      }
      if (buf.hasArray()) {
        int n = in.read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
        if (n > 0) {
          buf.position(buf.position() + n);
        }
        return n;
      }
      byte[] temp = new byte[Math.min(buf.remaining(), 1 << 20)];
      int n = in.read(temp, 0, temp.length);
      if (n > 0) {
        buf.put(temp, 0, n);
      }
      return n;
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      if (buf.hasArray()) {
        int len = buf.remaining();
        in.readFully(buf.array(), buf.arrayOffset() + buf.position(), len);
        buf.position(buf.position() + len);
        return;
      }
      byte[] temp = new byte[buf.remaining()];
      in.readFully(temp, 0, temp.length);
      buf.put(temp);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
