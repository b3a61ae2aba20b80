#!/usr/bin/env python3
"""Summarizes a bench/run.sh results file as Markdown and rewrites its own sections of docs/benchmarks.md.

Owned sections (replaced on every run): "## DCGAN training step", "## Thread settings", "## Per-call overhead".
Every other "## " section of the document is kept as it is.
"""
import argparse
import csv
import os
import platform
import re
import statistics
import subprocess
import time
from collections import defaultdict

OWNED = ("DCGAN training step", "Thread settings", "Per-call overhead")


def med(xs):
    return statistics.median(xs)


def spread(xs, fmt):
    return f"{fmt.format(med(xs))} [{fmt.format(min(xs))}–{fmt.format(max(xs))}]"


def machine(loads, python):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    torch_v = subprocess.run([python, "-c", "import torch;print(torch.__version__, torch.get_num_threads())"],
                             capture_output=True, text=True).stdout.split()
    return (f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}; "
            f"PyTorch {torch_v[0] if torch_v else '?'} (Debian python3-torch, same libtorch as the shim; "
            f"its default intra-op threads here: {torch_v[1] if len(torch_v) > 1 else '?'}); "
            f"1-min load average during the run: median {med(loads):.1f}, min {min(loads):.1f}, max {max(loads):.1f}")


def sections(rows, command, python, results_path):
    by = defaultdict(lambda: defaultdict(dict))  # by[(bench, setting)][lang][block] = value
    loads = []
    for r in rows:
        by[(r["bench"], r["setting"])][r["lang"]][int(r["block"])] = float(r["value"])
        loads.append(float(r["load1"]))
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(results_path)))
    head = (f"Command: `{command}` — {stamp}, raw numbers in `{results_path}`.\n\n"
            f"Machine: {machine(loads, python)}.\n")

    def row(bench, setting, fmt):
        cs, py = by[(bench, setting)]["cs"], by[(bench, setting)]["py"]
        paired = [cs[b] / py[b] for b in cs if b in py]
        return (list(cs.values()), list(py.values()), paired,
                f"{spread(list(cs.values()), fmt)} | {spread(list(py.values()), fmt)} | "
                f"{med(cs.values()) / med(py.values()):.3f} | {spread(paired, '{:.3f}')}")

    settings = [s for (b, s) in by if b == "dcgan"]
    blocks = max((len(by[("dcgan", s)]["cs"]) for s in settings), default=0)
    label = {"default": "defaults (C#: library default; PyTorch: its own)"}

    out = {}
    # DCGAN headline: the library default against PyTorch out of the box, and against PyTorch with the same setting.
    lines = ["## DCGAN training step", "",
             "One step = D step (real batch + detached fake batch, BCE-with-logits) + G step (non-saturating), "
             "Adam(2e-4, 0.5, 0.999), batch 64, 1x32x32 DCGAN (nz=100, ngf=ndf=64, bias-free convs), random inputs. "
             "Models defined in `bench/Ml.GanSdp.Bench/Program.cs` and `bench/dcgan_step.py` (same structure). "
             f"Each cell: median [min–max] over {blocks} blocks; each block is a fresh process that runs the warm-up "
             "steps and then reports the mean over its timed steps. C# and PyTorch blocks alternate. "
             "Ratio = median(C#) / median(PyTorch); paired = per-block C#/PyTorch ratio of adjacent blocks.", "",
             head,
             "| setting (intra-op x OpenBLAS threads) | C# ms/step | PyTorch ms/step | ratio ours/PyTorch | paired ratio |",
             "|---|---|---|---|---|"]
    for s in settings:
        lines.append(f"| {label.get(s, s)} | {row('dcgan', s, '{:.1f}')[3]} |")
    out["DCGAN training step"] = "\n".join(lines) + "\n"

    # Thread settings: rank by C# median.
    ranked = sorted((s for s in settings if s != "default"), key=lambda s: med(by[("dcgan", s)]["cs"].values()))
    lines = ["## Thread settings", "",
             "libtorch intra-op (OpenMP) threads x OpenBLAS threads. C#: `torch.set_num_threads(n)` and "
             "`torch.set_blas_threads(m)`; PyTorch: `torch.set_num_threads(n)` and `OPENBLAS_NUM_THREADS=m`. "
             "Same run as the DCGAN table above (rows sorted by the C# median, fastest first).", "",
             "| intra-op | OpenBLAS | C# ms/step | PyTorch ms/step | ratio ours/PyTorch | paired ratio |",
             "|---|---|---|---|---|---|"]
    for s in ranked:
        i, b = s.split("x")
        lines.append(f"| {i} | {b} | {row('dcgan', s, '{:.1f}')[3]} |")
    if ranked:
        py_best = min(ranked, key=lambda s: med(by[("dcgan", s)]["py"].values()))
        lines += ["", f"Fastest in this run: C# `{ranked[0]}`, PyTorch `{py_best}` (intra x OpenBLAS). "
                  "The library default is set in `src/Ml.GanSdp/Torch/Threading.cs` (see \"Thread default\" below)."]
    out["Thread settings"] = "\n".join(lines) + "\n"

    lines = ["## Per-call overhead", "",
             "Where the binding itself costs time. `a + b`: `c = a + b` on 1-element float tensors (ADD_N calls after "
             "20000 warm-up calls, ns/call); C# disposes each result at once (`using var c = a + b;`: P/Invoke, "
             "SafeHandle, native `at::Tensor` wrap and free), Python drops it by rebinding. Tiny DCGAN: the DCGAN step "
             "above with batch 4 and ngf = ndf = 4 (TINY_STEPS steps after 20 warm-up steps, ms/step), where the "
             "arithmetic is negligible and the time is mostly per-op overhead (dispatch, autograd bookkeeping, "
             "binding or interpreter). Intra-op 1, OpenBLAS 1. Median [min–max] over alternating blocks, same run as above.", "",
             "| benchmark | C# | PyTorch | ratio ours/PyTorch | paired ratio |",
             "|---|---|---|---|---|"]
    for key, name, fmt in (("addcall", "`a + b` (ns/call)", "{:.0f}"), ("dcgantiny", "tiny DCGAN step (ms/step)", "{:.2f}")):
        if (key, "1x1") in by:
            lines.append(f"| {name} | {row(key, '1x1', fmt)[3]} |")
    out["Per-call overhead"] = "\n".join(lines) + "\n"
    return out


def update_docs(path, new):
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\nProduced by `make bench` (`bench/run.sh`) unless a section says otherwise.\n"
    parts = re.split(r"(?m)^(?=## )", text)
    preamble, body = parts[0], parts[1:]
    seen = set()
    result = [preamble if preamble.endswith("\n\n") else preamble.rstrip("\n") + "\n\n"]
    for p in body:
        title = p.splitlines()[0][3:].strip()
        if title in new:
            result.append(new[title] + "\n")
            seen.add(title)
        else:
            result.append(p if p.endswith("\n\n") else p.rstrip("\n") + "\n\n")
    for t in OWNED:
        if t in new and t not in seen:
            result.append(new[t] + "\n")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write("".join(result).rstrip("\n") + "\n")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--command", default="make bench")
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--docs")
    a = p.parse_args()
    with open(a.results) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    new = sections(rows, a.command, a.python, a.results)
    print()
    for t in OWNED:
        if t in new:
            print(new[t])
    if a.docs:
        update_docs(a.docs, new)
        print(f"updated {a.docs}")


if __name__ == "__main__":
    main()
