package io.oxbow.engine.exec;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run the parallel parts of pipelines. A cached pool: a task never waits for a
 * free thread, so a worker blocked on a slow consumer (a client that stops reading) can delay only
 * its own query, never another one; the number of workers per pipeline is the query's parallelism.
 */
public final class WorkerPool {
  /** System property that sets the default number of threads per query. */
  public static final String THREADS_PROPERTY = "oxbow.engine.threads";

  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          new ThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
              Thread thread = new Thread(task, "oxbow-worker-" + THREAD_NUMBER.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            }
          });

  private WorkerPool() {}

  static ExecutorService executor() {
    return POOL;
  }

  /**
   * Threads per query unless the caller sets its own: the {@value #THREADS_PROPERTY} system
   * property, else the number of processors.
   */
  public static int defaultThreads() {
    String configured = System.getProperty(THREADS_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      try {
        int threads = Integer.parseInt(configured.trim());
        if (threads >= 1) {
          return threads;
        }
      } catch (NumberFormatException e) {
        // fall through to the default
      }
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }
}
