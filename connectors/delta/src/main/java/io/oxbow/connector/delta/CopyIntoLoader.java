package io.oxbow.connector.delta;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * {@code COPY INTO table FROM source FILEFORMAT = PARQUET | CSV | JSON}: loads the files under
 * {@code source} (a local folder, {@code file:} or {@code s3://} URI; sub-folders included, names
 * starting with {@code _} or {@code .} skipped) that no earlier COPY INTO of the table loaded, in
 * one append commit. The commit also records the loaded files (path, size, modification time) in
 * the table's {@code oxbow.copyInto} domain metadata, so a scheduled job can run the same statement
 * again: files already loaded are skipped, even if they changed since (as in Databricks), unless
 * {@code COPY_OPTIONS ('force' = 'true')}. Two concurrent loads of one table conflict on that
 * domain: one commits, the other fails with {@code CONFLICT} and, re-run, skips what the first
 * loaded.
 *
 * <p>Columns are matched by name, ignoring case; table columns missing from a file are NULL and
 * file columns the table lacks are ignored. CSV options: {@code header} (default true; without a
 * header, fields map to columns by position), {@code sep} or {@code delimiter} (default {@code ,}),
 * {@code quote} (default {@code "}; empty for none), {@code escape} (none by default; doubled
 * quotes always work), {@code nullValue} (text read as NULL; an unquoted empty field is always
 * NULL, a quoted empty field is an empty string). JSON files hold one object per line, or one array
 * of objects. Bad data fails the whole load with a {@code USER_ERROR} naming the file and line;
 * nothing is committed.
 */
final class CopyIntoLoader {
  /** The domain metadata holding the files earlier COPY INTO statements loaded. */
  static final String DOMAIN = "oxbow.copyInto";

  private static final Set<String> OPTIONS =
      Set.of(
          "header",
          "sep",
          "delimiter",
          "quote",
          "escape",
          "nullvalue",
          "force",
          "mergeschema",
          "inferschema",
          "multiline",
          "encoding",
          "charset");

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final Engine engine;
  private final DeltaFileIO fileIO;
  private final SchemaTableName name;
  private final String format;
  private final Map<String, String> options;

  private CopyIntoLoader(
      Engine engine,
      DeltaFileIO fileIO,
      SchemaTableName name,
      String format,
      Map<String, String> options) {
    this.engine = engine;
    this.fileIO = fileIO;
    this.name = name;
    this.format = format;
    this.options = options;
  }

  /** Loads the new files of {@code source} into the table at {@code location}; returns rows. */
  static long load(
      Engine engine,
      DeltaFileIO fileIO,
      SchemaTableName name,
      String location,
      String source,
      String format,
      Map<String, String> options,
      BufferAllocator allocator,
      int targetFileRows) {
    String fileFormat = format.toLowerCase(Locale.ROOT);
    if (!Set.of("parquet", "csv", "json").contains(fileFormat)) {
      throw OxbowException.userError(
          "COPY INTO %s: FILEFORMAT %s is not supported (use PARQUET, CSV or JSON)", name, format);
    }
    Map<String, String> lowerOptions = new LinkedHashMap<>();
    options.forEach((k, v) -> lowerOptions.put(k.toLowerCase(Locale.ROOT), v));
    for (String key : lowerOptions.keySet()) {
      if (!OPTIONS.contains(key)) {
        throw OxbowException.userError(
            "COPY INTO %s: unknown option '%s' (supported: header, sep, delimiter, quote, escape,"
                + " nullValue, force, mergeSchema = false, inferSchema, multiLine, encoding ="
                + " UTF-8)",
            name, key);
      }
    }
    if (Boolean.parseBoolean(lowerOptions.getOrDefault("mergeschema", "false"))) {
      throw OxbowException.userError(
          "COPY INTO %s: mergeSchema is not supported; extra columns in the files are ignored",
          name);
    }
    String encoding =
        lowerOptions.getOrDefault("encoding", lowerOptions.getOrDefault("charset", "UTF-8"));
    if (!encoding.equalsIgnoreCase("UTF-8") && !encoding.equalsIgnoreCase("UTF8")) {
      throw OxbowException.userError(
          "COPY INTO %s: encoding %s is not supported (files must be UTF-8)", name, encoding);
    }
    boolean force = parseBoolean(name, lowerOptions, "force", false);
    return new CopyIntoLoader(engine, fileIO, name, fileFormat, lowerOptions)
        .run(location, source, force, allocator, targetFileRows);
  }

  private long run(
      String location,
      String source,
      boolean force,
      BufferAllocator allocator,
      int targetFileRows) {
    List<FileStatus> candidates = listFiles(source);
    try (DeltaWriter writer =
        DeltaWriter.begin(
            engine,
            name,
            location,
            DeltaWriter.Mode.APPEND,
            OptionalLong.empty(),
            Set.of(),
            true,
            targetFileRows)) {
      Map<String, ObjectNode> loaded = parseLoaded(writer.readSnapshot().getDomainMetadata(DOMAIN));
      List<FileStatus> fresh = new ArrayList<>();
      for (FileStatus file : candidates) {
        if (force || !loaded.containsKey(canonicalPath(file.getPath()))) {
          fresh.add(file);
        }
      }
      if (fresh.isEmpty()) {
        return 0;
      }
      StructType deltaSchema = writer.deltaSchema();
      Schema schema = DeltaTypes.toArrow(deltaSchema, name.toString());
      try (LoadBatch batch = new LoadBatch(schema, allocator, writer::write)) {
        for (FileStatus file : fresh) {
          switch (format) {
            case "csv" -> readCsv(file, batch);
            case "json" -> readJson(file, batch);
            default -> readParquet(file, deltaSchema, batch);
          }
          batch.flush();
          ObjectNode entry = JSON.createObjectNode();
          entry.put("path", canonicalPath(file.getPath()));
          entry.put("size", file.getSize());
          entry.put("modificationTime", file.getModificationTime());
          loaded.put(canonicalPath(file.getPath()), entry);
        }
      }
      writer.setDomainMetadata(DOMAIN, loadedJson(loaded));
      writer.commit();
      return writer.rows();
    }
  }

  /** Data files of the format under {@code source}, sorted by path. */
  private List<FileStatus> listFiles(String source) {
    String root = DeltaDdl.localPath(ExternalTables.trimSlash(source.trim()));
    if (DeltaFileIO.isS3(source.trim())) {
      root = ExternalTables.trimSlash(source.trim());
    }
    List<FileStatus> files = new ArrayList<>();
    try {
      collect(root, files, true);
    } catch (FileNotFoundException e) {
      throw OxbowException.userError("COPY INTO %s: source folder %s does not exist", name, source);
    } catch (IOException | UncheckedIOException e) {
      throw new OxbowException(
          ErrorCode.SOURCE_UNAVAILABLE,
          "COPY INTO " + name + ": cannot list " + source + ": " + e.getMessage(),
          e);
    }
    files.sort((a, b) -> a.getPath().compareTo(b.getPath()));
    return files;
  }

  private void collect(String dir, List<FileStatus> files, boolean top) throws IOException {
    List<String> children;
    try {
      children = fileIO.listDirectories(dir);
    } catch (FileNotFoundException e) {
      if (top) {
        throw e;
      }
      return;
    }
    boolean empty = children.isEmpty();
    try (CloseableIterator<FileStatus> listing = fileIO.listFrom(dir + "/!")) {
      while (listing.hasNext()) {
        FileStatus file = listing.next();
        empty = false;
        String fileName = fileName(file.getPath());
        if (!hidden(fileName) && hasExtension(fileName)) {
          files.add(file);
        }
      }
    } catch (FileNotFoundException e) {
      if (top && !DeltaFileIO.isS3(dir)) {
        throw e;
      }
    }
    if (top && empty && DeltaFileIO.isS3(dir)) {
      // S3 has no folders: a prefix without any object does not exist
      throw new FileNotFoundException(dir);
    }
    for (String child : children) {
      if (!hidden(child)) {
        collect(DeltaFileIO.join(dir, child), files, false);
      }
    }
  }

  private boolean hasExtension(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    return switch (format) {
      case "csv" -> lower.endsWith(".csv");
      case "json" ->
          lower.endsWith(".json") || lower.endsWith(".jsonl") || lower.endsWith(".ndjson");
      default -> lower.endsWith(".parquet");
    };
  }

  private static boolean hidden(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  private void readCsv(FileStatus file, LoadBatch batch) {
    char separator = csvChar("sep", options.getOrDefault("delimiter", ","), false);
    if (options.containsKey("sep")) {
      separator = csvChar("sep", options.get("sep"), false);
    }
    int quote = options.containsKey("quote") ? csvCharOrNone("quote", options.get("quote")) : '"';
    int escape =
        options.containsKey("escape") ? csvCharOrNone("escape", options.get("escape")) : -1;
    boolean header = parseBoolean(name, options, "header", true);
    String nullValue = options.get("nullvalue");
    Schema schema = batch.schema();
    Map<String, Integer> columns = columnIndex(schema);
    try (Reader reader = open(file)) {
      CsvRecordReader records = new CsvRecordReader(reader, separator, quote, escape);
      int[] mapping = null;
      int width = -1;
      while (true) {
        List<CsvRecordReader.CsvField> record;
        try {
          record = records.next();
        } catch (IllegalArgumentException e) {
          throw badData(file, records.recordLine(), e.getMessage());
        }
        if (record == null) {
          break;
        }
        if (mapping == null) {
          if (header) {
            mapping = new int[record.size()];
            for (int i = 0; i < record.size(); i++) {
              Integer column = columns.get(record.get(i).text().trim().toLowerCase(Locale.ROOT));
              mapping[i] = column == null ? -1 : column;
            }
            width = record.size();
            continue;
          }
          mapping = new int[Math.max(record.size(), schema.getFields().size())];
          for (int i = 0; i < mapping.length; i++) {
            mapping[i] = i < schema.getFields().size() ? i : -1;
          }
        }
        if (header && record.size() != width) {
          throw badData(
              file,
              records.recordLine(),
              "the record has " + record.size() + " fields but the header has " + width);
        }
        if (!header && record.size() > mapping.length) {
          throw badData(
              file,
              records.recordLine(),
              "the record has "
                  + record.size()
                  + " fields but the table has "
                  + schema.getFields().size()
                  + " columns");
        }
        try {
          for (int i = 0; i < record.size(); i++) {
            int column = mapping[i];
            if (column < 0) {
              continue;
            }
            CsvRecordReader.CsvField field = record.get(i);
            if (!field.quoted()
                && (field.text().isEmpty()
                    || (nullValue != null && field.text().equals(nullValue)))) {
              continue;
            }
            if (field.quoted()
                && field.text().isEmpty()
                && !(schema.getFields().get(column).getType()
                    instanceof org.apache.arrow.vector.types.pojo.ArrowType.Utf8)) {
              continue;
            }
            batch.setText(column, field.text());
          }
        } catch (IllegalArgumentException e) {
          batch.discardRow();
          throw badData(file, records.recordLine(), e.getMessage());
        }
        batch.endRow();
      }
    } catch (IOException | UncheckedIOException e) {
      throw cannotRead(file, e);
    }
  }

  private void readJson(FileStatus file, LoadBatch batch) {
    Map<String, Integer> columns = columnIndex(batch.schema());
    long[] recordLine = {0};
    try (Reader reader = open(file);
        JsonParser parser = JSON.getFactory().createParser(reader)) {
      JsonToken token = parser.nextToken();
      boolean array = token == JsonToken.START_ARRAY;
      if (array) {
        token = parser.nextToken();
      }
      while (token != null && !(array && token == JsonToken.END_ARRAY)) {
        long line = parser.currentTokenLocation().getLineNr();
        recordLine[0] = line;
        if (token != JsonToken.START_OBJECT) {
          throw badData(file, line, "expected a JSON object, found " + token.asString());
        }
        JsonNode node = JSON.readTree(parser);
        try {
          Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
          while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            Integer column = columns.get(field.getKey().toLowerCase(Locale.ROOT));
            if (column != null) {
              batch.setJson(column, field.getValue());
            }
          }
        } catch (IllegalArgumentException e) {
          batch.discardRow();
          throw badData(file, line, e.getMessage());
        }
        batch.endRow();
        token = parser.nextToken();
      }
      if (array && parser.nextToken() != null) {
        throw badData(file, parser.currentTokenLocation().getLineNr(), "text after the closing ]");
      }
    } catch (JsonProcessingException e) {
      long line = e.getLocation() == null ? recordLine[0] : e.getLocation().getLineNr();
      String where =
          recordLine[0] > 0 && recordLine[0] != line
              ? " (in the record that starts on line " + recordLine[0] + ")"
              : "";
      throw badData(file, line, "invalid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException | UncheckedIOException e) {
      throw cannotRead(file, e);
    }
  }

  private void readParquet(FileStatus file, StructType deltaSchema, LoadBatch batch) {
    try (CloseableIterator<ColumnarBatch> batches =
        engine
            .getParquetHandler()
            .readParquetFiles(
                Utils.singletonCloseableIterator(file), deltaSchema, Optional.empty())) {
      while (batches.hasNext()) {
        ColumnarBatch data = batches.next();
        for (int r = 0; r < data.getSize(); r++) {
          for (int c = 0; c < deltaSchema.length(); c++) {
            batch.setKernel(c, data.getColumnVector(c), r);
          }
          batch.endRow();
        }
      }
    } catch (OxbowException e) {
      throw e;
    } catch (IOException | UncheckedIOException e) {
      throw cannotRead(file, e);
    } catch (KernelException | IllegalArgumentException | ClassCastException e) {
      throw OxbowException.userError(
          "COPY INTO %s: cannot read Parquet file %s into the table's columns: %s",
          name, file.getPath(), e.getMessage());
    } catch (RuntimeException e) {
      throw OxbowException.userError(
          "COPY INTO %s: cannot read Parquet file %s into the table's columns: %s",
          name, file.getPath(), e);
    }
  }

  private Reader open(FileStatus file) throws IOException {
    InputStream stream = fileIO.newInputFile(file.getPath(), file.getSize()).newStream();
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16);
    try {
      // a leading UTF-8 byte order mark is not data
      reader.mark(1);
      if (reader.read() != '\uFEFF') {
        reader.reset();
      }
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
    return reader;
  }

  private static Map<String, Integer> columnIndex(Schema schema) {
    Map<String, Integer> index = new LinkedHashMap<>();
    List<Field> fields = schema.getFields();
    for (int i = 0; i < fields.size(); i++) {
      index.put(fields.get(i).getName().toLowerCase(Locale.ROOT), i);
    }
    return index;
  }

  private char csvChar(String option, String value, boolean allowEmpty) {
    String v = unescape(value);
    if (v.length() != 1) {
      throw OxbowException.userError(
          "COPY INTO %s: option %s must be one character, not '%s'", name, option, value);
    }
    return v.charAt(0);
  }

  private int csvCharOrNone(String option, String value) {
    if (value.isEmpty()) {
      return -1;
    }
    return csvChar(option, value, false);
  }

  private static String unescape(String value) {
    return switch (value) {
      case "\\t" -> "\t";
      case "\\n" -> "\n";
      case "\\\\" -> "\\";
      default -> value;
    };
  }

  private static boolean parseBoolean(
      SchemaTableName name, Map<String, String> options, String key, boolean defaultValue) {
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw OxbowException.userError(
              "COPY INTO %s: option %s must be 'true' or 'false', not '%s'", name, key, value);
    };
  }

  /** Paths as recorded: {@code file:} URIs as plain paths, {@code s3a://} as {@code s3://}. */
  static String canonicalPath(String path) {
    String p = DeltaDdl.localPath(path);
    if (p.startsWith("s3a://")) {
      p = "s3://" + p.substring("s3a://".length());
    }
    return p;
  }

  private static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private Map<String, ObjectNode> parseLoaded(Optional<String> json) {
    Map<String, ObjectNode> loaded = new LinkedHashMap<>();
    if (json.isEmpty()) {
      return loaded;
    }
    try {
      JsonNode root = JSON.readTree(json.get());
      for (JsonNode entry : root.path("files")) {
        if (entry instanceof ObjectNode object && entry.hasNonNull("path")) {
          loaded.put(entry.get("path").asText(), object);
        }
      }
    } catch (JsonProcessingException e) {
      throw new OxbowException(
          ErrorCode.INTERNAL,
          "The " + DOMAIN + " domain metadata of " + name + " is not valid JSON: " + e.getMessage(),
          e);
    }
    return loaded;
  }

  private static String loadedJson(Map<String, ObjectNode> loaded) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    ArrayNode files = root.putArray("files");
    loaded.values().forEach(files::add);
    return root.toString();
  }

  private OxbowException badData(FileStatus file, long line, String message) {
    return OxbowException.userError(
        "COPY INTO %s: bad data in %s line %d: %s; nothing was loaded",
        name, file.getPath(), line, message);
  }

  private OxbowException cannotRead(FileStatus file, Exception e) {
    return new OxbowException(
        ErrorCode.SOURCE_UNAVAILABLE,
        "COPY INTO " + name + ": cannot read " + file.getPath() + ": " + e.getMessage(),
        e);
  }
}
