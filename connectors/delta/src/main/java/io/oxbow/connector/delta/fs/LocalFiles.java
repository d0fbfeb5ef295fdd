package io.oxbow.connector.delta.fs;

import io.delta.kernel.defaults.engine.fileio.OutputFile;
import io.delta.kernel.defaults.engine.fileio.PositionOutputStream;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** The local-file-system half of {@link DeltaFileIO}. */
final class LocalFiles {
  private LocalFiles() {}

  /** Whether {@code path} is a local path: {@code file:} or no scheme. */
  static boolean isLocal(String path) {
    if (path.startsWith("file:")) {
      return true;
    }
    int colon = path.indexOf(':');
    int slash = path.indexOf('/');
    // "C:" style or no scheme at all
    return colon < 0 || (slash >= 0 && slash < colon);
  }

  /** The local file of a {@code file:} path (decoded Hadoop-path form) or a plain path. */
  static Path toPath(String path) {
    String p = path;
    if (p.startsWith("file:")) {
      p = p.substring("file:".length());
      if (p.startsWith("//")) {
        // file:///tmp/x (empty authority) or file://localhost/tmp/x
        int slash = p.indexOf('/', 2);
        p = slash < 0 ? "/" : p.substring(slash);
      }
    }
    return Path.of(p).toAbsolutePath().normalize();
  }

  /** The fully qualified {@code file:} form kernel uses for a local path. */
  static String qualify(Path file) {
    return "file:" + file.toAbsolutePath().normalize();
  }

  static FileNotFoundException notFound(Path file, Exception cause) {
    FileNotFoundException e = new FileNotFoundException("No such file or directory: " + file);
    e.initCause(cause);
    return e;
  }

  static CloseableIterator<FileStatus> listFrom(String path) throws IOException {
    Path target = toPath(path);
    Path dir = target.getParent();
    String from = path.endsWith("/") ? "" : target.getFileName().toString();
    if (path.endsWith("/")) {
      dir = target;
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new FileNotFoundException("No such directory: " + dir);
    }
    List<FileStatus> result = new ArrayList<>();
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        String name = child.getFileName().toString();
        if (name.compareTo(from) < 0) {
          continue;
        }
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(child, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue; // deleted while listing
        }
        if (attributes.isRegularFile()) {
          result.add(
              FileStatus.of(
                  qualify(child), attributes.size(), attributes.lastModifiedTime().toMillis()));
        }
      }
    } catch (NoSuchFileException e) {
      throw notFound(dir, e);
    }
    result.sort((a, b) -> a.getPath().compareTo(b.getPath()));
    return Utils.toCloseableIterator(result.iterator());
  }

  static FileStatus getFileStatus(String path) throws IOException {
    Path file = toPath(path);
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return FileStatus.of(
          qualify(file), attributes.size(), attributes.lastModifiedTime().toMillis());
    } catch (NoSuchFileException e) {
      throw notFound(file, e);
    }
  }

  static List<String> listDirectories(String path) throws IOException {
    Path dir = toPath(path);
    if (!Files.isDirectory(dir)) {
      throw new FileNotFoundException("No such directory: " + dir);
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  /** A local output file: temp file plus atomic rename (hard link when it must not replace). */
  static final class LocalOutputFile implements OutputFile {
    private final String path;
    private final Path file;

    LocalOutputFile(String path) {
      this.path = path;
      this.file = toPath(path);
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public PositionOutputStream create(boolean atomicWrite) throws IOException {
      Files.createDirectories(file.getParent());
      Path writeTo = atomicWrite ? temp() : file;
      OutputStream out = new BufferedOutputStream(Files.newOutputStream(writeTo), 64 * 1024);
      return new CountingOutputStream(out) {
        @Override
        void afterClose(long bytes) throws IOException {
          if (atomicWrite) {
            publish(writeTo, false);
          }
        }
      };
    }

    @Override
    public void writeAtomically(CloseableIterator<String> data, boolean overwrite)
        throws IOException {
      Path temp;
      try {
        Files.createDirectories(file.getParent());
        temp = temp();
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp))) {
          while (data.hasNext()) {
            out.write((data.next() + "\n").getBytes(StandardCharsets.UTF_8));
          }
        }
      } finally {
        Utils.closeCloseables(data);
      }
      publish(temp, overwrite);
    }

    private Path temp() {
      return file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    /** Moves the finished temp file into place; without overwrite, fails if the target exists. */
    private void publish(Path temp, boolean overwrite) throws IOException {
      try {
        if (overwrite) {
          Files.move(
              temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          return;
        }
        try {
          // a hard link is created atomically and never replaces an existing file
          Files.createLink(file, temp);
        } catch (UnsupportedOperationException e) {
          Files.move(temp, file);
        }
      } catch (FileAlreadyExistsException e) {
        throw new FileAlreadyExistsException(file.toString(), null, "already exists");
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }
}
