package io.oxbow.planner;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.connector.TableOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.Schema;

/** A change a statement makes to a catalog, carried out by the caller of the planner. */
public sealed interface DataChange {
  /**
   * {@code CREATE TABLE name (columns) [USING ..] [PARTITIONED BY ..] [LOCATION ..] [TBLPROPERTIES
   * ..]}; with no columns, {@code CREATE TABLE name USING DELTA LOCATION '..'} registers an
   * existing table (the connector decides).
   */
  record CreateTable(
      Connector connector, SchemaTableName name, Schema columns, TableOptions options)
      implements DataChange {
    public CreateTable(Connector connector, SchemaTableName name, Schema columns) {
      this(connector, name, columns, TableOptions.NONE);
    }
  }

  /**
   * {@code CREATE TABLE name [options] AS query}: creates the table with the columns of the planned
   * query's rows, then inserts them in one commit; if the insert fails the table is dropped again.
   */
  record CreateTableAs(Connector connector, SchemaTableName name, TableOptions options)
      implements DataChange {}

  /** {@code DROP TABLE name}. */
  record DropTable(Connector connector, ConnectorTableHandle table) implements DataChange {}

  /**
   * A statement that was checked and changes nothing, such as {@code CREATE INDEX} (Oxbow keeps no
   * indexes) or {@code DROP TABLE IF EXISTS} of a missing table.
   */
  record None(String statement) implements DataChange {}

  /**
   * {@code INSERT} or, with {@code overwrite}, {@code INSERT OVERWRITE}: the planned query's rows
   * go into {@code table} in one atomic write.
   */
  record Insert(Connector connector, ConnectorTableHandle table, boolean overwrite)
      implements DataChange {
    public Insert(Connector connector, ConnectorTableHandle table) {
      this(connector, table, false);
    }
  }

  /**
   * The table a row-level statement changes.
   *
   * @param catalog the catalog's name, for the SQL the statement is run with
   * @param handle the table as planned (a fixed version for versioned tables)
   * @param columns the table's columns, in order
   */
  record TableRef(
      Connector connector,
      String catalog,
      SchemaTableName name,
      ConnectorTableHandle handle,
      Schema columns) {}

  /** {@code column = expression} of UPDATE SET, or a column and its value in MERGE's INSERT. */
  record Assignment(String column, String expression) {}

  /**
   * {@code DELETE FROM table [alias] [WHERE condition]}: expressions are SQL text, checked when the
   * statement runs.
   */
  record Delete(TableRef table, String alias, Optional<String> condition) implements DataChange {}

  /** {@code UPDATE table [alias] SET column = expression, ... [WHERE condition]}. */
  record Update(TableRef table, String alias, List<Assignment> set, Optional<String> condition)
      implements DataChange {
    public Update {
      set = List.copyOf(set);
    }
  }

  /** Which rows a MERGE clause is for. */
  enum MergeMatch {
    /** {@code WHEN MATCHED}: target rows with a source row satisfying ON. */
    MATCHED,
    /** {@code WHEN NOT MATCHED [BY TARGET]}: source rows with no target row. */
    NOT_MATCHED,
    /** {@code WHEN NOT MATCHED BY SOURCE}: target rows with no source row. */
    NOT_MATCHED_BY_SOURCE
  }

  /** What a MERGE clause does. */
  enum MergeAction {
    UPDATE,
    DELETE,
    INSERT
  }

  /**
   * One {@code WHEN ... THEN ...} clause of MERGE.
   *
   * @param values UPDATE's assignments, or INSERT's columns and values; empty with {@code all}
   * @param all {@code UPDATE SET *} or {@code INSERT *}: every target column from the source column
   *     of the same name
   */
  record MergeClause(
      MergeMatch match,
      Optional<String> condition,
      MergeAction action,
      List<Assignment> values,
      boolean all) {
    public MergeClause {
      values = List.copyOf(values);
    }
  }

  /**
   * {@code MERGE INTO table [alias] USING source [sourceAlias] ON condition WHEN ...}.
   *
   * @param source a table name or a parenthesised query, as written
   * @param clauses in the order written: for each row the first clause that applies wins
   */
  record Merge(
      TableRef table,
      String alias,
      String source,
      String sourceAlias,
      String on,
      List<MergeClause> clauses)
      implements DataChange {
    public Merge {
      clauses = List.copyOf(clauses);
    }
  }

  /**
   * {@code COPY INTO table FROM source FILEFORMAT = format [FORMAT_OPTIONS (..)] [COPY_OPTIONS
   * (..)]}.
   *
   * @param format {@code parquet}, {@code csv} or {@code json}
   * @param options both option lists, keys in lower case
   */
  record CopyInto(
      Connector connector,
      ConnectorTableHandle table,
      String source,
      String format,
      Map<String, String> options)
      implements DataChange {
    public CopyInto {
      options = Map.copyOf(options);
    }
  }
}
