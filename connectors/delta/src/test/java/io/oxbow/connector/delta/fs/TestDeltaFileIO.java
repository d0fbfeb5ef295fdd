package io.oxbow.connector.delta.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.PositionOutputStream;
import io.delta.kernel.defaults.engine.fileio.SeekableInputStream;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.oxbow.connector.delta.TestingS3Server;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DeltaFileIO} against s3proxy and a local folder: kernel's listFrom contract, ranged reads
 * and their request counts, conditional commits, and keys with spaces and percent signs.
 */
class TestDeltaFileIO {
  private static final String BUCKET = "fileio-test";
  private static TestingS3Server server;
  private static DeltaFileIO s3IO;
  private static DeltaFileIO localIO;
  private static int nextRoot;

  @TempDir static Path localDir;

  @BeforeAll
  static void start() {
    server = new TestingS3Server();
    server.createBucket(BUCKET);
    s3IO = new DeltaFileIO(server.s3Options());
    localIO = DeltaFileIO.local();
  }

  @AfterAll
  static void stop() {
    s3IO.close();
    localIO.close();
    server.close();
  }

  /** A fresh root folder on the given store: "s3" or "local". */
  private static String root(String store) {
    nextRoot++;
    return store.equals("s3")
        ? "s3://" + BUCKET + "/root" + nextRoot
        : "file:" + localDir.resolve("root" + nextRoot);
  }

  private static DeltaFileIO io(String store) {
    return store.equals("s3") ? s3IO : localIO;
  }

  @Test
  void prefetchAfterReleaseFetchesNothing() throws IOException {
    String path = root("s3") + "/data.bin";
    byte[] data = new byte[10_000];
    new Random(7).nextBytes(data);
    write(s3IO, path, data);
    S3InputFile file = (S3InputFile) s3IO.newInputFile(path, data.length);
    file.release();
    s3IO.requestCounters().reset();
    file.prefetch(0, 1000);
    assertThat(s3IO.requestCounters().gets()).isZero();

    // a closed ParquetInputFile's prefetch, even one that starts late, reads nothing
    List<Runnable> queued = new ArrayList<>();
    ParquetInputFile parquet =
        new ParquetInputFile(
            s3IO.newInputFile(path, data.length), queued::add, java.util.Set.of("x"));
    parquet.close();
    s3IO.requestCounters().reset();
    queued.forEach(Runnable::run);
    assertThat(s3IO.requestCounters().gets()).isZero();
  }

  private static void write(DeltaFileIO io, String path, byte[] bytes) throws IOException {
    try (PositionOutputStream out = io.newOutputFile(path).create(false)) {
      out.write(bytes);
      assertThat(out.getPos()).isEqualTo(bytes.length);
    }
  }

