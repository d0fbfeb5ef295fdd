package io.oxbow.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Runs a file in the sqllogictest format over JDBC: {@code statement ok|error}, {@code query
 * <types> <nosort|rowsort|valuesort>} with expected values or an MD5 hash of them once there are
 * more than {@code hash-threshold} values, {@code skipif}/{@code onlyif} conditions (this engine's
 * name is {@code oxbow}) and {@code halt}. Values print as the format prescribes: integers for
 * {@code I}, three decimals for {@code R}, {@code NULL}, and {@code (empty)} for an empty string.
 */
final class SqlLogicTestRunner {
  static final String ENGINE = "oxbow";

  /** Outcome of one file. */
  record Result(int passed, int failed, int skipped, List<String> failures) {
    double passRate() {
      return passed + failed == 0 ? 1.0 : (double) passed / (passed + failed);
    }
  }

  private SqlLogicTestRunner() {}

  static Result run(String script, Connection connection) throws IOException {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    List<String> failures = new ArrayList<>();
    List<List<String>> records = records(script);
    for (List<String> record : records) {
      boolean skip = false;
      int at = 0;
      while (at < record.size()
          && (record.get(at).startsWith("skipif ") || record.get(at).startsWith("onlyif "))) {
        String[] parts = record.get(at).split("\\s+");
        boolean isUs = parts[1].equalsIgnoreCase(ENGINE);
        skip |= parts[0].equals("skipif") == isUs;
        at++;
      }
      if (at >= record.size()) {
        continue;
      }
      String header = record.get(at);
      if (header.startsWith("halt")) {
        if (skip) {
          continue;
        }
        break;
      }
      if (header.startsWith("hash-threshold")) {
        // expected results already say whether they are hashed
        continue;
      }
      if (skip) {
        skipped++;
        continue;
      }
      String problem;
      if (header.startsWith("statement")) {
        boolean expectOk = header.split("\\s+")[1].equals("ok");
        String sql = String.join("\n", record.subList(at + 1, record.size()));
        problem = statement(connection, sql, expectOk);
        if (problem != null) {
          problem = "statement: " + sql + "\n  " + problem;
        }
      } else if (header.startsWith("query")) {
        int separator = record.indexOf("----");
        List<String> sqlLines = record.subList(at + 1, separator < 0 ? record.size() : separator);
        List<String> expected =
            separator < 0 ? List.of() : record.subList(separator + 1, record.size());
        String sql = String.join("\n", sqlLines);
        problem = query(connection, header, sql, expected);
        if (problem != null) {
          problem = "query: " + sql.replace('\n', ' ') + "\n  " + problem;
        }
      } else {
        continue;
      }
      if (problem == null) {
        passed++;
      } else {
        failed++;
        failures.add(problem);
      }
    }
    return new Result(passed, failed, skipped, failures);
  }

  /** Splits a script into records (blank-line separated), dropping comments. */
  private static List<List<String>> records(String script) throws IOException {
    List<List<String>> records = new ArrayList<>();
    List<String> current = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new StringReader(script))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("#")) {
          continue;
        }
        if (line.isBlank()) {
          if (!current.isEmpty()) {
            records.add(current);
            current = new ArrayList<>();
          }
          continue;
        }
        current.add(line);
      }
    }
    if (!current.isEmpty()) {
      records.add(current);
    }
    return records;
  }

  private static String statement(Connection connection, String sql, boolean expectOk) {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
      return expectOk ? null : "expected an error, but it succeeded";
    } catch (SQLException e) {
      return expectOk ? "failed: " + firstLine(e.getMessage()) : null;
    }
  }

  private static String query(
      Connection connection, String header, String sql, List<String> expected) {
    String[] parts = header.split("\\s+");
    String types = parts[1];
    String sortMode = parts.length > 2 ? parts[2] : "nosort";
    List<List<String>> rows = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      // the Arrow Flight SQL JDBC driver (since 15.0) reports every column twice for an empty
      // result (apache/arrow-java#44), so the width is checked on the first row
      int columns = types.length();
      boolean first = true;
      while (rs.next()) {
        if (first && rs.getMetaData().getColumnCount() != columns) {
          return "expected " + columns + " columns, got " + rs.getMetaData().getColumnCount();
        }
        first = false;
        List<String> row = new ArrayList<>();
        for (int c = 1; c <= columns; c++) {
          row.add(format(rs.getObject(c), types.charAt(c - 1)));
        }
        rows.add(row);
      }
    } catch (SQLException e) {
      return "failed: " + firstLine(e.getMessage());
    }
    List<String> values = new ArrayList<>();
    switch (sortMode) {
      case "rowsort" -> {
        rows.sort(
            (a, b) -> {
              for (int i = 0; i < a.size(); i++) {
                int c = a.get(i).compareTo(b.get(i));
                if (c != 0) {
                  return c;
                }
              }
              return 0;
            });
        rows.forEach(values::addAll);
      }
      case "valuesort" -> {
        rows.forEach(values::addAll);
        values.sort(String::compareTo);
      }
      default -> rows.forEach(values::addAll);
    }
    if (expected.size() == 1 && expected.get(0).contains(" values hashing to ")) {
      String actual = values.size() + " values hashing to " + md5(values);
      return actual.equals(expected.get(0))
          ? null
          : "expected " + expected.get(0) + ", got " + actual;
    }
    // one value per line, as in SQLite's files
    return values.equals(expected)
        ? null
        : "expected " + abbreviate(expected) + ", got " + abbreviate(values);
  }

  static String format(Object value, char type) {
    if (value == null) {
      return "NULL";
    }
    return switch (type) {
      case 'I' -> {
        if (value instanceof Number n) {
          yield new BigDecimal(n.toString()).setScale(0, RoundingMode.DOWN).toPlainString();
        }
        if (value instanceof Boolean b) {
          yield b ? "1" : "0";
        }
        yield "0";
      }
      case 'R' -> {
        if (value instanceof Number n) {
          yield new BigDecimal(n.toString()).setScale(3, RoundingMode.HALF_UP).toPlainString();
        }
        yield "0.000";
      }
      default -> {
        String text = value.toString();
        if (text.isEmpty()) {
          yield "(empty)";
        }
        StringBuilder printable = new StringBuilder();
        for (char ch : text.toCharArray()) {
          printable.append(ch < ' ' || ch > '~' ? '@' : ch);
        }
        yield printable.toString();
      }
    };
  }

  private static String md5(List<String> values) {
    try {
      MessageDigest digest = MessageDigest.getInstance("MD5");
      for (String value : values) {
        digest.update(value.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
      }
      return HexFormat.of().formatHex(digest.digest()).toLowerCase(Locale.ROOT);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String abbreviate(List<String> values) {
    String text = values.toString();
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.split("\n")[0];
  }
}
