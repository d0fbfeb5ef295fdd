package io.oxbow.federation;

import io.oxbow.connector.delta.TestingS3Server;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link AbstractDeltaDmlTest} with the warehouse, the external tables and the COPY INTO files on
 * S3 (s3proxy in this JVM, on 127.0.0.1).
 */
class TestDeltaDmlS3Integration extends AbstractDeltaDmlTest {
  private static TestingS3Server s3;

  @BeforeAll
  static void setUp() throws Exception {
    s3 = new TestingS3Server();
    java.nio.file.Path bucket = s3.createBucket("lake");
    warehouse = Files.createDirectories(bucket.resolve("wh"));
    external = Files.createDirectories(bucket.resolve("external"));
    externalUri = "s3://lake/external/";
    landing = Files.createDirectories(bucket.resolve("landing"));
    landingUri = "s3://lake/landing/";
    start(s3.catalogProperties("s3://lake/wh"));
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      stop();
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }
}
