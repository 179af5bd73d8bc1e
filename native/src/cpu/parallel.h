// A parallel loop over [0, count) for the CPU backend: one worker per hardware thread, work
// handed out in chunks so that uneven rows balance.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace kgen {

template <typename Body>  // Body(int64_t begin, int64_t end)
void parallel_for(int64_t count, int64_t grain, Body body) {
    if (count <= 0) return;
    int64_t chunks = (count + grain - 1) / grain;
    int64_t workers = std::min<int64_t>(chunks, std::max(1u, std::thread::hardware_concurrency()));
    if (workers <= 1) {
        body(0, count);
        return;
    }
    std::atomic<int64_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_lock;
    auto work = [&] {
        try {
            for (int64_t c; (c = next.fetch_add(1)) < chunks;) {
                body(c * grain, std::min(count, (c + 1) * grain));
            }
        } catch (...) {
            std::lock_guard<std::mutex> hold(failure_lock);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> threads;
    for (int64_t t = 1; t < workers; ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace kgen
