package io.kgen;

/** The PartialState contract on the CPU backend, operands on the heap, off heap and in context memory. */
class PartialStateCpuTest extends PartialStateContract {
    @Override
    Profile profile() {
        return Profile.CPU;
    }
}
