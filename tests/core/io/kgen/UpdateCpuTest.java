package io.kgen;

/** The Update contract on the CPU backend, operands on the heap, off heap and in context memory. */
class UpdateCpuTest extends UpdateContract {
    @Override
    Profile profile() {
        return Profile.CPU;
    }
}
