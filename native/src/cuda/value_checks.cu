// The host side of the device-run argument checks (value_checks.cuh).
#include "value_checks.cuh"

#include "../checks.h"
#include "cuda_common.h"

namespace kgen {

DeferredChecks::DeferredChecks(cudaStream_t stream) : stream_(stream) {
    cuda_check(cudaMalloc(&records_, kCapacity * sizeof(CheckRecord)), "allocating the check records");
    cudaError_t cleared = cudaMemsetAsync(records_, 0, kCapacity * sizeof(CheckRecord), stream_);
    if (cleared != cudaSuccess) cudaFree(records_);
    cuda_check(cleared, "clearing the check records");
    pending_.reserve(kCapacity);
}

DeferredChecks::~DeferredChecks() {
    if (cudaFree(records_) != cudaSuccess) cudaGetLastError();
}

DeferredChecks::Ticket DeferredChecks::reserve(const ValueCheck& weights, const ValueCheck& bandwidths) {
    Ticket ticket;
    if (!weights.values && !bandwidths.values) return ticket;
    ticket.hold_ = std::unique_lock<std::mutex>(lock_);
    if (pending_.size() + 2 > (size_t)kCapacity) wait_locked("checking weights and bandwidths");
    int c = 0;
    for (const ValueCheck* check : {&weights, &bandwidths}) {
        DeviceCheck& device = ticket.device_.check[c++];
        device = DeviceCheck{check->values, check->count, check->lower, nullptr};
        if (!check->values) continue;
        device.record = records_ + pending_.size();
        pending_.push_back(*check);
        ++ticket.added_;
    }
    ticket.owner_ = this;
    return ticket;
}

void DeferredChecks::give_back(size_t records) {
    pending_.resize(pending_.size() - records);
    // A kernel may have written some of them before the operation failed.
    if (cudaMemsetAsync(records_ + pending_.size(), 0, records * sizeof(CheckRecord), stream_) != cudaSuccess) {
        cudaGetLastError();
    }
}

void DeferredChecks::wait(const char* what) {
    std::lock_guard<std::mutex> hold(lock_);
    wait_locked(what);
}

void DeferredChecks::wait_locked(const char* what) {
    cuda_check(cudaStreamSynchronize(stream_), what);
    if (pending_.empty()) return;
    std::vector<CheckRecord> found(pending_.size());
    const size_t bytes = found.size() * sizeof(CheckRecord);
    cuda_check(cudaMemcpyAsync(found.data(), records_, bytes, cudaMemcpyDeviceToHost, stream_), what);
    cuda_check(cudaMemsetAsync(records_, 0, bytes, stream_), what);
    cuda_check(cudaStreamSynchronize(stream_), what);
    std::vector<ValueCheck> checks;
    checks.swap(pending_);  // reported once: a later wait starts clean even if this one throws
    for (size_t k = 0; k < checks.size(); ++k) {
        const CheckRecord& record = found[k];
        ScanResult scan;
        scan.bad_count = (int64_t)record.bad_count;
        scan.first_bad = record.bad_count ? (int64_t)~record.first_bad_flipped : -1;
        scan.sum = record.any_positive ? 1.0 : 0.0;  // all that a positive-sum rule asks
        try {
            checks::raise_if_bad(checks[k], scan, record.first_value);
        } catch (const Error& e) {
            throw invalid_argument(std::string("an operation queued earlier on this context (its outputs are "
                                               "undefined): ") + e.what());
        }
    }
}

}  // namespace kgen
