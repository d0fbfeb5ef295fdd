package io.oxbow.connector.delta.fs;

import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.SeekableInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An S3 object read with ranged GETs. The length comes from the caller (the Delta log knows every
 * file's size), so no HEAD is sent unless it is unknown and asked for. The last {@link #TAIL_SIZE}
 * bytes are fetched once and cached on the file, so Parquet's footer reads (kernel reads every
 * footer twice) cost one GET, and a small file is read whole by that one GET. Large reads (column
 * chunks) are one ranged GET each; small sequential reads (JSON logs) go through a read-ahead
 * buffer.
 */
final class S3InputFile implements InputFile {
  static final int TAIL_SIZE = 64 * 1024;
  static final int READ_AHEAD = 1024 * 1024;
  static final int DIRECT_READ = 64 * 1024;

  private final S3Storage storage;
  private final S3Location location;
  private final String path;
  private volatile long length;
  private volatile Range tail;
  private final Object tailLock = new Object();
  private final List<Range> prefetched = new CopyOnWriteArrayList<>();

  /** Set by {@link #release()}: later prefetches are no-ops. */
  private volatile boolean released;

  /** Bytes of the object starting at {@code start}. */
  record Range(long start, byte[] bytes) {
    boolean contains(long position) {
      return position >= start && position < start + bytes.length;
    }

    boolean covers(long position, int len) {
      return position >= start && position + len <= start + bytes.length;
    }
  }

  S3InputFile(S3Storage storage, String path, long length) {
    this.storage = storage;
    this.path = path;
    this.location = S3Location.parse(path);
    this.length = length > 0 ? length : -1;
  }

  @Override
  public long length() throws IOException {
    if (length < 0) {
      length = storage.head(location).getSize();
    }
    return length;
  }

  long knownLength() {
    return length;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    S3Stream stream = new S3Stream();
    if (length < 0) {
      // Unknown length (kernel passes 0 or -1 for _last_checkpoint and deletion vectors): fetch
      // the first block now, so that a missing object fails here with FileNotFoundException, as
      // kernel expects, and the length is learned from Content-Range instead of a HEAD.
      stream.fill(0, READ_AHEAD);
    }
    return stream;
  }

  /** Fetches the tail of the object once (needs the length); later calls return the cache. */
  Range tail() throws IOException {
    Range cached = tail;
    if (cached != null) {
      return cached;
    }
    synchronized (tailLock) {
      if (tail == null) {
        long len = length();
        long start = Math.max(0, len - TAIL_SIZE);
        tail = new Range(start, fetch(start, (int) (len - start)));
      }
      return tail;
    }
  }

  /** Fetches {@code [start, start+len)} and keeps it for later reads of this file. */
  void prefetch(long start, int len) throws IOException {
    if (released || cached(start, len) != null) {
      return;
    }
    Range range = new Range(start, fetch(start, len));
    if (!released) {
      prefetched.add(range);
      if (released) {
        prefetched.clear(); // released while adding: keep nothing
      }
    }
  }

  /** Drops cached bytes (after the file has been read); later prefetches do nothing. */
  void release() {
    released = true;
    prefetched.clear();
    tail = null;
  }

  private Range cached(long position, int len) {
    Range t = tail;
    if (t != null && t.covers(position, len)) {
      return t;
    }
    for (Range r : prefetched) {
      if (r.covers(position, len)) {
        return r;
      }
    }
    return null;
  }

  private Range cachedAt(long position) {
    Range t = tail;
    if (t != null && t.contains(position)) {
      return t;
    }
    for (Range r : prefetched) {
      if (r.contains(position)) {
        return r;
      }
    }
    return null;
  }

  private byte[] fetch(long start, int len) throws IOException {
    if (len == 0) {
      return new byte[0];
    }
    S3Storage.Fetched fetched = storage.get(location, start, start + len - 1);
    learnLength(fetched);
    if (fetched.bytes().length < len && length >= 0 && start + len <= length) {
      throw new EOFException("Short read of " + path + " at " + start);
    }
    return fetched.bytes();
  }

  private void learnLength(S3Storage.Fetched fetched) {
    if (length < 0 && fetched.totalLength() >= 0) {
      length = fetched.totalLength();
    }
  }

  @Override
  public String toString() {
    return path;
  }

  /** A stream over the object; not thread-safe, like every input stream. */
  private final class S3Stream extends SeekableInputStream {
    private long position;
    private Range buffer;
    private boolean closed;

    @Override
    public long getPos() {
      return position;
    }

    @Override
    public void seek(long newPosition) throws IOException {
      if (newPosition < 0) {
        throw new EOFException("Negative seek in " + path);
      }
      position = newPosition;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("Stream of " + path + " is closed");
      }
      if (len == 0) {
        return 0;
      }
      long known = length;
      if (known >= 0 && position >= known) {
        return -1;
      }
      Range source = buffer != null && buffer.contains(position) ? buffer : cachedAt(position);
      if (source == null && known >= 0 && position >= known - TAIL_SIZE) {
        source = tail();
      }
      if (source == null && len >= DIRECT_READ) {
        int want = known >= 0 ? (int) Math.min(len, known - position) : len;
        S3Storage.Fetched fetched = storage.get(location, position, position + want - 1);
        learnLength(fetched);
        byte[] bytes = fetched.bytes();
        if (bytes.length == 0) {
          return -1;
        }
        System.arraycopy(bytes, 0, b, off, bytes.length);
        position += bytes.length;
        return bytes.length;
      }
      if (source == null) {
        source = fill(position, READ_AHEAD);
        if (source == null) {
          return -1;
        }
      }
      int offset = (int) (position - source.start());
      int n = Math.min(len, source.bytes().length - offset);
      System.arraycopy(source.bytes(), offset, b, off, n);
      position += n;
      return n;
    }

    /** Reads up to {@code size} bytes from {@code from} into the stream's buffer. */
    Range fill(long from, int size) throws IOException {
      long known = length;
      int want = known >= 0 ? (int) Math.min(size, known - from) : size;
      if (want <= 0) {
        return null;
      }
      S3Storage.Fetched fetched = storage.get(location, from, from + want - 1);
      learnLength(fetched);
      if (fetched.bytes().length == 0) {
        return null;
      }
      buffer = new Range(from, fetched.bytes());
      return buffer;
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
      int done = 0;
      while (done < len) {
        int n = read(b, off + done, len - done);
        if (n < 0) {
          throw new EOFException("Reached the end of " + path + " at " + position);
        }
        done += n;
      }
    }

    @Override
    public void close() {
      closed = true;
      buffer = null;
    }
  }
}
