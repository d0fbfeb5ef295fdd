package io.oxbow.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python virtualenv with pyarrow and the ADBC Flight SQL driver, created once per build under
 * {@code <root>/target/python-venv} from the pinned {@code python-requirements.txt}. Needs only
 * {@code python3} with the {@code venv} module on the PATH.
 */
public final class TestingPythonEnvironment {
  private static Path python;

  private TestingPythonEnvironment() {}

  /** The virtualenv's python executable, creating the virtualenv if needed. */
  public static synchronized Path python() {
    if (python != null) {
      return python;
    }
    Path venv = TestingPaths.target().resolve("python-venv");
    try {
      Files.createDirectories(venv.getParent());
      String requirements;
      try (InputStream in =
          TestingPythonEnvironment.class.getResourceAsStream("python-requirements.txt")) {
        requirements = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Path marker = venv.resolve(".oxbow-complete");
      try (FileChannel lockFile =
              FileChannel.open(
                  venv.getParent().resolve(".python-venv.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        if (!Files.exists(marker)
            || !Files.readString(marker, StandardCharsets.UTF_8).equals(requirements)) {
          createVirtualenv(venv);
          Path req = venv.resolve("requirements.txt");
          Files.writeString(req, requirements);
          run(
              List.of(
                  venv.resolve("bin/python").toString(),
                  "-m",
                  "pip",
                  "install",
                  "--quiet",
                  "--disable-pip-version-check",
                  "-r",
                  req.toString()),
              900);
          Files.writeString(marker, requirements);
        }
      }
      python = venv.resolve("bin/python");
      return python;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void createVirtualenv(Path venv) throws IOException {
    try {
      run(List.of("python3", "-m", "venv", "--clear", venv.toString()), 300);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "The Python client tests need 'python3 -m venv' (with ensurepip) to create "
              + venv
              + "; on Debian or Ubuntu install it with: apt-get install python3-venv\n"
              + e.getMessage(),
          e);
    }
  }

  /** Runs a Python script with arguments in the virtualenv and returns its standard output. */
  public static String runScript(String script, List<String> args) {
    try {
      Path file = Files.createTempFile("oxbow-test-", ".py");
      try {
        Files.writeString(file, script);
        List<String> command = new ArrayList<>();
        command.add(python().toString());
        command.add(file.toString());
        command.addAll(args);
        return run(command, 300);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String run(List<String> command, int timeoutSeconds) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    Path stderr = Files.createTempFile("oxbow-python-", ".err");
    builder.redirectError(stderr.toFile());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot run " + command.get(0) + ": the tests need python3 with the venv module", e);
    }
    try {
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("Timed out after " + timeoutSeconds + " s: " + command);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "Command failed with exit code "
                + process.exitValue()
                + ": "
                + command
                + "\n"
                + Files.readString(stderr));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted: " + command, e);
    } finally {
      Files.deleteIfExists(stderr);
    }
  }
}
