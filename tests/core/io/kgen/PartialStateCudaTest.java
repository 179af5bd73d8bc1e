package io.kgen;

import org.junit.jupiter.api.Tag;

/** The PartialState contract on CUDA device 0 (skipped without one). */
@Tag("gpu")
class PartialStateCudaTest extends PartialStateContract {
    @Override
    Profile profile() {
        return Profile.CUDA;
    }
}
