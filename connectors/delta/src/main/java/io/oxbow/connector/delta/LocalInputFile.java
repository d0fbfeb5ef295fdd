package io.oxbow.connector.delta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet {@link InputFile} over a local file, read with positional NIO reads. */
final class LocalInputFile implements InputFile {
  private final Path path;

  LocalInputFile(Path path) {
    this.path = path;
  }

  @Override
  public long getLength() throws IOException {
    return java.nio.file.Files.size(path);
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    return new SeekableInputStream() {
      private long position;

      @Override
      public long getPos() {
        return position;
      }

      @Override
      public void seek(long newPos) {
        position = newPos;
      }

      @Override
      public int read() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        int n = channel.read(one, position);
        if (n <= 0) {
          return -1;
        }
        position++;
        return one.get(0) & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = channel.read(ByteBuffer.wrap(b, off, len), position);
        if (n > 0) {
          position += n;
        }
        return n;
      }

      @Override
      public void readFully(byte[] bytes) throws IOException {
        readFully(bytes, 0, bytes.length);
      }

      @Override
      public void readFully(byte[] bytes, int start, int len) throws IOException {
        readFully(ByteBuffer.wrap(bytes, start, len));
      }

      @Override
      public int read(ByteBuffer buf) throws IOException {
        int n = channel.read(buf, position);
        if (n > 0) {
          position += n;
        }
        return n;
      }

      @Override
      public void readFully(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
          int n = channel.read(buf, position);
          if (n < 0) {
            throw new java.io.EOFException("Unexpected end of " + path);
          }
          position += n;
        }
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
