package io.kgen;

/**
 * What a scan of a matrix's values found: how many entries are bad (NaN, infinite, or below the
 * scan's lower bound), the first bad index (-1 when none) and the sum of all entries.
 */
record ValueScan(long bad, long first, double sum) {
    boolean clean() {
        return bad == 0;
    }
}
