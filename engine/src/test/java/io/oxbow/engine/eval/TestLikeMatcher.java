package io.oxbow.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

/**
 * {@link LikeMatcher} against a regular expression built from the same pattern, over random strings
 * long enough for its eight-positions-at-a-time search and short enough for its tail, with pieces
 * that occur often (a three-letter alphabet), overlap themselves and hold multi-byte characters.
 */
class TestLikeMatcher {
  private static final String[] LETTERS = {"a", "b", "c", "é", "中"};

  private static String random(Random random, int maxLength) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      // mostly 'a' and 'b', so that pieces match, partly match and overlap
      int letter = random.nextInt(10);
      text.append(LETTERS[letter < 4 ? 0 : letter < 7 ? 1 : letter < 9 ? 2 : 3 + letter % 2]);
    }
    return text.toString();
  }

  private static Pattern regex(String like) {
    StringBuilder regex = new StringBuilder();
    for (String piece : like.split("%", -1)) {
      if (regex.length() > 0 || like.startsWith("%")) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(piece));
    }
    return Pattern.compile(regex.toString().replace("\\Q\\E", ""), Pattern.DOTALL);
  }

  @Test
  void agreesWithARegularExpression() {
    Random random = new Random(42);
    try (BufferAllocator allocator = new RootAllocator();
        VarCharVector strings = new VarCharVector("s", allocator)) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < 1500; i++) {
        values.add(random(random, i % 3 == 0 ? 8 : 70));
      }
      strings.allocateNew();
      for (int i = 0; i < values.size(); i++) {
        strings.setSafe(i, values.get(i).getBytes(StandardCharsets.UTF_8));
      }
      strings.setValueCount(values.size());
      int matched = 0;
      for (int p = 0; p < 150; p++) {
        StringBuilder like = new StringBuilder();
        int pieces = 1 + random.nextInt(3);
        for (int k = 0; k < pieces; k++) {
          if (k > 0 || random.nextBoolean()) {
            like.append('%');
          }
          like.append(random(random, 1 + random.nextInt(11)));
        }
        if (random.nextBoolean()) {
          like.append('%');
        }
        String pattern = like.toString();
        LikeMatcher matcher = LikeMatcher.of(pattern);
        assertThat(matcher).as(pattern).isNotNull();
        Pattern reference = regex(pattern);
        for (int i = 0; i < values.size(); i++) {
          int start = strings.getStartOffset(i);
          int end = strings.getEndOffset(i);
          boolean expected = reference.matcher(values.get(i)).matches();
          boolean actual = matcher.matches(strings.getDataBuffer(), start, end);
          if (actual != expected) {
            assertThat(actual).as("'%s' LIKE '%s'", values.get(i), pattern).isEqualTo(expected);
          }
          matched += expected ? 1 : 0;
        }
      }
      // the patterns are not vacuous: many rows match, many do not
      assertThat(matched).isBetween(5_000, 1500 * 150 - 5_000);
    }
  }
}
