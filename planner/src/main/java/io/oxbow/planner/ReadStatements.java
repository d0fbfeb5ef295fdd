package io.oxbow.planner;

import io.oxbow.planner.DdlStatements.Kind;
import io.oxbow.planner.DdlStatements.Token;
import io.oxbow.planner.schema.TableVariant;
import io.oxbow.spi.error.OxbowException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The read syntax of Delta tables that Calcite's parser does not take, rewritten token by token
 * into table names with {@link TableVariant} suffixes before Calcite parses the statement:
 *
 * <ul>
 *   <li>{@code FROM t [FOR] VERSION AS OF 3} becomes {@code FROM "t@v3"};
 *   <li>{@code FROM t [FOR] TIMESTAMP AS OF '2026-01-01 10:00:00'} (also {@code TIMESTAMP '...'}
 *       and date-only strings, read as UTC) becomes {@code FROM "t@t<epochMicros>"};
 *   <li>{@code DESCRIBE HISTORY t} (or {@code DESC HISTORY t}) becomes {@code SELECT * FROM
 *       "t$history" ORDER BY "version" DESC};
 *   <li>{@code FROM table_changes('t', 2 [, 5])} becomes {@code FROM "t$changes@2-5"}.
 * </ul>
 *
 * A rewritten table reference is padded with blanks to the length of the text it replaces, so the
 * line and column of every later token stay as the user wrote them.
 */
final class ReadStatements {
  private ReadStatements() {}

  private static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .appendPattern("HH:mm")
          .optionalStart()
          .appendPattern(":ss")
          .optionalEnd()
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .toFormatter(Locale.ROOT);

  /** {@code text} with the read syntax rewritten; {@code text} itself if it has none. */
  static String rewrite(String text) {
    return rewrite(text, DdlStatements.tokenize(text));
  }

