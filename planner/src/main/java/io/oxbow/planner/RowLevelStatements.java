package io.oxbow.planner;

import io.oxbow.planner.DataChange.Assignment;
import io.oxbow.planner.DataChange.MergeAction;
import io.oxbow.planner.DataChange.MergeClause;
import io.oxbow.planner.DataChange.MergeMatch;
import io.oxbow.planner.DdlStatements.Cursor;
import io.oxbow.planner.DdlStatements.Kind;
import io.oxbow.planner.DdlStatements.Token;
import io.oxbow.spi.connector.TableOptions;
import io.oxbow.spi.error.OxbowException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The data-changing statements of Databricks SQL that Calcite's parser does not take: {@code
 * DELETE}, {@code UPDATE}, {@code MERGE INTO}, {@code COPY INTO}, {@code INSERT OVERWRITE} and the
 * Delta clauses of {@code CREATE TABLE} ({@code USING}, {@code PARTITIONED BY}, {@code LOCATION},
 * {@code COMMENT}, {@code TBLPROPERTIES}). Statements are read token by token; expressions stay SQL
 * text and are checked when the SQL the statement runs as is planned.
 */
final class RowLevelStatements {
  private RowLevelStatements() {}

  /** A recognised statement. */
  sealed interface Statement {}

  /** {@code DELETE FROM table [[AS] alias] [WHERE condition]}. */
  record Delete(List<String> table, Optional<String> alias, Optional<String> condition)
      implements Statement {}

  /** {@code UPDATE table [[AS] alias] SET column = expression, ... [WHERE condition]}. */
  record Update(
      List<String> table, Optional<String> alias, List<Assignment> set, Optional<String> condition)
      implements Statement {}

  /**
   * {@code MERGE INTO table [[AS] alias] USING source [[AS] alias] ON condition WHEN ...}.
   *
   * @param source a table name or a parenthesised query, as written
   * @param sourceName the source table's name; empty for a query
   */
  record Merge(
      List<String> table,
      Optional<String> alias,
      String source,
      Optional<List<String>> sourceName,
      Optional<String> sourceAlias,
      String on,
      List<MergeClause> clauses)
      implements Statement {}

  /** {@code COPY INTO table FROM 'source' FILEFORMAT = format [..._OPTIONS (...)]}. */
  record CopyInto(List<String> table, String source, String format, Map<String, String> options)
      implements Statement {}

  /**
   * {@code CREATE TABLE} with Delta clauses.
   *
   * @param calciteText the statement with the Delta clauses blanked out (positions kept), for
   *     Calcite to parse the columns or the query; empty when there are neither (registering an
   *     existing table by its location)
   */
  record CreateTable(
      List<String> name,
      boolean ifNotExists,
      TableOptions options,
      Optional<String> comment,
      Optional<String> calciteText)
      implements Statement {}

  /**
   * {@code INSERT OVERWRITE [TABLE] ...} or {@code INSERT INTO TABLE ...}, rewritten as {@code
   * INSERT INTO ...} with the same positions for Calcite.
   */
  record Insert(boolean overwrite, String calciteText) implements Statement {}

  /** The statement {@code text} is, if it is one of the statements this class reads. */
  static Optional<Statement> parse(String text) {
    return parse(text, DdlStatements.tokenize(text));
  }

  /** {@link #parse(String)} over the statement's tokens. */
  static Optional<Statement> parse(String text, List<Token> tokens) {
    Cursor c = new Cursor(tokens, text);
    if (c.at("DELETE")) {
      c.take();
      c.expect("FROM");
      return Optional.of(delete(c));
    }
    if (c.at("UPDATE")) {
      c.take();
      return Optional.of(update(c));
    }
    if (c.at("MERGE")) {
      c.take();
      c.expect("INTO");
      return Optional.of(merge(c));
    }
    if (c.at("COPY") && c.peek(1) != null && c.peek(1).is("INTO")) {
      c.take();
      c.take();
      return Optional.of(copyInto(c));
    }
    if (c.at("INSERT")) {
      return insert(text, tokens);
    }
    if (c.at("CREATE")) {
      return createTable(text, tokens);
    }
    return Optional.empty();
  }

  private static Delete delete(Cursor c) {
    List<String> table = c.qualifiedName();
    Optional<String> alias = alias(c, "WHERE");
    Optional<String> condition = Optional.empty();
    if (c.accept("WHERE")) {
      condition = Optional.of(c.expression("a condition after WHERE"));
    }
    c.end();
    return new Delete(table, alias, condition);
  }

