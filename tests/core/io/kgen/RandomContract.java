package io.kgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The random family (Philox fills) of one backend against the Java twin, bit for bit. */
abstract class RandomContract extends EngineFixture {
    /** Philox normals and uniforms from this backend equal the Java twin's bit for bit. */
    @Test
    void philoxDrawsMatchTheJavaTwinBitForBit() {
        long seed = TestData.freshSeed("philox");
        SplittableRandom rng = new SplittableRandom(seed);
        for (int trial = 0; trial < 6; trial++) {
            long key = rng.nextLong();
            long stream = trial == 0 ? 0 : rng.nextLong();
            long offset = trial == 1 ? 0 : rng.nextLong() >>> (trial * 8);
            int count = 1 + rng.nextInt(5000);
            for (boolean normal : new boolean[] {true, false}) {
                float[] expected = new float[count];
                if (normal) io.kgen.random.Philox.fillNormal(key, stream, offset, expected);
                else io.kgen.random.Philox.fillUniform(key, stream, offset, expected);
                try (Operands o = new Operands(placements().get(placements().size() - 1), null, null)) {
                    Matrix out = o.output(count, 1);
                    if (normal) engine.fillNormal(out, new RandomStream(key, stream, offset));
                    else engine.fillUniform(out, new RandomStream(key, stream, offset));
                    float[] got = o.values(out);
                    for (int i = 0; i < count; i++) {
                        if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
                            fail((normal ? "normal" : "uniform") + " element " + (offset + i) + " of stream " + stream
                                    + " (seed " + key + "): native " + got[i] + ", Java " + expected[i]);
                        }
                    }
                }
            }
        }
    }

}
