package io.kgen;

/** The native addresses of a partial state's matrices, after its shapes are checked. */
record PartialAddresses(long max, long sum, long weighted, long gradient) {
    @FunctionalInterface
    interface Placement {
        long at(Matrix m, String name);
    }

    static PartialAddresses place(PartialSums state, long m, int d, Placement place) {
        Checks.vector(state.maxLogit(), m, "maxLogit");
        Checks.vector(state.sumExp(), m, "sumExp");
        Checks.rowsCols(state.weightedSum(), m, d, "weightedSum");
        if (state.gradientSum() != null) Checks.rowsCols(state.gradientSum(), m, d, "gradientSum");
        return new PartialAddresses(place.at(state.maxLogit(), "maxLogit"), place.at(state.sumExp(), "sumExp"),
                place.at(state.weightedSum(), "weightedSum"),
                state.gradientSum() == null ? 0 : place.at(state.gradientSum(), "gradientSum"));
    }
}