  private static Update update(Cursor c) {
    List<String> table = c.qualifiedName();
    Optional<String> alias = alias(c, "SET");
    c.expect("SET");
    List<Assignment> set = assignments(c, "WHERE");
    Optional<String> condition = Optional.empty();
    if (c.accept("WHERE")) {
      condition = Optional.of(c.expression("a condition after WHERE"));
    }
    c.end();
    return new Update(table, alias, set, condition);
  }

  /** {@code column = expression, ...} up to one of {@code stops} or the end. */
  private static List<Assignment> assignments(Cursor c, String... stops) {
    String[] itemStops = new String[stops.length + 1];
    System.arraycopy(stops, 0, itemStops, 0, stops.length);
    itemStops[stops.length] = ",";
    List<Assignment> set = new ArrayList<>();
    do {
      List<String> column = c.qualifiedName();
      c.expectSymbol("=");
      set.add(
          new Assignment(
              column.get(column.size() - 1), c.expression("a value after \"=\"", itemStops)));
    } while (c.acceptSymbol(","));
    return set;
  }

  private static Merge merge(Cursor c) {
    List<String> table = c.qualifiedName();
    Optional<String> alias = alias(c, "USING");
    c.expect("USING");
    String source;
    Optional<List<String>> sourceName = Optional.empty();
    if (c.peek() != null && c.peek().isSymbol("(")) {
      c.take();
      source = "(" + c.expression("a query") + ")";
      c.expectSymbol(")");
    } else {
      List<String> name = c.qualifiedName();
      sourceName = Optional.of(name);
      source = quotedName(name);
    }
    Optional<String> sourceAlias = alias(c, "ON");
    c.expect("ON");
    String on = c.expression("a condition after ON", "WHEN");
    List<MergeClause> clauses = new ArrayList<>();
    while (c.accept("WHEN")) {
      clauses.add(mergeClause(c));
    }
    if (clauses.isEmpty()) {
      throw c.error("Expected WHEN");
    }
    c.end();
    checkClauseOrder(clauses);
    return new Merge(table, alias, source, sourceName, sourceAlias, on, clauses);
  }

  private static MergeClause mergeClause(Cursor c) {
    MergeMatch match;
    if (c.accept("MATCHED")) {
      match = MergeMatch.MATCHED;
    } else {
      c.expect("NOT");
      c.expect("MATCHED");
      match = MergeMatch.NOT_MATCHED;
      if (c.accept("BY")) {
        if (c.accept("SOURCE")) {
          match = MergeMatch.NOT_MATCHED_BY_SOURCE;
        } else {
          c.expect("TARGET");
        }
      }
    }
    Optional<String> condition = Optional.empty();
    if (c.accept("AND")) {
      condition = Optional.of(c.expression("a condition after AND", "THEN"));
    }
    c.expect("THEN");
    if (match == MergeMatch.NOT_MATCHED) {
      c.expect("INSERT");
      if (c.acceptSymbol("*")) {
        return new MergeClause(match, condition, MergeAction.INSERT, List.of(), true);
      }
      List<String> columns = new ArrayList<>();
      if (c.acceptSymbol("(")) {
        do {
          List<String> column = c.qualifiedName();
          columns.add(column.get(column.size() - 1));
        } while (c.acceptSymbol(","));
        c.expectSymbol(")");
      }
      c.expect("VALUES");
      c.expectSymbol("(");
      List<String> values = new ArrayList<>();
      do {
        values.add(c.expression("a value", ",", ")"));
      } while (c.acceptSymbol(","));
      c.expectSymbol(")");
      if (columns.isEmpty()) {
        throw OxbowException.userError(
            "MERGE: INSERT needs a column list, as in INSERT (a, b) VALUES (s.a, s.b), or INSERT *");
      }
      if (columns.size() != values.size()) {
        throw OxbowException.userError(
            "MERGE: INSERT has %d columns but %d values", columns.size(), values.size());
      }
      List<Assignment> assignments = new ArrayList<>();
      for (int i = 0; i < columns.size(); i++) {
        assignments.add(new Assignment(columns.get(i), values.get(i)));
      }
      return new MergeClause(match, condition, MergeAction.INSERT, assignments, false);
    }
    if (c.accept("DELETE")) {
      return new MergeClause(match, condition, MergeAction.DELETE, List.of(), false);
    }
    if (!c.accept("UPDATE")) {
      throw c.error(
          match == MergeMatch.MATCHED
              ? "Expected UPDATE or DELETE after WHEN MATCHED ... THEN"
              : "Expected UPDATE or DELETE after WHEN NOT MATCHED BY SOURCE ... THEN");
    }
    c.expect("SET");
    if (c.acceptSymbol("*")) {
      if (match == MergeMatch.NOT_MATCHED_BY_SOURCE) {
        throw OxbowException.userError(
            "MERGE: UPDATE SET * cannot be used WHEN NOT MATCHED BY SOURCE (there is no source row)");
      }
      return new MergeClause(match, condition, MergeAction.UPDATE, List.of(), true);
    }
    return new MergeClause(match, condition, MergeAction.UPDATE, assignments(c, "WHEN"), false);
  }

