package io.kgen;

/** The PartialState contract on the CPU backend, operands on the heap, off heap and in context memory: the float64 reference path. */
class PartialStateCpuReferenceTest extends PartialStateContract {
    @Override
    Profile profile() {
        return Profile.CPU_REFERENCE;
    }
}
