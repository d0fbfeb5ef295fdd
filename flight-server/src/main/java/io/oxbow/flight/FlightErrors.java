package io.oxbow.flight;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one translation of Oxbow errors into Flight statuses.
 *
 * <ul>
 *   <li>USER_ERROR: INVALID_ARGUMENT
 *   <li>NOT_FOUND: NOT_FOUND
 *   <li>PERMISSION_DENIED: UNAUTHORIZED
 *   <li>RESOURCE_EXHAUSTED: RESOURCE_EXHAUSTED (Arrow Java Flight 18 has this code; it is gRPC's
 *       RESOURCE_EXHAUSTED on the wire)
 *   <li>SOURCE_UNAVAILABLE: UNAVAILABLE
 *   <li>CANCELLED: CANCELLED
 *   <li>INTERNAL, and any exception that is not an OxbowException: INTERNAL
 * </ul>
 *
 * <p>The description is the user-facing message followed by {@code [CODE, SQLSTATE xxxxx]}; the
 * metadata keys {@code oxbow-error-code} and {@code oxbow-sqlstate} carry the same two values for
 * programs. Stack traces go to the server log only, never to the client.
 */
final class FlightErrors {
  private static final Logger LOG = LoggerFactory.getLogger(FlightErrors.class);

  static final String ERROR_CODE_KEY = "oxbow-error-code";
  static final String SQLSTATE_KEY = "oxbow-sqlstate";

  private FlightErrors() {}

  static FlightRuntimeException toFlight(Throwable t) {
    if (t instanceof FlightRuntimeException f) {
      return f;
    }
    OxbowException error;
    if (t instanceof OxbowException o) {
      error = o;
      if (o.code() == ErrorCode.INTERNAL) {
        LOG.error("Internal error: {}", o.getMessage(), o);
      }
    } else {
      LOG.error("Internal error", t);
      error =
          new OxbowException(
              ErrorCode.INTERNAL,
              "Internal error (" + t.getClass().getSimpleName() + "); the server log has details",
              t);
    }
    ErrorFlightMetadata metadata = new ErrorFlightMetadata();
    metadata.insert(ERROR_CODE_KEY, error.code().name());
    metadata.insert(SQLSTATE_KEY, error.code().sqlState());
    return status(error.code())
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

  static CallStatus status(ErrorCode code) {
    return switch (code) {
      case USER_ERROR -> CallStatus.INVALID_ARGUMENT;
      case NOT_FOUND -> CallStatus.NOT_FOUND;
      case PERMISSION_DENIED -> CallStatus.UNAUTHORIZED;
      case RESOURCE_EXHAUSTED -> CallStatus.RESOURCE_EXHAUSTED;
      case SOURCE_UNAVAILABLE -> CallStatus.UNAVAILABLE;
      case CANCELLED -> CallStatus.CANCELLED;
      // Flight has no ABORTED; the SQLSTATE (40001) in the metadata says "serialization failure"
      case CONFLICT -> CallStatus.ALREADY_EXISTS;
      case INTERNAL -> CallStatus.INTERNAL;
    };
  }
}
