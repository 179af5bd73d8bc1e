package io.kgen;

import org.junit.jupiter.api.Tag;

/** The Update contract on CUDA device 0 (skipped without one). */
@Tag("gpu")
class UpdateCudaTest extends UpdateContract {
    @Override
    Profile profile() {
        return Profile.CUDA;
    }
}
