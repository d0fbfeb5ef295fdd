package io.oxbow.federation;

import java.util.Objects;

/**
 * Who is asking and where unqualified names resolve.
 *
 * @param user the authenticated user name
 * @param catalog the default catalog for unqualified names (may be null)
 * @param schema the default schema for unqualified names (may be null)
 */
public record Session(String user, String catalog, String schema) {
  public Session {
    Objects.requireNonNull(user, "user");
  }
}
