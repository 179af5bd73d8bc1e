#!/usr/bin/env python3
"""PyTorch peers for kgen's kernel-sum bench: the same shapes and bandwidths as
io.kgen.bench.KernelSumBench, the empirical score (softmax-weighted mean, then (MEAN - x) / h^2),
timed with CUDA events (median of --repeats after a warm-up) and checked against float64.

    python3 bench/peer/torch_kernel_sums.py --out peers.md

Methods: fp32 eager, TF32 matmul, torch.compile (fp32), and scaled_dot_product_attention in
fp16 and bf16 (logits a_ij = [x, 1] . [y, -|y|^2 / 2] / h^2 as one attention product).
Relative error: ||score - score64|| / ||score64|| over the first --check-rows queries.
"""
import argparse
import statistics

import torch
import torch.nn.functional as F

SHAPES = [(10000, 10000, 2), (50000, 50000, 16), (10000, 10000, 784), (10000, 60000, 784), (4096, 50000, 3072)]


def bandwidth(d):
    # The same rule as KernelSumBench: neither one-hot nor flat for N(0, I) data.
    return 0.05 if d == 2 else 0.5 * d ** 0.5


def score_matmul(x, y, h):
    logits = (x @ y.T - 0.5 * (y * y).sum(1)) / (h * h)  # |x|^2 cancels in the softmax
    mean = torch.softmax(logits, dim=1) @ y
    return (mean - x) / (h * h)


def score_sdpa(x, y, h, dtype):
    m, d = x.shape
    pad = (-(d + 1)) % 8  # head dimension a multiple of 8 for the fused kernels
    q = torch.cat([x, torch.ones(m, 1, device=x.device), torch.zeros(m, pad, device=x.device)], 1) / (h * h)
    k = torch.cat([y, -0.5 * (y * y).sum(1, keepdim=True), torch.zeros(y.shape[0], pad, device=y.device)], 1)
    v = y
    out = F.scaled_dot_product_attention(q[None, None].to(dtype), k[None, None].to(dtype), v[None, None].to(dtype),
                                         scale=1.0)
    return (out[0, 0].float() - x) / (h * h)


def reference(x, y, h, rows):
    x64, y64 = x[:rows].double(), y.double()
    return score_matmul(x64, y64, h)


def time_ms(fn, repeats):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--check-rows", type=int, default=256)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    assert torch.cuda.is_available(), "a CUDA device is needed"
    print("device:", torch.cuda.get_device_name(0), "torch", torch.__version__)
    gen = torch.Generator(device="cuda").manual_seed(2026)
    rows = ["| shape (M, N, d) | method | ms (median) | pairs/s | rel. error vs float64 |", "|---|---|---|---|---|"]
    compiled = torch.compile(score_matmul)
    for m, n, d in SHAPES:
        x = torch.randn(m, d, device="cuda", generator=gen)
        y = torch.randn(n, d, device="cuda", generator=gen)
        h = bandwidth(d)
        ref = reference(x, y, h, args.check_rows)
        methods = [
            ("fp32 eager", lambda: score_matmul(x, y, h), False),
            ("TF32", lambda: score_matmul(x, y, h), True),
            ("torch.compile fp32", lambda: compiled(x, y, h), False),
            ("SDPA fp16", lambda: score_sdpa(x, y, h, torch.float16), False),
            ("SDPA bf16", lambda: score_sdpa(x, y, h, torch.bfloat16), False),
        ]
        for name, fn, tf32 in methods:
            torch.backends.cuda.matmul.allow_tf32 = tf32
            try:
                ms = time_ms(fn, args.repeats)
                out = fn()[: args.check_rows].double()
                err = ((out - ref).norm() / ref.norm()).item()
                row = f"| ({m}, {n}, {d}) | {name} | {ms:.3f} | {m * n / (ms / 1e3):.3e} | {err:.1e} |"
            except (RuntimeError, torch.cuda.OutOfMemoryError) as e:  # a shape that does not fit is an entry
                row = f"| ({m}, {n}, {d}) | {name} | failed: {str(e).splitlines()[0][:80]} | | |"
                torch.cuda.empty_cache()
            print(row, flush=True)
            rows.append(row)
        torch.backends.cuda.matmul.allow_tf32 = False
    table = "\n".join(rows) + "\n"
    print()
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