  /** As in Databricks, only the last clause of each kind may omit its condition. */
  private static void checkClauseOrder(List<MergeClause> clauses) {
    for (MergeMatch match : MergeMatch.values()) {
      List<MergeClause> ofKind = clauses.stream().filter(c -> c.match() == match).toList();
      for (int i = 0; i < ofKind.size() - 1; i++) {
        if (ofKind.get(i).condition().isEmpty()) {
          throw OxbowException.userError(
              "MERGE: when there are several %s clauses, only the last one may omit its AND"
                  + " condition",
              switch (match) {
                case MATCHED -> "WHEN MATCHED";
                case NOT_MATCHED -> "WHEN NOT MATCHED";
                case NOT_MATCHED_BY_SOURCE -> "WHEN NOT MATCHED BY SOURCE";
              });
        }
      }
    }
  }

  private static CopyInto copyInto(Cursor c) {
    List<String> table = c.qualifiedName();
    c.expect("FROM");
    String source = c.string();
    c.expect("FILEFORMAT");
    c.expectSymbol("=");
    String format = c.name().toLowerCase(Locale.ROOT);
    if (!List.of("parquet", "csv", "json").contains(format)) {
      throw OxbowException.userError(
          "COPY INTO: FILEFORMAT must be PARQUET, CSV or JSON, not %s",
          format.toUpperCase(Locale.ROOT));
    }
    Map<String, String> options = new LinkedHashMap<>();
    while (!c.atEnd()) {
      if (c.accept("FORMAT_OPTIONS") || c.accept("COPY_OPTIONS")) {
        options.putAll(properties(c));
      } else {
        throw c.error("Expected FORMAT_OPTIONS or COPY_OPTIONS");
      }
    }
    c.end();
    Map<String, String> lower = new LinkedHashMap<>();
    options.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    return new CopyInto(table, source, format, lower);
  }

  /** {@code ('key' = 'value', ...)}; keys may also be unquoted dotted names, values words. */
  private static Map<String, String> properties(Cursor c) {
    Map<String, String> properties = new LinkedHashMap<>();
    c.expectSymbol("(");
    if (c.acceptSymbol(")")) {
      return properties;
    }
    do {
      String key;
      Token t = c.peek();
      if (t != null && t.kind() == Kind.STRING) {
        key = c.string();
      } else {
        // unquoted keys keep their case: Delta's property names are camel case
        StringBuilder dotted = new StringBuilder(c.take().text());
        while (c.acceptSymbol(".")) {
          dotted.append('.').append(c.take().text());
        }
        key = dotted.toString();
      }
      c.acceptSymbol("=");
      Token value = c.take();
      String text;
      if (value.kind() == Kind.SYMBOL && value.text().equals("-")) {
        text = "-" + c.take().text();
      } else if (value.kind() == Kind.STRING
          || value.kind() == Kind.NUMBER
          || value.kind() == Kind.WORD) {
        text = value.text();
      } else {
        throw OxbowException.userError("Expected a value for property '%s'", key);
      }
      properties.put(key, text);
    } while (c.acceptSymbol(","));
    c.expectSymbol(")");
    return properties;
  }

  /** {@code [AS] alias}, unless the next word is one of {@code keywords}. */
  private static Optional<String> alias(Cursor c, String... keywords) {
    if (c.accept("AS")) {
      return Optional.of(c.name());
    }
    Token t = c.peek();
    if (t == null || (t.kind() != Kind.WORD && t.kind() != Kind.QUOTED)) {
      return Optional.empty();
    }
    for (String keyword : keywords) {
      if (t.is(keyword)) {
        return Optional.empty();
      }
    }
    return Optional.of(c.name());
  }

