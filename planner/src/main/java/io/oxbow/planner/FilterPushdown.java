package io.oxbow.planner;

import com.google.common.collect.BoundType;
import com.google.common.collect.Range;
import io.oxbow.planner.schema.ConnectorTable;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ColumnPredicate.Op;
import io.oxbow.spi.connector.ConnectorTableHandle;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.calcite.interpreter.Bindables;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Filter;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexUtil;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.util.DateString;
import org.apache.calcite.util.NlsString;
import org.apache.calcite.util.Sarg;
import org.apache.calcite.util.TimestampString;

/**
 * Offers the conjuncts of a filter over a connector table's scan (directly, or through a projection
 * of plain column references) to the connector as {@link ColumnPredicate}s: {@code column op
 * literal} either way round, {@code IS [NOT] NULL}, and Calcite's {@code SEARCH} (IN lists, ranges,
 * BETWEEN; several ranges are offered as the range that spans them). A conjunct of any other form
 * is simply not offered. Pushdown is inexact: the engine still applies the whole filter, so a
 * predicate offered must only be implied by the conjunct, never narrower than it.
 */
final class FilterPushdown {
  private FilterPushdown() {}

  /** What a filter's offer achieved: the scan it applies to and the connector's new handle. */
  record Pushed(TableScan scan, ConnectorTableHandle handle, List<ColumnPredicate> predicates) {}

  /** Offers {@code filter}'s conjuncts to the connector under it; empty if it takes none. */
  static Optional<Pushed> offer(Filter filter) {
    RelNode input = filter.getInput();
    TableScan scan;
    int[] toScan; // filter input field -> scan output field, -1 if not a plain column
    if (input instanceof TableScan s) {
      scan = s;
      toScan = new int[s.getRowType().getFieldCount()];
      for (int i = 0; i < toScan.length; i++) {
        toScan[i] = i;
      }
    } else if (input instanceof Project project && project.getInput() instanceof TableScan s) {
      scan = s;
      toScan = new int[project.getProjects().size()];
      for (int i = 0; i < toScan.length; i++) {
        toScan[i] = project.getProjects().get(i) instanceof RexInputRef ref ? ref.getIndex() : -1;
      }
    } else {
      return Optional.empty();
    }
    ConnectorTable table = scan.getTable().unwrap(ConnectorTable.class);
    if (table == null) {
      return Optional.empty();
    }
    List<Field> fields = table.metadata().schema().getFields();
    List<Integer> scanProjects =
        scan instanceof Bindables.BindableTableScan bindable && !bindable.projects.isEmpty()
            ? bindable.projects
            : null;
    List<Field> columns = new ArrayList<>();
    for (int field : toScan) {
      int column =
          field < 0 ? -1 : scanProjects == null ? field : scanProjects.get(field).intValue();
      columns.add(column < 0 || column >= fields.size() ? null : fields.get(column));
    }
    List<ColumnPredicate> predicates = new ArrayList<>();
    for (RexNode conjunct : RexUtil.flattenAnd(List.of(filter.getCondition()))) {
      predicates.addAll(predicates(conjunct, columns));
    }
    if (predicates.isEmpty()) {
      return Optional.empty();
    }
    ConnectorTableHandle handle = table.handle();
    return table
        .connector()
        .metadata()
        .applyFilter(handle, predicates)
        .filter(h -> !h.equals(handle))
        .map(h -> new Pushed(scan, h, List.copyOf(predicates)));
  }

