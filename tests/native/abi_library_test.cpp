// The library, context and memory functions of kgen.h: version and build info, the per-thread
// error message, contexts (a CUDA one where there is no GPU is KGEN_UNAVAILABLE), allocation,
// memory info and the three copies.
#include <thread>

#include "abi_test.h"

namespace kgen_test {
namespace {

void check_library() {
    EXPECT(kgen_abi_version() == KGEN_ABI_VERSION && KGEN_ABI_VERSION == 5, "kgen_abi_version() = %d, header %d",
           kgen_abi_version(), KGEN_ABI_VERSION);
    const std::string info = kgen_build_info();
    EXPECT(info.find("ABI 5") != std::string::npos, "kgen_build_info() does not give the ABI: \"%s\"", info.c_str());
    const int cuda = kgen_cuda_compiled();
    EXPECT(cuda == 0 || cuda == 1, "kgen_cuda_compiled() = %d", cuda);
    EXPECT(info.find(cuda ? "CUDA" : "CPU only") != std::string::npos, "kgen_build_info() with CUDA %s: \"%s\"",
           cuda ? "compiled" : "not compiled", info.c_str());
    int devices = -1;
    CHECK_OK(kgen_cuda_device_count(&devices));
    EXPECT(devices >= 0 && (cuda || devices == 0), "kgen_cuda_device_count = %d with CUDA compiled %d", devices, cuda);
}

// The message is per thread: "" in a thread that has not failed, untouched by other threads.
void check_errors_per_thread(kgen_context* cpu) {
    std::string fresh = "(not run)", after_other_failed = "(not run)";
    std::thread([&] { fresh = kgen_last_error(); }).join();
    EXPECT(fresh.empty(), "kgen_last_error() in a new thread: want \"\", got \"%s\"", fresh.c_str());

    EXPECT_REJECTED(kgen_fill(cpu, nullptr, 0.0f, 5), KGEN_INVALID_ARGUMENT, "dst");
    std::thread([&] {
        int64_t bad = 0;
        kgen_scan(cpu, nullptr, -1, 0.0f, &bad, nullptr, nullptr);  // fails in this thread only
    }).join();
    EXPECT(std::strstr(kgen_last_error(), "dst") != nullptr,
           "another thread's failure replaced this thread's message: \"%s\"", kgen_last_error());
    std::thread([&] {
        int devices = 0;
        kgen_cuda_device_count(&devices);
        after_other_failed = kgen_last_error();
    }).join();
    EXPECT(after_other_failed.empty(), "a thread sees another thread's message: \"%s\"", after_other_failed.c_str());
}

void check_contexts() {
    kgen_context* cpu = nullptr;
    CHECK_OK(kgen_context_create(KGEN_BACKEND_CPU, 0, &cpu));
    EXPECT(cpu != nullptr, "kgen_context_create gave NULL");
    char text[256];
    CHECK_OK(kgen_context_describe(cpu, text, sizeof text));
    EXPECT(std::strstr(text, "CPU") != nullptr, "CPU context described as \"%s\"", text);
    // A short buffer gets a truncated, terminated line and nothing past its capacity.
    char shortened[8];
    std::memset(shortened, 'x', sizeof shortened);
    CHECK_OK(kgen_context_describe(cpu, shortened, 4));
    EXPECT(std::strlen(shortened) == 3 && std::strncmp(shortened, text, 3) == 0 && shortened[4] == 'x',
           "describe into 4 bytes: \"%.8s\"", shortened);
    CHECK_OK(kgen_synchronize(cpu));
    CHECK_OK(kgen_context_destroy(cpu));

    int devices = 0;
    CHECK_OK(kgen_cuda_device_count(&devices));
    kgen_context* cuda = nullptr;
    if (devices == 0) {
        // No GPU here, or a CPU-only build: a CUDA context is unavailable, not an error of the caller.
        EXPECT_REJECTED(kgen_context_create(KGEN_BACKEND_CUDA, 0, &cuda), KGEN_UNAVAILABLE, "CUDA");
    } else {
        CHECK_OK(kgen_context_create(KGEN_BACKEND_CUDA, 0, &cuda));
        CHECK_OK(kgen_context_destroy(cuda));
    }
}

void check_memory(kgen_context* cpu, Rng& rng) {
    size_t free_bytes = 0, total_bytes = 0;
    CHECK_OK(kgen_memory_info(cpu, &free_bytes, &total_bytes));
    EXPECT(free_bytes <= total_bytes, "memory info: %zu free of %zu", free_bytes, total_bytes);

    // An odd number of bytes through all three copies.
    const size_t bytes = 1001;
    std::vector<unsigned char> sent(bytes), back(bytes, 0);
    for (unsigned char& b : sent) b = (unsigned char)rng.next();
    void *first = nullptr, *second = nullptr;
    CHECK_OK(kgen_alloc(cpu, bytes, &first));
    CHECK_OK(kgen_alloc(cpu, 1, &second));  // the smallest allocation
    CHECK_OK(kgen_free(cpu, second));
    CHECK_OK(kgen_alloc(cpu, bytes, &second));
    EXPECT(first != nullptr && second != nullptr && first != second, "kgen_alloc gave %p and %p", first, second);
    CHECK_OK(kgen_copy_to_context(cpu, first, sent.data(), bytes));
    CHECK_OK(kgen_copy_within(cpu, second, first, bytes));
    CHECK_OK(kgen_copy_to_host(cpu, back.data(), second, bytes));
    EXPECT(back == sent, "bytes changed on their way through the context");
    // Nothing to copy: no pointer is read.
    CHECK_OK(kgen_copy_to_context(cpu, nullptr, nullptr, 0));
    CHECK_OK(kgen_copy_to_host(cpu, nullptr, nullptr, 0));
    CHECK_OK(kgen_copy_within(cpu, nullptr, nullptr, 0));
    CHECK_OK(kgen_free(cpu, first));
    CHECK_OK(kgen_free(cpu, second));
}

}  // namespace

void check_library_and_memory(kgen_context* cpu, Rng& rng) {
    check_library();
    check_errors_per_thread(cpu);
    check_contexts();
    check_memory(cpu, rng);
}

}  // namespace kgen_test
