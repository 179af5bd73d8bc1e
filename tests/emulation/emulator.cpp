// The CUDA emulation's launch machinery (cuda_runtime.h beside this file): blocks in turn, the
// threads of a block as fibers, barriers and warp exchanges.
#include <ucontext.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <mutex>
#include <numeric>
#include <random>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cuda_runtime.h"

// Under ThreadSanitizer this file is built WITHOUT instrumentation (its own bookkeeping is shared
// between fibers on purpose) and with KGEN_EMULATION_TSAN=1: it only announces fibers and barriers
// to the runtime, so the reports are about the kernels' memory alone.
#ifndef KGEN_EMULATION_TSAN
#define KGEN_EMULATION_TSAN 0
#endif
#if KGEN_EMULATION_TSAN
#include <sanitizer/tsan_interface.h>
#endif
#if defined(__SANITIZE_ADDRESS__)
#define KGEN_EMULATION_ASAN 1
#include <sanitizer/common_interface_defs.h>
#else
#define KGEN_EMULATION_ASAN 0
#endif

thread_local dim3 threadIdx;
thread_local dim3 blockIdx;
thread_local dim3 blockDim;
thread_local dim3 gridDim;

namespace kgen_emulation {
namespace {

// Each CUDA thread of a block is a fiber (ucontext) on one host thread, switched at barriers:
// cheap enough for thousands of blocks, and deterministic. For the sanitizers the fibers are
// announced (TSan: a context per fiber, switched without implied synchronisation; ASan: the stack
// switch), and a barrier is a release by every thread that arrives and an acquire by every thread
// that leaves, so ThreadSanitizer sees exactly the happens-before a GPU barrier gives: a missing
// __syncthreads shows as a race.
constexpr size_t kFiberStack = size_t(256) << 10;

struct Fiber {
    ucontext_t context;
    char* stack = nullptr;
    void* tsan_fiber = nullptr;
    enum State { kRunnable, kAtBlockBarrier, kAtWarpBarrier, kDone } state = kRunnable;
    uint64_t barrier_generation = 0;
    AsyncCopies async;  // cp.async copies issued and not yet waited for
};

struct Warp {
    unsigned alive = 0;
    unsigned arrived = 0;
    uint64_t generation = 0;
    uint64_t slots[32] = {};
    uint32_t board[32 * 8] = {};  // gather's
};

struct Block {
    std::vector<Fiber> fibers;
    std::vector<Warp> warps;
    unsigned alive = 0;
    unsigned arrived = 0;
    uint64_t generation = 0;
    ucontext_t scheduler;
    void* scheduler_tsan = nullptr;
    void* launch = nullptr;
    BlockBody body = nullptr;
    dim3 grid, block, at;
};

thread_local Block* current_block = nullptr;
thread_local unsigned current_thread = 0;

std::mutex launch_mutex;  // one launch at a time: __shared__ statics have one copy

// The scheduler's stack, as ASan needs it to switch back (learnt by the first fiber to start).
thread_local const void* scheduler_stack = nullptr;
thread_local size_t scheduler_stack_size = 0;
// The scheduler writes the built-in indices (per host thread) before each switch into a fiber:
// the fiber acquires this token on resuming, so that write happens before its reads.
thread_local char switch_token;
thread_local bool in_fiber = false;

void announce_release(const void* barrier);
void announce_acquire(const void* barrier);

void after_switch(void* fake) {
#if KGEN_EMULATION_ASAN
    const void* bottom = nullptr;
    size_t size = 0;
    __sanitizer_finish_switch_fiber(fake, &bottom, &size);
    if (in_fiber && scheduler_stack == nullptr) {
        scheduler_stack = bottom;
        scheduler_stack_size = size;
    }
#else
    (void)fake;
#endif
    if (in_fiber) announce_acquire(&switch_token);
}

// Switches from the running context to `to`; `leaving` when the running fiber has returned.
void switch_to(ucontext_t* from, ucontext_t* to, void* to_tsan, const void* to_stack, size_t to_size,
               bool to_fiber, bool leaving = false) {
    if (to_fiber) announce_release(&switch_token);
#if KGEN_EMULATION_TSAN
    __tsan_switch_to_fiber(to_tsan, __tsan_switch_to_fiber_no_sync);
#else
    (void)to_tsan;
#endif
    void* fake = nullptr;
#if KGEN_EMULATION_ASAN
    __sanitizer_start_switch_fiber(leaving ? nullptr : &fake, to_stack, to_size);
#else
    (void)to_stack;
    (void)to_size;
    (void)leaving;
#endif
    in_fiber = to_fiber;
    swapcontext(from, to);
    in_fiber = !to_fiber;
    after_switch(fake);
}

// Back to the block's scheduler from the running fiber.
void yield_to_scheduler(bool leaving = false) {
    Block& b = *current_block;
    Fiber& f = b.fibers[current_thread];
    switch_to(&f.context, &b.scheduler, b.scheduler_tsan, scheduler_stack, scheduler_stack_size, false, leaving);
}

void announce_release(const void* barrier) {
#if KGEN_EMULATION_TSAN
    __tsan_release(const_cast<void*>(barrier));
#else
    (void)barrier;
#endif
}

void announce_acquire(const void* barrier) {
#if KGEN_EMULATION_TSAN
    __tsan_acquire(const_cast<void*>(barrier));
#else
    (void)barrier;
#endif
}

void fiber_main() {
    Block& b = *current_block;
    const unsigned t = current_thread;
    (void)t;
    after_switch(nullptr);
    announce_acquire(&b);  // everything the host wrote before the launch
    b.body(b.launch);
    // A thread that returns stops counting at barriers, as on the GPU; it may complete one.
    Block& done = *current_block;
    Fiber& f = done.fibers[current_thread];
    Warp& w = done.warps[current_thread / 32];
    f.state = Fiber::kDone;
    announce_release(&done);
    --w.alive;
    if (w.arrived > 0 && w.arrived == w.alive) {
        w.arrived = 0;
        ++w.generation;
    }
    --done.alive;
    if (done.arrived > 0 && done.arrived == done.alive) {
        done.arrived = 0;
        ++done.generation;
    }
    yield_to_scheduler(true);
}

// The order blocks run in: KGEN_EMULATION_BLOCK_ORDER = forward (default), reverse, or shuffle
// (seeded by KGEN_EMULATION_SEED), so a kernel that depends on block order fails.
std::vector<unsigned> block_order(unsigned count) {
    std::vector<unsigned> order(count);
    std::iota(order.begin(), order.end(), 0u);
    const char* mode = std::getenv("KGEN_EMULATION_BLOCK_ORDER");
    if (mode && std::strcmp(mode, "reverse") == 0) std::reverse(order.begin(), order.end());
    if (mode && std::strcmp(mode, "shuffle") == 0) {
        const char* seed = std::getenv("KGEN_EMULATION_SEED");
        std::mt19937_64 random(seed ? std::strtoull(seed, nullptr, 10) : 1);
        std::shuffle(order.begin(), order.end(), random);
    }
    return order;
}

bool released(const Block& b, const Fiber& f, unsigned t) {
    switch (f.state) {
        case Fiber::kRunnable: return true;
        case Fiber::kAtBlockBarrier: return b.generation != f.barrier_generation;
        case Fiber::kAtWarpBarrier: return b.warps[t / 32].generation != f.barrier_generation;
        default: return false;
    }
}

// Fiber stacks, allocated once per host thread and reused by every block (not zeroed: a stack
// needs no initial contents, and zeroing megabytes per block would dominate the run time).
thread_local std::vector<std::unique_ptr<char[]>> stacks;

char* stack_of(unsigned t) {
    while (stacks.size() <= t) stacks.emplace_back(new char[kFiberStack]);
    return stacks[t].get();
}

void run_block(Block& b) {
    const unsigned threads = (unsigned)b.fibers.size();
    getcontext(&b.scheduler);
#if KGEN_EMULATION_TSAN
    b.scheduler_tsan = __tsan_get_current_fiber();
#endif
    announce_release(&b);
    for (unsigned t = 0; t < threads; ++t) {
        Fiber& f = b.fibers[t];
        f.stack = stack_of(t);
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack;
        f.context.uc_stack.ss_size = kFiberStack;
        f.context.uc_link = nullptr;
        makecontext(&f.context, fiber_main, 0);
#if KGEN_EMULATION_TSAN
        f.tsan_fiber = __tsan_create_fiber(0);
#endif
    }
    // Round robin over the fibers that can run, until every one has returned.
    for (unsigned done = 0; done < threads;) {
        bool progressed = false;
        done = 0;
        for (unsigned t = 0; t < threads; ++t) {
            Fiber& f = b.fibers[t];
            if (f.state == Fiber::kDone) {
                ++done;
                continue;
            }
            if (!released(b, f, t)) continue;
            if (f.state != Fiber::kRunnable) {
                f.state = Fiber::kRunnable;
            }
            // The built-in indices are per host thread: set them for the fiber about to run.
            current_thread = t;
            threadIdx = dim3(t % b.block.x, t / b.block.x % b.block.y, t / (b.block.x * b.block.y));
            blockIdx = b.at;
            blockDim = b.block;
            gridDim = b.grid;
            switch_to(&b.scheduler, &f.context, f.tsan_fiber, f.stack, kFiberStack, true);
            progressed = true;
        }
        if (!progressed && done < threads) {
            std::fprintf(stderr, "kgen emulation: deadlock in block (%u, %u, %u): threads wait at a barrier that "
                                 "others never reach\n", b.at.x, b.at.y, b.at.z);
            std::abort();
        }
    }
    announce_acquire(&b);
#if KGEN_EMULATION_TSAN
    for (Fiber& f : b.fibers) __tsan_destroy_fiber(f.tsan_fiber);
#endif
}

// Waits at a barrier of `alive` threads: the last to arrive opens it for all.
void wait_at(Fiber::State kind, unsigned& arrived, unsigned alive, uint64_t& generation, const void* barrier) {
    Block& b = *current_block;
    Fiber& f = b.fibers[current_thread];
    announce_release(barrier);
    f.barrier_generation = generation;
    if (++arrived == alive) {
        arrived = 0;
        ++generation;
    } else {
        f.state = kind;
        yield_to_scheduler();
    }
    announce_acquire(barrier);
}

}  // namespace

void sync_block() {
    Block& b = *current_block;
    wait_at(Fiber::kAtBlockBarrier, b.arrived, b.alive, b.generation, &b.generation);
}

void sync_warp() {
    Warp& w = current_block->warps[current_thread / 32];
    wait_at(Fiber::kAtWarpBarrier, w.arrived, w.alive, w.generation, &w);
}

unsigned lane_id() { return current_thread % 32; }

uint64_t exchange(uint64_t mine, unsigned lane) {
    Warp& w = current_block->warps[current_thread / 32];
    w.slots[lane_id()] = mine;
    sync_warp();  // every lane has offered its word
    const uint64_t theirs = w.slots[lane % 32];
    sync_warp();  // every lane has read before any lane offers again
    return theirs;
}

void gather(const uint32_t* mine, int count, uint32_t* all) {
    Warp& w = current_block->warps[current_thread / 32];
    std::copy(mine, mine + count, w.board + lane_id() * (unsigned)count);
    sync_warp();  // every lane has offered its words
    std::copy(w.board, w.board + 32 * count, all);
    sync_warp();  // every lane has read before any lane offers again
}

AsyncCopies& async_copies() { return current_block->fibers[current_thread].async; }

void misaligned_copy(const void* dst, const void* src, int bytes) {
    std::fprintf(stderr, "kgen emulation: cp.async of %d bytes from %p to %p: an address is not %d-byte aligned\n",
                 bytes, src, dst, bytes);
    std::abort();
}

void run_grid(dim3 grid, dim3 block, void* launch, BlockBody body) {
    std::lock_guard<std::mutex> one_launch(launch_mutex);
    const unsigned threads = block.x * block.y * block.z;
    const unsigned blocks = grid.x * grid.y * grid.z;
    Block* outer = current_block;
    const unsigned outer_thread = current_thread;
    for (unsigned index : block_order(blocks)) {
        Block b;
        b.fibers = std::vector<Fiber>(threads);
        b.warps = std::vector<Warp>((threads + 31) / 32);
        for (unsigned w = 0; w < b.warps.size(); ++w) b.warps[w].alive = std::min(32u, threads - 32 * w);
        b.alive = threads;
        b.launch = launch;
        b.body = body;
        b.grid = grid;
        b.block = block;
        b.at = dim3(index % grid.x, index / grid.x % grid.y, index / (grid.x * grid.y));
        current_block = &b;
        run_block(b);
    }
    current_block = outer;
    current_thread = outer_thread;
}

}  // namespace kgen_emulation
