package io.oxbow.connector.delta.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Decodes one flat column chunk into Arrow vectors a batch at a time, in bulk: definition levels
 * and dictionary indices with {@link RleBitPackedDecoder}, PLAIN fixed-width values copied with one
 * memory copy per page segment when nothing is null and no row is dropped, dictionaries decoded
 * once per chunk and gathered, strings appended to the offsets and data buffers in one loop.
 *
 * <p>It handles data pages v1 and v2 with PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY values (and
 * RLE definition levels) of INT32, INT64, FLOAT, DOUBLE, BOOLEAN, BYTE_ARRAY and
 * FIXED_LEN_BYTE_ARRAY columns, read as integers, dates, timestamps, floating point, decimals,
 * booleans, strings or binary, including the widenings of Delta type widening. {@link #create}
 * returns null for anything else (other encodings, INT96, unusual conversions): the caller then
 * decodes that chunk with parquet-mr's column reader.
 */
public final class ColumnChunkDecoder {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private enum Source {
    INT32(4),
    INT64(8),
    FLOAT(4),
    DOUBLE(8),
    BOOLEAN(0),
    BINARY(0),
    FIXED(0);

    final int width;

    Source(int width) {
      this.width = width;
    }

    boolean isLong() {
      return this == INT32 || this == INT64 || this == BOOLEAN;
    }

    boolean isDouble() {
      return this == FLOAT || this == DOUBLE;
    }
  }

  private enum Target {
    INT(4),
    SHORT(2),
    BYTE(1),
    LONG(8),
    DOUBLE(8),
    FLOAT(4),
    DECIMAL(16),
    BIT(0),
    VAR(0);

    final int width;

    Target(int width) {
      this.width = width;
    }
  }

  private final Source source;
  private final Target target;
  private final int maxDefinition;
  private final int typeLength;

  /** Multiplier applied to integer values: timestamp unit, date to timestamp, decimal rescale. */
  private final long multiplier;

  /** Divisor (floor) applied to integer values: nanosecond timestamps to microseconds. */
  private final long divisor;

  private final BufferedColumnChunk chunk;
  private final int batchRows;
  private int pageIndex;
  private int pageLeft;

  /** The current page's bytes: {@code data[dataStart..dataEnd)}, a range of a larger array. */
  private byte[] data;

  private int dataEnd;
  private int valuePos;
  private long booleanBit;
  private RleBitPackedDecoder levels;
  private RleBitPackedDecoder indices;

  /** BYTE_STREAM_SPLIT page: byte k of value i is at {@code streamBase + k * streamLength + i}. */
  private boolean byteStreamSplit;

  private int streamLength;
  private int streamBase;

  private long[] dictLongs;
  private double[] dictDoubles;
  private byte[] dictBytes;
  private int[] dictStarts;
  private int[] dictLengths;
  private long[] dictLows;
  private long[] dictHighs;

  private final int[] levelBuffer;
  private final int[] indexBuffer;
  private final int[] map;
  private long[] longs;
  private double[] doubles;
  private int[] starts;
  private int[] lengths;
  private byte[] binarySource;
  private final Scratch work;
  private long varEnd;

  /** Whether every data page of the chunk is dictionary-encoded. */
  private boolean allDictionary;

  /** A test of one string value, {@code bytes[start, start + length)}. */
  @FunctionalInterface
  public interface ValuePredicate {
    boolean test(byte[] bytes, int start, int length);
  }

  /**
   * Work arrays for the decoders of one column, one chunk after another, so that opening a chunk
   * does not allocate (and zero) them again: a decoder uses its scratch for as long as it is read,
   * so one scratch serves one decoder at a time.
   */
  public static final class Scratch {
    private final int batchRows;
    private int[] levels;
    private int[] indices;
    private int[] map;
    private int[] starts;
    private int[] lengths;
    private long[] longs;
    private double[] doubles;
    private byte[] bytes = new byte[0];

    public Scratch(int batchRows) {
      this.batchRows = batchRows;
    }

    private int[] ints(int[] array) {
      return array != null ? array : new int[batchRows];
    }
  }

  private ColumnChunkDecoder(
      Source source,
      Target target,
      int maxDefinition,
      int typeLength,
      long multiplier,
      long divisor,
      BufferedColumnChunk chunk,
      int batchRows,
      Scratch work) {
    if (work.batchRows != batchRows) {
      throw new IllegalArgumentException(
          "Scratch for " + work.batchRows + " rows used for batches of " + batchRows);
    }
    this.source = source;
    this.target = target;
    this.maxDefinition = maxDefinition;
    this.typeLength = typeLength;
    this.multiplier = multiplier;
    this.divisor = divisor;
    this.chunk = chunk;
    this.batchRows = batchRows;
    this.work = work;
    this.levelBuffer = work.levels = work.ints(work.levels);
    this.indexBuffer = work.indices = work.ints(work.indices);
    this.map = work.map = work.ints(work.map);
    if (source.isLong()) {
      longs = work.longs = work.longs != null ? work.longs : new long[batchRows];
    } else if (source.isDouble()) {
      doubles = work.doubles = work.doubles != null ? work.doubles : new double[batchRows];
    } else {
      starts = work.starts = work.ints(work.starts);
      lengths = work.lengths = work.ints(work.lengths);
    }
  }

  /**
   * A bulk decoder for one column chunk read into vectors of type {@code type}, or null when the
   * chunk's encodings or the type conversion are not handled here.
   *
   * @param batchRows the most rows one {@link #read} call decodes
   */
  public static ColumnChunkDecoder create(
      ColumnDescriptor descriptor, BufferedColumnChunk chunk, ArrowType type, int batchRows) {
    return create(descriptor, chunk, type, batchRows, new Scratch(batchRows));
  }

  /**
   * {@link #create(ColumnDescriptor, BufferedColumnChunk, ArrowType, int)} with the work arrays of
   * {@code scratch} (made for {@code batchRows}), which no other live decoder may be using.
   */
  public static ColumnChunkDecoder create(
      ColumnDescriptor descriptor,
      BufferedColumnChunk chunk,
      ArrowType type,
      int batchRows,
      Scratch scratch) {
    if (descriptor.getMaxRepetitionLevel() != 0 || descriptor.getMaxDefinitionLevel() > 1) {
      return null;
    }
    PrimitiveType primitive = descriptor.getPrimitiveType();
    LogicalTypeAnnotation logical = primitive.getLogicalTypeAnnotation();
    Source source =
        switch (primitive.getPrimitiveTypeName()) {
          case INT32 -> Source.INT32;
          case INT64 -> Source.INT64;
          case FLOAT -> Source.FLOAT;
          case DOUBLE -> Source.DOUBLE;
          case BOOLEAN -> Source.BOOLEAN;
          case BINARY -> Source.BINARY;
          case FIXED_LEN_BYTE_ARRAY -> Source.FIXED;
          default -> null;
        };
    if (source == null) {
      return null;
    }
    Target target;
    long multiplier = 1;
    long divisor = 1;
    if (type instanceof ArrowType.Int i) {
      target =
          switch (i.getBitWidth()) {
            case 8 -> Target.BYTE;
            case 16 -> Target.SHORT;
            case 32 -> Target.INT;
            default -> Target.LONG;
          };
      if (source != Source.INT32 && !(source == Source.INT64 && target == Target.LONG)) {
        return null;
      }
    } else if (type instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY) {
      target = Target.INT;
      if (source != Source.INT32) {
        return null;
      }
    } else if (type instanceof ArrowType.Timestamp) {
      target = Target.LONG;
      if (source == Source.INT32) {
        multiplier = MICROS_PER_DAY; // a date widened to timestamp_ntz
      } else if (source == Source.INT64) {
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts) {
          switch (ts.getUnit()) {
            case MILLIS -> multiplier = 1000;
            case NANOS -> divisor = 1000;
            default -> {}
          }
        }
      } else {
        return null;
      }
    } else if (type instanceof ArrowType.FloatingPoint fp) {
      if (fp.getPrecision() == FloatingPointPrecision.DOUBLE) {
        target = Target.DOUBLE;
        if (source != Source.DOUBLE
            && source != Source.FLOAT
            && source != Source.INT32
            && source != Source.INT64) {
          return null;
        }
      } else if (fp.getPrecision() == FloatingPointPrecision.SINGLE && source == Source.FLOAT) {
        target = Target.FLOAT;
      } else {
        return null;
      }
    } else if (type instanceof ArrowType.Decimal decimal && decimal.getBitWidth() == 128) {
      target = Target.DECIMAL;
      int fileScale =
          logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d
              ? d.getScale()
              : 0;
      int shift = decimal.getScale() - fileScale;
      if (source == Source.INT32 || source == Source.INT64) {
        if (shift < 0 || shift > 18) {
          return null;
        }
        for (int s = 0; s < shift; s++) {
          multiplier *= 10;
        }
      } else if (source == Source.BINARY || source == Source.FIXED) {
        if (shift != 0 || (source == Source.FIXED && primitive.getTypeLength() > 16)) {
          return null;
        }
      } else {
        return null;
      }
    } else if (type instanceof ArrowType.Bool) {
      target = Target.BIT;
      if (source != Source.BOOLEAN) {
        return null;
      }
    } else if (type instanceof ArrowType.Utf8 || type instanceof ArrowType.Binary) {
      target = Target.VAR;
      if (source != Source.BINARY && source != Source.FIXED) {
        return null;
      }
    } else {
      return null;
    }
    if (!encodingsSupported(descriptor, chunk, source)) {
      return null;
    }
    ColumnChunkDecoder decoder =
        new ColumnChunkDecoder(
            source,
            target,
            descriptor.getMaxDefinitionLevel(),
            primitive.getTypeLength(),
            multiplier,
            divisor,
            chunk,
            batchRows,
            scratch);
    if (chunk.dictionaryPage() != null) {
      decoder.decodeDictionary(chunk.dictionaryPage());
      boolean all = true;
      for (DataPage page : chunk.pages()) {
        Encoding values =
            page instanceof DataPageV1 v1
                ? v1.getValueEncoding()
                : ((DataPageV2) page).getDataEncoding();
        all &= values == Encoding.PLAIN_DICTIONARY || values == Encoding.RLE_DICTIONARY;
      }
      decoder.allDictionary = all;
    }
    return decoder;
  }

  /**
   * Whether the chunk holds strings and every page is dictionary-encoded: rows can then be read as
   * dictionary ids ({@link #readIds}), filtered by their dictionary value ({@link
   * #testDictionary}), and only the rows kept written ({@link #writeIds}).
   */
  public boolean stringDictionaryOnly() {
    return allDictionary && target == Target.VAR && dictBytes != null;
  }

  /**
   * Whether the chunk holds integers, dates, timestamps or decimals stored as INT32/INT64 and every
   * page is dictionary-encoded: rows can then be read as dictionary ids ({@link #readIds}),
   * filtered by their dictionary value ({@link #dictionaryLows}), and only the rows kept written
   * ({@link #writeIds}).
   */
  public boolean numericDictionaryOnly() {
    return allDictionary
        && dictLongs != null
        && (target == Target.INT
            || target == Target.SHORT
            || target == Target.BYTE
            || target == Target.LONG
            || target == Target.DECIMAL);
  }

  /**
   * The dictionary's values as they would be written to the vector (only when {@link
   * #numericDictionaryOnly()}): the low 64 bits, sign-extended for every type but decimals, whose
   * high 64 bits {@link #dictionaryHighs} holds.
   */
  public long[] dictionaryLows() {
    if (dictLows == null) {
      long[] lows = new long[dictLongs.length];
      long[] highs = target == Target.DECIMAL ? new long[lows.length] : null;
      for (int id = 0; id < lows.length; id++) {
        long v = dictLongs[id];
        switch (target) {
          case INT -> lows[id] = (int) v;
          case SHORT -> lows[id] = (short) v;
          case BYTE -> lows[id] = (byte) v;
          case LONG -> lows[id] = scale(v);
          default -> {
            lows[id] = v * multiplier;
            highs[id] = decimalHigh(v);
          }
        }
      }
      dictHighs = highs;
      dictLows = lows;
    }
    return dictLows;
  }

  /**
   * For decimals, the high 64 bits of the dictionary's unscaled values (see {@link
   * #dictionaryLows}); null for other types.
   */
  public long[] dictionaryHighs() {
    dictionaryLows();
    return dictHighs;
  }

  /** Per dictionary id, whether its value passes {@code predicate}. */
  public boolean[] testDictionary(ValuePredicate predicate) {
    boolean[] pass = new boolean[dictStarts.length];
    for (int id = 0; id < pass.length; id++) {
      pass[id] = predicate.test(dictBytes, dictStarts[id], dictLengths[id]);
    }
    return pass;
  }

  /**
   * Reads the next {@code n} rows as their dictionary ids into {@code ids[0..n)}, -1 for NULL (only
   * when {@link #stringDictionaryOnly()} or {@link #numericDictionaryOnly()}); the rows are
   * consumed, {@link #writeIds} writes them.
   */
  public void readIds(int n, int[] ids) {
    if (n > batchRows) {
      throw new IllegalArgumentException(n + " rows in one batch");
    }
    int row = 0;
    while (row < n) {
      while (pageLeft == 0) {
        nextPage();
      }
      int m = Math.min(n - row, pageLeft);
      int present = maxDefinition == 0 ? m : levels.readAndCount(levelBuffer, m, maxDefinition);
      indices.read(indexBuffer, 0, present);
      if (present == m) {
        System.arraycopy(indexBuffer, 0, ids, row, m);
      } else {
        int v = 0;
        for (int i = 0; i < m; i++) {
          ids[row + i] = levelBuffer[i] == maxDefinition ? indexBuffer[v++] : -1;
        }
      }
      pageLeft -= m;
      row += m;
    }
  }

  /**
   * Writes the values of the rows read by {@link #readIds} whose {@code keep} entry is true (all
   * {@code n} when null) into {@code vector}, freshly allocated; the caller sets the value count.
   */
  public void writeIds(FieldVector vector, int[] ids, int n, boolean[] keep) {
    if (target != Target.VAR) {
      long[] dict = dictLongs;
      long[] values = longs;
      int count = 0;
      boolean nulls = false;
      for (int r = 0; r < n; r++) {
        if (keep == null || keep[r]) {
          int id = ids[r];
          if (id >= 0) {
            values[count] = dict[id];
            map[count] = count;
          } else {
            map[count] = -1;
            nulls = true;
          }
          count++;
        }
      }
      if (nulls) {
        write(vector, 0, count, map);
      } else {
        setValidRange(vector.getValidityBuffer(), 0, count);
        writeDense(vector.getDataBuffer(), 0, count);
      }
      return;
    }
    BaseVariableWidthVector strings = (BaseVariableWidthVector) vector;
    strings.getOffsetBuffer().setInt(0, 0);
    varEnd = 0;
    int count = 0;
    for (int r = 0; r < n; r++) {
      if (keep == null || keep[r]) {
        int id = ids[r];
        if (id >= 0) {
          starts[count] = dictStarts[id];
          lengths[count] = dictLengths[id];
          map[count] = count;
        } else {
          map[count] = -1;
        }
        count++;
      }
    }
    binarySource = dictBytes;
    writeVariable(strings, strings.getValidityBuffer(), 0, count, map);
    strings.setLastSet(count - 1);
  }

  private static boolean encodingsSupported(
      ColumnDescriptor descriptor, BufferedColumnChunk chunk, Source source) {
    DictionaryPage dictionary = chunk.dictionaryPage();
    if (dictionary != null
        && dictionary.getEncoding() != Encoding.PLAIN
        && dictionary.getEncoding() != Encoding.PLAIN_DICTIONARY) {
      return false;
    }
    for (DataPage page : chunk.pages()) {
      Encoding values;
      if (page instanceof DataPageV1 v1) {
        if (descriptor.getMaxDefinitionLevel() > 0 && v1.getDlEncoding() != Encoding.RLE) {
          return false;
        }
        values = v1.getValueEncoding();
      } else if (page instanceof DataPageV2 v2) {
        values = v2.getDataEncoding();
      } else {
        return false;
      }
      boolean dictionaryEncoded =
          values == Encoding.PLAIN_DICTIONARY || values == Encoding.RLE_DICTIONARY;
      if (dictionaryEncoded) {
        if (dictionary == null || source == Source.BOOLEAN) {
          return false;
        }
      } else if (values == Encoding.BYTE_STREAM_SPLIT) {
        if (source.width == 0) {
          return false;
        }
      } else if (values != Encoding.PLAIN) {
        return false;
      }
    }
    return true;
  }

  private void decodeDictionary(DictionaryPage page) {
    byte[] bytes = chunk.dictionaryBytes();
    int n = page.getDictionarySize();
    switch (source) {
      case INT32 -> {
        dictLongs = new long[n];
        for (int i = 0; i < n; i++) {
          dictLongs[i] = (int) INT_LE.get(bytes, 4 * i);
        }
      }
      case INT64 -> {
        dictLongs = new long[n];
        for (int i = 0; i < n; i++) {
          dictLongs[i] = (long) LONG_LE.get(bytes, 8 * i);
        }
      }
      case FLOAT -> {
        dictDoubles = new double[n];
        for (int i = 0; i < n; i++) {
          dictDoubles[i] = Float.intBitsToFloat((int) INT_LE.get(bytes, 4 * i));
        }
      }
      case DOUBLE -> {
        dictDoubles = new double[n];
        for (int i = 0; i < n; i++) {
          dictDoubles[i] = Double.longBitsToDouble((long) LONG_LE.get(bytes, 8 * i));
        }
      }
      case BINARY -> {
        dictBytes = bytes;
        dictStarts = new int[n];
        dictLengths = new int[n];
        int pos = 0;
        for (int i = 0; i < n; i++) {
          int length = (int) INT_LE.get(bytes, pos);
          dictStarts[i] = pos + 4;
          dictLengths[i] = length;
          pos += 4 + length;
        }
      }
      case FIXED -> {
        dictBytes = bytes;
        dictStarts = new int[n];
        dictLengths = new int[n];
        for (int i = 0; i < n; i++) {
          dictStarts[i] = i * typeLength;
          dictLengths[i] = typeLength;
        }
      }
      default -> throw new IllegalStateException("No dictionary for " + source);
    }
  }

  /**
   * Decodes the next {@code n} rows of the chunk into {@code vector}, freshly allocated for at
   * least the kept rows, keeping only the rows whose {@code keep} entry is true ({@code keep} null
   * keeps every row). The caller sets the vector's value count.
   */
  public void read(FieldVector vector, int n, boolean[] keep) {
    if (n > batchRows) {
      throw new IllegalArgumentException(n + " rows in one batch");
    }
    varEnd = 0;
    if (target == Target.VAR) {
      vector.getOffsetBuffer().setInt(0, 0);
    }
    int row = 0;
    int out = 0;
    while (row < n) {
      while (pageLeft == 0) {
        nextPage();
      }
      int m = Math.min(n - row, pageLeft);
      if (keep != null && noneKept(keep, row, m)) {
        skipInPage(m);
        pageLeft -= m;
        row += m;
        continue;
      }
      int present = maxDefinition == 0 ? m : levels.readAndCount(levelBuffer, m, maxDefinition);
      boolean dense = present == m && keep == null;
      if (dense && indices == null && !byteStreamSplit && memoryCopyable()) {
        int width = source.width;
        checkValuesEnd(valuePos + m * width);
        vector.getDataBuffer().setBytes((long) out * width, data, valuePos, (long) m * width);
        valuePos += m * width;
        setValidRange(vector.getValidityBuffer(), out, m);
        out += m;
      } else if (keep != null && present == m && selectable()) {
        // no NULL in this segment: value i is row i, so only the kept rows' values are decoded
        int count = mapRows(m, keep, row);
        decodeSelected(m, count);
        setValidRange(vector.getValidityBuffer(), out, count);
        write(vector, out, count, null);
        out += count;
      } else {
        decodeValues(present);
        int count;
        int[] rows;
        if (dense) {
          count = m;
          rows = null;
          setValidRange(vector.getValidityBuffer(), out, m);
        } else {
          count = mapRows(m, keep, row);
          rows = map;
        }
        write(vector, out, count, rows);
        out += count;
      }
      pageLeft -= m;
      row += m;
    }
    if (target == Target.VAR) {
      ((BaseVariableWidthVector) vector).setLastSet(out - 1);
    }
  }

  /**
   * Skips the next {@code n} rows of the chunk without decoding them: whole pages are passed over
   * without being parsed, and within a page only definition levels (and dictionary indices or
   * string lengths) are read.
   */
  public void skip(long n) {
    while (n > 0) {
      if (pageLeft == 0) {
        if (pageIndex >= chunk.pages().size()) {
          throw new IllegalStateException("Column chunk has fewer values than its row group");
        }
        int count = chunk.pages().get(pageIndex).getValueCount();
        if (count <= n) {
          pageIndex++;
          n -= count;
          continue;
        }
        nextPage();
      }
      int m = (int) Math.min(n, pageLeft);
      skipInPage(m);
      pageLeft -= m;
      n -= m;
    }
  }

  private static boolean noneKept(boolean[] keep, int from, int count) {
    for (int i = from, end = from + count; i < end; i++) {
      if (keep[i]) {
        return false;
      }
    }
    return true;
  }

  /** Skips {@code m} rows of the current page (the caller updates {@code pageLeft}). */
  private void skipInPage(int m) {
    int present = maxDefinition == 0 ? m : levels.skipAndCount(levelBuffer, m, maxDefinition);
    if (indices != null) {
      indices.skip(present);
    } else if (byteStreamSplit) {
      valuePos += present;
    } else {
      switch (source) {
        case BOOLEAN -> booleanBit += present;
        case BINARY -> {
          byte[] bytes = data;
          int pos = valuePos;
          for (int i = 0; i < present; i++) {
            pos += 4 + (int) INT_LE.get(bytes, pos);
          }
          valuePos = pos;
        }
        case FIXED -> valuePos += present * typeLength;
        default -> valuePos += present * source.width;
      }
    }
  }

  private boolean memoryCopyable() {
    return switch (source) {
      case INT32 -> target == Target.INT;
      case INT64 -> target == Target.LONG && multiplier == 1 && divisor == 1;
      case FLOAT -> target == Target.FLOAT;
      case DOUBLE -> target == Target.DOUBLE;
      default -> false;
    };
  }

  private void nextPage() {
    if (pageIndex >= chunk.pages().size()) {
      throw new IllegalStateException("Column chunk has fewer values than its row group");
    }
    DataPage page = chunk.pages().get(pageIndex);
    byte[] bytes = chunk.data(pageIndex);
    int pos = chunk.dataStart(pageIndex);
    int end = chunk.dataEnd(pageIndex);
    Encoding encoding;
    if (page instanceof DataPageV1 v1) {
      if (maxDefinition > 0) {
        int length = (int) INT_LE.get(bytes, pos);
        if (length < 0 || length > end - pos - 4) {
          throw new IllegalStateException("Definition levels run past the end of their page");
        }
        levels = new RleBitPackedDecoder(bytes, pos + 4, pos + 4 + length, 1);
        pos += 4 + length;
      }
      encoding = v1.getValueEncoding();
    } else {
      if (maxDefinition > 0) {
        byte[] definitions = chunk.definitionLevels(pageIndex);
        levels = new RleBitPackedDecoder(definitions, 0, definitions.length, 1);
      }
      encoding = ((DataPageV2) page).getDataEncoding();
    }
    pageIndex++;
    data = bytes;
    dataEnd = end;
    if (encoding == Encoding.PLAIN_DICTIONARY || encoding == Encoding.RLE_DICTIONARY) {
      int bitWidth = end > pos ? bytes[pos] & 0xff : 0;
      indices = new RleBitPackedDecoder(bytes, pos + 1, end, bitWidth);
    } else {
      indices = null;
    }
    byteStreamSplit = encoding == Encoding.BYTE_STREAM_SPLIT;
    streamLength = byteStreamSplit ? (end - pos) / source.width : 0;
    streamBase = pos;
    valuePos = pos;
    booleanBit = (long) pos << 3;
    pageLeft = page.getValueCount();
  }

  /** For each output row of a page segment, the index of its value, or -1 for NULL. */
  private int mapRows(int m, boolean[] keep, int firstRow) {
    int out = 0;
    int value = 0;
    boolean nullable = maxDefinition > 0;
    for (int i = 0; i < m; i++) {
      boolean present = !nullable || levelBuffer[i] == maxDefinition;
      if (keep == null || keep[firstRow + i]) {
        map[out++] = present ? value : -1;
      }
      if (present) {
        value++;
      }
    }
    return out;
  }

  /** Whether {@link #decodeSelected} handles the current page. */
  private boolean selectable() {
    return !byteStreamSplit && (indices != null ? source != Source.BOOLEAN : source.width > 0);
  }

  /**
   * Decodes, of the page's next {@code m} values (none NULL), only those at the {@code count}
   * positions in {@code map}, into the value buffers' first {@code count} slots.
   */
  private void decodeSelected(int m, int count) {
    int[] rows = map;
    if (indices != null) {
      indices.read(indexBuffer, 0, m);
      int[] idx = indexBuffer;
      if (longs != null) {
        long[] dict = dictLongs;
        for (int j = 0; j < count; j++) {
          longs[j] = dict[idx[rows[j]]];
        }
      } else if (doubles != null) {
        double[] dict = dictDoubles;
        for (int j = 0; j < count; j++) {
          doubles[j] = dict[idx[rows[j]]];
        }
      } else {
        for (int j = 0; j < count; j++) {
          int k = idx[rows[j]];
          starts[j] = dictStarts[k];
          lengths[j] = dictLengths[k];
        }
        binarySource = dictBytes;
      }
      return;
    }
    byte[] bytes = data;
    int pos = valuePos;
    switch (source) {
      case INT32 -> {
        for (int j = 0; j < count; j++) {
          longs[j] = (int) INT_LE.get(bytes, pos + 4 * rows[j]);
        }
      }
      case INT64 -> {
        for (int j = 0; j < count; j++) {
          longs[j] = (long) LONG_LE.get(bytes, pos + 8 * rows[j]);
        }
      }
      case FLOAT -> {
        for (int j = 0; j < count; j++) {
          doubles[j] = Float.intBitsToFloat((int) INT_LE.get(bytes, pos + 4 * rows[j]));
        }
      }
      case DOUBLE -> {
        for (int j = 0; j < count; j++) {
          doubles[j] = Double.longBitsToDouble((long) LONG_LE.get(bytes, pos + 8 * rows[j]));
        }
      }
      default -> throw new IllegalStateException(source.toString());
    }
    valuePos = pos + m * source.width;
    checkValuesEnd(valuePos);
  }

  /** Decodes the next {@code count} non-null values of the page into the value buffers. */
  private void decodeValues(int count) {
    if (indices != null) {
      indices.read(indexBuffer, 0, count);
      int[] idx = indexBuffer;
      if (longs != null) {
        long[] dict = dictLongs;
        for (int i = 0; i < count; i++) {
          longs[i] = dict[idx[i]];
        }
      } else if (doubles != null) {
        double[] dict = dictDoubles;
        for (int i = 0; i < count; i++) {
          doubles[i] = dict[idx[i]];
        }
      } else {
        for (int i = 0; i < count; i++) {
          int k = idx[i];
          starts[i] = dictStarts[k];
          lengths[i] = dictLengths[k];
        }
        binarySource = dictBytes;
      }
      return;
    }
    if (byteStreamSplit) {
      decodeByteStreamSplit(count);
      return;
    }
    byte[] bytes = data;
    int pos = valuePos;
    switch (source) {
      case INT32 -> {
        for (int i = 0; i < count; i++) {
          longs[i] = (int) INT_LE.get(bytes, pos + 4 * i);
        }
        pos += 4 * count;
      }
      case INT64 -> {
        for (int i = 0; i < count; i++) {
          longs[i] = (long) LONG_LE.get(bytes, pos + 8 * i);
        }
        pos += 8 * count;
      }
      case FLOAT -> {
        for (int i = 0; i < count; i++) {
          doubles[i] = Float.intBitsToFloat((int) INT_LE.get(bytes, pos + 4 * i));
        }
        pos += 4 * count;
      }
      case DOUBLE -> {
        for (int i = 0; i < count; i++) {
          doubles[i] = Double.longBitsToDouble((long) LONG_LE.get(bytes, pos + 8 * i));
        }
        pos += 8 * count;
      }
      case BOOLEAN -> {
        long bit = booleanBit;
        for (int i = 0; i < count; i++, bit++) {
          longs[i] = (bytes[(int) (bit >>> 3)] >>> (bit & 7)) & 1;
        }
        booleanBit = bit;
      }
      case BINARY -> {
        for (int i = 0; i < count; i++) {
          int length = (int) INT_LE.get(bytes, pos);
          starts[i] = pos + 4;
          lengths[i] = length;
          pos += 4 + length;
        }
        if (pos > dataEnd) {
          throw new IllegalStateException("BYTE_ARRAY value runs past the end of its page");
        }
        binarySource = bytes;
      }
      case FIXED -> {
        for (int i = 0; i < count; i++) {
          starts[i] = pos;
          lengths[i] = typeLength;
          pos += typeLength;
        }
        binarySource = bytes;
      }
      default -> throw new IllegalStateException(source.toString());
    }
    valuePos = pos;
    checkValuesEnd(pos);
  }

  /**
   * Fails when plain values read up to {@code pos} went past the page (whose array may go on with
   * the next page's bytes): the page holds fewer values than its header says.
   */
  private void checkValuesEnd(int pos) {
    if (pos > dataEnd) {
      throw new IllegalStateException("Parquet page holds fewer values than its header says");
    }
  }

  /**
   * Decodes {@code count} BYTE_STREAM_SPLIT values; {@code valuePos} counts the values read (not
   * bytes) on such pages.
   */
  private void decodeByteStreamSplit(int count) {
    byte[] bytes = data;
    int width = source.width;
    int first = valuePos - streamBase;
    if (first + count > streamLength) {
      throw new IllegalStateException("BYTE_STREAM_SPLIT page holds too few values");
    }
    for (int i = 0; i < count; i++) {
      long bits = 0;
      int at = streamBase + first + i;
      for (int k = 0; k < width; k++, at += streamLength) {
        bits |= (bytes[at] & 0xffL) << (8 * k);
      }
      switch (source) {
        case INT32 -> longs[i] = (int) bits;
        case INT64 -> longs[i] = bits;
        case FLOAT -> doubles[i] = Float.intBitsToFloat((int) bits);
        default -> doubles[i] = Double.longBitsToDouble(bits);
      }
    }
    valuePos += count;
  }

  /**
   * Writes {@code count} output rows starting at {@code out}: row {@code j} takes value {@code
   * rows[j]} (NULL if negative), or value {@code j} when {@code rows} is null (validity already
   * set).
   */
  private void write(FieldVector vector, int out, int count, int[] rows) {
    ArrowBuf validity = vector.getValidityBuffer();
    if (target == Target.VAR) {
      writeVariable((BaseVariableWidthVector) vector, validity, out, count, rows);
      return;
    }
    ArrowBuf buffer = vector.getDataBuffer();
    if (rows == null) {
      writeDense(buffer, out, count);
      return;
    }
    for (int j = 0; j < count; j++) {
      int v = rows[j];
      if (v >= 0) {
        BitVectorHelper.setBit(validity, out + j);
        writeOne(buffer, out + j, v);
      }
    }
  }

  private void writeDense(ArrowBuf buffer, int out, int count) {
    switch (target) {
      case INT -> {
        for (int j = 0; j < count; j++) {
          buffer.setInt((long) (out + j) * 4, (int) longs[j]);
        }
      }
      case LONG -> {
        if (multiplier == 1 && divisor == 1) {
          for (int j = 0; j < count; j++) {
            buffer.setLong((long) (out + j) * 8, longs[j]);
          }
        } else {
          for (int j = 0; j < count; j++) {
            buffer.setLong((long) (out + j) * 8, scale(longs[j]));
          }
        }
      }
      case DOUBLE -> {
        if (doubles != null) {
          for (int j = 0; j < count; j++) {
            buffer.setDouble((long) (out + j) * 8, doubles[j]);
          }
        } else {
          for (int j = 0; j < count; j++) {
            buffer.setDouble((long) (out + j) * 8, longs[j]);
          }
        }
      }
      case DECIMAL -> {
        if (longs != null) {
          long m = multiplier;
          for (int j = 0; j < count; j++) {
            long v = longs[j];
            long index = (long) (out + j) * 16;
            buffer.setLong(index, v * m);
            buffer.setLong(index + 8, decimalHigh(v));
          }
        } else {
          for (int j = 0; j < count; j++) {
            writeOne(buffer, out + j, j);
          }
        }
      }
      default -> {
        for (int j = 0; j < count; j++) {
          writeOne(buffer, out + j, j);
        }
      }
    }
  }

  /**
   * The high 64 bits of an integer-stored decimal after rescaling ({@code v * multiplier} is the
   * low 64 bits).
   */
  private long decimalHigh(long v) {
    return multiplier == 1 ? v >> 63 : Math.multiplyHigh(v, multiplier);
  }

  private long scale(long v) {
    long scaled = v * multiplier;
    return divisor == 1 ? scaled : Math.floorDiv(scaled, divisor);
  }

  /** Writes value {@code v} of the value buffers into output row {@code index}. */
  private void writeOne(ArrowBuf buffer, int index, int v) {
    switch (target) {
      case INT -> buffer.setInt((long) index * 4, (int) longs[v]);
      case SHORT -> buffer.setShort((long) index * 2, (short) longs[v]);
      case BYTE -> buffer.setByte(index, (byte) longs[v]);
      case LONG -> buffer.setLong((long) index * 8, scale(longs[v]));
      case DOUBLE ->
          buffer.setDouble((long) index * 8, doubles != null ? doubles[v] : (double) longs[v]);
      case FLOAT -> buffer.setFloat((long) index * 4, (float) doubles[v]);
      case BIT -> BitVectorHelper.setValidityBit(buffer, index, (int) longs[v]);
      case DECIMAL -> {
        long lo;
        long hi;
        if (longs != null) {
          long value = longs[v];
          lo = value * multiplier;
          hi = decimalHigh(value);
        } else {
          byte[] bytes = binarySource;
          int start = starts[v];
          int length = lengths[v];
          hi = length > 0 && bytes[start] < 0 ? -1L : 0L;
          lo = hi;
          for (int b = 0; b < length; b++) {
            hi = (hi << 8) | (lo >>> 56);
            lo = (lo << 8) | (bytes[start + b] & 0xffL);
          }
        }
        buffer.setLong((long) index * 16, lo);
        buffer.setLong((long) index * 16 + 8, hi);
      }
      default -> throw new IllegalStateException(target.toString());
    }
  }

  private void writeVariable(
      BaseVariableWidthVector vector, ArrowBuf validity, int out, int count, int[] rows) {
    // gathers the values into one heap array, then copies it into the data buffer at once
    int total = 0;
    for (int j = 0; j < count; j++) {
      int v = rows == null ? j : rows[j];
      if (v >= 0) {
        total += lengths[v];
      }
    }
    // 8 bytes of slack: values are copied a word at a time, and the last word may overhang
    if (work.bytes.length < total + 8) {
      work.bytes = new byte[Math.max(total + 8, work.bytes.length * 2)];
    }
    byte[] bytes = binarySource;
    byte[] gathered = work.bytes;
    ArrowBuf offsets = vector.getOffsetBuffer();
    long base = varEnd;
    int end = 0;
    for (int j = 0; j < count; j++) {
      int v = rows == null ? j : rows[j];
      if (v >= 0) {
        int length = lengths[v];
        int start = starts[v];
        if (length > 64) {
          System.arraycopy(bytes, start, gathered, end, length);
        } else if (start + length + 8 <= bytes.length) {
          for (int b = 0; b < length; b += 8) {
            LONG_LE.set(gathered, end + b, (long) LONG_LE.get(bytes, start + b));
          }
        } else {
          for (int b = 0; b < length; b++) {
            gathered[end + b] = bytes[start + b];
          }
        }
        end += length;
        if (rows != null) {
          BitVectorHelper.setBit(validity, out + j);
        }
      }
      offsets.setInt((long) (out + j + 1) * 4, (int) (base + end));
    }
    long needed = base + total;
    if (vector.getDataBuffer().capacity() < needed) {
      vector.reallocDataBuffer(needed);
    }
    vector.getDataBuffer().setBytes(base, gathered, 0, total);
    varEnd = base + total;
  }

  /** Marks {@code count} rows from {@code from} as not null. */
  private static void setValidRange(ArrowBuf validity, int from, int count) {
    int i = from;
    int end = from + count;
    while (i < end && (i & 7) != 0) {
      BitVectorHelper.setBit(validity, i++);
    }
    int wholeBytes = (end - i) >>> 3;
    if (wholeBytes > 0) {
      validity.setOne((long) (i >>> 3), (long) wholeBytes);
      i += wholeBytes << 3;
    }
    while (i < end) {
      BitVectorHelper.setBit(validity, i++);
    }
  }
}
