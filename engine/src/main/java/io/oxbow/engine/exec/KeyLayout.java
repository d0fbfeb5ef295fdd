package io.oxbow.engine.exec;

import io.oxbow.spi.error.OxbowException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The physical layout of a column as the aggregation reads and writes it: the raw bits of a
 * fixed-width slot (sign-extended to a long), a 128-bit decimal, or UTF-8 bytes. Floating point
 * keys are normalised (every NaN one value, -0.0 equal to 0.0) so that equal SQL values have equal
 * bits. Also serialises values into the byte rows of {@link BytesGroupByHash}.
 */
enum KeyLayout {
  BIT(1),
  INT8(8),
  INT16(16),
  INT32(32),
  INT64(64),
  FLOAT32(32),
  FLOAT64(64),
  DECIMAL(128),
  VARCHAR(-1),
  NULL(0);

  static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Bits of the value, -1 for variable width. */
  final int bits;

  KeyLayout(int bits) {
    this.bits = bits;
  }

  /** The layout of an Arrow type, or a USER_ERROR for types the engine does not support. */
  static KeyLayout of(ArrowType type) {
    return switch (type.getTypeID()) {
      case Bool -> BIT;
      case Int ->
          switch (((ArrowType.Int) type).getBitWidth()) {
            case 8 -> INT8;
            case 16 -> INT16;
            case 32 -> INT32;
            default -> INT64;
          };
      case FloatingPoint ->
          ((ArrowType.FloatingPoint) type).getPrecision() == FloatingPointPrecision.DOUBLE
              ? FLOAT64
              : FLOAT32;
      case Decimal -> DECIMAL;
      case Utf8 -> VARCHAR;
      case Date ->
          ((ArrowType.Date) type).getUnit() == org.apache.arrow.vector.types.DateUnit.DAY
              ? INT32
              : INT64;
      case Timestamp, Duration -> INT64;
      case Time -> ((ArrowType.Time) type).getBitWidth() == 32 ? INT32 : INT64;
      case Interval ->
          ((ArrowType.Interval) type).getUnit()
                  == org.apache.arrow.vector.types.IntervalUnit.YEAR_MONTH
              ? INT32
              : INT64;
      case Null -> NULL;
      default -> throw OxbowException.userError("Type %s is not supported yet", type);
    };
  }

  /**
   * Bits a value of {@code type} takes when packed into longs (32 for a string's dictionary id), or
   * -1 when it cannot be packed.
   */
  static int packedBits(ArrowType type) {
    KeyLayout layout = of(type);
    if (layout == VARCHAR) {
      return 32;
    }
    if (layout == DECIMAL) {
      return ((ArrowType.Decimal) type).getPrecision() <= 18 ? 64 : -1;
    }
    return layout.bits;
  }

  /** Bytes of a fixed-width value in a serialised row (after its null byte). */
  int fixedBytes() {
    return switch (this) {
      case BIT, INT8 -> 1;
      case INT16 -> 2;
      case INT32, FLOAT32 -> 4;
      case INT64, FLOAT64 -> 8;
      case DECIMAL -> 16;
      case VARCHAR, NULL -> 0;
    };
  }

  static boolean isSet(ArrowBuf validity, int pos) {
    return ((validity.getByte(pos >>> 3) >> (pos & 7)) & 1) != 0;
  }

