package io.oxbow.connector.delta.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A conditional PUT whose response is lost must not be retried by the SDK: the retry would see 412
 * and report a conflict for a write that landed. The "server" here reads each request and closes
 * the connection without answering, like a response lost in the network.
 */
class TestS3StorageRetries {
  private ServerSocket socket;
  private Thread acceptor;
  private final AtomicInteger requests = new AtomicInteger();
  private S3Storage storage;

  @BeforeEach
  void start() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor =
        new Thread(
            () -> {
              while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                  requests.incrementAndGet();
                  InputStream in = connection.getInputStream();
                  byte[] buffer = new byte[8192];
                  // read the request head (and a small body), then hang up without a response
                  connection.setSoTimeout(500);
                  try {
                    in.read(buffer);
                  } catch (IOException ignored) {
                    // timed out or reset: hang up anyway
                  }
                } catch (IOException e) {
                  return;
                }
              }
            },
            "lost-response-server");
    acceptor.setDaemon(true);
    acceptor.start();
    S3Client client =
        S3Client.builder()
            .endpointOverride(URI.create("http://127.0.0.1:" + socket.getLocalPort()))
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .build();
    storage = new S3Storage(client, new RequestCounters());
  }

  @AfterEach
  void stop() throws Exception {
    storage.close();
    socket.close();
    acceptor.join(5000);
  }

  @Test
  void conditionalPutIsNotRetried() {
    assertThatThrownBy(
            () ->
                storage.put(
                    S3Location.parse("s3://bucket/_delta_log/00000000000000000001.json"),
                    RequestBody.fromString("{}"),
                    true))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(FileAlreadyExistsException.class);
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void plainPutKeepsSdkRetries() {
    assertThatThrownBy(
            () ->
                storage.put(
                    S3Location.parse("s3://bucket/data/part-0.parquet"),
                    RequestBody.fromString("x"),
                    false))
        .isInstanceOf(IOException.class);
    assertThat(requests.get()).isGreaterThan(1);
  }
}
