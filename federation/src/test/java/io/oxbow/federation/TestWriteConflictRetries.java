package io.oxbow.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.connector.Connector;
import io.oxbow.spi.connector.ConnectorFactory;
import io.oxbow.spi.connector.ConnectorMetadata;
import io.oxbow.spi.connector.ConnectorPageSourceProvider;
import io.oxbow.spi.connector.ConnectorSplitManager;
import io.oxbow.spi.connector.ConnectorTableHandle;
import io.oxbow.spi.connector.ConnectorTableMetadata;
import io.oxbow.spi.connector.ConnectorWriter;
import io.oxbow.spi.connector.SchemaTableName;
import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * A statement whose commit keeps failing with CONFLICT is planned and run again {@link
 * QueryEngine#CONFLICT_RETRIES} times, then fails with a CONFLICT error saying the table kept
 * changing; a commit that conflicts only once succeeds on the second run.
 */
class TestWriteConflictRetries {
  /** Commits attempted, and how many of them fail before one succeeds. */
  static final AtomicInteger COMMITS = new AtomicInteger();

  static volatile int failingCommits;

  @Test
  void givesUpAfterFiveRetriesWithAConflictError() {
    COMMITS.set(0);
    failingCommits = Integer.MAX_VALUE;
    try (QueryEngine engine = engine()) {
      Session session = engine.newSession("admin");
      assertThatThrownBy(() -> engine.executeUpdate(session, "INSERT INTO t VALUES (1), (2)"))
          .isInstanceOfSatisfying(
              OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
          .hasMessageContaining("The table kept changing")
          .hasMessageContaining("conflicted with concurrent writes 6 times")
          .hasMessageContaining("commit lost");
      assertThat(COMMITS.get()).isEqualTo(QueryEngine.CONFLICT_RETRIES + 1);
      assertThat(engine.conflictRetries()).isEqualTo(QueryEngine.CONFLICT_RETRIES);
    }
  }

  @Test
  void aSecondRunCommits() {
    COMMITS.set(0);
    failingCommits = 1;
    try (QueryEngine engine = engine()) {
      Session session = engine.newSession("admin");
      assertThat(engine.executeUpdate(session, "INSERT INTO t VALUES (1), (2)")).isEqualTo(2);
      assertThat(COMMITS.get()).isEqualTo(2);
      assertThat(engine.conflictRetries()).isEqualTo(1);
    }
  }

  private static QueryEngine engine() {
    return new QueryEngine(
        OxbowConfig.defaults()
            .withCatalog("c", "always-conflicting", Map.of())
            .withUser("admin", "admin")
            .withDefaultNamespace("c", "s"));
  }

  /** A catalog with one table {@code s.t (x BIGINT)} whose inserts conflict while told to. */
  public static final class AlwaysConflictingFactory implements ConnectorFactory {
    @Override
    public String name() {
      return "always-conflicting";
    }

    @Override
    public Connector create(String catalogName, Map<String, String> properties) {
      return new ConflictingConnector();
    }
  }

  private record Handle(SchemaTableName name) implements ConnectorTableHandle {}

  private static final class ConflictingConnector implements Connector, ConnectorMetadata {
    private static final Schema SCHEMA =
        new Schema(List.of(Field.nullable("x", new ArrowType.Int(64, true))));

    @Override
    public ConnectorMetadata metadata() {
      return this;
    }

    @Override
    public ConnectorSplitManager splitManager() {
      throw new UnsupportedOperationException("no scans");
    }

    @Override
    public ConnectorPageSourceProvider pageSourceProvider() {
      throw new UnsupportedOperationException("no scans");
    }

    @Override
    public List<String> listSchemaNames() {
      return List.of("s");
    }

    @Override
    public List<String> listTables(String schemaName) {
      return schemaName.equals("s") ? List.of("t") : List.of();
    }

    @Override
    public Optional<ConnectorTableHandle> getTableHandle(SchemaTableName name) {
      return name.equals(new SchemaTableName("s", "t"))
          ? Optional.of(new Handle(name))
          : Optional.empty();
    }

    @Override
    public ConnectorTableMetadata getTableMetadata(ConnectorTableHandle table) {
      return new ConnectorTableMetadata(table.name(), SCHEMA, OptionalLong.of(0));
    }

    @Override
    public ConnectorWriter beginInsert(ConnectorTableHandle table, boolean overwrite) {
      return new ConnectorWriter() {
        @Override
        public void write(VectorSchemaRoot rows) {}

        @Override
        public void commit() {
          if (COMMITS.incrementAndGet() <= failingCommits) {
            throw new OxbowException(ErrorCode.CONFLICT, "commit lost a race");
          }
        }

        @Override
        public void close() {}
      };
    }
  }
}
