package io.kgen;

/**
 * How a sharded engine ({@link Engine#sharded}) divides a reduction among its shards: always into
 * contiguous blocks, one per shard, in shard order.
 */
public enum ShardSplit {
    /**
     * Each shard takes a block of the queries against all the data. Every query is reduced exactly
     * as one engine reduces it, so the results are bit-identical to one engine's on the same
     * backend (leave-one-out sums go through partial states: within float rounding). Each shard
     * reads the whole data.
     */
    QUERIES,
    /**
     * Each shard takes a block of the data rows against all the queries; their partial states
     * merge in shard order (MATH.md section 1: exact up to float rounding). For data larger than
     * one device. The same shards give the same bits on every run; against one engine, results
     * agree within float rounding (relative 1e-5).
     */
    DATA
}
