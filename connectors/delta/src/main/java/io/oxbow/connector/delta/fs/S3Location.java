package io.oxbow.connector.delta.fs;

/**
 * An object-store location parsed by hand from {@code scheme://bucket/key}: kernel hands paths over
 * in decoded Hadoop-path form ({@code s3://b/part=a b/f%1.parquet}), which {@link java.net.URI}
 * would reject or decode a second time.
 *
 * @param scheme {@code s3} or {@code s3a}, kept so that returned paths match the caller's
 * @param bucket bucket name
 * @param key object key without a leading slash; empty for the bucket root
 */
record S3Location(String scheme, String bucket, String key) {
  static boolean isS3(String path) {
    return path.startsWith("s3://") || path.startsWith("s3a://");
  }

  static S3Location parse(String path) {
    int sep = path.indexOf("://");
    if (sep < 0) {
      throw new IllegalArgumentException("Not an S3 location: " + path);
    }
    String scheme = path.substring(0, sep);
    String rest = path.substring(sep + 3);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    while (key.startsWith("/")) {
      key = key.substring(1);
    }
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("S3 location without a bucket: " + path);
    }
    return new S3Location(scheme, bucket, key);
  }

  /** The key as a directory prefix: empty for the root, else ending in {@code /}. */
  String dirPrefix() {
    if (key.isEmpty()) {
      return "";
    }
    return key.endsWith("/") ? key : key + "/";
  }

  /** This location without trailing slashes. */
  S3Location trimmed() {
    String k = key;
    while (k.endsWith("/")) {
      k = k.substring(0, k.length() - 1);
    }
    return new S3Location(scheme, bucket, k);
  }

  /** The fully qualified path of another key in the same bucket, with this scheme. */
  String uri(String otherKey) {
    return scheme + "://" + bucket + "/" + otherKey;
  }

  @Override
  public String toString() {
    return uri(key);
  }
}
