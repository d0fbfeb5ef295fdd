package io.oxbow.testing;

import java.nio.file.Path;

/** Where fixtures keep state shared between test JVMs of one build. */
public final class TestingPaths {
  private TestingPaths() {}

  /** The repository root (system property {@code oxbow.root}, set by the build). */
  public static Path root() {
    String root = System.getProperty("oxbow.root");
    return (root == null ? Path.of("").toAbsolutePath() : Path.of(root)).normalize();
  }

  /** {@code <root>/target}, removed by {@code mvn clean}. */
  public static Path target() {
    return root().resolve("target");
  }
}
