// The ABI contract test: every function of kgen.h called on the CPU backend, with good arguments
// against a float64 reference and with bad ones against the documented status and message.
// Runs where there is no GPU (CI). Usage: kgen_abi_test [group...] (no group: all of them);
// KGEN_TEST_SEED=<seed> replays a run's random inputs.
#include <chrono>
#include <cstdio>
#include <cstring>

#include "abi_test.h"

namespace {

using kgen_test::Rng;

struct Group {
    const char* name;
    void (*run)(kgen_context*, Rng&);
};

const Group kGroups[] = {
    {"reference", kgen_test::check_reference},
    {"library", kgen_test::check_library_and_memory},
    {"kernel_sums", kgen_test::check_kernel_sums},
    {"partial_states", kgen_test::check_partial_states_and_score_step},
    {"elementwise", kgen_test::check_elementwise},
    {"pairwise", kgen_test::check_pairwise},
    {"reduction_rejections", kgen_test::check_reduction_rejections},
    {"other_rejections", kgen_test::check_other_rejections},
    {"cpu_contexts", kgen_test::check_cpu_contexts},
};

int run_group(const Group& group, kgen_context* cpu, uint64_t seed) {
    const int failures_before = kgen_test::failure_count();
    const auto start = std::chrono::steady_clock::now();
    // Each group draws from its own stream, so that one group's inputs replay alone.
    uint64_t name_hash = 0xcbf29ce484222325ull;  // FNV-1a: the same on every platform
    for (const char* c = group.name; *c; ++c) name_hash = (name_hash ^ (unsigned char)*c) * 0x100000001b3ull;
    Rng rng(seed ^ name_hash);
    group.run(cpu, rng);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int failures = kgen_test::failure_count() - failures_before;
    std::printf("%s %s (%.2f s)\n", failures ? "FAILED" : "passed", group.name, seconds);
    return failures;
}

}  // namespace

int main(int argc, char** argv) {
    const uint64_t seed = kgen_test::seed_from_environment();
    std::printf("kgen ABI test, seed %llu (replay: KGEN_TEST_SEED=%llu)\n", (unsigned long long)seed,
                (unsigned long long)seed);
    kgen_context* cpu = nullptr;
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CPU, 0, &cpu))) return 1;
    for (int a = 1; a < argc; ++a) {
        bool known = false;
        for (const Group& group : kGroups) known = known || std::strcmp(argv[a], group.name) == 0;
        if (!known) {
            std::fprintf(stderr, "unknown group %s; groups:", argv[a]);
            for (const Group& group : kGroups) std::fprintf(stderr, " %s", group.name);
            std::fprintf(stderr, "\n");
            return 2;
        }
    }
    for (const Group& group : kGroups) {
        bool chosen = argc == 1;
        for (int a = 1; a < argc; ++a) chosen = chosen || std::strcmp(argv[a], group.name) == 0;
        if (chosen) run_group(group, cpu, seed);
    }
    CHECK_OK(kgen_context_destroy(cpu));
    const int failures = kgen_test::failure_count();
    std::printf("%d check(s), %d failed; seed %llu\n", kgen_test::check_count(), failures,
                (unsigned long long)seed);
    return failures == 0 ? 0 : 1;
}
