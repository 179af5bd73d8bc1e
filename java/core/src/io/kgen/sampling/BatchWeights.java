package io.kgen.sampling;

/**
 * Per-point weights of the batch drifting field (MATH.md section 5): one per generated point, per
 * fixed negative and per positive; null means unit weights for that set. A weight scales the
 * point's affinities as a target and its share of the distance scale.
 */
public record BatchWeights(float[] generated, float[] negatives, float[] positives) {
    /** Unit weights everywhere. */
    public static final BatchWeights UNIT = new BatchWeights(null, null, null);

    public BatchWeights {
        generated = checked(generated, "generated weights");
        negatives = checked(negatives, "negative weights");
        positives = checked(positives, "positive weights");
    }

    private static float[] checked(float[] w, String name) {
        if (w == null) return null;
        for (int k = 0; k < w.length; k++) {
            if (!(w[k] >= 0) || Float.isInfinite(w[k])) {
                throw new IllegalArgumentException(name + " must be finite and >= 0, got " + w[k] + " at " + k);
            }
        }
        return w.clone();
    }
}
