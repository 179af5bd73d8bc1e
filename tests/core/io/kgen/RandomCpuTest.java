package io.kgen;

/** The Random contract on the CPU backend, operands on the heap, off heap and in context memory. */
class RandomCpuTest extends RandomContract {
    @Override
    Profile profile() {
        return Profile.CPU;
    }
}
