// The CUDA-vs-CPU driver's entry point (see cuda_vs_cpu.h). KGEN_TEST_SEED replays a run's inputs.
#include <cstdio>
#include <string>

#include "cuda_vs_cpu.h"

int main(int argc, char** argv) {
    kgen_test::tiny = argc > 1 && std::string(argv[1]) == "tiny";
    kgen_test::quick = kgen_test::tiny || (argc > 1 && std::string(argv[1]) == "quick");
    int devices = 0;
    if (!CHECK_OK(kgen_cuda_device_count(&devices))) return 1;
    if (devices == 0) {
        std::printf("no CUDA device (or a CPU-only build): nothing to compare\n");
        return 77;
    }
    const uint64_t seed = kgen_test::seed_from_environment();
    std::printf("kgen CUDA vs CPU, seed %llu (replay: KGEN_TEST_SEED=%llu)\n", (unsigned long long)seed,
                (unsigned long long)seed);
    kgen_test::Backends backends{nullptr, nullptr};
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CPU, 0, &backends.cpu))) return 1;
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CUDA, 0, &backends.cuda))) return 1;
    char description[512];
    CHECK_OK(kgen_context_describe(backends.cuda, description, sizeof description));
    std::printf("%s\n", description);

    kgen_test::Rng rng(seed);
    kgen_test::compare_kernel_sums(backends, rng);
    kgen_test::compare_tensor_sums(backends, rng);
    kgen_test::compare_pairwise(backends, rng);
    kgen_test::compare_elementwise(backends, rng);

    CHECK_OK(kgen_context_destroy(backends.cuda));
    CHECK_OK(kgen_context_destroy(backends.cpu));
    const int failures = kgen_test::failure_count();
    std::printf("%s: %d check(s), %d failed; seed %llu\n", failures ? "FAILED" : "PASSED", kgen_test::check_count(),
                failures, (unsigned long long)seed);
    return failures == 0 ? 0 : 1;
}
