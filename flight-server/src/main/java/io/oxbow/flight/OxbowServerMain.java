package io.oxbow.flight;

import io.oxbow.federation.OxbowConfig;
import io.oxbow.federation.QueryEngine;
import java.nio.file.Path;

/** Starts a server: {@code OxbowServerMain [--config FILE]}. */
public final class OxbowServerMain {
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
    QueryEngine engine = new QueryEngine(config);
    OxbowFlightServer server = OxbowFlightServer.start(engine);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  engine.close();
                },
                "oxbow-shutdown"));
    server.awaitTermination();
  }
}
