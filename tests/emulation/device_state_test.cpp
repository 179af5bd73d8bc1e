// What a CUDA context does to the calling thread and after a device fault, run on the emulation
// (which can inject a sticky fault and offer two devices): an operation leaves the caller's
// current device as it found it; a fault loses the context with its original message, every
// later call says so, cleanup still succeeds, and a new context works once none is left.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cuda_runtime.h"
#include "harness.h"

namespace kgen_test {
namespace {

bool message_has(const char* needle) { return std::strstr(kgen_last_error(), needle) != nullptr; }

// A fill and a copy back: the smallest round trip through the device.
bool round_trip(kgen_context* context, float value) {
    void* raw = nullptr;
    if (kgen_alloc(context, 3 * sizeof(float), &raw) != KGEN_OK) return false;
    std::vector<float> back(3, 0.0f);
    const bool ok = kgen_fill(context, static_cast<float*>(raw), value, 3) == KGEN_OK &&
                    kgen_copy_to_host(context, back.data(), raw, sizeof(float) * 3) == KGEN_OK;
    kgen_free(context, raw);
    return ok && back[0] == value && back[2] == value;
}

void check_current_device_is_kept() {
    for (int caller = 0; caller < 2; ++caller) {
        const int other = 1 - caller;
        cudaSetDevice(caller);
        kgen_context* context = nullptr;
        if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CUDA, other, &context))) return;
        int current = -1;
        cudaGetDevice(&current);
        EXPECT(current == caller, "creating a context on device %d left device %d current, not %d", other, current,
               caller);
        const bool ok = round_trip(context, 2.5f);
        EXPECT(ok, "a round trip on device %d failed: %s", other, kgen_last_error());
        cudaGetDevice(&current);
        EXPECT(current == caller, "an operation on device %d left device %d current, not %d", other, current, caller);
        CHECK_OK(kgen_context_destroy(context));
        cudaGetDevice(&current);
        EXPECT(current == caller, "destroying a context on device %d left device %d current, not %d", other,
               current, caller);
    }
    cudaSetDevice(0);
}

void check_fault_loses_the_context() {
    kgen_context* context = nullptr;
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CUDA, 0, &context))) return;
    void* kept = nullptr;
    CHECK_OK(kgen_alloc(context, 64, &kept));

    kgen_emulation::inject_sticky_fault(cudaErrorIllegalAddress);
    kgen_status status = kgen_fill(context, static_cast<float*>(kept), 1.0f, 4);
    EXPECT(status == KGEN_CONTEXT_LOST && message_has("cudaErrorIllegalAddress") && message_has("lost"),
           "the faulting call: status %d, \"%s\"", (int)status, kgen_last_error());
    status = kgen_synchronize(context);
    EXPECT(status == KGEN_CONTEXT_LOST && message_has("earlier device fault") &&
               message_has("cudaErrorIllegalAddress"),
           "a later call names the original fault: status %d, \"%s\"", (int)status, kgen_last_error());
    CHECK_OK(kgen_free(context, kept));

    // While the lost context lives, a new one cannot reset the device under it.
    kgen_context* second = nullptr;
    status = kgen_context_create(KGEN_BACKEND_CUDA, 0, &second);
    EXPECT(status == KGEN_CONTEXT_LOST && second == nullptr,
           "a context created beside a lost one: status %d, \"%s\"", (int)status, kgen_last_error());
    CHECK_OK(kgen_context_destroy(context));

    // With no context left on the device, a new one resets it and works.
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CUDA, 0, &second))) return;
    const bool ok = round_trip(second, -7.0f);
    EXPECT(ok, "a round trip on the new context failed: %s", kgen_last_error());
    CHECK_OK(kgen_context_destroy(second));
}

// The caller's events and streams: kgen's stream waits on them and records into them, on the
// context's own device, leaving the caller's device current.
void check_stream_hand_offs() {
    cudaSetDevice(0);
    kgen_context* context = nullptr;
    if (!CHECK_OK(kgen_context_create(KGEN_BACKEND_CUDA, 1, &context))) return;
    cudaEvent_t event = nullptr;
    cudaEventCreateWithFlags(&event, cudaEventDisableTiming);
    CHECK_OK(kgen_wait_event(context, event));
    CHECK_OK(kgen_wait_stream(context, nullptr));
    CHECK_OK(kgen_record_event(context, event));
    kgen_status status = kgen_wait_event(context, nullptr);
    EXPECT(status == KGEN_INVALID_ARGUMENT && message_has("cuda_event"), "a NULL event: status %d, \"%s\"",
           (int)status, kgen_last_error());
    int current = -1;
    cudaGetDevice(&current);
    EXPECT(current == 0, "a hand-off on device 1 left device %d current", current);
    EXPECT(round_trip(context, 4.0f), "a round trip after the hand-offs failed: %s", kgen_last_error());
    cudaEventDestroy(event);
    CHECK_OK(kgen_context_destroy(context));
}

}  // namespace
}  // namespace kgen_test

int main() {
    setenv("KGEN_EMULATION_DEVICES", "2", 1);
    kgen_test::check_current_device_is_kept();
    kgen_test::check_stream_hand_offs();
    kgen_test::check_fault_loses_the_context();
    const int failures = kgen_test::failure_count();
    std::printf("%s: %d check(s), %d failed\n", failures ? "FAILED" : "PASSED", kgen_test::check_count(), failures);
    return failures == 0 ? 0 : 1;
}
