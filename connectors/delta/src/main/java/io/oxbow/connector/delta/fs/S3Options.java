package io.oxbow.connector.delta.fs;

import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * How to reach S3 (or an S3-compatible store): region, endpoint override, path-style access, static
 * keys (else the SDK's default credential chain) and the HTTP connection pool size.
 *
 * @param region AWS region; empty means the SDK's default region chain, else {@code us-east-1}
 * @param endpoint endpoint override such as {@code http://127.0.0.1:9000}; empty for AWS
 * @param pathStyleAccess address buckets as {@code endpoint/bucket/key} instead of virtual hosts
 * @param accessKey static access key id; empty means the default credential chain
 * @param secretKey static secret key, set together with {@code accessKey}
 * @param maxConnections size of the HTTP connection pool
 */
public record S3Options(
    Optional<String> region,
    Optional<String> endpoint,
    boolean pathStyleAccess,
    Optional<String> accessKey,
    Optional<String> secretKey,
    int maxConnections) {
  /** Default size of the HTTP connection pool. */
  public static final int DEFAULT_MAX_CONNECTIONS = 64;

  /** Options for AWS S3 with the SDK's default region and credential chains. */
  public static S3Options defaults() {
    return new S3Options(
        Optional.empty(),
        Optional.empty(),
        false,
        Optional.empty(),
        Optional.empty(),
        DEFAULT_MAX_CONNECTIONS);
  }

  public S3Options {
    if (accessKey.isPresent() != secretKey.isPresent()) {
      throw new IllegalArgumentException("access key and secret key must be set together");
    }
    if (maxConnections <= 0) {
      throw new IllegalArgumentException("maxConnections must be positive");
    }
  }

  @Override
  public String toString() {
    // never print the secret key
    return "S3Options[region="
        + region.orElse("<default>")
        + ", endpoint="
        + endpoint.orElse("<aws>")
        + ", pathStyleAccess="
        + pathStyleAccess
        + ", staticKeys="
        + accessKey.isPresent()
        + ", maxConnections="
        + maxConnections
        + "]";
  }

  S3Client createClient() {
    AwsCredentialsProvider credentials =
        accessKey.isPresent()
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKey.get(), secretKey.get()))
            : DefaultCredentialsProvider.builder().build();
    var builder =
        S3Client.builder()
            .region(resolveRegion())
            .credentialsProvider(credentials)
            .forcePathStyle(pathStyleAccess)
            .httpClientBuilder(ApacheHttpClient.builder().maxConnections(maxConnections));
    endpoint.ifPresent(e -> builder.endpointOverride(URI.create(e)));
    return builder.build();
  }

  private Region resolveRegion() {
    if (region.isPresent()) {
      return Region.of(region.get());
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      return Region.US_EAST_1;
    }
  }
}
