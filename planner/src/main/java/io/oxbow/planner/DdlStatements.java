package io.oxbow.planner;

import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The DDL that Calcite's Babel parser does not take: {@code DROP TABLE}, {@code CREATE INDEX},
 * {@code DROP INDEX}, and column-level {@code PRIMARY KEY} and {@code UNIQUE} in {@code CREATE
 * TABLE}. Statements are read token by token; everything else is left to Calcite.
 */
final class DdlStatements {
  private DdlStatements() {}

  /** A recognised statement. */
  sealed interface Statement {}

  /** {@code DROP TABLE [IF EXISTS] name}. */
  record DropTable(List<String> name, boolean ifExists) implements Statement {}

  /** {@code CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (column [ASC|DESC], ...)}. */
  record CreateIndex(String index, List<String> table, List<String> columns) implements Statement {}

  /** {@code DROP INDEX [IF EXISTS] name}. */
  record DropIndex(String index) implements Statement {}

  /** A token: its text (identifiers case-folded as the parser folds them) and where it is. */
  record Token(Kind kind, String text, int start, int end) {
    boolean is(String keyword) {
      return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    boolean isSymbol(String symbol) {
      return kind == Kind.SYMBOL && text.equals(symbol);
    }
  }

  enum Kind {
    WORD,
    QUOTED,
    STRING,
    NUMBER,
    SYMBOL
  }

  /** The statement {@code text} is, if it is one of the statements this class reads. */
  static Optional<Statement> parse(String text) {
    return parse(text, tokenize(text));
  }

  /** {@link #parse(String)} over the statement's {@link #tokenize tokens}. */
  static Optional<Statement> parse(String text, List<Token> tokens) {
    Cursor c = new Cursor(tokens, text);
    if (c.accept("DROP")) {
      if (c.accept("TABLE")) {
        boolean ifExists = c.acceptAll("IF", "EXISTS");
        List<String> name = c.qualifiedName();
        c.end();
        return Optional.of(new DropTable(name, ifExists));
      }
      if (c.accept("INDEX")) {
        c.acceptAll("IF", "EXISTS");
        List<String> name = c.qualifiedName();
        c.end();
        return Optional.of(new DropIndex(String.join(".", name)));
      }
      return Optional.empty();
    }
    if (c.accept("CREATE")) {
      c.accept("UNIQUE");
      if (!c.accept("INDEX")) {
        return Optional.empty();
      }
      c.acceptAll("IF", "NOT", "EXISTS");
      String index = c.name();
      c.expect("ON");
      List<String> table = c.qualifiedName();
      c.expectSymbol("(");
      List<String> columns = new ArrayList<>();
      do {
        columns.add(c.name());
        if (!c.accept("ASC")) {
          c.accept("DESC");
        }
      } while (c.acceptSymbol(","));
      c.expectSymbol(")");
      c.end();
      return Optional.of(new CreateIndex(index, table, columns));
    }
    return Optional.empty();
  }

  /**
   * {@code text} with column-level {@code PRIMARY KEY} and {@code UNIQUE} blanked out when it is a
   * {@code CREATE TABLE} statement (they are informational, as table-level keys are); any other
   * text is returned unchanged. Blanking keeps every other token's line and column.
   */
  static String withoutColumnKeys(String text) {
    return withoutColumnKeys(text, tokenize(text));
  }

