package io.oxbow.flight;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a standalone Flight SQL server: {@code OxbowServerMain [--config FILE]}. Without a file the
 * defaults apply (127.0.0.1:47470), with {@code OXBOW_*} environment overrides. Blocks until the
 * process is stopped; a shutdown hook closes the server, then the engine.
 */
public final class OxbowServerMain {
  private static final Logger LOG = LoggerFactory.getLogger(OxbowServerMain.class);

  private OxbowServerMain() {}

  public static void main(String[] args) throws Exception {
    OxbowConfig config = OxbowConfig.defaults().withEnvironment(System.getenv());
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        config = OxbowConfig.load(Path.of(args[++i]));
      } else {
        System.err.println("usage: OxbowServerMain [--config FILE]");
        System.exit(2);
      }
    }
    if (config.users().isEmpty()) {
      LOG.warn("No users are configured, so nobody can log in; add 'users' to the config file");
    }
    QueryEngine engine = new QueryEngine(config);
    OxbowFlightServer server;
    try {
      server = OxbowFlightServer.start(engine);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Shutting down");
                  server.close();
                  engine.close();
                },
                "oxbow-shutdown"));
    LOG.info(
        "Oxbow serves Arrow Flight SQL on grpc://{}:{} (JDBC: jdbc:arrow-flight-sql://{}:{}"
            + "?useEncryption=false)",
        server.host(),
        server.port(),
        server.host(),
        server.port());
    server.awaitTermination();
  }
}
