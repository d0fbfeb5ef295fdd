package io.oxbow.spi.error;

import java.util.Objects;

/**
 * An error with a stable {@link ErrorCode} and a message a user can act on. Anything thrown that is
 * not an {@code OxbowException} is reported to clients as {@link ErrorCode#INTERNAL}.
 */
public class OxbowException extends RuntimeException {
  private final ErrorCode code;

  public OxbowException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public OxbowException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }

  public static OxbowException userError(String format, Object... args) {
    return new OxbowException(ErrorCode.USER_ERROR, String.format(format, args));
  }

  public static OxbowException notFound(String format, Object... args) {
    return new OxbowException(ErrorCode.NOT_FOUND, String.format(format, args));
  }
}
