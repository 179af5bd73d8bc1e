package io.kgen;

import org.junit.jupiter.api.Tag;

/** The Pairwise contract on CUDA device 0 (skipped without one). */
@Tag("gpu")
class PairwiseCudaTest extends PairwiseContract {
    @Override
    Profile profile() {
        return Profile.CUDA;
    }
}
