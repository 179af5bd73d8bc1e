package io.kgen;

/** The Pairwise contract on the CPU backend, operands on the heap, off heap and in context memory. */
class PairwiseCpuTest extends PairwiseContract {
    @Override
    Profile profile() {
        return Profile.CPU;
    }
}
