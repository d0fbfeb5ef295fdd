package io.oxbow.flight;

import java.util.regex.Pattern;

/**
 * A SQL LIKE pattern as used by Flight SQL metadata filters: {@code %} matches any run of
 * characters, {@code _} exactly one, and a backslash makes the next character literal (the search
 * string escape the server announces in its SQL info). Matching is case-sensitive, as names are
 * stored.
 */
final class LikePattern {
  private final Pattern regex;

  private LikePattern(Pattern regex) {
    this.regex = regex;
  }

  /** Compiles a pattern; {@code null} matches everything. */
  static LikePattern of(String pattern) {
    if (pattern == null) {
      return new LikePattern(null);
    }
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (c == '%') {
        regex.append(".*");
      } else if (c == '_') {
        regex.append('.');
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new LikePattern(Pattern.compile(regex.toString(), Pattern.DOTALL));
  }

  boolean matches(String value) {
    return regex == null || regex.matcher(value).matches();
  }
}
