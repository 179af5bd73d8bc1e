package io.kgen;

/** The Random contract on the CPU backend, operands on the heap, off heap and in context memory: the float64 reference path. */
class RandomCpuReferenceTest extends RandomContract {
    @Override
    Profile profile() {
        return Profile.CPU_REFERENCE;
    }
}
