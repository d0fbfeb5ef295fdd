package io.oxbow.testing;

import io.oxbow.tpch.TpchGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A TPC-H warehouse generated once per build and shared by every test JVM (a file lock keeps two
 * JVMs from generating it at the same time; data is generated into a temporary folder and renamed).
 */
public final class TestingTpchWarehouse {
  private TestingTpchWarehouse() {}

  /** The SF 0.01 warehouse (its {@code tpch} schema holds the eight tables). */
  public static Path sf001() {
    return get(0.01);
  }

  public static synchronized Path get(double scaleFactor) {
    Path base = TestingPaths.target().resolve("test-warehouse");
    Path dir = base.resolve("sf" + scaleFactor);
    try {
      Files.createDirectories(base);
      try (FileChannel lockFile =
              FileChannel.open(
                  base.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        if (TpchGenerator.exists(dir)) {
          return dir;
        }
        Path temp = base.resolve("sf" + scaleFactor + ".tmp-" + ProcessHandle.current().pid());
        delete(temp);
        delete(dir);
        TpchGenerator.generate(temp, scaleFactor);
        Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
