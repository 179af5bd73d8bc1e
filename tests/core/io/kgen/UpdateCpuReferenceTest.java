package io.kgen;

/** The Update contract on the CPU backend, operands on the heap, off heap and in context memory: the float64 reference path. */
class UpdateCpuReferenceTest extends UpdateContract {
    @Override
    Profile profile() {
        return Profile.CPU_REFERENCE;
    }
}
