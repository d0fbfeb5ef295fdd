package io.oxbow.federation;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import org.apache.arrow.memory.OutOfMemoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns any failure into an {@link OxbowException}; unexpected ones are logged with their trace.
 */
final class Errors {
  private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

  private Errors() {}

  static OxbowException translate(Throwable t) {
    if (t instanceof OxbowException e) {
      if (e.code() == ErrorCode.INTERNAL) {
        LOG.error("Internal error", e);
      }
      return e;
    }
    if (t instanceof OutOfMemoryException) {
      return new OxbowException(
          ErrorCode.RESOURCE_EXHAUSTED, "Query exceeded its memory limit: " + t.getMessage(), t);
    }
    LOG.error("Internal error", t);
    return new OxbowException(
        ErrorCode.INTERNAL,
        "Internal error (" + t.getClass().getSimpleName() + "); the server log has details",
        t);
  }
}
