package io.oxbow.flight;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestLikePattern {
  @Test
  void percentMatchesAnyRunAndUnderscoreOneCharacter() {
    assertThat(LikePattern.of("tp%").matches("tpch")).isTrue();
    assertThat(LikePattern.of("tp%").matches("tp")).isTrue();
    assertThat(LikePattern.of("tp%").matches("xtpch")).isFalse();
    assertThat(LikePattern.of("%ch").matches("tpch")).isTrue();
    assertThat(LikePattern.of("t_ch").matches("tpch")).isTrue();
    assertThat(LikePattern.of("t_ch").matches("tch")).isFalse();
    assertThat(LikePattern.of("t_ch").matches("tppch")).isFalse();
    assertThat(LikePattern.of("%").matches("")).isTrue();
    assertThat(LikePattern.of("").matches("")).isTrue();
    assertThat(LikePattern.of("").matches("a")).isFalse();
  }

  @Test
  void withoutWildcardsTheMatchIsExactAndCaseSensitive() {
    assertThat(LikePattern.of("items").matches("items")).isTrue();
    assertThat(LikePattern.of("items").matches("ITEMS")).isFalse();
    assertThat(LikePattern.of("items").matches("items2")).isFalse();
  }

  @Test
  void regexCharactersAreLiteral() {
    assertThat(LikePattern.of("a.b").matches("a.b")).isTrue();
    assertThat(LikePattern.of("a.b").matches("axb")).isFalse();
    assertThat(LikePattern.of("a*").matches("aaa")).isFalse();
    assertThat(LikePattern.of("(x)[y]{2}$^|+?").matches("(x)[y]{2}$^|+?")).isTrue();
    assertThat(LikePattern.of("a\\Eb").matches("a\\Eb")).isFalse();
    assertThat(LikePattern.of("a\\\\Eb").matches("a\\Eb")).isTrue();
  }

  @Test
  void backslashEscapesWildcards() {
    assertThat(LikePattern.of("order\\_items").matches("order_items")).isTrue();
    assertThat(LikePattern.of("order\\_items").matches("orderxitems")).isFalse();
    assertThat(LikePattern.of("100\\%").matches("100%")).isTrue();
    assertThat(LikePattern.of("100\\%").matches("1000")).isFalse();
  }

  @Test
  void nullMatchesEverything() {
    assertThat(LikePattern.of(null).matches("anything")).isTrue();
    assertThat(LikePattern.of(null).matches("")).isTrue();
  }
}