  /** {@link #withoutColumnKeys(String)} over the statement's {@link #tokenize tokens}. */
  static String withoutColumnKeys(String text, List<Token> tokens) {
    int i = 0;
    if (tokens.size() < 3 || !tokens.get(i++).is("CREATE")) {
      return text;
    }
    if (tokens.get(i).is("OR") && i + 1 < tokens.size() && tokens.get(i + 1).is("REPLACE")) {
      i += 2;
    }
    if (i < tokens.size() && tokens.get(i).is("TEMPORARY")) {
      i++;
    }
    if (i >= tokens.size() || !tokens.get(i).is("TABLE")) {
      return text;
    }
    while (i < tokens.size() && !tokens.get(i).isSymbol("(")) {
      i++;
    }
    StringBuilder out = new StringBuilder(text);
    int depth = 0;
    boolean elementStart = false;
    boolean columnElement = false;
    for (; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.isSymbol("(")) {
        depth++;
        if (depth == 1) {
          elementStart = true;
        }
        continue;
      }
      if (t.isSymbol(")")) {
        depth--;
        if (depth == 0) {
          break;
        }
        continue;
      }
      if (depth != 1) {
        continue;
      }
      if (t.isSymbol(",")) {
        elementStart = true;
        continue;
      }
      if (elementStart) {
        elementStart = false;
        columnElement =
            !(t.is("CONSTRAINT")
                || t.is("PRIMARY")
                || t.is("UNIQUE")
                || t.is("FOREIGN")
                || t.is("CHECK"));
        continue;
      }
      if (!columnElement) {
        continue;
      }
      if (t.is("PRIMARY") && i + 1 < tokens.size() && tokens.get(i + 1).is("KEY")) {
        int last = i + 1;
        if (last + 1 < tokens.size()
            && (tokens.get(last + 1).is("ASC") || tokens.get(last + 1).is("DESC"))) {
          last++;
        }
        blank(out, t.start(), tokens.get(last).end());
        i = last;
      } else if (t.is("UNIQUE")) {
        blank(out, t.start(), t.end());
      }
    }
    return out.toString();
  }

  private static void blank(StringBuilder text, int from, int to) {
    for (int p = from; p < to; p++) {
      if (text.charAt(p) != '\n') {
        text.setCharAt(p, ' ');
      }
    }
  }

  /** Splits SQL text into tokens, skipping blanks and comments. */
  static List<Token> tokenize(String text) {
    List<Token> tokens = new ArrayList<>();
    int n = text.length();
    int p = 0;
    while (p < n) {
      char ch = text.charAt(p);
      if (Character.isWhitespace(ch)) {
        p++;
      } else if (ch == '-' && p + 1 < n && text.charAt(p + 1) == '-') {
        while (p < n && text.charAt(p) != '\n') {
          p++;
        }
      } else if (ch == '/' && p + 1 < n && text.charAt(p + 1) == '*') {
        int close = text.indexOf("*/", p + 2);
        p = close < 0 ? n : close + 2;
      } else if (ch == '"' || ch == '`' || ch == '\'') {
        int start = p;
        StringBuilder value = new StringBuilder();
        p++;
        while (p < n) {
          char c = text.charAt(p);
          if (c == ch) {
            if (p + 1 < n && text.charAt(p + 1) == ch) {
              value.append(ch);
              p += 2;
              continue;
            }
            p++;
            break;
          }
          value.append(c);
          p++;
        }
        tokens.add(new Token(ch == '\'' ? Kind.STRING : Kind.QUOTED, value.toString(), start, p));
      } else if (Character.isLetter(ch) || ch == '_') {
        int start = p;
        while (p < n
            && (Character.isLetterOrDigit(text.charAt(p))
                || text.charAt(p) == '_'
                || text.charAt(p) == '$')) {
          p++;
        }
        tokens.add(new Token(Kind.WORD, text.substring(start, p), start, p));
      } else if (Character.isDigit(ch)) {
        int start = p;
        while (p < n && (Character.isLetterOrDigit(text.charAt(p)) || text.charAt(p) == '.')) {
          p++;
        }
        tokens.add(new Token(Kind.NUMBER, text.substring(start, p), start, p));
      } else {
        tokens.add(new Token(Kind.SYMBOL, String.valueOf(ch), p, p + 1));
        p++;
      }
    }
    return tokens;
  }

  /** Reads tokens in order, with errors that say where the statement went wrong. */
  static final class Cursor {
    private final List<Token> tokens;
    private final String text;
    private int next;

    Cursor(List<Token> tokens, String text) {
      this.tokens = tokens;
      this.text = text;
    }

    boolean accept(String keyword) {
      if (next < tokens.size() && tokens.get(next).is(keyword)) {
        next++;
        return true;
      }
      return false;
    }

