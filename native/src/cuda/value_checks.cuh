// The ABI's checks of weights and per-query bandwidths, run on the device by a kernel the
// operation launches anyway (the combine pass of a kernel sum, the merge pass of a distance sum)
// instead of a scan and a blocking copy before it. Each checked operation gets a record in a
// per-context table; the next call that waits for the device (a copy to the host, a synchronize,
// a scan) reads the table and throws the first failure with the message the CPU backend gives.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "../backend.h"

namespace kgen {

// What the device finds. Zero is the empty record (one memset clears a table).
struct CheckRecord {
    unsigned long long bad_count;
    unsigned long long first_bad_flipped;  // ~index of the first bad entry (atomicMax); 0: none
    unsigned int any_positive;             // some entry > 0
    unsigned int blocks_done;              // the last block to finish reads the first bad value
    float first_value;
    float unused;
};

// One check as a kernel gets it; a null record: nothing to check.
struct DeviceCheck {
    const float* values;
    int64_t count;
    float lower;
    CheckRecord* record;
};

// The checks of one operation: its weights and its bandwidths.
struct DeviceChecks {
    DeviceCheck check[2];
};

// Every thread of the block calls it, before any early return: it has a barrier. Blocks are whole
// warps; the whole 1-D grid takes part (gridDim.x blocks), each entry read by one thread.
__device__ __forceinline__ void run_checks(const DeviceChecks& checks) {
    if (checks.check[0].record == nullptr && checks.check[1].record == nullptr) return;  // uniform
    const int64_t threads = (int64_t)gridDim.x * blockDim.x;
    for (int c = 0; c < 2; ++c) {
        const DeviceCheck& check = checks.check[c];
        if (check.record == nullptr) continue;
        unsigned long long bad = 0, first = 0;
        unsigned positive = 0;
        // A thread's indices ascend, so its first bad one is its smallest (largest flipped).
        for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < check.count; i += threads) {
            const float v = check.values[i];
            if (!isfinite(v) || v < check.lower) {
                if (bad == 0) first = ~(unsigned long long)i;
                ++bad;
            } else if (v > 0.0f) {
                positive = 1;
            }
        }
        for (int offset = 16; offset > 0; offset /= 2) {
            bad += __shfl_xor_sync(0xffffffffu, bad, offset);
            const unsigned long long other = __shfl_xor_sync(0xffffffffu, first, offset);
            first = other > first ? other : first;
            positive |= __shfl_xor_sync(0xffffffffu, positive, offset);
        }
        if (threadIdx.x % 32 == 0) {
            if (bad != 0) {
                atomicAdd(&check.record->bad_count, bad);
                atomicMax(&check.record->first_bad_flipped, first);
            }
            if (positive) atomicMax(&check.record->any_positive, 1u);
        }
    }
    __syncthreads();  // the block's atomics are issued before its thread 0 counts the block done
    if (threadIdx.x != 0) return;
    for (int c = 0; c < 2; ++c) {
        const DeviceCheck& check = checks.check[c];
        if (check.record == nullptr) continue;
        __threadfence();
        if (atomicAdd(&check.record->blocks_done, 1u) != gridDim.x - 1) continue;
        __threadfence();  // every other block's atomics are visible to the last one
        const unsigned long long flipped = atomicMax(&check.record->first_bad_flipped, 0ull);
        if (flipped != 0) check.record->first_value = check.values[~flipped];
    }
}

// The per-context table of records, and the host side of each record: which argument, which
// rule. An operation holds a Ticket from reserve() until it has launched the kernel that fills
// its record, so that a wait on another host thread never reads a record not yet launched.
class DeferredChecks {
public:
    explicit DeferredChecks(cudaStream_t stream);
    ~DeferredChecks();
    DeferredChecks(const DeferredChecks&) = delete;
    DeferredChecks& operator=(const DeferredChecks&) = delete;

    // An operation that throws before launched() gives its records back (cleared), so that a
    // record no kernel filled is never read as a result.
    class Ticket {
    public:
        Ticket() = default;
        Ticket(Ticket&& other) noexcept
            : hold_(std::move(other.hold_)), device_(other.device_), owner_(other.owner_), added_(other.added_) {
            other.owner_ = nullptr;
        }
        Ticket& operator=(Ticket&&) = delete;
        ~Ticket() {
            if (owner_) owner_->give_back(added_);
        }
        const DeviceChecks& device() const { return device_; }
        void launched() { owner_ = nullptr; }  // the kernel that fills the records is queued

    private:
        friend class DeferredChecks;
        std::unique_lock<std::mutex> hold_;
        DeviceChecks device_{};
        DeferredChecks* owner_ = nullptr;
        size_t added_ = 0;
    };

    // Records for the weights' and the bandwidths' checks (either may be empty). When the table
    // is full it first waits for the device and reports what is there (and may throw).
    Ticket reserve(const ValueCheck& weights, const ValueCheck& bandwidths);

    // Waits for the stream, then throws the first failed check since the last wait (the
    // weights' before the bandwidths' of one operation, as the CPU backend checks them).
    void wait(const char* what);

private:
    void wait_locked(const char* what);
    void give_back(size_t records);  // the last `records` pending ones; the lock is held

    static constexpr int kCapacity = 256;
    cudaStream_t stream_;
    std::mutex lock_;
    CheckRecord* records_ = nullptr;  // device memory, kCapacity records
    std::vector<ValueCheck> pending_;  // record k belongs to pending_[k]
};

}  // namespace kgen
