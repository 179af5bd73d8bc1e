package io.kgen;

/** The KernelSum contract on the CPU backend, operands on the heap, off heap and in context memory. */
class KernelSumCpuTest extends KernelSumContract {
    @Override
    Profile profile() {
        return Profile.CPU;
    }
}
