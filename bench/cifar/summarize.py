#!/usr/bin/env python3
"""Summarizes the CIFAR-10 SDP study (bench/cifar/run.sh) into docs/sdp-study/.

Reads every run folder RUNS/<setting>-<arm>-s<seed>/ (metrics.jsonl: the FD curve; final-fd.json: the final FD;
final-grid.png; report.html; options.json; final.json; diverged.txt) and writes, under DOCS (without final-fd.json,
the final FD is the curve's point at the last iteration):

  tables.md              per setting: final FD per seed and arm, mean +- SD per arm, the paired difference SDP - baseline
                         per seed with its mean, SD and a 95 % t interval; the curve's last and best FD; seconds per run
  fd-<setting>.svg       FD (ResNet18) against iterations: per arm the mean over seeds and the min/max band
  grids/<run>.png        the final generator's 64-image grid
  runs/<run>/report.html the run's report
  results.json           every number above, per run

Standard library only (no matplotlib): the SVG is written directly.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import sys

ARMS = ("baseline", "sdp")
ARM_LABEL = {"baseline": "baseline", "sdp": "SDP"}
ARM_COLOR = {"baseline": "#d62728", "sdp": "#1f77b4"}
SETTING_TITLE = {
    "standard": "standard: DCGAN, non-saturating, Adam 2e-4",
    "aggressive": "aggressive: WGAN-GP, Adam 1e-3, n_critic 5, no BN in D",
}
# two-sided 95 % quantiles of Student's t, by degrees of freedom
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def number(v):
    if isinstance(v, (int, float)):
        return float(v)
    if v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    return None


def read_curve(path):
    """(iteration, fd) pairs of metrics.jsonl; a last line cut short by a kill is left out."""
    curve = {}
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.endswith("\n"):
                break
            o = json.loads(line)
            if "fd" in o:
                curve[int(o["iteration"])] = number(o["fd"])
    return sorted(curve.items())


def read_run(runs, setting, arm, seed):
    name = f"{setting}-{arm}-s{seed}"
    d = os.path.join(runs, name)
    run = {"name": name, "setting": setting, "arm": arm, "seed": seed, "dir": d, "exists": os.path.isdir(d)}
    run["curve"] = read_curve(os.path.join(d, "metrics.jsonl"))
    run["final_fd"] = None
    run["final_samples"] = None
    if os.path.exists(os.path.join(d, "final-fd.json")):
        m = read_json(os.path.join(d, "final-fd.json"))
        run["final_fd"] = number(m.get("FrechetDistance"))
        run["final_samples"] = m.get("GeneratedSampleCount")
    run["seconds"] = None
    run["iterations"] = None
    run["resumed"] = False
    if os.path.exists(os.path.join(d, "final.json")):
        f = read_json(os.path.join(d, "final.json"))
        run["seconds"] = number(f.get("seconds_this_run"))
        run["iterations"] = f.get("iterations")
        run["resumed"] = f.get("resumed_from") is not None
    run["fd_samples"] = None
    run["options"] = None
    if os.path.exists(os.path.join(d, "options.json")):
        o = read_json(os.path.join(d, "options.json"))
        run["fd_samples"] = (o.get("Fd") or {}).get("Samples")
        t = o.get("Training") or {}
        sdp = t.get("Sdp") if t.get("UseSdp") else None
        run["options"] = {"iterations": t.get("Iterations"), "width": t.get("Width"), "latent": t.get("LatentSize"),
                          "loss": t.get("Loss"), "lr_g": t.get("GeneratorLearningRate"), "n_critic": t.get("DiscriminatorSteps"),
                          "d_batch_norm": t.get("DiscriminatorBatchNorm"), "regularizers": t.get("Regularizers"),
                          "sdp": None if sdp is None else {"t": sdp.get("Threshold"), "k0": sdp.get("InitialK"),
                                                           "I_p": sdp.get("Period"), "lambda": sdp.get("Lambda")}}
    # Without a separate final measurement (run.sh with FINAL_SAMPLES=0) the final FD is the curve's point at the
    # last iteration, on the curve's sample count.
    if run["final_fd"] is None and run["curve"] and run["options"] and run["curve"][-1][0] == run["options"]["iterations"]:
        run["final_fd"] = run["curve"][-1][1]
        run["final_samples"] = run["fd_samples"]
    run["diverged"] = None
    if os.path.exists(os.path.join(d, "diverged.txt")):
        with open(os.path.join(d, "diverged.txt"), encoding="utf-8") as f:
            run["diverged"] = f.read().strip()
    return run


def mean_sd(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return None, None, 0
    m = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else None
    return m, sd, len(values)


def fmt(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def fmt_signed(v, digits=2):
    return "-" if v is None else f"{v:+.{digits}f}"


def table(setting, runs, seeds):
    by = {(r["arm"], r["seed"]): r for r in runs}
    samples = sorted({r["final_samples"] for r in runs if r["final_samples"]})
    curve_samples = sorted({r["fd_samples"] for r in runs if r["fd_samples"]})
    iterations = sorted({r["options"]["iterations"] for r in runs if r["options"]})
    schedules = sorted({json.dumps(r["options"]["sdp"], sort_keys=True) for r in runs if r["options"] and r["options"]["sdp"]})
    lines = [f"### {SETTING_TITLE.get(setting, setting)}", ""]
    lines.append(f"{', '.join(f'{i:,}' for i in iterations)} iterations; SDP {'; '.join(schedules) or '-'}. "
                 f"Final FD (ResNet18) on {', '.join(f'{s:,}' for s in samples) or '?'} generated images against the "
                 "CIFAR-10 train statistics (lower is better); the curve's last and best points are on "
                 f"{', '.join(f'{s:,}' for s in curve_samples) or '?'} images.")
    lines.append("")
    lines.append("| seed | baseline | SDP | SDP - baseline | baseline curve last / best | SDP curve last / best | training minutes (baseline / SDP) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    diffs = []
    for seed in seeds:
        b, s = by.get(("baseline", seed)), by.get(("sdp", seed))

        def cell(r):
            if r is None or not r["exists"]:
                return "not run"
            if r["diverged"]:
                return "diverged"
            return fmt(r["final_fd"])

        def curve(r):
            if r is None or not r["curve"]:
                return "-"
            vals = [v for _, v in r["curve"] if v is not None and math.isfinite(v)]
            return f"{fmt(r['curve'][-1][1])} / {fmt(min(vals) if vals else None)}"

        def minutes(r):
            if not r or not r["seconds"]:
                return "-"
            return fmt(r["seconds"] / 60, 1) + ("*" if r["resumed"] else "")

        d = None
        if b and s and b["final_fd"] is not None and s["final_fd"] is not None:
            d = s["final_fd"] - b["final_fd"]
            diffs.append(d)
        lines.append(f"| {seed} | {cell(b)} | {cell(s)} | {fmt_signed(d)} | {curve(b)} | {curve(s)} | {minutes(b)} / {minutes(s)} |")
    mb, sb, nb = mean_sd([by[("baseline", x)]["final_fd"] for x in seeds if ("baseline", x) in by])
    ms, ss, ns = mean_sd([by[("sdp", x)]["final_fd"] for x in seeds if ("sdp", x) in by])
    md, sdd, nd = mean_sd(diffs)
    lines.append(f"| **mean +- SD** | **{fmt(mb)} +- {fmt(sb)}** (n={nb}) | **{fmt(ms)} +- {fmt(ss)}** (n={ns}) | "
                 f"**{fmt_signed(md)} +- {fmt(sdd)}** (n={nd}) | | | |")
    ci = None
    if nd >= 2 and sdd is not None:
        half = T975.get(nd - 1, 1.96) * sdd / math.sqrt(nd)
        ci = (md - half, md + half)
        lines.append("")
        lines.append(f"Paired difference SDP - baseline: mean {fmt_signed(md)}, SD {fmt(sdd)} over {nd} seeds, "
                     f"95 % t interval [{fmt_signed(ci[0])}, {fmt_signed(ci[1])}].")
    if any(r["resumed"] for r in runs):
        lines.append("")
        lines.append("\\* resumed from a checkpoint: minutes of the last process only.")
    lines.append("")
    return "\n".join(lines), {"baseline_mean": mb, "baseline_sd": sb, "sdp_mean": ms, "sdp_sd": ss,
                              "diff_mean": md, "diff_sd": sdd, "diff_n": nd, "diff_ci95": ci, "diffs": diffs}


def nice_step(span, target=6):
    raw = span / max(1, target)
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def svg_curves(setting, runs, path):
    """FD against iterations: per arm the mean over seeds (line) and the min/max band."""
    series = {}
    for arm in ARMS:
        points = {}
        for r in runs:
            if r["arm"] != arm:
                continue
            for it, v in r["curve"]:
                if v is not None and math.isfinite(v):
                    points.setdefault(it, []).append(v)
        series[arm] = sorted((it, statistics.fmean(v), min(v), max(v), len(v)) for it, v in points.items())
    all_pts = [p for s in series.values() for p in s]
    if not all_pts:
        return False
    w, h, left, right, top, bottom = 640, 400, 64, 150, 40, 48
    pw, ph = w - left - right, h - top - bottom
    x_max = max(p[0] for p in all_pts)
    y_lo = min(p[2] for p in all_pts)
    y_hi = max(p[3] for p in all_pts)
    xs = nice_step(x_max)
    x_max = math.ceil(x_max / xs) * xs
    ys = nice_step(y_hi - y_lo if y_hi > y_lo else 1)
    y_lo = math.floor(y_lo / ys) * ys
    y_hi = math.ceil(y_hi / ys) * ys
    if y_hi == y_lo:
        y_hi = y_lo + ys

    def X(v):
        return left + pw * v / x_max

    def Y(v):
        return top + ph * (1 - (v - y_lo) / (y_hi - y_lo))

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
         'font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{left}" y="22" font-size="14">FD (ResNet18) vs iteration - {SETTING_TITLE.get(setting, setting)}</text>']
    t = 0.0
    while t <= x_max + 1e-9:
        o.append(f'<line x1="{X(t):.1f}" y1="{top}" x2="{X(t):.1f}" y2="{top + ph}" stroke="#e5e5e5"/>')
        o.append(f'<text x="{X(t):.1f}" y="{top + ph + 16}" text-anchor="middle">{int(t):,}</text>')
        t += xs
    t = y_lo
    while t <= y_hi + 1e-9:
        o.append(f'<line x1="{left}" y1="{Y(t):.1f}" x2="{left + pw}" y2="{Y(t):.1f}" stroke="#e5e5e5"/>')
        o.append(f'<text x="{left - 6}" y="{Y(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
        t += ys
    o.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    o.append(f'<text x="{left + pw / 2}" y="{h - 8}" text-anchor="middle">generator iteration</text>')
    o.append(f'<text transform="translate(16 {top + ph / 2}) rotate(-90)" text-anchor="middle">FD (ResNet18), 1,000 images</text>')
    for i, arm in enumerate(ARMS):
        s = series[arm]
        if not s:
            continue
        c = ARM_COLOR[arm]
        band = [(X(p[0]), Y(p[3])) for p in s] + [(X(p[0]), Y(p[2])) for p in reversed(s)]
        o.append(f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in band)}" fill="{c}" fill-opacity="0.18" stroke="none"/>')
        o.append(f'<polyline points="{" ".join(f"{X(p[0]):.1f},{Y(p[1]):.1f}" for p in s)}" fill="none" stroke="{c}" stroke-width="2"/>')
        for p in s:
            o.append(f'<circle cx="{X(p[0]):.1f}" cy="{Y(p[1]):.1f}" r="2.5" fill="{c}"/>')
        n = max(p[4] for p in s)
        ly = top + 16 + 34 * i
        o.append(f'<rect x="{left + pw + 12}" y="{ly - 9}" width="18" height="10" fill="{c}" fill-opacity="0.25" stroke="{c}"/>')
        o.append(f'<text x="{left + pw + 36}" y="{ly}">{ARM_LABEL[arm]}</text>')
        o.append(f'<text x="{left + pw + 36}" y="{ly + 14}" font-size="10">mean, min-max of {n}</text>')
    o.append("</svg>")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(o) + "\n")
    os.replace(tmp, path)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True, help="the run folders' parent (run.sh's OUT)")
    ap.add_argument("--docs", required=True, help="output folder, e.g. docs/sdp-study")
    ap.add_argument("--settings", default="standard aggressive")
    ap.add_argument("--seeds", default="1 2 3")
    ap.add_argument("--no-copy", action="store_true", help="do not copy grids and reports")
    a = ap.parse_args()
    settings = a.settings.split()
    seeds = [int(s) for s in a.seeds.split()]
    os.makedirs(a.docs, exist_ok=True)
    out = ["<!-- generated by bench/cifar/summarize.py from the run folders; do not edit -->", ""]
    results = {"settings": {}, "runs": []}
    for setting in settings:
        runs = [read_run(a.runs, setting, arm, seed) for arm in ARMS for seed in seeds]
        runs = [r for r in runs if r["exists"]]
        if not runs:
            continue
        text, stats = table(setting, runs, seeds)
        out.append(text)
        if svg_curves(setting, runs, os.path.join(a.docs, f"fd-{setting}.svg")):
            out.append(f"![FD curves, {setting}](fd-{setting}.svg)")
            out.append("")
        results["settings"][setting] = stats
        for r in runs:
            results["runs"].append({k: v for k, v in r.items() if k not in ("dir", "exists")})
            if a.no_copy:
                continue
            grid = os.path.join(r["dir"], "final-grid.png")
            if os.path.exists(grid):
                os.makedirs(os.path.join(a.docs, "grids"), exist_ok=True)
                shutil.copyfile(grid, os.path.join(a.docs, "grids", r["name"] + ".png"))
            report = os.path.join(r["dir"], "report.html")
            if os.path.exists(report):
                os.makedirs(os.path.join(a.docs, "runs", r["name"]), exist_ok=True)
                shutil.copyfile(report, os.path.join(a.docs, "runs", r["name"], "report.html"))
    with open(os.path.join(a.docs, "tables.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    with open(os.path.join(a.docs, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1, default=lambda v: None)
        f.write("\n")
    print("\n".join(out))
    total = 0
    for base, _, files in os.walk(a.docs):
        total += sum(os.path.getsize(os.path.join(base, x)) for x in files)
    print(f"docs folder {a.docs}: {total / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
