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

// Enough blocks (query_blocks x splits) to reach wanted_blocks, each split at least two tiles of
// tile_rows rows, at most max_splits (<= kMaxSplits; a caller lowers it to bound its workspace).
inline SplitPlan plan_splits(int64_t query_blocks, int64_t n, int64_t tile_rows, int64_t wanted_blocks,
                             int64_t max_splits = kMaxSplits) {
    int64_t splits = (wanted_blocks + query_blocks - 1) / query_blocks;
    splits = std::min<int64_t>({splits, max_splits, kMaxSplits, n / (2 * tile_rows)});
    splits = std::max<int64_t>(splits, 1);
    int64_t rows = (n + splits - 1) / splits;
    rows = (rows + tile_rows - 1) / tile_rows * tile_rows;
    return SplitPlan{(int)((n + rows - 1) / rows), rows};
}

}  // namespace kgen