  private static void write(DeltaFileIO io, String path, String text) throws IOException {
    write(io, path, text.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> names(CloseableIterator<FileStatus> files) throws IOException {
    List<String> names = new ArrayList<>();
    try (files) {
      while (files.hasNext()) {
        String path = files.next().getPath();
        names.add(path.substring(path.lastIndexOf('/') + 1));
      }
    }
    return names;
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3", "local"})
  void listFromIsInclusiveSortedAndStaysInTheDirectory(String store) throws IOException {
    DeltaFileIO io = io(store);
    String root = root(store);
    for (String name : List.of("c", "a", "b2", "b1", "b 1%2")) {
      write(io, root + "/d/" + name, name);
    }
    write(io, root + "/d/sub/x", "nested");
    write(io, root + "/d2/b3", "sibling folder with the same prefix");

    assertThat(names(io.listFrom(root + "/d/b"))).containsExactly("b 1%2", "b1", "b2", "c");
    // an exact existing name is included (kernel's conflict checker lists from a commit file)
    assertThat(names(io.listFrom(root + "/d/b2"))).containsExactly("b2", "c");
    assertThat(names(io.listFrom(root + "/d/d"))).isEmpty();
    assertThat(names(io.listFrom(root + "/d/!"))).containsExactly("a", "b 1%2", "b1", "b2", "c");

    try (CloseableIterator<FileStatus> files = io.listFrom(root + "/d/b1")) {
      FileStatus first = files.next();
      assertThat(first.getPath()).isEqualTo(root + "/d/b1");
      assertThat(first.getSize()).isEqualTo(2);
      assertThat(first.getModificationTime()).isPositive();
    }
    assertThatThrownBy(() -> io.listFrom(root + "/missing/00000000000000000000."))
        .isInstanceOf(FileNotFoundException.class);
    assertThat(io.listDirectories(root)).containsExactly("d", "d2");
    assertThat(io.listDirectories(root + "/d")).containsExactly("sub");
    assertThat(io.directoryExists(root + "/d/sub")).isTrue();
    assertThat(io.directoryExists(root + "/d/none")).isFalse();
  }

  @Test
  void listFromFollowsPagesOfAThousandKeys() throws IOException {
    String root = root("s3");
    Path dir = server.baseDir().resolve(BUCKET).resolve(root.substring(root.lastIndexOf('/') + 1));
    Files.createDirectories(dir.resolve("log"));
    for (int i = 0; i < 1500; i++) {
      Files.writeString(dir.resolve("log").resolve(String.format("%05d.json", i)), "x");
    }
    s3IO.requestCounters().reset();
    List<String> names = names(s3IO.listFrom(root + "/log/00100."));
    assertThat(names).hasSize(1400);
    assertThat(names.get(0)).isEqualTo("00100.json");
    assertThat(names.get(1399)).isEqualTo("01499.json");
    assertThat(s3IO.requestCounters().lists()).isEqualTo(2);
    assertThat(s3IO.requestCounters().heads()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3", "local"})
  void rangedReadsReturnTheRightBytes(String store) throws IOException {
    DeltaFileIO io = io(store);
    byte[] data = new byte[300 * 1024 + 17];
    new Random(42).nextBytes(data);
    String path = root(store) + "/data.bin";
    write(io, path, data);
    io.requestCounters().reset();

    InputFile file = io.newInputFile(path, data.length);
    assertThat(file.length()).isEqualTo(data.length);
    try (SeekableInputStream in = file.newStream()) {
      // a Parquet footer read: seek near the end, single bytes, then a buffer
      in.seek(data.length - 8);
      for (int i = 0; i < 4; i++) {
        assertThat(in.read()).isEqualTo(data[data.length - 8 + i] & 0xff);
      }
      byte[] magic = new byte[4];
      in.readFully(magic, 0, 4);
      assertThat(magic).isEqualTo(Arrays.copyOfRange(data, data.length - 4, data.length));
      assertThat(in.read()).isEqualTo(-1);
      // a column chunk in the middle
      byte[] chunk = new byte[100_000];
      in.seek(1234);
      in.readFully(chunk, 0, chunk.length);
      assertThat(chunk).isEqualTo(Arrays.copyOfRange(data, 1234, 1234 + chunk.length));
      assertThat(in.getPos()).isEqualTo(1234 + chunk.length);
      // small sequential reads from the start
      in.seek(0);
      byte[] head = new byte[10];
      in.readFully(head, 0, 10);
      assertThat(head).isEqualTo(Arrays.copyOf(data, 10));
    }
    try (SeekableInputStream again = file.newStream()) {
      again.seek(data.length - 100);
      byte[] end = new byte[100];
      again.readFully(end, 0, 100);
      assertThat(end).isEqualTo(Arrays.copyOfRange(data, data.length - 100, data.length));
      byte[] past = new byte[10];
      again.seek(data.length - 5);
      assertThatThrownBy(() -> again.readFully(past, 0, 10)).isInstanceOf(IOException.class);
    }
    if (store.equals("s3")) {
      // tail (once, cached for the second stream), the chunk, the read-ahead from 0
      assertThat(io.requestCounters().gets()).isEqualTo(3);
      assertThat(io.requestCounters().heads()).isZero();
    }

    // unknown length, as kernel reads deletion vectors: no HEAD, length learned from the GET
    io.requestCounters().reset();
    InputFile unknown = io.newInputFile(path, -1);
    try (SeekableInputStream in = unknown.newStream()) {
      byte[] middle = new byte[5000];
      in.seek(200_000);
      in.readFully(middle, 0, middle.length);
      assertThat(middle).isEqualTo(Arrays.copyOfRange(data, 200_000, 205_000));
    }
    assertThat(io.requestCounters().heads()).isZero();
    assertThatThrownBy(() -> io.newInputFile(path + ".missing", -1).newStream())
        .isInstanceOf(FileNotFoundException.class);
    assertThatThrownBy(() -> io.newInputFile(path + ".missing", 0).newStream())
        .isInstanceOf(FileNotFoundException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3", "local"})
  void sequentialReadOfAFileWhoseLengthIsUnknown(String store) throws IOException {
    DeltaFileIO io = io(store);
    String path = root(store) + "/_delta_log/_last_checkpoint";
    String text =
        java.util.stream.IntStream.range(0, 50_000)
            .mapToObj(i -> "{\"line\":" + i + "}")
            .collect(Collectors.joining("\n"));
    write(io, path, text);
    // kernel passes size 0 for _last_checkpoint and reads it to the end
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(io.newInputFile(path, 0).newStream(), StandardCharsets.UTF_8))) {
      assertThat(reader.lines().collect(Collectors.joining("\n"))).isEqualTo(text);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3", "local"})
  void commitsAreConditional(String store) throws IOException {
    DeltaFileIO io = io(store);
    String commit = root(store) + "/t/_delta_log/00000000000000000000.json";
    assertThat(io.mkdirs(root(store) + "/t/_delta_log")).isTrue();
    io.newOutputFile(commit)
        .writeAtomically(
            Utils.toCloseableIterator(List.of("{\"a\":1}", "{\"b\":2}").iterator()), false);
    assertThatThrownBy(
            () ->
                io.newOutputFile(commit)
                    .writeAtomically(
                        Utils.toCloseableIterator(List.of("{\"loser\":1}").iterator()), false))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(read(io, commit)).isEqualTo("{\"a\":1}\n{\"b\":2}\n");

    io.newOutputFile(commit)
        .writeAtomically(Utils.toCloseableIterator(List.of("{\"c\":3}").iterator()), true);
    assertThat(read(io, commit)).isEqualTo("{\"c\":3}\n");

    // create(true) is put-if-absent too
    assertThatThrownBy(
            () -> {
              try (PositionOutputStream out = io.newOutputFile(commit).create(true)) {
                out.write(1);
              }
            })
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(read(io, commit)).isEqualTo("{\"c\":3}\n");
    if (store.equals("local")) {
      // no temporary files are left behind
      assertThat(Files.list(LocalFiles.toPath(commit).getParent()).toList()).hasSize(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3", "local"})
  void exactlyOneOfManyConcurrentCommitsWins(String store) throws Exception {
    DeltaFileIO io = io(store);
    String commit = root(store) + "/t/_delta_log/00000000000000000001.json";
    int writers = 8;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String line = "{\"writer\":" + w + "}";
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    io.newOutputFile(commit)
                        .writeAtomically(
                            Utils.toCloseableIterator(List.of(line).iterator()), false);
                    return true;
                  } catch (FileAlreadyExistsException e) {
                    return false;
                  }
                }));
      }
      start.countDown();
      List<Integer> winners = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        if (results.get(w).get()) {
          winners.add(w);
        }
      }
      assertThat(winners).hasSize(1);
      assertThat(read(io, commit)).isEqualTo("{\"writer\":" + winners.get(0) + "}\n");
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3", "local"})
  void keysWithSpacesAndPercentSigns(String store) throws IOException {
    DeltaFileIO io = io(store);
    String root = root(store);
    String path = root + "/part=a b/f%1 x.json";
    write(io, path, "hello");
    assertThat(read(io, path)).isEqualTo("hello");
    assertThat(io.getFileStatus(path).getSize()).isEqualTo(5);
    assertThat(io.getFileStatus(path).getPath()).isEqualTo(path);
    assertThat(names(io.listFrom(root + "/part=a b/"))).containsExactly("f%1 x.json");
    assertThat(io.listDirectories(root)).containsExactly("part=a b");
    assertThat(io.resolvePath(root + "/part=a b")).isEqualTo(root + "/part=a b");
    assertThat(io.delete(path)).isTrue();
    assertThatThrownBy(() -> io.getFileStatus(path)).isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void resolvesPaths() throws IOException {
    assertThat(s3IO.resolvePath("s3://b/x/y/")).isEqualTo("s3://b/x/y");
    assertThat(s3IO.resolvePath("s3a://b/x")).isEqualTo("s3a://b/x");
    assertThat(localIO.resolvePath("/tmp/a/../b")).isEqualTo("file:/tmp/b");
    assertThat(localIO.resolvePath("file:///tmp/b")).isEqualTo("file:/tmp/b");
    assertThat(DeltaFileIO.join("s3://b/wh/", "s", "t")).isEqualTo("s3://b/wh/s/t");
    assertThat(DeltaFileIO.join("/tmp/wh", "s", "t")).isEqualTo("/tmp/wh/s/t");
    assertThatThrownBy(() -> localIO.listFrom("hdfs://namenode/t/_delta_log/0."))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Unsupported file system in hdfs://namenode/t/_delta_log/0.");
  }

  private static String read(DeltaFileIO io, String path) throws IOException {
    try (SeekableInputStream in =
        io.newInputFile(path, io.getFileStatus(path).getSize()).newStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
