package io.kgen;

/** The KernelSum contract on the CPU backend, operands on the heap, off heap and in context memory: the float64 reference path. */
class KernelSumCpuReferenceTest extends KernelSumContract {
    @Override
    Profile profile() {
        return Profile.CPU_REFERENCE;
    }
}
