package io.oxbow.connector.delta.fs;

import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.SeekableInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A local file read with positional NIO reads (the OS page cache does the buffering). */
final class LocalInputFile implements InputFile {
  private final Path file;
  private final String path;
  private long length;

  LocalInputFile(Path file, String path, long length) {
    this.file = file;
    this.path = path;
    this.length = length > 0 ? length : -1;
  }

  @Override
  public long length() throws IOException {
    if (length < 0) {
      try {
        length = Files.size(file);
      } catch (NoSuchFileException e) {
        throw LocalFiles.notFound(file, e);
      }
    }
    return length;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw LocalFiles.notFound(file, e);
    }
    return new SeekableInputStream() {
      private long position;

      @Override
      public long getPos() {
        return position;
      }

      @Override
      public void seek(long newPosition) throws IOException {
        if (newPosition < 0) {
          throw new EOFException("Negative seek in " + file);
        }
        position = newPosition;
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
        if (len == 0) {
          return 0;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, len), position);
        if (n > 0) {
          position += n;
        }
        return n;
      }

      @Override
      public void readFully(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
          int n = channel.read(buffer, position);
          if (n < 0) {
            throw new EOFException("Reached the end of " + file + " at " + position);
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
    return path;
  }
}
