#include "thread_pool.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "../errors.h"

// condition_variable::wait is bound to the version every libstdc++ since GCC 4.5 exports
// (GLIBCXX_3.4.11), not to the GLIBCXX_3.4.30 entry that GCC 12 added for the same call: the
// library then loads where the C++ runtime is GCC 11's (RHEL 9, Amazon Linux 2023). See
// NativeFloor and NativeFloorTest.
#if defined(__GLIBCXX__) && defined(__x86_64__) && defined(__linux__)
__asm__(".symver _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE,"
        "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.11");
#endif

namespace kgen {

ThreadPool::ThreadPool(int threads) {
    for (int t = 1; t < threads; ++t) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> hold(lock_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
}

void ThreadPool::work_on_current_job() {
    try {
        for (int64_t c; (c = next_chunk_.fetch_add(1, std::memory_order_relaxed)) < job_chunks_;) (*job_)(c);
    } catch (...) {
        std::lock_guard<std::mutex> hold(failure_lock_);
        if (!failure_) failure_ = std::current_exception();
        // The remaining chunks are skipped: the call fails as a whole.
        next_chunk_.store(job_chunks_);
    }
}

void ThreadPool::run_chunks(int64_t chunks, const std::function<void(int64_t)>& chunk) {
    {
        std::lock_guard<std::mutex> hold(lock_);
        job_ = &chunk;
        job_chunks_ = chunks;
        next_chunk_.store(0);
        failure_ = nullptr;
        busy_ = (int)workers_.size();
        ++generation_;
    }
    wake_.notify_all();
    work_on_current_job();
    std::unique_lock<std::mutex> hold(lock_);
    done_.wait(hold, [this] { return busy_ == 0; });
    job_ = nullptr;
    if (failure_) std::rethrow_exception(failure_);
}

void ThreadPool::worker_loop() {
    uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock<std::mutex> hold(lock_);
            wake_.wait(hold, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
        }
        work_on_current_job();
        std::lock_guard<std::mutex> hold(lock_);
        if (--busy_ == 0) done_.notify_one();
    }
}

int default_thread_count() {
    if (const char* text = std::getenv("KGEN_THREADS")) {
        char* end = nullptr;
        long value = std::strtol(text, &end, 10);
        if (end == text || *end != '\0' || value < 1 || value > 4096) {
            throw invalid_argument("KGEN_THREADS must be a positive integer, got '" + std::string(text) + "'");
        }
        return (int)value;
    }
    return (int)std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace kgen
