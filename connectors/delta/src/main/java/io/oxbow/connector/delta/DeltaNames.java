package io.oxbow.connector.delta;

import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.OxbowException;

/**
 * Checks schema and table names before they become path segments under the warehouse: a name is one
 * plain folder name, so a quoted identifier such as {@code "../other"} can never reach a folder
 * outside the warehouse.
 */
final class DeltaNames {
  private DeltaNames() {}

  /** Whether {@code name} can be a schema or table folder name. */
  static boolean isValid(String name) {
    return name != null
        && !name.isEmpty()
        && !name.startsWith(".")
        && !name.startsWith("_")
        && name.indexOf('/') < 0
        && name.indexOf('\\') < 0
        && name.indexOf('\0') < 0;
  }

  /** Whether both parts of {@code name} are valid folder names. */
  static boolean isValid(SchemaTableName name) {
    return isValid(name.schema()) && isValid(name.table());
  }

  /**
   * @throws OxbowException {@code USER_ERROR} if either part of {@code name} is not a valid folder
   *     name
   */
  static void check(SchemaTableName name) {
    checkSchema(name.schema());
    if (!isValid(name.table())) {
      throw invalid("table", name.table());
    }
  }

  /**
   * @throws OxbowException {@code USER_ERROR} if {@code schema} is not a valid folder name
   */
  static void checkSchema(String schema) {
    if (!isValid(schema)) {
      throw invalid("schema", schema);
    }
  }

  private static OxbowException invalid(String kind, String name) {
    return OxbowException.userError(
        "Invalid %s name '%s': Delta %s names must not be empty, start with '.' or '_', or"
            + " contain '/', '\\' or NUL",
        kind, name == null ? "" : name.replace("\0", "\\0"), kind);
  }
}
