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
            f"PyTorch {torch_v[0] if torch_v else '?'} (Debian python3-torch; TorchSharp 0.107 runs libtorch 2.10; "
            f"its default intra-op threads here: {torch_v[1] if len(torch_v) > 1 else '?'}); "
            f"1-min load average during the run: median {med(loads):.1f}, min {min(loads):.1f}, max {max(loads):.1f}")


def sections(rows, command, python, results_path):
    by = defaultdict(lambda: defaultdict(dict))  # by[(bench, setting)][arm][block] = value
    loads = []
    for r in rows:
        by[(r["bench"], r["setting"])][r["lang"]][int(r["block"])] = float(r["value"])
        loads.append(float(r["load1"]))
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(os.path.getmtime(results_path)))
    head = (f"Command: `{command}` — {stamp}, raw numbers in `{results_path}`.\n\n"
            f"Machine: {machine(loads, python)}.\n")

    def cell(bench, setting, arm, fmt):
        xs = list(by[(bench, setting)][arm].values())
        return spread(xs, fmt) if xs else "–"

    def ratio(bench, setting, num, den):
        a, b = by[(bench, setting)][num], by[(bench, setting)][den]
        if not a or not b:
            return "–", "–"
        paired = [a[k] / b[k] for k in a if k in b]
        return f"{med(a.values()) / med(b.values()):.3f}", spread(paired, "{:.3f}")

    settings = [s for (b, s) in by if b == "dcgan"]
    ab_settings = [s for (b, s) in by if b == "ab"]
    blocks = max((len(by[("dcgan", s)]["lib"]) for s in settings), default=0)
    label = {"default": "defaults (C#: library default; PyTorch: its own)"}

    out = {}
    lines = ["## DCGAN training step", "",
             "One iteration of the trainer's schedule: D step (real batch from a pool of 1,024 images, fakes without "
             "gradient, BCE-with-logits) + G step (D frozen, fresh latents, non-saturating loss), Adam(2e-4, 0.5, 0.999), "
             "batch 64, 1x32x32 DCGAN (nz=100, ngf=ndf=64, bias-free convs). Arms: **lib** = Ml.GanSdp "
             "(`GanTrainer.TrainIteration`, `gansdp-bench step arm=lib`), **raw** = the same loop in plain TorchSharp "
             "(`arm=raw`, no library code), **py** = the same loop in PyTorch 1.13 (`bench/dcgan_step.py`). "
             f"Each cell: median [min–max] over {blocks} blocks; each block is a fresh process that runs the warm-up "
             "steps and then reports the mean over its timed steps; the arms' order rotates every round. "
             "lib/raw = the library's overhead over TorchSharp (target <= 1.03); py/lib = speed-up over PyTorch "
             "(target >= 1.4); paired = the per-round ratio of the two blocks.", "",
             head,
             "| setting (intra-op threads) | lib ms/step | raw ms/step | py ms/step | lib/raw | lib/raw paired | py/lib | py/lib paired |",
             "|---|---|---|---|---|---|---|---|"]
    for s in settings:
        o, op = ratio("dcgan", s, "lib", "raw")
        p, pp = ratio("dcgan", s, "py", "lib")
        lines.append(f"| {label.get(s, s)} | {cell('dcgan', s, 'lib', '{:.1f}')} | {cell('dcgan', s, 'raw', '{:.1f}')} | "
                     f"{cell('dcgan', s, 'py', '{:.1f}')} | {o} | {op} | {p} | {pp} |")
    if ab_settings:
        lines += ["",
                  "lib/raw measured in one process (`gansdp-bench step-ab`: both arms built side by side, timed in "
                  "interleaved blocks whose order alternates, so a load change hits both alike; wall and process CPU time "
                  "per step): median [min–max] of the per-block ratios.", "",
                  "| setting (intra-op threads) | blocks | lib/raw wall | lib/raw CPU |",
                  "|---|---|---|---|"]
        for s in ab_settings:
            wall = list(by[("ab", s)]["wall"].values())
            cpu = list(by[("ab", s)]["cpu"].values())
            lines.append(f"| {label.get(s, s)} | {len(wall)} | {spread(wall, '{:.3f}')} | {spread(cpu, '{:.3f}')} |")
    out["DCGAN training step"] = "\n".join(lines) + "\n"

    ranked = sorted((s for s in settings if s != "default"), key=lambda s: med(by[("dcgan", s)]["lib"].values()))
    lines = ["## Thread settings", "",
             "libtorch intra-op threads: C# `torch.set_num_threads(n)` (libtorch 2.10 runs MKL under OpenMP), PyTorch "
             "`torch.set_num_threads(n)` and `OPENBLAS_NUM_THREADS=n` (Debian's PyTorch uses OpenBLAS). Same run as the "
             "table above, rows sorted by the library's median, fastest first. The default and its measurement with a "
             "busy core: docs/threads.md.", "",
             "| intra-op | lib ms/step | raw ms/step | py ms/step |",
             "|---|---|---|---|"]
    for s in ranked:
        lines.append(f"| {s} | {cell('dcgan', s, 'lib', '{:.1f}')} | {cell('dcgan', s, 'raw', '{:.1f}')} | {cell('dcgan', s, 'py', '{:.1f}')} |")
    out["Thread settings"] = "\n".join(lines) + "\n"

    lines = ["## Per-call overhead", "",
             "`a + b`: `c = a + b` on 1-element float tensors (ADD_N calls after 20000 warm-up calls, ns/call); C# "
             "disposes each result at once, Python drops it by rebinding. Tiny DCGAN: the iteration above with batch 4 "
             "and ngf = ndf = 4 (TINY_STEPS steps after TINY_WARMUP warm-up steps, ms/step), where the arithmetic is negligible "
             "and the time is per-op overhead. One intra-op thread. Median [min–max] over blocks, same run as above.", "",
             "| benchmark | lib | raw (C#) | py | lib/raw | py/lib |",
             "|---|---|---|---|---|---|"]
    if ("addcall", "1") in by:
        p, _ = ratio("addcall", "1", "py", "cs")
        lines.append(f"| `a + b` (ns/call) | – | {cell('addcall', '1', 'cs', '{:.0f}')} | {cell('addcall', '1', 'py', '{:.0f}')} | – | py/C# {p} |")
    if ("dcgantiny", "1") in by:
        o, _ = ratio("dcgantiny", "1", "lib", "raw")
        p, _ = ratio("dcgantiny", "1", "py", "lib")
        lines.append(f"| tiny DCGAN step (ms/step) | {cell('dcgantiny', '1', 'lib', '{:.2f}')} | {cell('dcgantiny', '1', 'raw', '{:.2f}')} | "
                     f"{cell('dcgantiny', '1', 'py', '{:.2f}')} | {o} | {p} |")
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
