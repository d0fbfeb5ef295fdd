package io.oxbow.connector.delta.fs;

import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The S3 half of {@link DeltaFileIO}: every request it sends is counted. */
final class S3Storage implements AutoCloseable {
  private final S3Client s3;
  private final RequestCounters counters;

  /**
   * Sizes of the objects this storage uploaded itself (data and checkpoint files, whose names are
   * unique), so that kernel's {@code getFileStatus} right after writing a Parquet file needs no
   * HEAD.
   */
  private final Map<String, FileStatus> written =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, FileStatus> eldest) {
              return size() > 4096;
            }
          });

  S3Storage(S3Client s3, RequestCounters counters) {
    this.s3 = s3;
    this.counters = counters;
  }

  /** Bytes of one GET and the object's total length (from Content-Range, -1 if unknown). */
  record Fetched(byte[] bytes, long totalLength) {}

  /**
   * Fetches {@code [start, endInclusive]} (or from {@code start} to the end if {@code endInclusive
   * < 0}). A range starting at or past the end of the object returns no bytes.
   */
  Fetched get(S3Location location, long start, long endInclusive) throws IOException {
    String range = "bytes=" + start + "-" + (endInclusive >= 0 ? Long.toString(endInclusive) : "");
    GetObjectRequest request =
        GetObjectRequest.builder()
            .bucket(location.bucket())
            .key(location.key())
            .range(range)
            .build();
    try {
      ResponseBytes<GetObjectResponse> response = s3.getObjectAsBytes(request);
      byte[] bytes = response.asByteArray();
      counters.get(bytes.length);
      return new Fetched(bytes, totalLength(response.response().contentRange()));
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      counters.get(0);
      throw notFound(location, e);
    } catch (S3Exception e) {
      counters.get(0);
      if (e.statusCode() == 416) {
        return new Fetched(new byte[0], -1); // range not satisfiable: at or past the end
      }
      throw io("GET", location, e);
    } catch (SdkException e) {
      throw io("GET", location, e);
    }
  }

  private static long totalLength(String contentRange) {
    if (contentRange == null) {
      return -1;
    }
    int slash = contentRange.lastIndexOf('/');
    if (slash < 0 || contentRange.endsWith("*")) {
      return -1;
    }
    try {
      return Long.parseLong(contentRange.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Remembers an object this storage has just uploaded. */
  void uploaded(S3Location location, long size) {
    written.put(
        location.toString(), FileStatus.of(location.toString(), size, System.currentTimeMillis()));
  }

  FileStatus head(S3Location location) throws IOException {
    FileStatus known = written.get(location.toString());
    if (known != null) {
      return known;
    }
    counters.head();
    try {
      HeadObjectResponse response =
          s3.headObject(r -> r.bucket(location.bucket()).key(location.key()));
      return FileStatus.of(
          location.toString(), response.contentLength(), response.lastModified().toEpochMilli());
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw notFound(location, e);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw notFound(location, e);
      }
      throw io("HEAD", location, e);
    } catch (SdkException e) {
      throw io("HEAD", location, e);
    }
  }

  /** PUT; with {@code ifAbsent}, a conditional PUT that fails if the key exists. */
  void put(S3Location location, RequestBody body, boolean ifAbsent) throws IOException {
    PutObjectRequest.Builder request =
        PutObjectRequest.builder().bucket(location.bucket()).key(location.key());
    if (ifAbsent) {
      // No SDK retries: if the first conditional PUT lands but its response is lost, a retry would
      // see 412 and report a conflict for a write that succeeded. Without retries a lost response
      // surfaces as an IOException, which callers treat as "outcome unknown".
      request.ifNoneMatch("*").overrideConfiguration(NO_RETRY);
    }
    for (int attempt = 1; ; attempt++) {
      counters.put();
      try {
        s3.putObject(request.build(), body);
        return;
      } catch (S3Exception e) {
        // 409 ConditionalRequestConflict: a concurrent conditional PUT of the same key is in
        // flight on AWS; once it settles, the retry either succeeds or sees 412
        if (ifAbsent && e.statusCode() == 409 && attempt < CONFLICT_ATTEMPTS) {
          backOff(attempt, location);
          continue;
        }
        // 412 PreconditionFailed: the key exists (another writer won this log version)
        if (ifAbsent && (e.statusCode() == 412 || e.statusCode() == 409)) {
          FileAlreadyExistsException exists =
              new FileAlreadyExistsException(location.toString(), null, e.getMessage());
          exists.initCause(e);
          throw exists;
        }
        throw io("PUT", location, e);
      } catch (SdkException e) {
        throw io("PUT", location, e);
      }
    }
  }

  private static final int CONFLICT_ATTEMPTS = 4;

  /** Per-request override turning off the SDK's automatic retries. */
  static final AwsRequestOverrideConfiguration NO_RETRY =
      AwsRequestOverrideConfiguration.builder()
          .addPlugin(
              config ->
                  config.overrideConfiguration(
                      config.overrideConfiguration().toBuilder()
                          .retryStrategy(AwsRetryStrategy.doNotRetry())
                          .build()))
          .build();

  private static void backOff(int attempt, S3Location location) throws IOException {
    try {
      Thread.sleep(50L << (attempt - 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("PUT " + location + " was interrupted");
    }
  }

  void delete(S3Location location) throws IOException {
    written.remove(location.toString());
    counters.delete();
    try {
      s3.deleteObject(r -> r.bucket(location.bucket()).key(location.key()));
    } catch (SdkException e) {
      throw io("DELETE", location, e);
    }
  }

  /**
   * Objects in the same "directory" as {@code location} whose key is at least its key, sorted, one
   * LIST request per page; throws {@link FileNotFoundException} if the directory is empty.
   */
  CloseableIterator<FileStatus> listFrom(S3Location location) throws IOException {
    String key = location.key();
    int slash = key.lastIndexOf('/');
    String dir = slash < 0 ? "" : key.substring(0, slash + 1);
    ListObjectsV2Request.Builder request =
        ListObjectsV2Request.builder().bucket(location.bucket()).prefix(dir).delimiter("/");
    if (key.length() > dir.length()) {
      // StartAfter is exclusive: cutting the last character keeps an exact existing key
      request.startAfter(key.substring(0, key.length() - 1));
    }
    ListObjectsV2Response first = list(request.build(), location);
    List<S3Object> page = first.contents();
    boolean any = page.stream().anyMatch(o -> o.key().compareTo(key) >= 0 && !o.key().equals(dir));
    if (!any && !Boolean.TRUE.equals(first.isTruncated()) && !directoryExists(location, dir)) {
      throw new FileNotFoundException("No such directory: " + location.uri(dir));
    }
    return new ListingIterator(location, request, first, key, dir);
  }

  private boolean directoryExists(S3Location location, String dir) throws IOException {
    ListObjectsV2Response any =
        list(
            ListObjectsV2Request.builder().bucket(location.bucket()).prefix(dir).maxKeys(1).build(),
            location);
    return !any.contents().isEmpty() || !any.commonPrefixes().isEmpty();
  }

  /** Whether anything exists under {@code location/} (one LIST with maxKeys 1). */
  boolean hasChildren(S3Location location) throws IOException {
    return directoryExists(location, location.dirPrefix());
  }

  /** Names of the immediate sub-"directories" of {@code location}, sorted. */
  List<String> listDirectories(S3Location location) throws IOException {
    String dir = location.dirPrefix();
    List<String> names = new ArrayList<>();
    ListObjectsV2Request.Builder request =
        ListObjectsV2Request.builder().bucket(location.bucket()).prefix(dir).delimiter("/");
    String token = null;
    do {
      if (token != null) {
        request.continuationToken(token);
      }
      ListObjectsV2Response response = list(request.build(), location);
      for (CommonPrefix prefix : response.commonPrefixes()) {
        String name = prefix.prefix().substring(dir.length());
        if (name.endsWith("/")) {
          name = name.substring(0, name.length() - 1);
        }
        if (!name.isEmpty()) {
          names.add(name);
        }
      }
      token = Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
    } while (token != null);
    names.sort(null);
    return names;
  }

  private ListObjectsV2Response list(ListObjectsV2Request request, S3Location location)
      throws IOException {
    counters.list();
    try {
      return s3.listObjectsV2(request);
    } catch (NoSuchBucketException e) {
      throw notFound(location, e);
    } catch (SdkException e) {
      throw io("LIST", location, e);
    }
  }

  /** Walks the listing page by page, fetching the next page only when the current one is used. */
  private final class ListingIterator implements CloseableIterator<FileStatus> {
    private final S3Location location;
    private final ListObjectsV2Request.Builder request;
    private final String fromKey;
    private final String dir;
    private ListObjectsV2Response page;
    private Iterator<S3Object> objects;
    private FileStatus next;

    ListingIterator(
        S3Location location,
        ListObjectsV2Request.Builder request,
        ListObjectsV2Response first,
        String fromKey,
        String dir) {
      this.location = location;
      this.request = request;
      this.page = first;
      this.objects = first.contents().iterator();
      this.fromKey = fromKey;
      this.dir = dir;
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (objects.hasNext()) {
          S3Object object = objects.next();
          if (object.key().compareTo(fromKey) >= 0 && !object.key().equals(dir)) {
            next =
                FileStatus.of(
                    location.uri(object.key()),
                    object.size(),
                    object.lastModified().toEpochMilli());
          }
        } else if (Boolean.TRUE.equals(page.isTruncated())) {
          try {
            page =
                list(
                    request
                        .startAfter(null)
                        .continuationToken(page.nextContinuationToken())
                        .build(),
                    location);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          objects = page.contents().iterator();
        } else {
          return false;
        }
      }
      return true;
    }

    @Override
    public FileStatus next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      FileStatus result = next;
      next = null;
      return result;
    }

    @Override
    public void close() {}
  }

  private static FileNotFoundException notFound(S3Location location, Exception cause) {
    FileNotFoundException e = new FileNotFoundException("No such object: " + location);
    e.initCause(cause);
    return e;
  }

  private static IOException io(String operation, S3Location location, SdkException e) {
    if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
      InterruptedIOException interrupted =
          new InterruptedIOException(operation + " " + location + " was interrupted");
      interrupted.initCause(e);
      return interrupted;
    }
    return new IOException(operation + " " + location + " failed: " + e.getMessage(), e);
  }

  @Override
  public void close() {
    s3.close();
  }
}
