package io.oxbow.connector.delta.fs;

import io.delta.kernel.defaults.engine.fileio.OutputFile;
import io.delta.kernel.defaults.engine.fileio.PositionOutputStream;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.utils.CloseableIterator;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * An S3 object written with one PUT: {@link #create} buffers to a local temp file and uploads on
 * close (an S3 PUT is all-or-nothing, so every write is atomic); {@link #writeAtomically} without
 * overwrite is a conditional PUT ({@code If-None-Match: *}), the commit primitive of the Delta log.
 */
final class S3OutputFile implements OutputFile {
  private final S3Storage storage;
  private final String path;
  private final S3Location location;

  S3OutputFile(S3Storage storage, String path) {
    this.storage = storage;
    this.path = path;
    this.location = S3Location.parse(path);
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public PositionOutputStream create(boolean putIfAbsent) throws IOException {
    Path temp = Files.createTempFile("oxbow-s3-upload-", ".tmp");
    OutputStream out;
    try {
      out = new BufferedOutputStream(Files.newOutputStream(temp), 256 * 1024);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    return new CountingOutputStream(out) {
      @Override
      void afterClose(long bytes) throws IOException {
        storage.put(location, RequestBody.fromFile(temp), putIfAbsent);
        storage.uploaded(location, bytes);
      }

      @Override
      void cleanUp() throws IOException {
        Files.deleteIfExists(temp);
      }
    };
  }

  @Override
  public void writeAtomically(CloseableIterator<String> data, boolean overwrite)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      while (data.hasNext()) {
        bytes.write((data.next() + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } finally {
      Utils.closeCloseables(data);
    }
    storage.put(location, RequestBody.fromBytes(bytes.toByteArray()), !overwrite);
    storage.uploaded(location, bytes.size());
  }
}
