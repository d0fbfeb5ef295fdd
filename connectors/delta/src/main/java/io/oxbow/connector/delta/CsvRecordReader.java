package io.oxbow.connector.delta;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits CSV text into records (RFC 4180): fields separated by one character, optionally quoted;
 * inside quotes, separators and line breaks are data and a doubled quote is one quote (and, if an
 * escape character is set, escape + quote is one quote). Lines end with LF or CRLF. Each field
 * remembers whether it was quoted, so an unquoted empty field can mean NULL while {@code ""} is an
 * empty string.
 */
final class CsvRecordReader {
  /** One field of a record. */
  record CsvField(String text, boolean quoted) {}

  private final Reader in;
  private final char separator;
  private final int quote;
  private final int escape;
  private int peeked = -2;
  private long line = 1;
  private long recordLine;

  /**
   * @param quote the quote character, or -1 for none
   * @param escape the escape character inside quotes, or -1 for none
   */
  CsvRecordReader(Reader in, char separator, int quote, int escape) {
    this.in = in;
    this.separator = separator;
    this.quote = quote;
    this.escape = escape;
  }

  /** The 1-based line on which the last record returned by {@link #next} started. */
  long recordLine() {
    return recordLine;
  }

  /**
   * The next record, or null at the end of the input. Blank lines are skipped.
   *
   * @throws IllegalArgumentException on an unterminated quoted field or text after a closing quote
   */
  List<CsvField> next() throws IOException {
    int c = read();
    while (c == '\n' || c == '\r') {
      if (c == '\r' && peek() == '\n') {
        read();
      }
      line++;
      c = read();
    }
    if (c < 0) {
      return null;
    }
    recordLine = line;
    List<CsvField> fields = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    while (true) {
      boolean quoted = false;
      text.setLength(0);
      if (c == quote && quote >= 0) {
        quoted = true;
        while (true) {
          c = read();
          if (c < 0) {
            throw new IllegalArgumentException(
                "a quoted field that starts on line " + recordLine + " is never closed");
          }
          if (c == escape && escape >= 0 && escape != quote && peek() == quote) {
            text.append((char) read());
          } else if (c == quote) {
            if (peek() == quote) {
              text.append((char) read());
            } else {
              break;
            }
          } else {
            if (c == '\n') {
              line++;
            }
            text.append((char) c);
          }
        }
        c = read();
        if (c >= 0 && c != separator && c != '\n' && c != '\r') {
          throw new IllegalArgumentException(
              "unexpected character '" + (char) c + "' after a closing quote");
        }
      } else {
        while (c >= 0 && c != separator && c != '\n' && c != '\r') {
          text.append((char) c);
          c = read();
        }
      }
      fields.add(new CsvField(text.toString(), quoted));
      if (c == separator) {
        c = read();
        continue;
      }
      if (c == '\r' && peek() == '\n') {
        read();
      }
      if (c == '\n' || c == '\r') {
        line++;
      }
      return fields;
    }
  }

  private int read() throws IOException {
    if (peeked != -2) {
      int c = peeked;
      peeked = -2;
      return c;
    }
    return in.read();
  }

  private int peek() throws IOException {
    if (peeked == -2) {
      peeked = in.read();
    }
    return peeked;
  }
}
