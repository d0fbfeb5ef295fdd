package io.oxbow.connector.delta;

import io.delta.kernel.internal.deletionvectors.RoaringBitmapArray;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.connector.delta.fs.ParquetInputFile;
import io.oxbow.connector.delta.parquet.BufferedColumnChunk;
import io.oxbow.connector.delta.parquet.ColumnChunkDecoder;
import io.oxbow.spi.connector.ColumnPredicate;
import io.oxbow.spi.connector.ConnectorPageSource;
import io.oxbow.spi.connector.DynamicFilter;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the row groups of one split (a byte range of a Parquet file) into Arrow batches, column by
 * column: for each row group and each requested column, the column chunk's pages are decoded in
 * bulk into the column's Arrow vector ({@link ColumnChunkDecoder}), or, for encodings it does not
 * handle, by parquet-mr's column reader value by value. Row groups whose statistics rule out the
 * pushed-down predicates are skipped ({@link RowGroupSkipping}). Columns that were not requested
 * are never decoded; partition columns are filled from the split's partition values.
 */
final class ParquetPageSource implements ConnectorPageSource {
  private static final Logger LOG = LoggerFactory.getLogger(ParquetPageSource.class);
  private static final int BATCH_ROWS = 4096;
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private final DeltaSplit split;
  private final List<Field> fields;
  private final List<String> partitionColumns;
  private final BufferAllocator allocator;
  private final Schema outputSchema;
  private final ParquetInputFile input;
  private ParquetFileReader reader;
  private MessageType requested;
  private ColumnDescriptor[] descriptors;
  private ColumnReader[] readers;
  private ColumnChunkDecoder[] decoders;

  /** Per field, the work arrays its decoders reuse from one row group to the next. */
  private ColumnChunkDecoder.Scratch[] scratch;

  private long rowsLeftInGroup;
  private List<BlockMetaData> blocks;
  private long[] groupFirstRow;
  private int[] selectedGroups;
  private int selectedIndex;
  private long completedBytes;
  private int rowGroupsRead;
  private int rowGroupsSkipped;
  private int bulkChunks;
  private int fallbackChunks;
  private boolean closed;
  private boolean opened;
  private long nextRowIndex;
  private RoaringBitmapArray deleted;
  private final Schema tableSchema;
  private final List<ColumnPredicate> filter;
  private final List<DynamicFilter> dynamicFilters;

  /** The query's own predicates (without the dynamic filters' ranges). */
  private final List<ColumnPredicate> staticFilter;

  /** Dynamic filters every row of the split's row groups passes, by their statistics. */
  private int dynamicFiltersDropped;

  /** How many dynamic filters this source left out as passing every row (for tests). */
  int dynamicFiltersDropped() {
    return dynamicFiltersDropped;
  }

  private final boolean bulkDecoding;
  private RowGroupSkipping skipping;
  private ScanRowFilter rowFilter;
  private final boolean[] mask = new boolean[BATCH_ROWS];

  // per output column: whether the batch's filter column is read as dictionary ids, and the ids
  private boolean[] byIds;
  private int[][] ids;
  private final int[] selection = new int[BATCH_ROWS + 1];

  /**
   * A batch whose filter keeps more than this fraction of its rows is returned whole (the engine
   * filters again): compacting it and decoding the other columns row by row would cost more than
   * decoding them densely.
   */
  private double compactBelow = 0.8;

  /** The current row group's rows that its page indexes do not rule out ({@code [from, to)}). */
  private long[] rowRanges;

  private int rangeIndex;
  private long rowInGroup;
  private long rowsSkippedByPageIndex;
  private long rowsFiltered;
  private long batchesSkipped;
  private long columnBatchesByIds;

  ParquetPageSource(
      DeltaFileIO fileIO,
      DeltaSplit split,
      Schema tableSchema,
      List<String> partitionColumns,
      List<String> columns,
      BufferAllocator allocator) {
    this(fileIO, split, tableSchema, partitionColumns, columns, List.of(), allocator);
  }

  /**
   * @param filter the scan's pushed-down conjuncts, used to skip row groups (inexactly)
   */
  ParquetPageSource(
      DeltaFileIO fileIO,
      DeltaSplit split,
      Schema tableSchema,
      List<String> partitionColumns,
      List<String> columns,
      List<ColumnPredicate> filter,
      BufferAllocator allocator) {
    this(fileIO, split, tableSchema, partitionColumns, columns, filter, true, allocator);
  }

  /**
   * @param bulkDecoding false to decode every column with parquet-mr's column reader (for tests
   *     that compare both decoders)
   */
  ParquetPageSource(
      DeltaFileIO fileIO,
      DeltaSplit split,
      Schema tableSchema,
      List<String> partitionColumns,
      List<String> columns,
      List<ColumnPredicate> filter,
      boolean bulkDecoding,
      BufferAllocator allocator) {
    this(
        fileIO,
        split,
        tableSchema,
        partitionColumns,
        columns,
        filter,
        List.of(),
        bulkDecoding,
        allocator);
  }

