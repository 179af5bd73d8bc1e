package io.kgen;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The soak of {@link LoadAndFaultsTest} on a GPU: device memory, allocations and resident memory flat. */
@Tag("gpu")
class LoadAndFaultsCudaTest {
    @Test
    void longRunsLeaveDeviceMemoryFlat() throws Exception {
        assumeTrue(Engine.cudaDeviceCount() > 0, "no CUDA device");
        LoadAndFaultsTest.soak(Backend.CUDA, 300);
    }
}
