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

/** The partial-state family (partial sums, merge, finalize) of one backend against float64. */
abstract class PartialStateContract extends EngineFixture {
    /** Splitting the data, merging the partial states and finalising gives the whole sum. */
    @ParameterizedTest(name = "{0} d={1} loo={2}")
    @MethodSource("partialCases")
    void partialStatesMergeToTheWholeSum(Kernel kernel, int d, boolean loo) {
        long seed = TestData.freshSeed("partial states " + kernel + " d=" + d);
        int n = 211;
        int m = loo ? n : 37;
        Problem p = new Problem(seed, m, n, d, kernel, false, false, loo);
        Float64Oracle ref = p.oracle(kernel);
        Tolerance tol = new Tolerance(ref, d, 4); // three partial states rounded to float, then merged
                KernelSum spec = p.spec(kernel);
        int[] cuts = {0, 1, 90, n};
        PartialSums total = null;
        for (int s = 0; s + 1 < cuts.length; s++) {
            float[][] slice = java.util.Arrays.copyOfRange(p.y, cuts[s], cuts[s + 1]);
            PartialSums part = PartialSums.host(m, d, true);
            engine.partialSums(spec, FloatMatrix.of(p.x), FloatMatrix.of(slice), -cuts[s], part);
            if (total == null) total = part;
            else engine.mergePartial(total, part);
        }
        KernelSums sums = engine.finalizePartial(total);
        // Partial states carry unit weights: the whole sum's LSE has the extra log(1/N).
        double logUniform = -Math.log(loo ? n - 1 : n);
        float[] lse = sums.lse().toArray();
        for (int i = 0; i < m; i++) {
            double got = lse[i] + logUniform;
            assertEquals(ref.lse[i], got, tol.lse(i, ref.lse[i]), "lse[" + i + "]");
        }
        double yScale = TestData.maxAbs(p.y);
        assertRows("mean", ref.mean, sums.mean().toArray(), (i, k) -> tol.of(i) * yScale);
        assertRows("gradient", ref.gradient, sums.gradient().toArray(), (i, k) -> tol.of(i) * ref.gradientScale[i][k]);
    }

    static Stream<Arguments> partialCases() {
        return Stream.of(Arguments.of(Kernel.GAUSSIAN, 3, false), Arguments.of(Kernel.LAPLACE, 2, true),
                Arguments.of(Kernel.GAUSSIAN, 40, true), Arguments.of(Kernel.LAPLACE, 17, false), Arguments.of(Kernel.CAUCHY, 5, true));
    }

}
