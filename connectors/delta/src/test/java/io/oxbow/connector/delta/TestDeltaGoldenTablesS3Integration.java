package io.oxbow.connector.delta;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;

/**
 * The golden-table reads of {@link TestDeltaGoldenTables}, with the tables served by s3proxy and
 * the catalog's warehouse at {@code s3://golden-lake/wh}: the same expected contents must come back
 * through the S3 file I/O (listing, ranged reads, deletion vector files, v2 checkpoint sidecars).
 */
class TestDeltaGoldenTablesS3Integration extends TestDeltaGoldenTables {
  private static final String BUCKET = "golden-lake";
  private TestingS3Server server;

  @Override
  Path tablesFolder() {
    server = new TestingS3Server();
    return server.createBucket(BUCKET).resolve("wh");
  }

  @Override
  Map<String, String> catalogProperties() {
    return server.catalogProperties("s3://" + BUCKET + "/wh");
  }

  @AfterAll
  void stopServer() {
    server.close();
  }
}
