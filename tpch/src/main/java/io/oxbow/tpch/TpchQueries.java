package io.oxbow.tpch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The TPC-H query texts, with the specification's validation substitution parameters. */
public final class TpchQueries {
  private TpchQueries() {}

  /** Query {@code n} (1-based). */
  public static String text(int n) {
    String name = String.format("queries/q%02d.sql", n);
    try (InputStream in = TpchQueries.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("No TPC-H query " + n + " is bundled yet");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
