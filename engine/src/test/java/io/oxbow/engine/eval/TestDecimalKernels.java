package io.oxbow.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oxbow.engine.exec.Page;
import io.oxbow.engine.expr.Call;
import io.oxbow.engine.expr.ColumnRef;
import io.oxbow.engine.expr.Literal;
import io.oxbow.engine.expr.ScalarFunction;
import io.oxbow.engine.type.Kind;
import io.oxbow.spi.error.OxbowException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Decimal ADD, SUBTRACT and MULTIPLY over whole vectors (the 64-bit batch path and the exact
 * per-row path behind it) against {@link BigDecimal} on random operands: narrow and wide decimals,
 * integers, NULLs, values near 64 bits, results rounded half up, and overflow of the result
 * precision reported as an error.
 */
class TestDecimalKernels {
  private static final int ROWS = 700;
  private static final ScalarFunction[] FUNCTIONS = {
    ScalarFunction.ADD, ScalarFunction.SUBTRACT, ScalarFunction.MULTIPLY
  };

  private final Random random = new Random(7);
  private BufferAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void close() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void everyRowEqualsBigDecimal() {
    int cases = 0;
    int errors = 0;
    for (int round = 0; round < 400; round++) {
      Operand a = randomOperand();
      Operand b = randomOperand();
      ScalarFunction fn = FUNCTIONS[random.nextInt(FUNCTIONS.length)];
      int sa = a.scale();
      int sb = b.scale();
      int rs =
          switch (random.nextInt(3)) {
            case 0 -> fn == ScalarFunction.MULTIPLY ? sa + sb : Math.max(sa, sb);
            case 1 -> Math.max(0, (fn == ScalarFunction.MULTIPLY ? sa + sb : Math.max(sa, sb)) - 1);
            default -> Math.min(18, Math.max(sa, sb) + 2);
          };
      int rp = Math.max(rs + 1, random.nextBoolean() ? 38 : 10 + random.nextInt(12));
      ArrowType.Decimal type = new ArrowType.Decimal(rp, rs, 128);
      boolean allowNulls = random.nextBoolean();
      try (FieldVector x = a.vector(allocator, allowNulls);
          FieldVector y = b.vector(allocator, allowNulls)) {
        BigDecimal[] expected = new BigDecimal[ROWS];
        boolean overflow = false;
        for (int i = 0; i < ROWS; i++) {
          BigDecimal u = a.value(x, i);
          BigDecimal v = b.value(y, i);
          if (u == null || v == null) {
            continue;
          }
          BigDecimal exact =
              switch (fn) {
                case ADD -> u.add(v);
                case SUBTRACT -> u.subtract(v);
                default -> u.multiply(v);
              };
          expected[i] = exact.setScale(rs, RoundingMode.HALF_UP);
          if (expected[i].precision() - expected[i].scale() > rp - rs) {
            overflow = true;
          }
        }
        cases++;
        if (overflow) {
          errors++;
          assertThatThrownBy(() -> Kernels.decimalArithmetic(fn, x, y, type, ROWS, allocator))
              .isInstanceOf(OxbowException.class)
              .hasMessageContaining("Decimal overflow");
          continue;
        }
        try (DecimalVector out =
            (DecimalVector) Kernels.decimalArithmetic(fn, x, y, type, ROWS, allocator)) {
          assertThat(out.getValueCount()).isEqualTo(ROWS);
          assertThat(out.getScale()).isEqualTo(rs);
          for (int i = 0; i < ROWS; i++) {
            if (expected[i] == null) {
              assertThat(out.isNull(i)).as("row %d of %s %s %s", i, a, fn, b).isTrue();
            } else {
              assertThat(out.getObject(i))
                  .as("row %d of %s %s %s", i, a, fn, b)
                  .isEqualTo(expected[i]);
            }
          }
        }
      }
    }
    assertThat(cases).isEqualTo(400);
    // both outcomes were exercised
    assertThat(errors).isBetween(1, cases - 50);
  }

