package io.oxbow.connector.delta;

import io.oxbow.connector.delta.fs.S3Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 server for tests: s3proxy in this JVM with its {@code filesystem} blob store on a temporary
 * folder, on 127.0.0.1 and a random port, with AWS V4 authentication and fixed test keys. Buckets
 * are sub-folders of {@link #baseDir()}, so tests can copy table folders straight into a bucket
 * ({@link #copyIntoBucket}); {@link #catalogProperties} gives the delta connector's properties.
 */
public final class TestingS3Server implements AutoCloseable {
  private static final String ACCESS_KEY = "oxbow-test-access-key";
  private static final String SECRET_KEY = "oxbow-test-secret-key";
  private static final String REGION = "us-east-1";

  private final Path baseDir;
  private final BlobStore blobStore;
  private final S3Proxy proxy;
  private final String endpoint;
  private final S3Client client;

  /** Starts the server; {@link #close()} stops it and deletes its files. */
  public TestingS3Server() {
    try {
      baseDir = Files.createTempDirectory("oxbow-s3proxy-");
      Properties properties = new Properties();
      properties.setProperty("jclouds.filesystem.basedir", baseDir.toString());
      properties.setProperty("jclouds.identity", ACCESS_KEY);
      properties.setProperty("jclouds.credential", SECRET_KEY);
      blobStore = BlobStores.create("filesystem", properties);
      proxy =
          S3Proxy.builder()
              .blobStore(blobStore)
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
              .stopTimeout(0)
              .build();
      proxy.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
        }
        Thread.sleep(10);
      }
      endpoint = "http://127.0.0.1:" + proxy.getPort();
      client =
          S3Client.builder()
              .endpointOverride(URI.create(endpoint))
              .forcePathStyle(true)
              .region(Region.of(REGION))
              .credentialsProvider(
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
              .httpClientBuilder(ApacheHttpClient.builder())
              .build();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start s3proxy: " + e.getMessage(), e);
    }
  }

  /** The server's URL, {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return endpoint;
  }

  /** The access key id the server accepts. */
  public String accessKey() {
    return ACCESS_KEY;
  }

  /** The secret key the server accepts. */
  public String secretKey() {
    return SECRET_KEY;
  }

  /** The region to sign requests for. */
  public String region() {
    return REGION;
  }

  /** The folder holding one sub-folder per bucket. */
  public Path baseDir() {
    return baseDir;
  }

  /** Creates a bucket (3 to 63 lower-case characters) and returns its folder. */
  public Path createBucket(String name) {
    client.createBucket(r -> r.bucket(name));
    return baseDir.resolve(name);
  }

  /** Copies a local folder (such as a Delta table) to {@code s3://bucket/key/...}. */
  public void copyIntoBucket(Path source, String bucket, String key) {
    Path target = baseDir.resolve(bucket).resolve(key);
    try {
      Files.walkFileTree(
          source,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              Files.createDirectories(target.resolve(source.relativize(dir).toString()));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.copy(
                  file,
                  target.resolve(source.relativize(file).toString()),
                  StandardCopyOption.REPLACE_EXISTING);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A plain SDK client for this server (owned by the server: do not close it). */
  public S3Client client() {
    return client;
  }

  /** S3 options that reach this server. */
  public S3Options s3Options() {
    return new S3Options(
        Optional.of(REGION),
        Optional.of(endpoint),
        true,
        Optional.of(ACCESS_KEY),
        Optional.of(SECRET_KEY),
        S3Options.DEFAULT_MAX_CONNECTIONS);
  }

  /** The delta connector's catalog properties for a warehouse such as {@code s3://bucket/wh}. */
  public Map<String, String> catalogProperties(String warehouseUri) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(DeltaConnectorFactory.WAREHOUSE, warehouseUri);
    properties.put(DeltaConnectorFactory.S3_ENDPOINT, endpoint);
    properties.put(DeltaConnectorFactory.S3_REGION, REGION);
    properties.put(DeltaConnectorFactory.S3_PATH_STYLE_ACCESS, "true");
    properties.put(DeltaConnectorFactory.S3_ACCESS_KEY, ACCESS_KEY);
    properties.put(DeltaConnectorFactory.S3_SECRET_KEY, SECRET_KEY);
    return properties;
  }

  @Override
  public void close() {
    client.close();
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot stop s3proxy", e);
    } finally {
      deleteRecursively(baseDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: the folder is under the temporary directory
    }
  }
}