  /** Whether any row of the vector may be null. */
  static boolean mayHaveNulls(FieldVector v) {
    if (v instanceof org.apache.arrow.vector.NullVector) {
      return v.getValueCount() > 0;
    }
    int n = v.getValueCount();
    ArrowBuf validity = v.getValidityBuffer();
    int words = n >>> 6;
    for (int w = 0; w < words; w++) {
      if (validity.getLong((long) w << 3) != -1L) {
        return true;
      }
    }
    for (int i = words << 6; i < n; i++) {
      if (!isSet(validity, i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the values at {@code positions[0..n)} as longs (the low 64 bits for decimals, normalised
   * bits for floating point), ignoring nulls (their slot holds garbage).
   */
  void gatherLongs(FieldVector v, int[] positions, int n, long[] out) {
    if (this == NULL) {
      java.util.Arrays.fill(out, 0, n, 0L);
      return;
    }
    ArrowBuf data = v.getDataBuffer();
    switch (this) {
      case BIT -> {
        for (int i = 0; i < n; i++) {
          int pos = positions[i];
          out[i] = (data.getByte(pos >>> 3) >> (pos & 7)) & 1;
        }
      }
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data.getByte(positions[i]);
        }
      }
      case INT16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data.getShort((long) positions[i] << 1);
        }
      }
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data.getInt((long) positions[i] << 2);
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = data.getLong((long) positions[i] << 3);
        }
      }
      case FLOAT32 -> {
        for (int i = 0; i < n; i++) {
          float f = data.getFloat((long) positions[i] << 2);
          out[i] = f == 0 ? 0 : Float.floatToIntBits(f);
        }
      }
      case FLOAT64 -> {
        for (int i = 0; i < n; i++) {
          double d = data.getDouble((long) positions[i] << 3);
          out[i] = d == 0 ? 0 : Double.doubleToLongBits(d);
        }
      }
      case DECIMAL -> {
        for (int i = 0; i < n; i++) {
          out[i] = data.getLong((long) positions[i] << 4);
        }
      }
      default -> throw new IllegalStateException(name());
    }
  }

  /**
   * Writes a non-null value given as raw long bits (low 64 bits for decimals) into slot {@code i}.
   */
  void writeLong(FieldVector v, int i, long value) {
    ArrowBuf data = v.getDataBuffer();
    switch (this) {
      case BIT -> BitVectorHelper.setValidityBit(data, i, (int) value);
      case INT8 -> data.setByte(i, (byte) value);
      case INT16 -> data.setShort((long) i << 1, (short) value);
      case INT32, FLOAT32 -> data.setInt((long) i << 2, (int) value);
      case INT64, FLOAT64 -> data.setLong((long) i << 3, value);
      case DECIMAL -> {
        data.setLong((long) i << 4, value);
        data.setLong(((long) i << 4) + 8, value >> 63);
      }
      default -> throw new IllegalStateException(name());
    }
    BitVectorHelper.setBit(v.getValidityBuffer(), i);
  }

  /** Mixes a 64-bit value into a well distributed hash. */
  static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb93fe53ec1fbL;
    x ^= x >>> 33;
    return x;
  }

  static long hashBytes(byte[] b, int off, int len) {
    long h = 0x27d4eb2f165667c5L + len;
    int i = 0;
    for (; i + 8 <= len; i += 8) {
      h = (h ^ (long) LONGS.get(b, off + i)) * 0x9E3779B97F4A7C15L;
      h = Long.rotateLeft(h, 29);
    }
    for (; i < len; i++) {
      h = (h ^ (b[off + i] & 0xff)) * 0x9E3779B97F4A7C15L;
    }
    return mix(h);
  }

  /**
   * Adds the serialised byte length of each VARCHAR value (5 + its bytes, or 1 for null) to {@code
   * lengths[i + 1]}.
   */
  static void addVarcharLengths(FieldVector v, int[] positions, int n, int[] lengths) {
    ArrowBuf offsets = v.getOffsetBuffer();
    boolean nulls = mayHaveNulls(v);
    ArrowBuf validity = v.getValidityBuffer();
    for (int i = 0; i < n; i++) {
      int pos = positions[i];
      if (nulls && !isSet(validity, pos)) {
        lengths[i + 1] += 1;
      } else {
        int start = offsets.getInt((long) pos * BaseVariableWidthVector.OFFSET_WIDTH);
        int end = offsets.getInt((long) (pos + 1) * BaseVariableWidthVector.OFFSET_WIDTH);
        lengths[i + 1] += 5 + end - start;
      }
    }
  }

  private static final long NULL_HASH = 0x5bd1e9955bd1e995L;

  private static long combine(long h, long columnHash) {
    return (Long.rotateLeft(h, 27) ^ columnHash) * 0x9E3779B97F4A7C15L;
  }

  /**
   * Serialises the values at {@code positions[0..n)} (a null byte, then the value; fixed-width
   * values keep their size when null) at {@code cursor[i]} in {@code out}, advances the cursors and
   * folds each value's hash into {@code hashes[i]}.
   */
  void serializeColumn(
      FieldVector v, int[] positions, int n, byte[] out, int[] cursor, long[] hashes) {
    boolean nulls = this == NULL || mayHaveNulls(v);
    ArrowBuf validity = this == NULL ? null : v.getValidityBuffer();
    ArrowBuf data = this == NULL ? null : v.getDataBuffer();
    int width = fixedBytes();
    if (this == VARCHAR) {
      ArrowBuf offsets = v.getOffsetBuffer();
      for (int i = 0; i < n; i++) {
        int pos = positions[i];
        int at = cursor[i];
        if (nulls && !isSet(validity, pos)) {
          out[at] = 1;
          cursor[i] = at + 1;
          hashes[i] = combine(hashes[i], NULL_HASH);
          continue;
        }
        int start = offsets.getInt((long) pos * BaseVariableWidthVector.OFFSET_WIDTH);
        int len = offsets.getInt((long) (pos + 1) * BaseVariableWidthVector.OFFSET_WIDTH) - start;
        out[at] = 0;
        INTS.set(out, at + 1, len);
        long hash;
        if (len <= 32) {
          // copy and hash in one loop (FNV-1a); a memory copy costs more for short strings
          hash = 0xcbf29ce484222325L ^ len;
          for (int j = 0; j < len; j++) {
            byte b = data.getByte(start + j);
            out[at + 5 + j] = b;
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
          }
        } else {
          data.getBytes(start, out, at + 5, len);
          hash = hashBytes(out, at + 5, len);
        }
        cursor[i] = at + 5 + len;
        hashes[i] = combine(hashes[i], hash);
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      int pos = positions[i];
      int at = cursor[i];
      cursor[i] = at + 1 + width;
      if (nulls && (this == NULL || !isSet(validity, pos))) {
        out[at] = 1;
        for (int j = width; j > 0; j--) {
          out[at + j] = 0; // fixed-width slots keep their size so that rows compare bytewise
        }
        hashes[i] = combine(hashes[i], NULL_HASH);
        continue;
      }
      out[at] = 0;
      at++;
      long x;
      switch (this) {
        case BIT -> {
          x = (data.getByte(pos >>> 3) >> (pos & 7)) & 1;
          out[at] = (byte) x;
        }
        case INT8 -> {
          x = data.getByte(pos);
          out[at] = (byte) x;
        }
        case INT16 -> {
          x = data.getShort((long) pos << 1);
          out[at] = (byte) x;
          out[at + 1] = (byte) (x >> 8);
        }
        case INT32 -> {
          x = data.getInt((long) pos << 2);
          INTS.set(out, at, (int) x);
        }
        case FLOAT32 -> {
          float f = data.getFloat((long) pos << 2);
          x = f == 0 ? 0 : Float.floatToIntBits(f);
          INTS.set(out, at, (int) x);
        }
        case INT64 -> {
          x = data.getLong((long) pos << 3);
          LONGS.set(out, at, x);
        }
        case FLOAT64 -> {
          double d = data.getDouble((long) pos << 3);
          x = d == 0 ? 0 : Double.doubleToLongBits(d);
          LONGS.set(out, at, x);
        }
        case DECIMAL -> {
          x = data.getLong((long) pos << 4);
          long hi = data.getLong(((long) pos << 4) + 8);
          LONGS.set(out, at, x);
          LONGS.set(out, at + 8, hi);
          x ^= Long.rotateLeft(hi, 17) * 31;
        }
        default -> throw new IllegalStateException(name());
      }
      hashes[i] = combine(hashes[i], mix(x));
    }
  }

  /**
   * Reads a serialised value at {@code at} in {@code in} into slot {@code i} of {@code v}, and
   * returns the offset just after it.
   */
  int deserialize(byte[] in, int at, FieldVector v, int i) {
    if (in[at] != 0) {
      return at + 1;
    }
    at++;
    switch (this) {
      case BIT, INT8 -> writeLong(v, i, in[at]);
      case INT16 -> writeLong(v, i, (short) ((in[at] & 0xff) | (in[at + 1] << 8)));
      case INT32, FLOAT32 -> writeLong(v, i, (int) INTS.get(in, at));
      case INT64, FLOAT64 -> writeLong(v, i, (long) LONGS.get(in, at));
      case DECIMAL -> {
        ArrowBuf data = v.getDataBuffer();
        data.setLong((long) i << 4, (long) LONGS.get(in, at));
        data.setLong(((long) i << 4) + 8, (long) LONGS.get(in, at + 8));
        BitVectorHelper.setBit(v.getValidityBuffer(), i);
      }
      case VARCHAR -> {
        int len = (int) INTS.get(in, at);
        ((VarCharVector) v).setSafe(i, in, at + 4, len);
        return at + 4 + len;
      }
      default -> throw new IllegalStateException(name());
    }
    return at + fixedBytes();
  }
}
