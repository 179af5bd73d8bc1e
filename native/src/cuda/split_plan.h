// How the data rows of a pairwise reduction are split across blocks (blockIdx.y) when the
// queries alone cannot fill the GPU; a second pass then merges the per-split states. Shared by
// the kernel sums and the kernel-free pairwise reductions.
#pragma once

#include <algorithm>
#include <cstdint>

namespace kgen {

// The most splits of one reduction: the combine pass keeps one factor per split in shared memory.
constexpr int kMaxSplits = 64;

struct SplitPlan {
    int splits;              // blocks along the data
    int64_t rows_per_split;  // a whole number of tiles; the last split may hold fewer rows
};

// Plans in whole waves. A wave is the blocks the GPU runs at once (wave_blocks: SMs x resident
// blocks per SM, which the occupancy API gives for the kernel), and a grid of query_blocks x
// splits blocks takes about (its waves) x (rows per block): a grid of 1.1 waves costs as much as
// one of 2. The plan takes the split count with the least such product, the fewest splits among
// equals (each split adds a state per query to the combine pass). Each split holds at least two
// tiles of tile_rows rows; at most max_splits (<= kMaxSplits; a caller lowers it to bound its
// workspace).
inline SplitPlan plan_splits(int64_t query_blocks, int64_t n, int64_t tile_rows, int64_t wave_blocks,
                             int64_t max_splits = kMaxSplits) {
    const int64_t wave = std::max<int64_t>(wave_blocks, 1);
    const int64_t most = std::max<int64_t>(std::min<int64_t>({max_splits, kMaxSplits, n / (2 * tile_rows)}), 1);
    SplitPlan best{1, 0};
    int64_t best_cost = -1;
    for (int64_t s = 1; s <= most; ++s) {
        const int64_t tiles = ((n + s - 1) / s + tile_rows - 1) / tile_rows;
        const int64_t rows = tiles * tile_rows;
        const int64_t splits = (n + rows - 1) / rows;
        const int64_t waves = (query_blocks * splits + wave - 1) / wave;
        const int64_t cost = waves * tiles;
        if (best_cost < 0 || cost < best_cost) {
            best_cost = cost;
            best = SplitPlan{(int)splits, rows};
        }
    }
    return best;
}

}  // namespace kgen
