// The CPU backend's workers: started once per context, asleep between calls. A parallel loop
// hands out fixed chunks of [0, count); which thread runs a chunk never changes what it computes,
// so results do not depend on the thread count as long as each chunk's work is self-contained
// (every reduction here owns whole queries).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kgen {

class ThreadPool {
public:
    // threads >= 1, the calling thread included.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int threads() const { return (int)workers_.size() + 1; }

    // body(begin, end) over chunks of `grain`; the first exception is rethrown here.
    template <typename Body>
    void parallel_for(int64_t count, int64_t grain, Body&& body) {
        if (count <= 0) return;
        const int64_t chunks = (count + grain - 1) / grain;
        // Without workers, for a single chunk, or while the workers serve another caller (two
        // threads on one context), the chunks run inline (a tiny call costs no wake-up), still
        // one chunk at a time: the chunks are what the bits depend on.
        if (chunks == 1 || workers_.empty() || in_use_.exchange(true)) {
            for (int64_t c = 0; c < chunks; ++c) body(c * grain, std::min(count, (c + 1) * grain));
            return;
        }
        try {
            run_chunks(chunks, [&](int64_t c) { body(c * grain, std::min(count, (c + 1) * grain)); });
        } catch (...) {
            in_use_.store(false);
            throw;
        }
        in_use_.store(false);
    }

private:
    void run_chunks(int64_t chunks, const std::function<void(int64_t)>& chunk);
    void work_on_current_job();
    void worker_loop();

    std::vector<std::thread> workers_;
    std::atomic<bool> in_use_{false};
    std::mutex lock_;
    std::condition_variable wake_;
    std::condition_variable done_;
    uint64_t generation_ = 0;  // bumped for every job
    bool stopping_ = false;
    int busy_ = 0;             // workers still inside the current job

    const std::function<void(int64_t)>* job_ = nullptr;
    int64_t job_chunks_ = 0;
    std::atomic<int64_t> next_chunk_{0};
    std::exception_ptr failure_;
    std::mutex failure_lock_;
};

// The thread count of a context opened with threads = 0: KGEN_THREADS when set to a positive
// integer, else every hardware thread.
int default_thread_count();

}  // namespace kgen
