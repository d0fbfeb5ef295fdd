package io.oxbow.engine.spill;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One operator's spill files, in a directory of its own under the query's spill root. The directory
 * is created with the first file; {@link #close()} deletes every file still open and the directory,
 * so an operator that closes it on success, error and cancel leaves nothing behind.
 */
public final class SpillDirectory implements AutoCloseable {
  private final SpillContext context;
  private final String owner;
  private final List<SpillFile> files = new ArrayList<>();
  private Path path;
  private int next;
  private boolean closed;

  SpillDirectory(SpillContext context, String owner) {
    this.context = context;
    this.owner = owner;
  }

  /** The directory, or null before the first file. */
  public Path path() {
    return path;
  }

  /** Creates an empty spill file for batches of {@code schema}, open for writing. */
  public SpillFile create(Schema schema) {
    if (closed) {
      throw new IllegalStateException("Spill directory is closed");
    }
    if (!context.enabled()) {
      throw new IllegalStateException("Spilling is disabled");
    }
    if (path == null) {
      try {
        Files.createDirectories(context.root());
        path = Files.createTempDirectory(context.root(), owner + "-");
      } catch (IOException | SecurityException e) {
        throw new OxbowException(
            ErrorCode.RESOURCE_EXHAUSTED,
            "Cannot create a spill directory under " + context.root() + ": " + describe(e),
            e);
      }
    }
    SpillFile file = new SpillFile(this, path.resolve("spill-" + next++ + ".arrow"), schema);
    files.add(file);
    return file;
  }

  SpillContext context() {
    return context;
  }

  void deleted(SpillFile file) {
    files.remove(file);
  }

  static String describe(Exception e) {
    String message = e.getMessage();
    return message == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }

  /** Deletes every file still open and the directory. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    for (SpillFile file : new ArrayList<>(files)) {
      try {
        file.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (path != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        failure =
            failure == null
                ? new OxbowException(
                    ErrorCode.INTERNAL,
                    "Cannot delete spill directory " + path + ": " + describe(e),
                    e)
                : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
