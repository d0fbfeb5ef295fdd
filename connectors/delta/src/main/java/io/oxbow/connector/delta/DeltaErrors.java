package io.oxbow.connector.delta;

import io.delta.kernel.exceptions.KernelException;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns delta-kernel's failures into Oxbow errors with a stable code and an actionable message. */
final class DeltaErrors {
  private static final Pattern READER_FEATURES =
      Pattern.compile("requires reader table features \\[([^\\]]*)\\]");
  private static final Pattern WRITER_FEATURE =
      Pattern.compile("requires writer table feature \"\\[?([^\"\\]]*)\\]?\"");
  private static final Pattern TABLE_FEATURE = Pattern.compile("requires feature \"([^\"]*)\"");
  private static final Pattern READER_VERSION = Pattern.compile("requires reader version (\\d+)");
  private static final Pattern WRITER_VERSION = Pattern.compile("requires writer version (\\d+)");

  private DeltaErrors() {}

  /**
   * The error for a kernel failure while reading {@code table}: a table whose protocol needs a
   * feature delta-kernel cannot read (or write) is a user error naming the feature; anything else
   * is a source failure carrying kernel's message.
   */
  static OxbowException translate(KernelException e, String table, String location) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    Matcher m;
    if ((m = READER_FEATURES.matcher(message)).find()
        || (m = TABLE_FEATURE.matcher(message)).find()) {
      return new OxbowException(
          ErrorCode.USER_ERROR,
          String.format(
              "Delta table '%s' uses the table feature(s) [%s], which Oxbow cannot read yet"
                  + " (delta-kernel 4.0.0); rewrite the table without them or read it with an"
                  + " engine that supports them",
              table, m.group(1)),
          e);
    }
    if ((m = WRITER_FEATURE.matcher(message)).find()) {
      return new OxbowException(
          ErrorCode.USER_ERROR,
          String.format(
              "Delta table '%s' uses the writer table feature [%s], which Oxbow cannot write yet"
                  + " (delta-kernel 4.0.0); the table can still be read",
              table, m.group(1)),
          e);
    }
    if ((m = READER_VERSION.matcher(message)).find()) {
      return new OxbowException(
          ErrorCode.USER_ERROR,
          String.format(
              "Delta table '%s' needs Delta reader protocol version %s, which Oxbow cannot read"
                  + " (it reads versions 1 to 3)",
              table, m.group(1)),
          e);
    }
    if ((m = WRITER_VERSION.matcher(message)).find()) {
      return new OxbowException(
          ErrorCode.USER_ERROR,
          String.format(
              "Delta table '%s' needs Delta writer protocol version %s, which Oxbow cannot write"
                  + " (it writes versions up to 7)",
              table, m.group(1)),
          e);
    }
    return new OxbowException(
        ErrorCode.SOURCE_UNAVAILABLE,
        "Cannot read Delta table '" + table + "' at " + location + ": " + message,
        e);
  }
}