  /**
   * @param dynamicFilters filters a join learned while the query runs: their ranges skip row groups
   *     and pages like BETWEEN predicates, their key sets drop rows before the other columns are
   *     decoded
   */
  ParquetPageSource(
      DeltaFileIO fileIO,
      DeltaSplit split,
      Schema tableSchema,
      List<String> partitionColumns,
      List<String> columns,
      List<ColumnPredicate> filter,
      List<DynamicFilter> dynamicFilters,
      boolean bulkDecoding,
      BufferAllocator allocator) {
    this.split = split;
    this.tableSchema = tableSchema;
    this.dynamicFilters = dynamicFilters;
    this.staticFilter = filter;
    List<ColumnPredicate> all = new ArrayList<>(filter);
    for (DynamicFilter dynamic : dynamicFilters) {
      ColumnPredicate range = dynamicRange(tableSchema, dynamic);
      if (range != null) {
        all.add(range);
      }
    }
    this.filter = all;
    this.bulkDecoding = bulkDecoding;
    this.partitionColumns = partitionColumns;
    this.allocator = allocator;
    this.fields = new ArrayList<>();
    for (String column : columns) {
      Field field =
          tableSchema.getFields().stream()
              .filter(f -> f.getName().equals(column))
              .findFirst()
              .orElseThrow(() -> OxbowException.notFound("Column '%s' not found", column));
      fields.add(field);
    }
    this.outputSchema = new Schema(fields);
    // starts fetching the file (on S3) while earlier splits are still being read: the footer,
    // and the first row group's chunks when this split reads it (the first split of the file)
    this.input =
        fileIO.newParquetInputFile(
            split.path(), split.size(), split.start() == 0 ? prefetchColumns() : Set.of());
  }

  /**
   * A dynamic filter's range as a BETWEEN predicate on the column's type (integers as Long, dates
   * as LocalDate), or null for other types.
   */
  static ColumnPredicate dynamicRange(Schema tableSchema, DynamicFilter dynamic) {
    Field field =
        tableSchema.getFields().stream()
            .filter(f -> f.getName().equals(dynamic.column()))
            .findFirst()
            .orElse(null);
    if (field == null) {
      return null;
    }
    if (field.getType() instanceof ArrowType.Int) {
      return dynamic.range();
    }
    if (field.getType() instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY) {
      return new ColumnPredicate(
          dynamic.column(),
          ColumnPredicate.Op.BETWEEN,
          List.of(LocalDate.ofEpochDay(dynamic.min()), LocalDate.ofEpochDay(dynamic.max())));
    }
    return null;
  }

