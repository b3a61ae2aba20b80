#!/usr/bin/env python3
"""PyTorch arm of bench/run.sh: the DCGAN training iteration of `gansdp-bench step` (bench/Ml.GanSdp.Bench/
DcganStepBench.cs), in PyTorch 1.13 (Debian's python3-torch).

  dcgan_step.py dcgan   [--threads N|default] [--warmup W] [--steps S] [--batch B] [--width W]
  dcgan_step.py addcall [--n N] [--warmup W]

The iteration is the trainer's schedule: D step (a real batch drawn from a pool of 1,024 images, fakes generated
without gradient, BCE-with-logits, Adam step on D), then G step (D's parameters frozen, fresh latent codes,
non-saturating loss, Adam step on G). OpenBLAS threads follow --threads (OPENBLAS_NUM_THREADS is set by the caller;
it is read when libopenblas loads).
Output: "THREADS intra=<n>" and "RESULT <bench> py <value>" (ms/step, or ns/call).
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

NZ = 100


def generator(ngf):
    return nn.Sequential(
        nn.ConvTranspose2d(NZ, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(),
        nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias=False), nn.Tanh())


def discriminator(ndf):
    return nn.Sequential(
        nn.Conv2d(1, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False))


def weights_init(m):
    # pytorch/examples' DCGAN initialization.
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


POOL = 1024


def dcgan(warmup, steps, batch, width):
    torch.manual_seed(7)
    g, d = generator(width), discriminator(width)
    g.apply(weights_init)
    d.apply(weights_init)
    d_params = list(d.parameters())
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d_params, lr=2e-4, betas=(0.5, 0.999))
    pool = torch.rand(POOL, 1, 32, 32, generator=torch.Generator().manual_seed(3)) * 2 - 1
    data_rng = torch.Generator().manual_seed(7)
    noise_rng = torch.Generator().manual_seed(8)
    ones, zeros = torch.ones(batch), torch.zeros(batch)
    loss_sum = 0.0

    def step(read):
        nonlocal loss_sum
        # D step: a real batch from the pool, fakes without gradient.
        real = pool.index_select(0, torch.randint(0, POOL, (batch,), generator=data_rng))
        with torch.no_grad():
            fake = g(torch.randn(batch, NZ, 1, 1, generator=noise_rng))
        loss_d = (F.binary_cross_entropy_with_logits(d(real).view(-1), ones)
                  + F.binary_cross_entropy_with_logits(d(fake).view(-1), zeros))
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        # G step: D frozen, fresh latent codes, non-saturating loss.
        for p in d_params:
            p.requires_grad_(False)
        fake_g = g(torch.randn(batch, NZ, 1, 1, generator=noise_rng))
        loss_g = F.binary_cross_entropy_with_logits(d(fake_g).view(-1), ones)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        for p in d_params:
            p.requires_grad_(True)
        if read:
            loss_sum += loss_d.item() + loss_g.item()

    for _ in range(warmup):
        step(True)
    t0 = time.perf_counter()
    for _ in range(steps):
        step(False)
    elapsed = time.perf_counter() - t0
    assert loss_sum == loss_sum, "non-finite loss"
    return elapsed * 1e3 / steps


def addcall(n, warmup):
    a, b = torch.ones(1), torch.ones(1)
    for _ in range(warmup):
        c = a + b
    t0 = time.perf_counter()
    for _ in range(n):
        c = a + b
    del c
    return (time.perf_counter() - t0) * 1e9 / n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bench", choices=["dcgan", "addcall"])
    p.add_argument("--threads", default="default")
    p.add_argument("--warmup", type=int, default=None)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--width", type=int, default=64, help="ngf = ndf")
    a = p.parse_args()
    if a.threads != "default":
        torch.set_num_threads(int(a.threads))
    print(f"THREADS intra={torch.get_num_threads()}")
    if a.bench == "dcgan":
        print(f"RESULT dcgan py {dcgan(5 if a.warmup is None else a.warmup, a.steps, a.batch, a.width):.3f}")
    else:
        print(f"RESULT addcall py {addcall(a.n, 20_000 if a.warmup is None else a.warmup):.1f}")


if __name__ == "__main__":
    main()