  private static Optional<Statement> insert(String text, List<Token> tokens) {
    if (tokens.size() < 3) {
      return Optional.empty();
    }
    Token second = tokens.get(1);
    boolean overwrite = second.is("OVERWRITE");
    boolean intoTable = second.is("INTO") && tokens.get(2).is("TABLE");
    if (!overwrite && !intoTable) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(text);
    if (overwrite) {
      // "OVERWRITE" becomes "INTO" padded with blanks, so every position stays where it was
      out.replace(second.start(), second.end(), "INTO" + " ".repeat(second.text().length() - 4));
      if (tokens.get(2).is("TABLE")) {
        blank(out, tokens.get(2));
      }
    } else {
      blank(out, tokens.get(2));
    }
    return Optional.of(new Insert(overwrite, out.toString()));
  }

  private static Optional<Statement> createTable(String text, List<Token> tokens) {
    Cursor c = new Cursor(tokens, text);
    c.expect("CREATE");
    if (!c.accept("TABLE")) {
      return Optional.empty();
    }
    boolean ifNotExists = c.acceptAll("IF", "NOT", "EXISTS");
    List<String> name = c.qualifiedName();
    boolean columns = false;
    if (c.peek() != null && c.peek().isSymbol("(")) {
      columns = true;
      skipParenthesised(c);
    }
    StringBuilder calcite = new StringBuilder(text);
    boolean clauses = false;
    Optional<String> format = Optional.empty();
    List<String> partitionedBy = new ArrayList<>();
    Optional<String> location = Optional.empty();
    Optional<String> comment = Optional.empty();
    Map<String, String> properties = new LinkedHashMap<>();
    boolean query = false;
    while (!c.atEnd()) {
      Token first = c.peek();
      if (c.accept("USING")) {
        format = Optional.of(c.name().toLowerCase(Locale.ROOT));
      } else if (c.accept("PARTITIONED")) {
        c.expect("BY");
        c.expectSymbol("(");
        do {
          partitionedBy.add(c.name());
        } while (c.acceptSymbol(","));
        c.expectSymbol(")");
      } else if (c.accept("LOCATION")) {
        location = Optional.of(c.string());
      } else if (c.accept("COMMENT")) {
        comment = Optional.of(c.string());
      } else if (c.accept("TBLPROPERTIES")) {
        properties.putAll(properties(c));
      } else if (c.at("AS")) {
        query = true;
        break;
      } else {
        if (!clauses) {
          // not a Delta CREATE TABLE: Calcite reports whatever is wrong with it
          return Optional.empty();
        }
        throw c.error("Expected USING, PARTITIONED BY, LOCATION, COMMENT, TBLPROPERTIES or AS");
      }
      clauses = true;
      Token last = c.peek(-1);
      blank(calcite, first.start(), last.end());
    }
    if (!clauses) {
      return Optional.empty();
    }
    TableOptions options = new TableOptions(format, partitionedBy, location, properties);
    Optional<String> calciteText =
        columns || query ? Optional.of(calcite.toString()) : Optional.empty();
    if (calciteText.isEmpty() && location.isEmpty()) {
      throw OxbowException.userError(
          "CREATE TABLE %s needs columns, AS <query>, or LOCATION of an existing table",
          String.join(".", name));
    }
    return Optional.of(new CreateTable(name, ifNotExists, options, comment, calciteText));
  }

  private static void skipParenthesised(Cursor c) {
    int depth = 0;
    do {
      Token t = c.take();
      if (t.isSymbol("(")) {
        depth++;
      } else if (t.isSymbol(")")) {
        depth--;
      }
    } while (depth > 0);
  }

  private static void blank(StringBuilder text, Token token) {
    blank(text, token.start(), token.end());
  }

  private static void blank(StringBuilder text, int from, int to) {
    for (int p = from; p < to; p++) {
      if (text.charAt(p) != '\n') {
        text.setCharAt(p, ' ');
      }
    }
  }

  /** A name as SQL text, each part quoted (parts are already case-folded). */
  static String quotedName(List<String> parts) {
    StringBuilder out = new StringBuilder();
    for (String part : parts) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(quote(part));
    }
    return out.toString();
  }

  /** An identifier quoted for Oxbow's SQL. */
  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
