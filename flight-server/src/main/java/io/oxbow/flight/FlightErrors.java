package io.oxbow.flight;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one translation of Oxbow errors into Flight statuses. The description carries the user
 * message and, in brackets, the stable code and SQLSTATE; metadata keys {@code oxbow-error-code}
 * and {@code oxbow-sqlstate} carry them too. Stack traces go to the log only.
 */
final class FlightErrors {
  private static final Logger LOG = LoggerFactory.getLogger(FlightErrors.class);

  private FlightErrors() {}

  static FlightRuntimeException toFlight(Throwable t) {
    if (t instanceof FlightRuntimeException f) {
      return f;
    }
    OxbowException error;
    if (t instanceof OxbowException o) {
      error = o;
    } else {
      LOG.error("Internal error", t);
      error =
          new OxbowException(
              ErrorCode.INTERNAL,
              "Internal error (" + t.getClass().getSimpleName() + "); the server log has details",
              t);
    }
    if (error.code() == ErrorCode.INTERNAL && t instanceof OxbowException) {
      LOG.error("Internal error", t);
    }
    CallStatus status =
        switch (error.code()) {
          case USER_ERROR -> CallStatus.INVALID_ARGUMENT;
          case NOT_FOUND -> CallStatus.NOT_FOUND;
          case PERMISSION_DENIED -> CallStatus.UNAUTHORIZED;
          // Flight has no RESOURCE_EXHAUSTED; UNAVAILABLE tells clients to retry later
          case RESOURCE_EXHAUSTED, SOURCE_UNAVAILABLE -> CallStatus.UNAVAILABLE;
          case CANCELLED -> CallStatus.CANCELLED;
          case INTERNAL -> CallStatus.INTERNAL;
        };
    ErrorFlightMetadata metadata = new ErrorFlightMetadata();
    metadata.insert("oxbow-error-code", error.code().name());
    metadata.insert("oxbow-sqlstate", error.code().sqlState());
    return status
        .withDescription(
            error.getMessage()
                + " ["
                + error.code().name()
                + ", SQLSTATE "
                + error.code().sqlState()
                + "]")
        .withMetadata(metadata)
        .toRuntimeException();
  }
}
