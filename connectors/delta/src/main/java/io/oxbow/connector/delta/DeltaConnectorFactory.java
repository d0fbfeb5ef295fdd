package io.oxbow.connector.delta;

import io.oxbow.connector.delta.fs.DeltaFileIO;
import io.oxbow.connector.delta.fs.S3Options;
import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorFactory;
import io.oxbow.spi.error.OxbowException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates {@code delta} catalogs. Property {@code warehouse}: a local folder, a {@code file:} URI
 * or {@code s3://bucket/prefix}, whose sub-folders are schemas and whose schemas' sub-folders
 * holding {@code _delta_log} are tables. S3 is configured with the {@code s3.*} properties (region,
 * endpoint override, path-style access, static keys, connection pool size); see {@code
 * docs/configuration.md}.
 */
public final class DeltaConnectorFactory implements ConnectorFactory {
  /** The warehouse folder. */
  public static final String WAREHOUSE = "warehouse";

  /** AWS region; default: the SDK's region chain, else {@code us-east-1}. */
  public static final String S3_REGION = "s3.region";

  /** Endpoint override for S3-compatible stores, such as {@code http://127.0.0.1:9000}. */
  public static final String S3_ENDPOINT = "s3.endpoint";

  /** {@code true} to address buckets by path ({@code endpoint/bucket/key}). */
  public static final String S3_PATH_STYLE_ACCESS = "s3.path-style-access";

  /** Static access key id (with {@link #S3_SECRET_KEY}); default: the SDK's credential chain. */
  public static final String S3_ACCESS_KEY = "s3.aws-access-key";

  /** Static secret key (with {@link #S3_ACCESS_KEY}). */
  public static final String S3_SECRET_KEY = "s3.aws-secret-key";

  /** Size of the S3 HTTP connection pool. */
  public static final String S3_MAX_CONNECTIONS = "s3.max-connections";

  private static final Set<String> PROPERTIES =
      Set.of(
          WAREHOUSE,
          S3_REGION,
          S3_ENDPOINT,
          S3_PATH_STYLE_ACCESS,
          S3_ACCESS_KEY,
          S3_SECRET_KEY,
          S3_MAX_CONNECTIONS);

  @Override
  public String name() {
    return "delta";
  }

  @Override
  public Connector create(String catalogName, Map<String, String> properties) {
    for (String key : properties.keySet()) {
      if (!PROPERTIES.contains(key)) {
        throw OxbowException.userError(
            "Catalog '%s': unknown delta connector property '%s' (known: %s)",
            catalogName, key, String.join(", ", PROPERTIES.stream().sorted().toList()));
      }
    }
    String warehouse = properties.get(WAREHOUSE);
    if (warehouse == null || warehouse.isBlank()) {
      throw OxbowException.userError(
          "Catalog '%s' (connector delta) needs the property 'warehouse'", catalogName);
    }
    warehouse = warehouse.trim();
    S3Options s3 = s3Options(catalogName, properties);
    String location;
    if (DeltaFileIO.isS3(warehouse)) {
      location = DeltaFileIO.join(warehouse);
      if (location.substring(location.indexOf("://") + 3).isEmpty()) {
        throw OxbowException.userError(
            "Catalog '%s': warehouse '%s' needs a bucket, as in s3://bucket/prefix",
            catalogName, warehouse);
      }
    } else if (warehouse.contains("://") && !warehouse.startsWith("file:")) {
      throw OxbowException.userError(
          "Catalog '%s': warehouse '%s' must be a local folder, a file: URI or s3://bucket/prefix",
          catalogName, warehouse);
    } else {
      Path path =
          warehouse.startsWith("file:") ? Path.of(URI.create(warehouse)) : Path.of(warehouse);
      path = path.toAbsolutePath().normalize();
      if (!Files.isDirectory(path)) {
        throw OxbowException.userError(
            "Catalog '%s': warehouse folder %s does not exist", catalogName, path);
      }
      location = path.toString();
    }
    return new DeltaConnector(catalogName, location, new DeltaFileIO(s3));
  }

  /** Reads the {@code s3.*} properties. */
  static S3Options s3Options(String catalogName, Map<String, String> properties) {
    Optional<String> accessKey = nonBlank(properties.get(S3_ACCESS_KEY));
    Optional<String> secretKey = nonBlank(properties.get(S3_SECRET_KEY));
    if (accessKey.isPresent() != secretKey.isPresent()) {
      throw OxbowException.userError(
          "Catalog '%s': set both '%s' and '%s', or neither to use the default AWS credential"
              + " chain",
          catalogName, S3_ACCESS_KEY, S3_SECRET_KEY);
    }
    boolean pathStyle = false;
    String pathStyleValue = properties.get(S3_PATH_STYLE_ACCESS);
    if (pathStyleValue != null) {
      switch (pathStyleValue.trim().toLowerCase(Locale.ROOT)) {
        case "true" -> pathStyle = true;
        case "false" -> pathStyle = false;
        default ->
            throw OxbowException.userError(
                "Catalog '%s': '%s' must be true or false, not '%s'",
                catalogName, S3_PATH_STYLE_ACCESS, pathStyleValue);
      }
    }
    int maxConnections = S3Options.DEFAULT_MAX_CONNECTIONS;
    String maxValue = properties.get(S3_MAX_CONNECTIONS);
    if (maxValue != null) {
      try {
        maxConnections = Integer.parseInt(maxValue.trim());
      } catch (NumberFormatException e) {
        maxConnections = -1;
      }
      if (maxConnections <= 0) {
        throw OxbowException.userError(
            "Catalog '%s': '%s' must be a positive whole number, not '%s'",
            catalogName, S3_MAX_CONNECTIONS, maxValue);
      }
    }
    Optional<String> endpoint = nonBlank(properties.get(S3_ENDPOINT));
    if (endpoint.isPresent()) {
      try {
        URI uri = URI.create(endpoint.get());
        if (uri.getScheme() == null || uri.getHost() == null) {
          throw new IllegalArgumentException("no scheme or host");
        }
      } catch (IllegalArgumentException e) {
        throw OxbowException.userError(
            "Catalog '%s': '%s' must be a URL such as http://127.0.0.1:9000, not '%s'",
            catalogName, S3_ENDPOINT, endpoint.get());
      }
    }
    return new S3Options(
        nonBlank(properties.get(S3_REGION)),
        endpoint,
        pathStyle,
        accessKey,
        secretKey,
        maxConnections);
  }

  private static Optional<String> nonBlank(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }
}
