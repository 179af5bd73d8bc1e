package io.kgen;

import static io.kgen.nativeapi.KgenNative.*;

/** The bodies of the engine's Philox fills and particle updates, inside an open {@link Call}. */
final class ParticleCalls {
    private ParticleCalls() {}

    /** x <- x + alpha a + beta b + sigma z: the one native update behind the named ones. */
    static void update(Call call, Matrix x, double alpha, Matrix a, double beta, Matrix b, double sigma,
            RandomStream noise) {
        Checks.nonEmpty(x, "x");
        if (a != null) Checks.rowsCols(a, x.rows(), x.cols(), "a");
        if (b != null) Checks.rowsCols(b, x.rows(), x.cols(), "b");
        float fa = Checks.asFloat(alpha, "alpha");
        float fb = b == null ? 0f : Checks.asFloat(beta, "beta");
        float fs = noise == null ? 0f : Checks.asFloat(sigma, "sigma");
        if (x == a || x == b) throw new IllegalArgumentException("the terms must not be x itself");
        RandomStream r = noise == null ? new RandomStream(0, 0, 0) : noise;
        long xAt = call.inout(x, "x");
        long aAt = a == null ? 0 : call.finiteInput(a, "a");
        long bAt = b == null ? 0 : call.finiteInput(b, "b");
        call.complete(kgen_particle_update(call.handle(), xAt, x.size(), fa, aAt, fb, bAt, fs, r.seed(), r.stream(),
                r.offset()), "particle update");
    }

    /** Philox normals or uniforms into out. */
    static void fill(Call call, Matrix out, RandomStream random, boolean normal) {
        long at = call.output(out, "out");
        int status = normal ? kgen_normal_fill(call.handle(), random.seed(), random.stream(), random.offset(), at,
                out.size()) : kgen_uniform_fill(call.handle(), random.seed(), random.stream(), random.offset(), at,
                out.size());
        call.complete(status, normal ? "normal fill" : "uniform fill");
    }
}