  /**
   * {@code x op literal} and {@code literal op x} compiled (the constant kernel, with the general
   * path behind it) against BigDecimal, for literals of several scales and sizes.
   */
  @Test
  void constantOperandsEqualBigDecimal() {
    int cases = 0;
    int errors = 0;
    for (int round = 0; round < 400; round++) {
      Operand a = randomOperand();
      ScalarFunction fn = FUNCTIONS[random.nextInt(FUNCTIONS.length)];
      int cs = random.nextInt(5);
      BigInteger unscaled =
          switch (random.nextInt(3)) {
            case 0 -> BigInteger.valueOf(random.nextInt(2000) - 1000);
            case 1 -> BigInteger.valueOf(random.nextLong() >> random.nextInt(40));
            default -> BigInteger.ONE;
          };
      BigDecimal c = new BigDecimal(unscaled, cs);
      boolean integerLiteral = cs == 0 && random.nextBoolean();
      Literal literal =
          integerLiteral
              ? new Literal(unscaled.longValue(), Kind.INT64)
              : new Literal(c, Kind.decimal(Math.max(c.precision(), cs + 1), cs));
      boolean constantFirst = random.nextBoolean();
      int sa = a.scale();
      int exactScale = fn == ScalarFunction.MULTIPLY ? sa + cs : Math.max(sa, cs);
      int rs = random.nextInt(4) == 0 ? Math.max(0, exactScale - 1) : Math.min(18, exactScale);
      int rp = Math.max(rs + 1, random.nextBoolean() ? 38 : 10 + random.nextInt(12));
      ArrowType.Decimal type = new ArrowType.Decimal(rp, rs, 128);
      FieldVector x = a.vector(allocator, random.nextBoolean());
      ColumnRef ref = new ColumnRef(0, x.getField().getType());
      Call call = new Call(fn, constantFirst ? List.of(literal, ref) : List.of(ref, literal), type);
      BigDecimal[] expected = new BigDecimal[ROWS];
      boolean overflow = false;
      for (int i = 0; i < ROWS; i++) {
        BigDecimal u = a.value(x, i);
        if (u == null) {
          continue;
        }
        BigDecimal l = constantFirst ? c : u;
        BigDecimal r = constantFirst ? u : c;
        BigDecimal exact =
            switch (fn) {
              case ADD -> l.add(r);
              case SUBTRACT -> l.subtract(r);
              default -> l.multiply(r);
            };
        expected[i] = exact.setScale(rs, RoundingMode.HALF_UP);
        overflow |= expected[i].precision() - expected[i].scale() > rp - rs;
      }
      cases++;
      Evaluator evaluator = ExpressionCompiler.compile(call);
      try (VectorSchemaRoot root = new VectorSchemaRoot(List.of(x))) {
        root.setRowCount(ROWS);
        Page page = Page.of(root);
        if (overflow) {
          errors++;
          assertThatThrownBy(() -> evaluator.evaluate(page, allocator).close())
              .as("%s %s %s", a, fn, c)
              .isInstanceOf(OxbowException.class)
              .hasMessageContaining("Decimal overflow");
          continue;
        }
        try (FieldVector out = evaluator.evaluate(page, allocator)) {
          DecimalVector d = (DecimalVector) out;
          assertThat(d.getScale()).isEqualTo(rs);
          for (int i = 0; i < ROWS; i++) {
            if (expected[i] == null) {
              assertThat(d.isNull(i)).as("row %d of %s %s %s", i, a, fn, c).isTrue();
            } else {
              assertThat(d.getObject(i))
                  .as("row %d of %s %s %s", i, a, fn, c)
                  .isEqualTo(expected[i]);
            }
          }
        }
      }
    }
    assertThat(cases).isEqualTo(400);
    assertThat(errors).isBetween(1, cases - 50);
  }

  /** A random operand kind: a decimal of some precision and scale, or a BIGINT. */
  private Operand randomOperand() {
    int kind = random.nextInt(5);
    if (kind == 0) {
      return new Operand(0, 0, random.nextInt(4));
    }
    int precision = kind == 1 ? 38 : kind == 2 ? 19 + random.nextInt(10) : 3 + random.nextInt(16);
    int scale = random.nextInt(Math.min(precision, 9) + 1);
    return new Operand(precision, scale, random.nextInt(4));
  }

  /**
   * @param precision 0 for a BIGINT
   * @param magnitude 0: small values, 1: up to the precision, 2: near 64 bits, 3: mixed
   */
  private record Operand(int precision, int scale, int magnitude) {
    FieldVector vector(BufferAllocator allocator, boolean nulls) {
      Random r = new Random(precision * 31L + scale * 7L + magnitude);
      if (precision == 0) {
        BigIntVector v = new BigIntVector("b", allocator);
        v.allocateNew(ROWS);
        for (int i = 0; i < ROWS; i++) {
          if (nulls && r.nextInt(10) == 0) {
            v.setNull(i);
          } else {
            v.set(i, unscaled(r, 18).longValueExact());
          }
        }
        v.setValueCount(ROWS);
        return v;
      }
      DecimalVector v = new DecimalVector("d", allocator, precision, scale);
      v.allocateNew(ROWS);
      for (int i = 0; i < ROWS; i++) {
        if (nulls && r.nextInt(10) == 0) {
          v.setNull(i);
        } else {
          v.set(i, new BigDecimal(unscaled(r, precision), scale));
        }
      }
      v.setValueCount(ROWS);
      return v;
    }

    private BigInteger unscaled(Random r, int digits) {
      int m = magnitude == 3 ? r.nextInt(3) : magnitude;
      BigInteger value =
          switch (m) {
            case 0 -> BigInteger.valueOf(r.nextInt(20_000) - 10_000);
            case 1 -> new BigInteger(digits * 3, r).mod(BigInteger.TEN.pow(digits));
            default -> BigInteger.valueOf(r.nextLong() >> r.nextInt(4));
          };
      BigInteger limit = BigInteger.TEN.pow(digits);
      value = value.mod(limit);
      return r.nextBoolean() ? value.negate() : value;
    }

    BigDecimal value(FieldVector v, int i) {
      if (v.isNull(i)) {
        return null;
      }
      return v instanceof DecimalVector d
          ? d.getObject(i)
          : BigDecimal.valueOf(((BigIntVector) v).get(i));
    }
  }
}