  /** {@link #rewrite(String)} over the statement's {@link DdlStatements#tokenize tokens}. */
  static String rewrite(String text, List<Token> tokens) {
    if (tokens.size() >= 2
        && (tokens.get(0).is("DESCRIBE") || tokens.get(0).is("DESC"))
        && tokens.get(1).is("HISTORY")) {
      return describeHistory(text, tokens);
    }
    StringBuilder out = null;
    for (int i = 0; i < tokens.size(); i++) {
      Replacement r = tableChanges(text, tokens, i);
      if (r == null) {
        r = timeTravel(text, tokens, i);
      }
      if (r == null) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text);
      }
      int start = tokens.get(r.first()).start();
      int end = tokens.get(r.last()).end();
      String replacement = r.text();
      if (replacement.length() < end - start) {
        replacement = replacement + " ".repeat(end - start - replacement.length());
      }
      // later replacements are at later offsets: shift by what earlier ones added
      int shift = out.length() - text.length();
      out.replace(start + shift, end + shift, replacement);
      i = r.last();
    }
    return out == null ? text : out.toString();
  }

  /** Tokens {@code first..last} (inclusive) replaced by {@code text}. */
  private record Replacement(int first, int last, String text) {}

  private static String describeHistory(String text, List<Token> tokens) {
    int i = 2;
    List<String> name = new ArrayList<>();
    i = name(tokens, i, name);
    if (name.isEmpty()) {
      throw error(text, tokens, i, "DESCRIBE HISTORY takes a table name");
    }
    String limit = "";
    if (i < tokens.size() && tokens.get(i).is("LIMIT")) {
      if (i + 1 < tokens.size() && tokens.get(i + 1).kind() == Kind.NUMBER) {
        limit = " LIMIT " + tokens.get(i + 1).text();
        i += 2;
      } else {
        throw error(text, tokens, i + 1, "LIMIT takes a number");
      }
    }
    if (i < tokens.size()) {
      throw error(text, tokens, i, "Unexpected text after DESCRIBE HISTORY's table name");
    }
    String blank = text.substring(0, tokens.get(0).start());
    return blank
        + "SELECT * FROM "
        + quoted(name, TableVariant.history(name.get(name.size() - 1)).toName())
        + " ORDER BY \"version\" DESC"
        + limit;
  }

  /**
   * {@code table_changes('name', start [, end])} at token {@code i}, when it is a table in a FROM
   * clause.
   */
  private static Replacement tableChanges(String text, List<Token> tokens, int i) {
    if (!tokens.get(i).is("TABLE_CHANGES")
        || i + 1 >= tokens.size()
        || !tokens.get(i + 1).isSymbol("(")
        || !startsTable(tokens, i)) {
      return null;
    }
    String usage =
        "table_changes takes a table name and one or two versions, as in"
            + " table_changes('t', 2) or table_changes('sch.t', 2, 5)";
    int p = i + 2;
    if (p >= tokens.size() || tokens.get(p).kind() != Kind.STRING) {
      throw error(text, tokens, p, usage);
    }
    List<String> name = new ArrayList<>();
    for (String part : tokens.get(p).text().split("\\.", -1)) {
      String trimmed = part.strip();
      if (trimmed.length() >= 2
          && (trimmed.startsWith("\"") && trimmed.endsWith("\"")
              || trimmed.startsWith("`") && trimmed.endsWith("`"))) {
        trimmed = trimmed.substring(1, trimmed.length() - 1);
      }
      if (trimmed.isEmpty()) {
        throw error(text, tokens, p, "table_changes: '" + tokens.get(p).text() + "' is no table");
      }
      name.add(trimmed);
    }
    if (name.size() > 3) {
      throw error(text, tokens, p, "table_changes: '" + tokens.get(p).text() + "' is no table");
    }
    p++;
    List<Long> versions = new ArrayList<>();
    while (p < tokens.size() && tokens.get(p).isSymbol(",")) {
      p++;
      if (p >= tokens.size() || tokens.get(p).kind() != Kind.NUMBER) {
        throw error(text, tokens, p, usage + "; versions are whole numbers");
      }
      try {
        versions.add(Long.parseLong(tokens.get(p).text()));
      } catch (NumberFormatException e) {
        throw error(text, tokens, p, usage + "; versions are whole numbers");
      }
      p++;
    }
    if (p >= tokens.size() || !tokens.get(p).isSymbol(")")) {
      throw error(text, tokens, p, usage);
    }
    if (versions.isEmpty() || versions.size() > 2) {
      throw error(text, tokens, i, usage);
    }
    OptionalLong end =
        versions.size() == 2 ? OptionalLong.of(versions.get(1)) : OptionalLong.empty();
    if (end.isPresent() && end.getAsLong() < versions.get(0)) {
      throw error(
          text,
          tokens,
          i,
          String.format(
              Locale.ROOT,
              "table_changes: the end version %d is before the start version %d",
              end.getAsLong(),
              versions.get(0)));
    }
    String last = name.get(name.size() - 1);
    return new Replacement(
        i, p, quoted(name, TableVariant.changes(last, versions.get(0), end).toName()));
  }

  /** A table name at token {@code i} followed by {@code [FOR] VERSION|TIMESTAMP AS OF value}. */
  private static Replacement timeTravel(String text, List<Token> tokens, int i) {
    if (!startsTable(tokens, i)) {
      return null;
    }
    List<String> name = new ArrayList<>();
    int p = name(tokens, i, name);
    if (name.isEmpty() || p >= tokens.size()) {
      return null;
    }
    if (tokens.get(p).is("FOR")
        && p + 1 < tokens.size()
        && (tokens.get(p + 1).is("VERSION") || tokens.get(p + 1).is("TIMESTAMP"))) {
      p++;
    }
    boolean version = tokens.get(p).is("VERSION");
    if (!version && !tokens.get(p).is("TIMESTAMP")) {
      return null;
    }
    if (p + 2 >= tokens.size() || !tokens.get(p + 1).is("AS") || !tokens.get(p + 2).is("OF")) {
      return null;
    }
    String clause = version ? "VERSION AS OF" : "TIMESTAMP AS OF";
    p += 3;
    String last = name.get(name.size() - 1);
    if (version) {
      if (p >= tokens.size() || tokens.get(p).kind() != Kind.NUMBER) {
        throw error(text, tokens, p, clause + " takes a version number, as in VERSION AS OF 3");
      }
      long number;
      try {
        number = Long.parseLong(tokens.get(p).text());
      } catch (NumberFormatException e) {
        throw error(text, tokens, p, clause + " takes a version number, as in VERSION AS OF 3");
      }
      return new Replacement(i, p, quoted(name, TableVariant.atVersion(last, number).toName()));
    }
    if (p < tokens.size() && (tokens.get(p).is("TIMESTAMP") || tokens.get(p).is("DATE"))) {
      p++;
    }
    String example = ", as in TIMESTAMP AS OF '2026-01-01 10:00:00' (UTC)";
    if (p >= tokens.size() || tokens.get(p).kind() != Kind.STRING) {
      throw error(text, tokens, p, clause + " takes a timestamp string" + example);
    }
    long micros;
    try {
      micros = epochMicros(tokens.get(p).text());
    } catch (ArithmeticException | java.time.DateTimeException e) {
      throw error(
          text,
          tokens,
          p,
          clause + ": '" + tokens.get(p).text() + "' is not a date or timestamp" + example);
    }
    return new Replacement(i, p, quoted(name, TableVariant.atTimestamp(last, micros).toName()));
  }

  /**
   * Microseconds since the epoch of a date or timestamp string, UTC unless it has an offset ({@code
   * +02:00}, {@code Z}) or a zone after a blank ({@code 2026-01-01 10:00:00 Europe/Paris}).
   */
  static long epochMicros(String value) {
    String s = value.strip();
    int blank = s.lastIndexOf(' ');
    if (blank > 10 && Character.isLetter(s.charAt(blank + 1))) {
      java.time.ZoneId zone = java.time.ZoneId.of(s.substring(blank + 1));
      java.time.Instant local =
          java.time.Instant.EPOCH.plus(
              epochMicros(s.substring(0, blank)), java.time.temporal.ChronoUnit.MICROS);
      java.time.Instant instant =
          LocalDateTime.ofInstant(local, ZoneOffset.UTC).atZone(zone).toInstant();
      return Math.addExact(
          Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }
    java.time.Instant instant;
    if (s.length() == 10) {
      instant = LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
    } else {
      try {
        instant = LocalDateTime.parse(s, TIMESTAMP).toInstant(ZoneOffset.UTC);
      } catch (DateTimeParseException e) {
        instant = OffsetDateTime.parse(s.replace(' ', 'T')).toInstant();
      }
    }
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
  }

  /**
   * Whether token {@code i} starts a table reference: it follows FROM, JOIN, USING, a comma or an
   * opening parenthesis.
   */
  private static boolean startsTable(List<Token> tokens, int i) {
    Token t = tokens.get(i);
    if (t.kind() != Kind.WORD && t.kind() != Kind.QUOTED || i == 0) {
      return false;
    }
    Token before = tokens.get(i - 1);
    return before.is("FROM")
        || before.is("JOIN")
        || before.is("USING")
        || before.isSymbol(",")
        || before.isSymbol("(");
  }

  /**
   * Reads a qualified name from token {@code i} into {@code name} (unquoted parts lower-cased, as
   * the parser folds them) and returns the index after it; {@code name} stays empty if there is
   * none.
   */
  private static int name(List<Token> tokens, int i, List<String> name) {
    int p = i;
    while (p < tokens.size()) {
      Token t = tokens.get(p);
      if (t.kind() == Kind.WORD) {
        name.add(t.text().toLowerCase(Locale.ROOT));
      } else if (t.kind() == Kind.QUOTED) {
        name.add(t.text());
      } else {
        break;
      }
      p++;
      if (p + 1 < tokens.size()
          && tokens.get(p).isSymbol(".")
          && (tokens.get(p + 1).kind() == Kind.WORD || tokens.get(p + 1).kind() == Kind.QUOTED)
          && name.size() < 3) {
        p++;
      } else {
        break;
      }
    }
    return p;
  }

  /** The name with its last part replaced by {@code last}, every part double-quoted. */
  private static String quoted(List<String> name, String last) {
    StringBuilder out = new StringBuilder();
    for (int k = 0; k < name.size(); k++) {
      String part = k == name.size() - 1 ? last : name.get(k);
      if (k > 0) {
        out.append('.');
      }
      out.append('"').append(part.replace("\"", "\"\"")).append('"');
    }
    return out.toString();
  }

  private static OxbowException error(String text, List<Token> tokens, int p, String what) {
    if (p >= tokens.size()) {
      return OxbowException.userError("Syntax error: %s, at the end of the statement", what);
    }
    Token t = tokens.get(p);
    int line = 1;
    int column = 1;
    for (int k = 0; k < t.start(); k++) {
      if (text.charAt(k) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return OxbowException.userError(
        "Syntax error at line %d, column %d: %s, near \"%s\"",
        line, column, what, text.substring(t.start(), t.end()));
  }
}
