"""PyTorch side of the FID benchmarks (docs/benchmarks.md, "## FID"); run with Debian's /usr/bin/python3.
bench/fid/run.sh interleaves it with `gansdp-bench fid-speed`.

  bench_fid_torch.py inception [batch=8] [reps=3] [size=32] [threads=1]
      pytorch-fid's network (inception_fid_oracle.py: torchvision's Inception-v3 with the FID blocks, random weights)
      on a batch of random 3 x size x size images in [0, 1], pytorch-fid's preprocessing (bilinear resize to 299,
      2x - 1), 2048-d features, no_grad, eval mode; one warm-up pass, then reps timed passes.
      Prints "RESULT fid-speed pytorch MEDIAN BEST" in images/s, like the C# arms.
  bench_fid_torch.py frechet [d=2048] [reps=3]
      pytorch-fid's scipy.linalg.sqrtm formula on two d-dimensional Gaussians.
"""
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Ml.GanSdp.Tests", "Oracles"))
import inception_fid_oracle as oracle  # noqa: E402
import metrics_oracle  # noqa: E402

mode = sys.argv[1] if len(sys.argv) > 1 else "inception"
arg = lambda i, d: int(sys.argv[i]) if len(sys.argv) > i else d  # noqa: E731
if mode == "inception":
    batch, reps, size, threads = arg(2, 8), arg(3, 3), arg(4, 32), arg(5, 1)
    torch.set_num_threads(threads)
    print("THREADS intra=%d" % torch.get_num_threads())
    model = oracle.fid_inception_v3().eval()
    torch.manual_seed(0)
    images = torch.rand(batch, 3, size, size)

    def features():
        with torch.no_grad():
            return oracle.blocks(model, images)[3].flatten(1)

    features()
    rates = []
    for _ in range(reps):
        t = time.perf_counter()
        n = features().shape[0]
        rates.append(n / (time.perf_counter() - t))
    print(f"RESULT fid-speed pytorch {sorted(rates)[len(rates) // 2]:.3f} {max(rates):.3f}")
elif mode == "frechet":
    d, reps = arg(2, 2048), arg(3, 3)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2 * d, d))
    b = rng.standard_normal((2 * d, d)) @ (rng.standard_normal((d, d)) / np.sqrt(d)) + 0.1
    mu1, s1, mu2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        value = metrics_oracle.frechet_distance_sqrtm(mu1, s1, mu2, s2)
        times.append(time.perf_counter() - t)
    print(f"scipy sqrtm frechet: d = {d}, value {value!r}, best {min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s")
else:
    raise SystemExit(f"unknown mode {mode}")
