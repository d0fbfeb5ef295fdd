package io.oxbow.engine.spill;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A sequence of record batches of one schema on local disk, in the Arrow IPC stream format
 * (uncompressed): written once with {@link #write(VectorSchemaRoot)} and {@link #finishWriting()},
 * then read back batch by batch, as often as needed, through {@link #openReader(BufferAllocator)}.
 * {@link #close()} closes any open reader and deletes the file. Disk errors while writing (a full
 * disk) are {@link ErrorCode#RESOURCE_EXHAUSTED}, while reading {@link ErrorCode#INTERNAL}, both
 * naming the file.
 */
public final class SpillFile implements AutoCloseable {
  private final SpillDirectory directory;
  private final Path path;
  private final Schema schema;
  private final List<Reader> readers = new ArrayList<>();
  private FileChannel channel;
  private WriteChannel out;
  private long rows;
  private int batches;
  private long bytes;
  private long largestBatchBytes;
  private boolean deleted;

  SpillFile(SpillDirectory directory, Path path, Schema schema) {
    this.directory = directory;
    this.path = path;
    this.schema = schema;
    try {
      channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException | RuntimeException e) {
      throw writeError(e);
    }
    directory.context().fileCreated();
    try {
      out = new WriteChannel(channel);
      MessageSerializer.serialize(out, schema);
      count();
    } catch (IOException | RuntimeException e) {
      close();
      throw writeError(e);
    }
  }

  public Path path() {
    return path;
  }

  public Schema schema() {
    return schema;
  }

  /** Rows written. */
  public long rows() {
    return rows;
  }

  /** Batches written. */
  public int batches() {
    return batches;
  }

  /** Bytes written so far. */
  public long bytes() {
    return bytes;
  }

  /**
   * The largest batch's buffer bytes: about what reading one batch back allocates (before the
   * allocator rounds it up).
   */
  public long largestBatchBytes() {
    return largestBatchBytes;
  }

  /** Appends {@code batch} (its first {@code getRowCount()} rows); the caller keeps the batch. */
  public void write(VectorSchemaRoot batch) {
    if (out == null) {
      throw new IllegalStateException("Spill file " + path + " is not open for writing");
    }
    try (ArrowRecordBatch record = new VectorUnloader(batch).getRecordBatch()) {
      MessageSerializer.serialize(out, record);
      largestBatchBytes = Math.max(largestBatchBytes, record.computeBodyLength());
    } catch (IOException | RuntimeException e) {
      throw writeError(e);
    }
    rows += batch.getRowCount();
    batches++;
    count();
  }

  /** Ends the stream and closes the file for writing; it can be read from now on. */
  public void finishWriting() {
    if (out == null) {
      return;
    }
    try {
      ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
      count();
      channel.close();
    } catch (IOException | RuntimeException e) {
      throw writeError(e);
    } finally {
      out = null;
      channel = null;
    }
  }

  /**
   * Opens a reader that returns the batches in the order written, each allocated from {@code
   * allocator} and owned by the caller.
   */
  public Reader openReader(BufferAllocator allocator) {
    if (out != null || deleted) {
      throw new IllegalStateException("Spill file " + path + " is not finished");
    }
    Reader reader = new Reader(allocator);
    readers.add(reader);
    return reader;
  }

  private void count() {
    long position = out.getCurrentPosition();
    directory.context().written(position - bytes);
    bytes = position;
  }

  private OxbowException writeError(Exception e) {
    return new OxbowException(
        ErrorCode.RESOURCE_EXHAUSTED,
        "Writing spill file " + path + " failed: " + SpillDirectory.describe(e),
        e);
  }

  /** Closes any open reader and deletes the file. */
  @Override
  public void close() {
    if (deleted) {
      return;
    }
    deleted = true;
    for (Reader reader : new ArrayList<>(readers)) {
      reader.close();
    }
    try {
      if (channel != null) {
        channel.close();
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.INTERNAL,
          "Cannot delete spill file " + path + ": " + SpillDirectory.describe(e),
          e);
    } finally {
      out = null;
      channel = null;
      directory.context().fileDeleted();
      directory.deleted(this);
    }
  }

  /** Reads a spill file's batches in order. */
  public final class Reader implements AutoCloseable {
    private final BufferAllocator allocator;
    private final ArrowStreamReader stream;
    private boolean closed;

    private Reader(BufferAllocator allocator) {
      this.allocator = allocator;
      try {
        this.stream =
            new ArrowStreamReader(
                Channels.newChannel(new BufferedInputStream(Files.newInputStream(path), 1 << 16)),
                allocator);
      } catch (IOException e) {
        throw readError(e);
      }
    }

    /** The next batch (owned by the caller), or null after the last. */
    public VectorSchemaRoot next() {
      if (closed) {
        throw new IllegalStateException("Spill file reader is closed");
      }
      try {
        if (!stream.loadNextBatch()) {
          return null;
        }
        VectorSchemaRoot loaded = stream.getVectorSchemaRoot();
        VectorSchemaRoot batch = VectorSchemaRoot.create(schema, allocator);
        for (int c = 0; c < schema.getFields().size(); c++) {
          FieldVector from = loaded.getVector(c);
          from.makeTransferPair(batch.getVector(c)).transfer();
        }
        batch.setRowCount(loaded.getRowCount());
        return batch;
      } catch (IOException e) {
        throw readError(e);
      }
    }

    private OxbowException readError(Exception e) {
      return new OxbowException(
          ErrorCode.INTERNAL,
          "Reading spill file " + path + " failed: " + SpillDirectory.describe(e),
          e);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      readers.remove(this);
      try {
        stream.close();
      } catch (IOException e) {
        throw readError(e);
      }
    }
  }
}
