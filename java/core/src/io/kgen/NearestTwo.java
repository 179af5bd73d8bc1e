package io.kgen;

/**
 * Each query's two nearest data rows: distances (m x 2, ascending) and row indices (m x 2,
 * row-major; -1 where fewer than two rows exist, with distance +inf).
 */
public record NearestTwo(FloatMatrix distances, long[] indices) {}
