package io.oxbow.connector.delta.fs;

import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.OutputFile;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * delta-kernel's {@link FileIO} for S3 ({@code s3://} and {@code s3a://}, through the AWS SDK v2)
 * and the local file system ({@code file:} or no scheme), chosen per path. Give it to {@code
 * DefaultEngine.create(FileIO)} so that log replay, commits and Parquet writes go through it, and
 * open data files for Oxbow's own reader with {@link #newParquetInputFile}.
 *
 * <p>On S3: listing is one LIST per page (never a HEAD per file), reads are ranged GETs with the
 * footer tail cached per file, commits are conditional PUTs ({@code If-None-Match: *}) and {@link
 * #mkdirs} is a no-op. Every request is counted in {@link #requestCounters()}.
 */
public final class DeltaFileIO implements FileIO, AutoCloseable {
  private static final int IO_THREADS = 8;
  private static final ExecutorService IO_EXECUTOR = newIoExecutor();

  private final S3Options s3Options;
  private final Map<String, String> conf;
  private final RequestCounters counters = new RequestCounters();
  private volatile S3Storage s3;

  /** A file IO for local paths and S3 with these options (the S3 client starts on first use). */
  public DeltaFileIO(S3Options s3Options) {
    this(s3Options, Map.of());
  }

  /**
   * As {@link #DeltaFileIO(S3Options)}, with configuration values kernel reads through {@link
   * #getConf} (such as {@code delta.kernel.default.parquet.reader.batch-size}).
   */
  public DeltaFileIO(S3Options s3Options, Map<String, String> conf) {
    this.s3Options = s3Options;
    Map<String, String> merged = new HashMap<>();
    merged.put(ROW_GROUP_BYTES_KEY, Long.toString(ROW_GROUP_BYTES));
    merged.putAll(conf);
    this.conf = Map.copyOf(merged);
  }

  /** Kernel's (parquet-mr's) setting for the bytes of a Parquet row group it writes. */
  public static final String ROW_GROUP_BYTES_KEY = "parquet.block.size";

  /**
   * Default row-group size of the Parquet files written through kernel: 16 MiB (parquet-mr's own
   * default is 128 MiB, one row group per file), so that a file holds several row groups that
   * splits can read in parallel and statistics can skip.
   */
  public static final long ROW_GROUP_BYTES = 16L * 1024 * 1024;

  /** A file IO for local paths only (S3 paths use the SDK's default chains). */
  public static DeltaFileIO local() {
    return new DeltaFileIO(S3Options.defaults());
  }

  /** Requests sent to the object store so far. */
  public RequestCounters requestCounters() {
    return counters;
  }

  /** Whether {@code path} is on S3 ({@code s3://} or {@code s3a://}). */
  public static boolean isS3(String path) {
    return S3Location.isS3(path);
  }

  /**
   * {@code base} joined with child names: {@code s3://b/wh} + {@code s} → {@code s3://b/wh/s}; a
   * local base gives a plain absolute path.
   */
  public static String join(String base, String... names) {
    if (isS3(base)) {
      StringBuilder result = new StringBuilder(S3Location.parse(base).trimmed().toString());
      if (result.charAt(result.length() - 1) == '/') {
        result.setLength(result.length() - 1);
      }
      for (String name : names) {
        result.append('/').append(name);
      }
      return result.toString();
    }
    Path path = LocalFiles.toPath(base);
    for (String name : names) {
      path = path.resolve(name);
    }
    return path.toString();
  }

  private S3Storage s3() {
    S3Storage storage = s3;
    if (storage == null) {
      synchronized (this) {
        if (s3 == null) {
          s3 = new S3Storage(s3Options.createClient(), counters);
        }
        storage = s3;
      }
    }
    return storage;
  }

  @Override
  public CloseableIterator<FileStatus> listFrom(String filePath) throws IOException {
    if (isS3(filePath)) {
      return s3().listFrom(S3Location.parse(filePath));
    }
    return LocalFiles.listFrom(checked(filePath));
  }

  @Override
  public FileStatus getFileStatus(String path) throws IOException {
    if (isS3(path)) {
      return s3().head(S3Location.parse(path));
    }
    return LocalFiles.getFileStatus(checked(path));
  }

  @Override
  public String resolvePath(String path) throws IOException {
    if (isS3(path)) {
      return S3Location.parse(path).trimmed().toString();
    }
    return LocalFiles.qualify(LocalFiles.toPath(checked(path)));
  }

  @Override
  public boolean mkdirs(String path) throws IOException {
    if (isS3(path)) {
      return true; // S3 has no directories: a key's prefixes exist once the key does
    }
    Files.createDirectories(LocalFiles.toPath(checked(path)));
    return true;
  }

  @Override
  public InputFile newInputFile(String path, long fileSize) {
    if (isS3(path)) {
      return new S3InputFile(s3(), path, fileSize);
    }
    return new LocalInputFile(LocalFiles.toPath(uncheckedLocal(path)), path, fileSize);
  }

  /**
   * Opens a data file for parquet-mr. On S3 its footer tail, and the first row group's chunks of
   * {@code columns} (lower-case top-level names; empty for none), are fetched right away on a
   * shared IO thread pool, so several files download while the engine decodes another.
   */
  public ParquetInputFile newParquetInputFile(String path, long fileSize, Set<String> columns) {
    InputFile file = newInputFile(path, fileSize);
    return new ParquetInputFile(file, IO_EXECUTOR, columns);
  }

  @Override
  public OutputFile newOutputFile(String path) {
    if (isS3(path)) {
      return new S3OutputFile(s3(), path);
    }
    return new LocalFiles.LocalOutputFile(uncheckedLocal(path));
  }

  @Override
  public boolean delete(String path) throws IOException {
    if (isS3(path)) {
      s3().delete(S3Location.parse(path));
      return true;
    }
    return Files.deleteIfExists(LocalFiles.toPath(checked(path)));
  }

  @Override
  public Optional<String> getConf(String confKey) {
    return Optional.ofNullable(conf.get(confKey));
  }

  /**
   * Names of the immediate sub-folders of {@code location}, sorted (on S3: one LIST with delimiter
   * {@code /} per page).
   *
   * @throws FileNotFoundException if a local folder does not exist
   */
  public List<String> listDirectories(String location) throws IOException {
    if (isS3(location)) {
      return s3().listDirectories(S3Location.parse(location));
    }
    return LocalFiles.listDirectories(checked(location));
  }

  /**
   * Whether the folder {@code location} exists and is not empty (on S3: one LIST with maxKeys 1, so
   * asking about {@code table/_delta_log} tells whether a table is there).
   */
  public boolean directoryExists(String location) throws IOException {
    if (isS3(location)) {
      return s3().hasChildren(S3Location.parse(location));
    }
    Path dir = LocalFiles.toPath(checked(location));
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var children = Files.list(dir)) {
      return children.findAny().isPresent();
    }
  }

  /**
   * {@link #directoryExists} for several folders at once; on S3 the LISTs run concurrently on the
   * IO pool.
   */
  public boolean[] directoriesExist(List<String> locations) throws IOException {
    boolean[] result = new boolean[locations.size()];
    if (locations.stream().noneMatch(DeltaFileIO::isS3) || locations.size() == 1) {
      for (int i = 0; i < result.length; i++) {
        result[i] = directoryExists(locations.get(i));
      }
      return result;
    }
    List<CompletableFuture<Boolean>> checks = new ArrayList<>();
    for (String location : locations) {
      checks.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return directoryExists(location);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              IO_EXECUTOR));
    }
    for (int i = 0; i < result.length; i++) {
      try {
        result[i] = checks.get(i).join();
      } catch (CompletionException e) {
        checks.forEach(c -> c.cancel(false));
        if (e.getCause() instanceof UncheckedIOException io) {
          throw io.getCause();
        }
        throw e;
      }
    }
    return result;
  }

  /** {@code path} if it is local, else an error naming the schemes this file IO serves. */
  private static String checked(String path) throws IOException {
    if (!LocalFiles.isLocal(path)) {
      throw new IOException(
          "Unsupported file system in "
              + path
              + ": Oxbow reads s3://, s3a://, file: and local paths");
    }
    return path;
  }

  private static String uncheckedLocal(String path) {
    try {
      return checked(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Closes the S3 client (if one was started). */
  @Override
  public void close() {
    S3Storage storage = s3;
    if (storage != null) {
      storage.close();
    }
  }

  @Override
  public String toString() {
    return "DeltaFileIO[" + s3Options + "]";
  }

  private static ExecutorService newIoExecutor() {
    AtomicInteger ids = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            IO_THREADS,
            IO_THREADS,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "oxbow-delta-io-" + ids.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
