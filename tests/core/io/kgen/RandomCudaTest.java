package io.kgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The random contract on CUDA device 0 (skipped without one), and CUDA against the CPU backend. */
@Tag("gpu")
class RandomCudaTest extends RandomContract {
    @Override
    Profile profile() {
        return Profile.CUDA;
    }

    /** CUDA normals equal the CPU backend's bit for bit over a large range. */
    @ParameterizedTest
    @CsvSource({"0, 0, 1000003", "12345, 7, 999", "-1, -1, 65536"})
    void cudaNormalsEqualTheCpuBackend(long seed, long stream, int count) {
        long offset = new SplittableRandom(seed).nextLong() >>> 20;
        try (Engine cpu = Engine.open(Backend.CPU)) {
            FloatMatrix want = FloatMatrix.heap(count, 1);
            cpu.fillNormal(want, new RandomStream(seed, stream, offset));
            FloatMatrix got = FloatMatrix.heap(count, 1);
            engine.fillNormal(got, new RandomStream(seed, stream, offset));
            float[] w = want.toArray();
            float[] g = got.toArray();
            for (int i = 0; i < count; i++) {
                assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(g[i]), "element " + (offset + i));
            }
        }
    }
}