  /** Names of the file's columns this source reads (logical and physical, lower case). */
  private Set<String> prefetchColumns() {
    Set<String> names = new HashSet<>();
    for (Field field : fields) {
      if (!partitionColumns.contains(field.getName())) {
        names.add(field.getName().toLowerCase(Locale.ROOT));
        String physical = DeltaTypes.physicalName(field);
        if (physical != null) {
          names.add(physical.toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  private void open() {
    opened = true;
    reader = openFile();
    MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
    List<Type> types = new ArrayList<>();
    descriptors = new ColumnDescriptor[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      Field field = fields.get(i);
      if (partitionColumns.contains(field.getName())) {
        continue;
      }
      Type type = findColumn(fileSchema, field);
      if (type == null) {
        continue; // column added after this file was written: all NULL
      }
      if (!type.isPrimitive()) {
        throw OxbowException.userError("Nested column '%s' is not supported yet", field.getName());
      }
      if (!types.contains(type)) {
        types.add(type);
      }
      descriptors[i] = fileSchema.getColumnDescription(new String[] {type.getName()});
    }
    requested = new MessageType(fileSchema.getName(), types);
    reader.setRequestedSchema(requested);
    blocks = reader.getRowGroups();
    selectRowGroups(fileSchema);
    boolean[] readable = new boolean[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      readable[i] = descriptors[i] != null;
    }
    // a dynamic filter that every row of the row groups read passes (a join's keys cover their
    // range: TPC-H Q9's 10,000 supplier keys on l_suppkey) would only make its column be read
    // first and tested row by row
    List<DynamicFilter> useful = new ArrayList<>();
    List<ColumnPredicate> rowPredicates = new ArrayList<>(staticFilter);
    for (DynamicFilter dynamic : dynamicFilters) {
      if (passesEveryRow(dynamic, fileSchema)) {
        dynamicFiltersDropped++;
        continue;
      }
      useful.add(dynamic);
      ColumnPredicate range = dynamicRange(tableSchema, dynamic);
      if (range != null) {
        rowPredicates.add(range);
      }
    }
    rowFilter = ScanRowFilter.create(fields, readable, rowPredicates, useful);
    if (split.deletionVector() != null) {
      deleted = split.deletionVector().load();
    }
  }

  /**
   * Whether every row of the row groups this split reads passes {@code dynamic}, by their column
   * chunks' statistics: the chunk's minimum and maximum lie within the filter's range and the
   * filter has no key set, or one holding every value of its range, and the chunk has no NULLs
   * (which fail the filter). A chunk without statistics keeps the filter. Dropping a filter never
   * changes a result (the join still compares every key); keeping a useless one costs a column read
   * ahead of the others.
   */
  private boolean passesEveryRow(DynamicFilter dynamic, MessageType fileSchema) {
    if (dynamic.keys() != null && dynamic.keys().size() != dynamic.max() - dynamic.min() + 1) {
      return false;
    }
    Field field = null;
    for (Field f : fields) {
      if (f.getName().equals(dynamic.column())) {
        field = f;
      }
    }
    if (field == null
        || partitionColumns.contains(field.getName())
        || !(field.getType() instanceof ArrowType.Int
            || field.getType() instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY)) {
      return false;
    }
    Type type = findColumn(fileSchema, field);
    if (type == null || !type.isPrimitive() || selectedGroups.length == 0) {
      return false;
    }
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (logical != null
        && !(logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation)
        && !(logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation)) {
      return false; // integers stored as decimals or timestamps are rescaled when read
    }
    for (int group : selectedGroups) {
      ColumnChunkMetaData chunk = RowGroupSkipping.chunk(blocks.get(group), type.getName());
      Statistics<?> stats = chunk == null ? null : chunk.getStatistics();
      if (stats == null
          || stats.isEmpty()
          || !stats.hasNonNullValue()
          || !stats.isNumNullsSet()
          || stats.getNumNulls() != 0) {
        return false; // a NULL key fails the filter
      }
      // the statistics as row-group skipping reads them: null for unsigned or other encodings
      Long min = asLong(field, type, stats.genericGetMin());
      Long max = asLong(field, type, stats.genericGetMax());
      if (min == null || max == null || min < dynamic.min() || max > dynamic.max()) {
        return false;
      }
    }
    return true;
  }

  /** A chunk statistic of an integer or date column as a number (days for dates), or null. */
  private static Long asLong(Field field, Type type, Object stat) {
    Object value = RowGroupSkipping.value(field.getType(), type.asPrimitiveType(), stat);
    if (value instanceof Long l) {
      return l;
    }
    return value instanceof LocalDate d ? d.toEpochDay() : null;
  }

  /**
   * The row groups this split reads: those starting in its byte range whose statistics do not rule
   * out the filter. Row indexes (for deletion vectors) count every row group of the file.
   */
  private void selectRowGroups(MessageType fileSchema) {
    skipping = new RowGroupSkipping(fileSchema, tableSchema, partitionColumns, filter);
    groupFirstRow = new long[blocks.size()];
    int[] selected = new int[blocks.size()];
    int count = 0;
    long row = 0;
    long end = split.start() + split.length();
    for (int g = 0; g < blocks.size(); g++) {
      BlockMetaData block = blocks.get(g);
      groupFirstRow[g] = row;
      row += block.getRowCount();
      long start = block.getStartingPos();
      if (!split.wholeFile() && (start < split.start() || start >= end)) {
        continue;
      }
      if (!skipping.isEmpty() && !skipping.mayMatch(block)) {
        rowGroupsSkipped++;
        completedBytes += block.getCompressedSize();
        continue;
      }
      selected[count++] = g;
    }
    selectedGroups = Arrays.copyOf(selected, count);
  }

  /** Opens the split's Parquet file: the one place that knows where data files live. */
  private ParquetFileReader openFile() {
    String path = split.path();
    try {
      return ParquetFileReader.open(input);
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Data file " + path + " is missing: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Cannot read data file " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file's column for a table column: by Parquet field id, then by physical name (column
   * mapping), then by logical name (case-insensitive); null when the file predates the column.
   */
  static Type findColumn(MessageType fileSchema, Field field) {
    Integer id = DeltaTypes.fieldId(field);
    String physical = DeltaTypes.physicalName(field);
    if (id != null) {
      for (Type t : fileSchema.getFields()) {
        if (t.getId() != null && t.getId().intValue() == id) {
          return t;
        }
      }
    }
    if (physical != null) {
      for (Type t : fileSchema.getFields()) {
        if (t.getName().equals(physical)) {
          return t;
        }
      }
      return null;
    }
    Type found = null;
    for (Type t : fileSchema.getFields()) {
      if (t.getName().toLowerCase(Locale.ROOT).equals(field.getName())) {
        found = t;
      }
    }
    return found;
  }

  @Override
  public VectorSchemaRoot nextBatch() {
    if (closed) {
      return null;
    }
    try {
      if (!opened) {
        open();
      }
      while (true) {
        while (rowsLeftInGroup == 0) {
          if (selectedIndex >= selectedGroups.length) {
            return null;
          }
          openRowGroup(selectedGroups[selectedIndex++]);
        }
        if (rowRanges != null && !skipToRange()) {
          continue;
        }
        VectorSchemaRoot root = readBatch();
        if (root != null) {
          return root;
        }
      }
    } catch (IOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "Cannot read data file " + split.path() + ": " + e.getMessage(),
          e);
    } catch (OxbowException e) {
      throw e;
    } catch (RuntimeException e) {
      // a corrupt or unexpected file (Parquet decoding errors are unchecked)
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE, "Cannot read data file " + split.path() + ": " + e, e);
    }
  }

  /**
   * Reads the next batch of the current row group (at most {@link #BATCH_ROWS} rows, within the
   * current page-index range), or returns null when none of its rows is left (filtered or deleted).
   * A method of its own so that the JIT compiles it once: inside {@link #nextBatch}'s loop, which
   * runs long when filters drop whole batches, on-stack replacement compiled all of it twice more.
   */
  private VectorSchemaRoot readBatch() throws IOException {
    int n = (int) Math.min(BATCH_ROWS, rowsLeftInGroup);
    if (rowRanges != null) {
      n = (int) Math.min(n, rowRanges[rangeIndex + 1] - rowInGroup);
    }
    boolean[] keep = null;
    int kept = n;
    if (deleted != null) {
      keep = new boolean[n];
      kept = 0;
      for (int r = 0; r < n; r++) {
        keep[r] = !deleted.contains(nextRowIndex + r);
        if (keep[r]) {
          kept++;
        }
      }
    }
    rowsLeftInGroup -= n;
    nextRowIndex += n;
    rowInGroup += n;
    VectorSchemaRoot root = VectorSchemaRoot.create(outputSchema, allocator);
    try {
      if (rowFilter != null) {
        // lazy materialization: the filter columns first, then the rest for the rows left; a
        // dictionary-encoded filter column is read as dictionary ids, filtered by
        // testing each dictionary value once, and written for the rows left only
        if (byIds == null) {
          byIds = new boolean[fields.size()];
          ids = new int[fields.size()][];
        }
        boolean anyById = false;
        for (int i = 0; i < fields.size(); i++) {
          if (!rowFilter.isFilterColumn(i)) {
            continue;
          }
          byIds[i] = byDictionary(i);
          if (byIds[i]) {
            anyById = true;
            if (ids[i] == null) {
              ids[i] = new int[BATCH_ROWS];
            }
            decoders[i].readIds(n, ids[i]);
            columnBatchesByIds++;
            continue;
          }
          readVector(root, i, n, null, n);
        }
        boolean[] survive = mask;
        if (keep == null) {
          Arrays.fill(survive, 0, n, true);
        } else {
          System.arraycopy(keep, 0, survive, 0, n);
        }
        if (anyById) {
          for (int i = 0; i < fields.size(); i++) {
            if (byIds[i]) {
              rowFilter.applyDictionary(i, decoders[i], ids[i], n, survive);
            }
          }
        }
        int survivors = rowFilter.apply(root.getFieldVectors(), n, survive, byIds);
        if (survivors == 0) {
          rowsFiltered += kept;
          skipOtherColumns(n);
          batchesSkipped++;
          root.close();
          return null;
        }
        if (keep == null && survivors > n * compactBelow) {
          survivors = n; // most rows survive: decoding the rest densely is cheaper
        } else if (survivors < n) {
          keep = survive;
          int[] rows = selection;
          int count = 0;
          for (int r = 0; r < n; r++) {
            rows[count] = r;
            count += keep[r] ? 1 : 0;
          }
          for (int i = 0; i < fields.size(); i++) {
            if (rowFilter.isFilterColumn(i) && !byIds[i]) {
              ScanRowFilter.compact(root.getVector(i), rows, count);
              root.getVector(i).setValueCount(survivors);
            }
          }
        }
        rowsFiltered += kept - survivors;
        kept = survivors;
        for (int i = 0; i < fields.size(); i++) {
          if (byIds[i]) {
            FieldVector vector = root.getVector(i);
            vector.setInitialCapacity(kept);
            vector.allocateNew();
            decoders[i].writeIds(vector, ids[i], n, keep);
            vector.setValueCount(kept);
          }
        }
      }
      for (int i = 0; i < fields.size(); i++) {
        if (rowFilter != null && rowFilter.isFilterColumn(i)) {
          continue;
        }
        readVector(root, i, n, keep, kept);
      }
      root.setRowCount(kept);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
    if (kept == 0 && n > 0) {
      root.close(); // every row of this batch was deleted
      return null;
    }
    return root;
  }

  /**
   * Starts reading a row group: its page indexes narrow the rows to read (a group none of whose
   * pages can match is not read at all), then its column chunks are fetched.
   */
  private void openRowGroup(int group) throws IOException {
    BlockMetaData block = blocks.get(group);
    completedBytes += block.getCompressedSize();
    rowRanges = null;
    rangeIndex = 0;
    rowInGroup = 0;
    if (!skipping.isEmpty() && requested.getFieldCount() > 0) {
      rowRanges = skipping.rowRanges(reader, block);
      if (rowRanges != null && rowRanges.length == 0) {
        rowGroupsSkipped++;
        rowsSkippedByPageIndex += block.getRowCount();
        rowRanges = null;
        return;
      }
    }
    rowsLeftInGroup = block.getRowCount();
    nextRowIndex = groupFirstRow[group];
    rowGroupsRead++;
    if (requested.getFieldCount() > 0) {
      openColumns(reader.readRowGroup(group));
    }
  }

  /**
   * Moves to the current or next row range of the group, skipping the rows before it in every
   * column; false when no range is left (the rest of the group is skipped).
   */
  private boolean skipToRange() {
    while (rangeIndex < rowRanges.length && rowRanges[rangeIndex + 1] <= rowInGroup) {
      rangeIndex += 2;
    }
    if (rangeIndex >= rowRanges.length) {
      rowsSkippedByPageIndex += rowsLeftInGroup;
      rowsLeftInGroup = 0;
      return false;
    }
    long gap = rowRanges[rangeIndex] - rowInGroup;
    if (gap > 0) {
      for (int i = 0; i < fields.size(); i++) {
        skipColumn(i, gap);
      }
      rowsSkippedByPageIndex += gap;
      rowsLeftInGroup -= gap;
      nextRowIndex += gap;
      rowInGroup += gap;
    }
    return true;
  }

  /**
   * Whether filter column {@code i} is read as dictionary ids in the current row group: its chunk
   * is all dictionary-encoded (strings, or integers, dates, timestamps and decimals stored as
   * integers) and every check on it decides by value.
   */
  private boolean byDictionary(int i) {
    if (decoders[i] == null || partitionColumns.contains(fields.get(i).getName())) {
      return false;
    }
    return decoders[i].stringDictionaryOnly()
        ? rowFilter.byDictionary(i, false)
        : decoders[i].numericDictionaryOnly() && rowFilter.byDictionary(i, true);
  }

  /** Skips {@code n} rows of every column that is not a filter column. */
  private void skipOtherColumns(int n) {
    for (int i = 0; i < fields.size(); i++) {
      if (!rowFilter.isFilterColumn(i)) {
        skipColumn(i, n);
      }
    }
  }

  /** Skips {@code n} rows of output column {@code i} (nothing to do for partition columns). */
  private void skipColumn(int i, long n) {
    if (descriptors[i] == null) {
      return;
    }
    if (decoders[i] != null) {
      decoders[i].skip(n);
      return;
    }
    ColumnReader cr = readers[i];
    int maxDefinition = descriptors[i].getMaxDefinitionLevel();
    for (long r = 0; r < n; r++, cr.consume()) {
      if (cr.getCurrentDefinitionLevel() == maxDefinition) {
        cr.skip();
      }
    }
  }

  /**
   * Allocates output column {@code i} of {@code root} for {@code kept} values and reads them: the
   * {@code kept} rows of the next {@code n} that {@code keep} marks ({@code keep} null keeps all).
   */
  private void readVector(VectorSchemaRoot root, int i, int n, boolean[] keep, int kept) {
    FieldVector vector = root.getVector(i);
    vector.setInitialCapacity(kept);
    vector.allocateNew();
    readColumn(i, vector, n, keep);
    vector.setValueCount(kept);
  }

  /**
   * Reads {@code n} rows of output column {@code i} into {@code vector} (allocated for the rows
   * kept), keeping those whose {@code keep} entry is true ({@code keep} null keeps all).
   */
  private void readColumn(int i, FieldVector vector, int n, boolean[] keep) {
    String name = fields.get(i).getName();
    int kept = n;
    if (keep != null) {
      kept = 0;
      for (int r = 0; r < n; r++) {
        kept += keep[r] ? 1 : 0;
      }
    }
    if (partitionColumns.contains(name)) {
      fillPartition(split.path(), vector, split.partitionValues().get(name), kept);
    } else if (descriptors[i] == null) {
      for (int r = 0; r < kept; r++) {
        setNull(vector, r);
      }
    } else if (decoders[i] != null) {
      decoders[i].read(vector, n, keep);
    } else {
      decode(readers[i], descriptors[i], vector, n, keep);
    }
  }

  /**
   * Sets up the decoding of one row group's column chunks: in bulk where {@link ColumnChunkDecoder}
   * handles the chunk, else with parquet-mr's column reader over the same pages.
   */
  private void openColumns(PageReadStore pages) throws IOException {
    decoders = new ColumnChunkDecoder[fields.size()];
    readers = new ColumnReader[fields.size()];
    if (scratch == null) {
      scratch = new ColumnChunkDecoder.Scratch[fields.size()];
    }
    Map<ColumnDescriptor, BufferedColumnChunk> chunks = new HashMap<>();
    for (int i = 0; i < fields.size(); i++) {
      ColumnDescriptor descriptor = descriptors[i];
      if (descriptor == null) {
        continue;
      }
      BufferedColumnChunk chunk = chunks.get(descriptor);
      if (chunk == null) {
        chunk = BufferedColumnChunk.read(pages.getPageReader(descriptor));
        chunks.put(descriptor, chunk);
      }
      if (bulkDecoding) {
        // the previous row group's decoders are done with: their work arrays are reused
        if (scratch[i] == null) {
          scratch[i] = new ColumnChunkDecoder.Scratch(BATCH_ROWS);
        }
        decoders[i] =
            ColumnChunkDecoder.create(
                descriptor, chunk, fields.get(i).getType(), BATCH_ROWS, scratch[i]);
      }
      if (decoders[i] != null) {
        bulkChunks++;
      } else {
        fallbackChunks++;
        ColumnReadStoreImpl store =
            new ColumnReadStoreImpl(
                new OneChunkStore(chunk.pageReader(), pages.getRowCount()),
                new NoopGroupConverter(requested.getFieldCount()),
                requested,
                reader.getFooter().getFileMetaData().getCreatedBy());
        readers[i] = store.getColumnReader(descriptor);
      }
    }
  }

  /** Sets the fraction of surviving rows above which a batch is not compacted (1 always does). */
  void compactBelow(double fraction) {
    this.compactBelow = fraction;
  }

  /** The row groups read so far. */
  int rowGroupsRead() {
    return rowGroupsRead;
  }

  /** The column chunks decoded in bulk so far. */
  int bulkChunks() {
    return bulkChunks;
  }

  /** The column chunks decoded by parquet-mr's column reader so far. */
  int fallbackChunks() {
    return fallbackChunks;
  }

  /** The row groups of this split skipped because their statistics rule out the filter. */
  int rowGroupsSkipped() {
    return rowGroupsSkipped;
  }

  /** Pages of filter columns skipped because their page index rules out the filter. */
  long pagesSkipped() {
    return skipping == null ? 0 : skipping.pagesSkipped();
  }

  /** Rows of row groups read that were skipped because page indexes rule them out. */
  long rowsSkippedByPageIndex() {
    return rowsSkippedByPageIndex;
  }

  /**
   * Rows decoded in the filter columns but dropped before the other columns were decoded, because
   * they cannot match the pushed-down predicates or dynamic filters.
   */
  long rowsFiltered() {
    return rowsFiltered;
  }

  /** Batches none of whose rows could match: their other columns were skipped, not decoded. */
  long batchesSkipped() {
    return batchesSkipped;
  }

  /**
   * Filter-column batches read as dictionary ids and filtered by testing each dictionary value once
   * (one per column per batch).
   */
  long columnBatchesByIds() {
    return columnBatchesByIds;
  }

  /** One line of scan statistics, for logs and EXPLAIN ANALYZE style reports. */
  String statistics() {
    return String.format(
        Locale.ROOT,
        "row groups read %d, skipped %d; pages skipped %d (%d rows); rows filtered in scan %d;"
            + " batches skipped %d; dynamic filters every row passes %d",
        rowGroupsRead,
        rowGroupsSkipped,
        pagesSkipped(),
        rowsSkippedByPageIndex,
        rowsFiltered,
        batchesSkipped,
        dynamicFiltersDropped);
  }

  /**
   * Whether a partition value (Delta's string form) is NULL: a missing value, or an empty one of a
   * non-string column.
   */
  static boolean partitionIsNull(ArrowType type, String value) {
    return value == null
        || (value.isEmpty()
            && !(type instanceof ArrowType.Utf8 || type instanceof ArrowType.LargeUtf8));
  }

  private static void setNull(FieldVector vector, int index) {
    if (vector instanceof org.apache.arrow.vector.BaseFixedWidthVector f) {
      f.setNull(index);
    } else if (vector instanceof BaseVariableWidthVector v) {
      v.setNull(index);
    }
  }

  /**
   * Decodes {@code n} values of one column chunk into {@code vector}, dropping the rows whose
   * {@code keep} entry is false (deleted by a deletion vector; {@code keep} null keeps all). Files
   * written before a type was widened (Delta type widening) are widened here: integers to long,
   * double or decimal, float to double, decimals to a larger precision or scale, date to
   * timestamp_ntz.
   */
  private static void decode(
      ColumnReader cr, ColumnDescriptor descriptor, FieldVector vector, int n, boolean[] keep) {
    int maxDefinition = descriptor.getMaxDefinitionLevel();
    PrimitiveType primitive = descriptor.getPrimitiveType();
    PrimitiveType.PrimitiveTypeName physical = primitive.getPrimitiveTypeName();
    LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
    ValueReader read = valueReader(cr, vector, physical, logical);
    int out = 0;
    for (int r = 0; r < n; r++, cr.consume()) {
      boolean isNull = cr.getCurrentDefinitionLevel() < maxDefinition;
      if (keep != null && !keep[r]) {
        if (!isNull) {
          cr.skip();
        }
      } else if (isNull) {
        setNull(vector, out++);
      } else {
        read.readInto(out++);
      }
    }
  }

  /** Reads the column reader's current (non-null) value into one slot of an Arrow vector. */
  @FunctionalInterface
  private interface ValueReader {
    void readInto(int index);
  }

  /** The value reader for one column chunk, chosen once per batch rather than once per value. */
  private static ValueReader valueReader(
      ColumnReader cr,
      FieldVector vector,
      PrimitiveType.PrimitiveTypeName physical,
      LogicalTypeAnnotation logical) {
    if (vector instanceof BigIntVector v) {
      return physical == PrimitiveType.PrimitiveTypeName.INT32
          ? i -> v.set(i, cr.getInteger())
          : i -> v.set(i, cr.getLong());
    } else if (vector instanceof IntVector v) {
      return i -> v.set(i, cr.getInteger());
    } else if (vector instanceof DecimalVector v) {
      return i -> setDecimal(v, i, cr, physical, logical);
    } else if (vector instanceof BaseVariableWidthVector v) { // string and binary
      return i -> {
        ByteBuffer bytes = cr.getBinary().toByteBuffer();
        v.setSafe(i, bytes, bytes.position(), bytes.remaining());
      };
    } else if (vector instanceof DateDayVector v) {
      return i -> v.set(i, cr.getInteger());
    } else if (vector instanceof Float8Vector v) {
      return switch (physical) {
        case FLOAT -> i -> v.set(i, cr.getFloat());
        case INT32 -> i -> v.set(i, cr.getInteger());
        case INT64 -> i -> v.set(i, cr.getLong());
        default -> i -> v.set(i, cr.getDouble());
      };
    } else if (vector instanceof Float4Vector v) {
      return i -> v.set(i, cr.getFloat());
    } else if (vector instanceof BitVector v) {
      return i -> v.set(i, cr.getBoolean() ? 1 : 0);
    } else if (vector instanceof SmallIntVector v) {
      return i -> v.set(i, (short) cr.getInteger());
    } else if (vector instanceof TinyIntVector v) {
      return i -> v.set(i, (byte) cr.getInteger());
    } else if (vector instanceof TimeStampVector v) {
      return i -> v.set(i, timestampMicros(cr, physical, logical));
    }
    throw OxbowException.userError(
        "Column '%s' has type %s, which is not supported yet",
        vector.getName(), vector.getField().getType());
  }

  /** One decimal value, rescaled when the file has a smaller scale (or is an integer column). */
  private static void setDecimal(
      DecimalVector v,
      int index,
      ColumnReader cr,
      PrimitiveType.PrimitiveTypeName physical,
      LogicalTypeAnnotation logical) {
    int fileScale =
        logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d ? d.getScale() : 0;
    int shift = v.getScale() - fileScale;
    if (physical == PrimitiveType.PrimitiveTypeName.INT64
        || physical == PrimitiveType.PrimitiveTypeName.INT32) {
      long unscaled =
          physical == PrimitiveType.PrimitiveTypeName.INT64 ? cr.getLong() : cr.getInteger();
      if (shift == 0) {
        v.set(index, unscaled);
      } else {
        v.set(
            index,
            new BigDecimal(
                BigInteger.valueOf(unscaled).multiply(BigInteger.TEN.pow(shift)), v.getScale()));
      }
    } else if (shift == 0) {
      v.setBigEndian(index, cr.getBinary().getBytes());
    } else {
      BigInteger unscaled = new BigInteger(cr.getBinary().getBytes());
      v.set(index, new BigDecimal(unscaled.multiply(BigInteger.TEN.pow(shift)), v.getScale()));
    }
  }

  /**
   * One timestamp in microseconds from INT96, INT64 (millis, micros or nanos) or a widened date.
   */
  private static long timestampMicros(
      ColumnReader cr, PrimitiveType.PrimitiveTypeName physical, LogicalTypeAnnotation logical) {
    if (physical == PrimitiveType.PrimitiveTypeName.INT96) {
      ByteBuffer b = cr.getBinary().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      long nanosOfDay = b.getLong();
      long julianDay = b.getInt() & 0xffffffffL;
      return (julianDay - JULIAN_EPOCH_DAY) * MICROS_PER_DAY + nanosOfDay / 1000;
    }
    if (physical == PrimitiveType.PrimitiveTypeName.INT32) {
      return cr.getInteger() * MICROS_PER_DAY; // a date column widened to timestamp_ntz
    }
    long value = cr.getLong();
    if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
      return switch (ts.getUnit()) {
        case MILLIS -> value * 1000;
        case NANOS -> Math.floorDiv(value, 1000);
        default -> value;
      };
    }
    return value;
  }

  /** Fills a partition column with its (string-encoded) value from the Delta log. */
  private static void fillPartition(String path, FieldVector vector, String value, int n) {
    try {
      fillPartition(vector, value, n);
    } catch (OxbowException e) {
      throw e;
    } catch (RuntimeException e) {
      throw OxbowException.userError(
          "Data file %s has the partition value '%s' for column '%s', which is not a valid %s: %s",
          path, value, vector.getName(), vector.getField().getType(), e.getMessage());
    }
  }

  private static void fillPartition(FieldVector vector, String value, int n) {
    boolean isNull = partitionIsNull(vector.getField().getType(), value);
    for (int r = 0; r < n; r++) {
      if (isNull) {
        setNull(vector, r);
        continue;
      }
      if (vector instanceof BaseVariableWidthVector v) { // string and binary
        v.setSafe(r, value.getBytes(StandardCharsets.UTF_8));
      } else if (vector instanceof BigIntVector v) {
        v.set(r, Long.parseLong(value));
      } else if (vector instanceof IntVector v) {
        v.set(r, Integer.parseInt(value));
      } else if (vector instanceof SmallIntVector v) {
        v.set(r, Short.parseShort(value));
      } else if (vector instanceof TinyIntVector v) {
        v.set(r, Byte.parseByte(value));
      } else if (vector instanceof DateDayVector v) {
        v.set(r, (int) LocalDate.parse(value).toEpochDay());
      } else if (vector instanceof DecimalVector v) {
        v.set(r, new BigDecimal(value).setScale(v.getScale()));
      } else if (vector instanceof BitVector v) {
        v.set(r, Boolean.parseBoolean(value) ? 1 : 0);
      } else if (vector instanceof Float8Vector v) {
        v.set(r, Double.parseDouble(value));
      } else if (vector instanceof Float4Vector v) {
        v.set(r, Float.parseFloat(value));
      } else if (vector instanceof TimeStampVector v) {
        v.set(r, partitionTimestampMicros(value));
      } else {
        throw OxbowException.userError(
            "Partition column '%s' of type %s is not supported yet",
            vector.getName(), vector.getField().getType());
      }
    }
  }

  /**
   * A timestamp partition value as Delta serializes it: {@code 2024-03-11 11:00:00[.123456]}
   * (wall-clock time, read as UTC for timestamp and as-is for timestamp_ntz) or ISO-8601 with an
   * offset ({@code 1970-01-01T00:00:00.123456Z}).
   */
  static long partitionTimestampMicros(String value) {
    try {
      LocalDateTime local = Timestamp.valueOf(value).toLocalDateTime();
      return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), local);
    } catch (IllegalArgumentException e) {
      try {
        Instant instant = OffsetDateTime.parse(value).toInstant();
        return FileSkipping.epochMicros(instant);
      } catch (DateTimeParseException e2) {
        throw OxbowException.userError(
            "Partition value '%s' is not a Delta timestamp (yyyy-MM-dd HH:mm:ss[.SSSSSS])", value);
      }
    }
  }

  @Override
  public long completedBytes() {
    return completedBytes;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (opened && LOG.isDebugEnabled()) {
      LOG.debug(
          "Scan of {} [{}, +{}): {}", split.path(), split.start(), split.length(), statistics());
    }
    if (reader != null) {
      try {
        reader.close();
      } catch (IOException e) {
        // nothing was lost: the file was only read
      }
    }
    input.close();
  }

  /** A page store holding one column chunk, for parquet-mr's column reader. */
  private record OneChunkStore(PageReader chunk, long rows) implements PageReadStore {
    @Override
    public PageReader getPageReader(ColumnDescriptor descriptor) {
      return chunk;
    }

    @Override
    public long getRowCount() {
      return rows;
    }
  }

  /** Parquet's column readers need a converter tree; values are read directly, so it is inert. */
  private static final class NoopGroupConverter extends GroupConverter {
    private final int fields;

    NoopGroupConverter(int fields) {
      this.fields = fields;
    }

    @Override
    public Converter getConverter(int fieldIndex) {
      if (fieldIndex >= fields) {
        throw new IndexOutOfBoundsException(fieldIndex);
      }
      return new PrimitiveConverter() {};
    }

    @Override
    public void start() {}

    @Override
    public void end() {}
  }
}
