package io.oxbow.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.spi.error.ErrorCode;
import io.oxbow.spi.error.OxbowException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TestStatementRegistry {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final StatementRegistry registry =
      new StatementRegistry(3, Duration.ofMinutes(10), Duration.ofHours(1), now::get);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  private static void assertUnknown(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
        .hasMessageContaining("Unknown, closed or expired statement handle");
  }

  @Test
  void preparedStatementsStayUntilRemoved() {
    String handle = registry.register("admin", "SELECT 1", true);
    assertThat(registry.get(handle, "admin").sql()).isEqualTo("SELECT 1");
    assertThat(registry.get(handle, "admin").prepared()).isTrue();
    assertThat(registry.remove(handle, "admin")).isTrue();
    assertThat(registry.remove(handle, "admin")).isFalse();
    assertUnknown(() -> registry.get(handle, "admin"));
    assertThat(registry.size()).isZero();
  }

  @Test
  void ticketsAreTakenOnce() {
    String handle = registry.register("admin", "SELECT 2", false);
    assertThat(registry.take(handle, "admin").sql()).isEqualTo("SELECT 2");
    assertUnknown(() -> registry.take(handle, "admin"));
  }

  @Test
  void anotherUserCannotSeeUseOrCloseAHandle() {
    String handle = registry.register("admin", "SELECT 1", true);
    assertUnknown(() -> registry.get(handle, "analyst"));
    assertUnknown(() -> registry.take(handle, "analyst"));
    assertThat(registry.remove(handle, "analyst")).isFalse();
    assertThat(registry.peek(handle, "analyst")).isEmpty();
    assertThat(registry.get(handle, "admin").sql()).isEqualTo("SELECT 1");
  }

  @Test
  void unfetchedTicketsExpire() {
    String handle = registry.register("admin", "SELECT 1", false);
    advance(Duration.ofMinutes(9));
    assertThat(registry.peek(handle, "admin")).isPresent();
    advance(Duration.ofMinutes(2));
    assertUnknown(() -> registry.take(handle, "admin"));
    assertThat(registry.expire()).isEqualTo(1);
    assertThat(registry.size()).isZero();
  }

  @Test
  void preparedStatementsExpireOnlyWhenIdle() {
    String handle = registry.register("admin", "SELECT 1", true);
    for (int i = 0; i < 5; i++) {
      advance(Duration.ofMinutes(50));
      assertThat(registry.get(handle, "admin").sql()).isEqualTo("SELECT 1");
    }
    advance(Duration.ofMinutes(61));
    assertUnknown(() -> registry.get(handle, "admin"));
  }

  @Test
  void tooManyOpenStatementsIsResourceExhaustedUntilSomeExpireOrClose() {
    String first = registry.register("admin", "SELECT 1", false);
    registry.register("admin", "SELECT 2", true);
    registry.register("admin", "SELECT 3", true);
    assertThatThrownBy(() -> registry.register("admin", "SELECT 4", true))
        .isInstanceOfSatisfying(
            OxbowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
        .hasMessageContaining("Too many open statements (3)");
    // the ticket expires after 10 minutes, which makes room
    advance(Duration.ofMinutes(11));
    String fourth = registry.register("admin", "SELECT 4", true);
    assertThat(registry.peek(first, "admin")).isEmpty();
    assertThat(registry.get(fourth, "admin").sql()).isEqualTo("SELECT 4");
    assertThat(registry.size()).isEqualTo(3);
  }

  @Test
  void handlesAreUniqueUnderConcurrentUse() throws Exception {
    StatementRegistry big =
        new StatementRegistry(100_000, Duration.ofMinutes(10), Duration.ofHours(1), now::get);
    var handles = ConcurrentHashMap.<String>newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int t = 0; t < 8; t++) {
        int thread = t;
        pool.submit(
            () -> {
              for (int i = 0; i < 1000; i++) {
                String h = big.register("u" + thread, "SELECT " + i, i % 2 == 0);
                handles.add(h);
                if (i % 3 == 0) {
                  big.remove(h, "u" + thread);
                }
              }
            });
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(handles).hasSize(8000);
    assertThat(big.size()).isEqualTo(8000 - 8 * 334);
  }
}
