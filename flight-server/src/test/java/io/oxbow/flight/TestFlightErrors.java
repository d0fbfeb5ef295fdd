package io.oxbow.flight;

import static org.assertj.core.api.Assertions.assertThat;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.junit.jupiter.api.Test;

class TestFlightErrors {
  @Test
  void everyErrorCodeHasItsFlightStatus() {
    Map<ErrorCode, FlightStatusCode> expected =
        Map.of(
            ErrorCode.USER_ERROR, FlightStatusCode.INVALID_ARGUMENT,
            ErrorCode.NOT_FOUND, FlightStatusCode.NOT_FOUND,
            ErrorCode.PERMISSION_DENIED, FlightStatusCode.UNAUTHORIZED,
            ErrorCode.RESOURCE_EXHAUSTED, FlightStatusCode.RESOURCE_EXHAUSTED,
            ErrorCode.SOURCE_UNAVAILABLE, FlightStatusCode.UNAVAILABLE,
            ErrorCode.CANCELLED, FlightStatusCode.CANCELLED,
            ErrorCode.CONFLICT, FlightStatusCode.ALREADY_EXISTS,
            ErrorCode.INTERNAL, FlightStatusCode.INTERNAL);
    assertThat(expected).hasSize(ErrorCode.values().length);
    for (ErrorCode code : ErrorCode.values()) {
      FlightRuntimeException e = FlightErrors.toFlight(new OxbowException(code, "boom"));
      assertThat(e.status().code()).as(code.name()).isEqualTo(expected.get(code));
    }
  }

  @Test
  void descriptionCarriesMessageCodeAndSqlStateAndSoDoesMetadata() {
    FlightRuntimeException e =
        FlightErrors.toFlight(OxbowException.notFound("Table '%s' not found", "nope"));
    assertThat(e.status().description())
        .isEqualTo("Table 'nope' not found [NOT_FOUND, SQLSTATE 42S02]");
    assertThat(e.status().metadata().get(FlightErrors.ERROR_CODE_KEY)).isEqualTo("NOT_FOUND");
    assertThat(e.status().metadata().get(FlightErrors.SQLSTATE_KEY)).isEqualTo("42S02");
  }

  @Test
  void unexpectedExceptionsBecomeInternalWithoutTheirDetails() {
    FlightRuntimeException e =
        FlightErrors.toFlight(new IllegalStateException("secret detail at Foo.java:12"));
    assertThat(e.status().code()).isEqualTo(FlightStatusCode.INTERNAL);
    assertThat(e.status().description())
        .isEqualTo(
            "Internal error (IllegalStateException); the server log has details"
                + " [INTERNAL, SQLSTATE XX000]")
        .doesNotContain("secret")
        .doesNotContain("Foo.java");
    assertThat(e.getCause()).isNull();
  }

  @Test
  void flightExceptionsPassThroughUnchanged() {
    FlightRuntimeException original =
        CallStatus.UNIMPLEMENTED
            .withDescription("Oxbow does not support Substrait plans")
            .toRuntimeException();
    assertThat(FlightErrors.toFlight(original)).isSameAs(original);
  }
}
