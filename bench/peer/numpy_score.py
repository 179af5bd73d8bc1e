#!/usr/bin/env python3
"""NumPy peer for io.kgen.bench.CpuBench: the Gaussian score of queries x against data y at
bandwidth h, w = softmax(logits); score = (w @ y - x) / h^2, in float32 (NumPy's BLAS does the
products) and once in float64 as the reference both sides are measured against.

    python3 bench/peer/numpy_score.py x.npy y.npy H --repeats 3 --out score32.npy --reference score64.npy

Prints the median and the best float32 time in ms as "ms <median> <min>", then the fraction of
weights below 1e-12 of their row's largest as "negligible <fraction>". Queries go in blocks
of --block rows so the logits never take more than block x N floats.
"""
import argparse
import time

import numpy as np


def score(x, y, h, block):
    out = np.empty_like(x)
    y_norms = 0.5 * np.einsum("ij,ij->i", y, y)
    inv_h2 = x.dtype.type(1.0 / (h * h))
    for start in range(0, x.shape[0], block):
        xb = x[start:start + block]
        # In place, one block x N buffer; |x|^2 / 2 is constant per row: it cancels in the softmax.
        logits = xb @ y.T
        logits -= y_norms
        logits *= inv_h2
        logits -= logits.max(axis=1, keepdims=True)
        w = np.exp(logits, out=logits)
        mean = (w @ y) / w.sum(axis=1, keepdims=True)
        out[start:start + block] = (mean - xb) * inv_h2
    return out


def negligible_fraction(x, y, h, rows=100):
    """The fraction of weights below 1e-12 of their row's largest, over the first rows queries."""
    x = x[:rows].astype(np.float64)
    y = y.astype(np.float64)
    logits = (x @ y.T - 0.5 * np.einsum("ij,ij->i", y, y)) / (h * h)
    return float(np.mean(logits - logits.max(axis=1, keepdims=True) < np.log(1e-12)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("x")
    parser.add_argument("y")
    parser.add_argument("h", type=float)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--block", type=int, default=1000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--reference")
    args = parser.parse_args()
    x = np.load(args.x).astype(np.float32)
    y = np.load(args.y).astype(np.float32)
    score(x, y, args.h, args.block)  # warm-up
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        s = score(x, y, args.h, args.block)
        times.append((time.perf_counter() - start) * 1e3)
    np.save(args.out, s)
    if args.reference:
        # The float64 reference on the same float32 inputs.
        np.save(args.reference, score(x.astype(np.float64), y.astype(np.float64), args.h, 250))
    print("ms %.3f %.3f" % (float(np.median(times)), min(times)))
    print("negligible %.4f" % negligible_fraction(x, y, args.h))


if __name__ == "__main__":
    main()
