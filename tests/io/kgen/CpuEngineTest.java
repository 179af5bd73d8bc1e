package io.kgen;

import java.util.List;

/**
 * The kernel-sum contract on the CPU backend, with operands on the heap, off heap (used in
 * place) and in context memory. The CPU forms logits and sums in float64, so the only error is
 * the final rounding to float32.
 */
class CpuEngineTest extends KernelSumContract {
    @Override
    Engine openEngine() {
        return Engine.open(Backend.CPU);
    }

    @Override
    double baseTolerance(int d) {
        return 1e-6;
    }

    @Override
    double logitTolerance(int d) {
        return 0;
    }

    @Override
    boolean exactElementwise() {
        return true;
    }

    @Override
    List<Placement> placements() {
        return List.of(Placement.HEAP, Placement.OFF_HEAP, Placement.DEVICE);
    }
}