    /** Accepts the keywords in sequence, or none of them. */
    boolean acceptAll(String... keywords) {
      for (int k = 0; k < keywords.length; k++) {
        if (next + k >= tokens.size() || !tokens.get(next + k).is(keywords[k])) {
          if (k > 0) {
            next += k;
            throw error("Expected " + keywords[k]);
          }
          return false;
        }
      }
      next += keywords.length;
      return true;
    }

    boolean acceptSymbol(String symbol) {
      if (next < tokens.size() && tokens.get(next).isSymbol(symbol)) {
        next++;
        return true;
      }
      return false;
    }

    void expect(String keyword) {
      if (!accept(keyword)) {
        throw error("Expected " + keyword);
      }
    }

    void expectSymbol(String symbol) {
      if (!acceptSymbol(symbol)) {
        throw error("Expected \"" + symbol + "\"");
      }
    }

    /** A name: unquoted names are lower-cased, quoted ones kept as written. */
    String name() {
      if (next < tokens.size()) {
        Token t = tokens.get(next);
        if (t.kind() == Kind.WORD) {
          next++;
          return t.text().toLowerCase(Locale.ROOT);
        }
        if (t.kind() == Kind.QUOTED) {
          next++;
          return t.text();
        }
      }
      throw error("Expected a name");
    }

    List<String> qualifiedName() {
      List<String> parts = new ArrayList<>();
      parts.add(name());
      while (acceptSymbol(".")) {
        parts.add(name());
      }
      return parts;
    }

    void end() {
      acceptSymbol(";");
      if (next < tokens.size()) {
        throw error("Unexpected text");
      }
    }

    /** Whether every token has been read (a trailing semicolon counts as read). */
    boolean atEnd() {
      return next >= tokens.size() || (next == tokens.size() - 1 && tokens.get(next).isSymbol(";"));
    }

    /** The next token, or null at the end. */
    Token peek() {
      return peek(0);
    }

    /** The token {@code ahead} places after the next one, or null past the end. */
    Token peek(int ahead) {
      return next + ahead < tokens.size() ? tokens.get(next + ahead) : null;
    }

    /** Whether the next token is {@code keyword}, without reading it. */
    boolean at(String keyword) {
      return next < tokens.size() && tokens.get(next).is(keyword);
    }

    /** Reads and returns the next token; a syntax error at the end of the statement. */
    Token take() {
      if (next >= tokens.size()) {
        throw error("Unexpected end");
      }
      return tokens.get(next++);
    }

    /** A string literal's value. */
    String string() {
      Token t = peek();
      if (t == null || t.kind() != Kind.STRING) {
        throw error("Expected a quoted string");
      }
      next++;
      return t.text();
    }

    /**
     * The text of the expression starting at the next token and ending before the first of {@code
     * stops} (keywords or one-character symbols) outside parentheses and CASE ... END, or at the
     * end of the statement. A syntax error naming {@code what} if it is empty.
     */
    String expression(String what, String... stops) {
      int first = next;
      int depth = 0;
      while (next < tokens.size()) {
        Token t = tokens.get(next);
        if (depth == 0 && isStop(t, stops)) {
          break;
        }
        if (t.isSymbol("(") || t.is("CASE")) {
          depth++;
        } else if (t.isSymbol(")") || t.is("END")) {
          if (depth == 0) {
            break;
          }
          depth--;
        } else if (depth == 0 && t.isSymbol(";") && next == tokens.size() - 1) {
          break;
        }
        next++;
      }
      if (next == first) {
        throw error("Expected " + what);
      }
      return text.substring(tokens.get(first).start(), tokens.get(next - 1).end());
    }

    private static boolean isStop(Token t, String[] stops) {
      for (String stop : stops) {
        if (stop.length() == 1 && !Character.isLetter(stop.charAt(0))
            ? t.isSymbol(stop)
            : t.is(stop)) {
          return true;
        }
      }
      return false;
    }

    OxbowException error(String what) {
      if (next >= tokens.size()) {
        return OxbowException.userError("Syntax error: %s at the end of the statement", what);
      }
      Token t = tokens.get(next);
      int line = 1;
      int column = 1;
      for (int p = 0; p < t.start(); p++) {
        if (text.charAt(p) == '\n') {
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
}