  /** The predicates one conjunct implies, over the filter input's {@code columns}. */
  static List<ColumnPredicate> predicates(RexNode conjunct, List<Field> columns) {
    if (conjunct instanceof RexInputRef) {
      // a boolean column by itself: WHERE flag
      Field column = column(conjunct, columns);
      return column == null || column.getType().getTypeID() != ArrowType.ArrowTypeID.Bool
          ? List.of()
          : List.of(new ColumnPredicate(column.getName(), Op.EQ, List.of(Boolean.TRUE)));
    }
    if (!(conjunct instanceof RexCall call)) {
      return List.of();
    }
    SqlKind kind = call.getKind();
    if (kind == SqlKind.NOT && call.getOperands().get(0) instanceof RexInputRef) {
      Field column = column(call.getOperands().get(0), columns);
      return column == null || column.getType().getTypeID() != ArrowType.ArrowTypeID.Bool
          ? List.of()
          : List.of(new ColumnPredicate(column.getName(), Op.EQ, List.of(Boolean.FALSE)));
    }
    switch (kind) {
      case IS_NULL, IS_NOT_NULL -> {
        Field column = column(call.getOperands().get(0), columns);
        if (column == null) {
          return List.of();
        }
        return List.of(
            new ColumnPredicate(
                column.getName(),
                kind == SqlKind.IS_NULL ? Op.IS_NULL : Op.IS_NOT_NULL,
                List.of()));
      }
      case EQUALS,
          NOT_EQUALS,
          LESS_THAN,
          LESS_THAN_OR_EQUAL,
          GREATER_THAN,
          GREATER_THAN_OR_EQUAL -> {
        RexNode a = call.getOperands().get(0);
        RexNode b = call.getOperands().get(1);
        Field column = column(a, columns);
        RexNode other = b;
        boolean flipped = false;
        if (column == null) {
          column = column(b, columns);
          other = a;
          flipped = true;
        }
        if (column == null || !(other instanceof RexLiteral literal) || literal.isNull()) {
          return List.of();
        }
        Object value = value(comparable(literal), column.getType());
        if (value == null) {
          return List.of();
        }
        Op op = op(kind);
        return List.of(
            new ColumnPredicate(column.getName(), flipped ? flip(op) : op, List.of(value)));
      }
      case SEARCH -> {
        Field column = column(call.getOperands().get(0), columns);
        if (column == null || !(call.getOperands().get(1) instanceof RexLiteral literal)) {
          return List.of();
        }
        Sarg<?> sarg = literal.getValueAs(Sarg.class);
        return sarg == null ? List.of() : search(column, sarg);
      }
      default -> {
        return List.of();
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<ColumnPredicate> search(Field column, Sarg<?> sarg) {
    if (sarg.nullAs == org.apache.calcite.rex.RexUnknownAs.TRUE || sarg.isAll() || sarg.isNone()) {
      // rows with nulls qualify too, or every row, or none: nothing a range can say
      return List.of();
    }
    String name = column.getName();
    if (sarg.isPoints()) {
      List<Object> values = new ArrayList<>();
      for (Range<?> range : sarg.rangeSet.asRanges()) {
        Object value = value(range.lowerEndpoint(), column.getType());
        if (value == null) {
          return List.of();
        }
        values.add(value);
      }
      return values.size() == 1
          ? List.of(new ColumnPredicate(name, Op.EQ, values))
          : List.of(new ColumnPredicate(name, Op.IN, values));
    }
    if (sarg.isComplementedPoints() && sarg.rangeSet.complement().asRanges().size() == 1) {
      Object value =
          value(
              sarg.rangeSet.complement().asRanges().iterator().next().lowerEndpoint(),
              column.getType());
      return value == null ? List.of() : List.of(new ColumnPredicate(name, Op.NE, List.of(value)));
    }
    Range<?> span = ((com.google.common.collect.RangeSet) sarg.rangeSet).span();
    Object low = span.hasLowerBound() ? value(span.lowerEndpoint(), column.getType()) : null;
    Object high = span.hasUpperBound() ? value(span.upperEndpoint(), column.getType()) : null;
    boolean lowClosed = span.hasLowerBound() && span.lowerBoundType() == BoundType.CLOSED;
    boolean highClosed = span.hasUpperBound() && span.upperBoundType() == BoundType.CLOSED;
    if (low != null && high != null && lowClosed && highClosed) {
      return List.of(new ColumnPredicate(name, Op.BETWEEN, List.of(low, high)));
    }
    List<ColumnPredicate> out = new ArrayList<>();
    if (low != null) {
      out.add(new ColumnPredicate(name, lowClosed ? Op.GE : Op.GT, List.of(low)));
    }
    if (high != null) {
      out.add(new ColumnPredicate(name, highClosed ? Op.LE : Op.LT, List.of(high)));
    }
    return out;
  }

  /**
   * The table column a filter operand reads: a column reference, or a cast of one that keeps every
   * value (such as INTEGER to BIGINT); null otherwise.
   */
  private static Field column(RexNode operand, List<Field> columns) {
    if (operand instanceof RexInputRef ref) {
      return ref.getIndex() < columns.size() ? columns.get(ref.getIndex()) : null;
    }
    if (operand.getKind() == SqlKind.CAST && operand instanceof RexCall cast) {
      RexNode inner = cast.getOperands().get(0);
      if (inner instanceof RexInputRef && lossless(inner.getType(), cast.getType())) {
        return column(inner, columns);
      }
    }
    return null;
  }

  private static boolean lossless(RelDataType from, RelDataType to) {
    SqlTypeName f = from.getSqlTypeName();
    SqlTypeName t = to.getSqlTypeName();
    if (SqlTypeName.INT_TYPES.contains(f)) {
      return SqlTypeName.INT_TYPES.contains(t)
              && SqlTypeName.INT_TYPES.indexOf(t) >= SqlTypeName.INT_TYPES.indexOf(f)
          || t == SqlTypeName.DOUBLE && f != SqlTypeName.BIGINT
          || t == SqlTypeName.DECIMAL && to.getPrecision() - to.getScale() >= 19;
    }
    if (f == SqlTypeName.DECIMAL && t == SqlTypeName.DECIMAL) {
      return to.getScale() >= from.getScale()
          && to.getPrecision() - to.getScale() >= from.getPrecision() - from.getScale();
    }
    return from.getFamily() == SqlTypeFamily.CHARACTER
        && t == SqlTypeName.VARCHAR
        && (to.getPrecision() == RelDataType.PRECISION_NOT_SPECIFIED
            || from.getPrecision() != RelDataType.PRECISION_NOT_SPECIFIED
                && to.getPrecision() >= from.getPrecision());
  }

  /**
   * A literal's value (as Calcite keeps it) as the Java type {@link ColumnPredicate} uses for the
   * column's type, or null if it has none that keeps the comparison's meaning: a value that the
   * engine would compare differently is never offered.
   */
  static Object value(Object literal, ArrowType type) {
    try {
      if (literal instanceof NlsString nls) {
        literal = nls.getValue();
      }
      return switch (type.getTypeID()) {
        case Int -> {
          BigDecimal d = decimal(literal);
          if (d == null || d.stripTrailingZeros().scale() > 0) {
            yield null;
          }
          yield d.longValueExact();
        }
        case FloatingPoint -> {
          BigDecimal d = decimal(literal);
          if (d == null) {
            yield null;
          }
          double v = d.doubleValue();
          // the engine compares a REAL column with a literal in double: offer only values a float
          // holds exactly, so a connector narrowing them to float compares the same way
          boolean single =
              ((ArrowType.FloatingPoint) type).getPrecision()
                  == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE;
          yield single && (double) (float) v != v ? null : v;
        }
        case Decimal -> {
          // at the column's scale when that keeps the value (1 -> 1.00 for DECIMAL(p, 2))
          BigDecimal d = decimal(literal);
          int scale = ((ArrowType.Decimal) type).getScale();
          yield d != null && d.scale() < scale ? d.setScale(scale) : d;
        }
        case Utf8, LargeUtf8 -> literal instanceof String s ? s : null;
        case Bool -> literal instanceof Boolean b ? b : null;
        case Date -> {
          if (literal instanceof DateString date) {
            yield LocalDate.ofEpochDay(date.getDaysSinceEpoch());
          }
          yield literal instanceof String s ? LocalDate.parse(s.strip()) : null;
        }
        case Timestamp -> {
          if (literal instanceof TimestampString ts) {
            yield LocalDateTime.parse(ts.toString().replace(' ', 'T'));
          }
          if (literal instanceof DateString date) {
            yield LocalDate.ofEpochDay(date.getDaysSinceEpoch()).atStartOfDay();
          }
          if (literal instanceof String s) {
            String t = s.strip();
            yield t.length() == 10
                ? LocalDate.parse(t).atStartOfDay()
                : LocalDateTime.parse(t.replace(' ', 'T'));
          }
          yield null;
        }
        default -> null;
      };
    } catch (ArithmeticException | DateTimeParseException | NumberFormatException e) {
      return null; // not a value of the column's type: the engine reports it, or finds no rows
    }
  }

  /** A literal's value as Calcite keeps it in a Sarg (getValue gives datetimes as Calendars). */
  private static Object comparable(RexLiteral literal) {
    return switch (literal.getTypeName()) {
      case DATE -> literal.getValueAs(DateString.class);
      case TIMESTAMP -> literal.getValueAs(TimestampString.class);
      case TIME, TIME_WITH_LOCAL_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> null;
      default -> literal.getValue();
    };
  }

  private static BigDecimal decimal(Object literal) {
    if (literal instanceof BigDecimal d) {
      return d;
    }
    if (literal instanceof Number n) {
      return new BigDecimal(n.toString());
    }
    if (literal instanceof String s) {
      return new BigDecimal(s.strip());
    }
    return null;
  }

  private static Op op(SqlKind kind) {
    return switch (kind) {
      case EQUALS -> Op.EQ;
      case NOT_EQUALS -> Op.NE;
      case LESS_THAN -> Op.LT;
      case LESS_THAN_OR_EQUAL -> Op.LE;
      case GREATER_THAN -> Op.GT;
      default -> Op.GE;
    };
  }

  private static Op flip(Op op) {
    return switch (op) {
      case LT -> Op.GT;
      case LE -> Op.GE;
      case GT -> Op.LT;
      case GE -> Op.LE;
      default -> op;
    };
  }
}
