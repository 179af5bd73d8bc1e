package io.kgen;

/** The Pairwise contract on the CPU backend, operands on the heap, off heap and in context memory: the float64 reference path. */
class PairwiseCpuReferenceTest extends PairwiseContract {
    @Override
    Profile profile() {
        return Profile.CPU_REFERENCE;
    }
}
