#!/usr/bin/env bash
# Intra-op thread counts with the other core idle and busy (docs/threads.md): the DCGAN 32x32 training iteration
# (gansdp-bench step arm=lib, batch 64, width 64) and linalg.eigh of a 2048 x 2048 float64 matrix
# (gansdp-bench eigh), at 1 and 2 threads and at 2 threads with OMP_WAIT_POLICY=PASSIVE, each REPS times in a
# rotating order. "busy" runs one spinning process (yes > /dev/null) for the whole measurement.
#
#   bash bench/threads.sh [Release]      knobs: REPS (3), STEPS (10), WARMUP (3), N (2048)
#
# Prints one TSV line per measurement (also written to bench/results/threads-<utc>.tsv) and a Markdown table.
set -euo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
REPS="${REPS:-3}"; STEPS="${STEPS:-10}"; WARMUP="${WARMUP:-3}"; N="${N:-2048}"
dotnet build bench/Ml.GanSdp.Bench/Ml.GanSdp.Bench.csproj -c "$config" -v quiet --nologo >/dev/null
bin="bench/Ml.GanSdp.Bench/bin/$config/net10.0/gansdp-bench"
unset OMP_NUM_THREADS OPENBLAS_NUM_THREADS GANSDP_NUM_THREADS MKL_NUM_THREADS OMP_WAIT_POLICY
mkdir -p bench/results
out="bench/results/threads-$(date -u +%Y%m%dT%H%M%SZ).tsv"
printf 'bench\tcore\tsetting\trep\tvalue\tload1\n' >"$out"
load1() { cut -d' ' -f1 /proc/loadavg; }
spinner=""
stop_spinner() { if [[ -n $spinner ]]; then kill "$spinner" 2>/dev/null || true; wait "$spinner" 2>/dev/null || true; spinner=""; fi; }
trap stop_spinner EXIT

# measure <core> <setting> <rep>: one DCGAN block and one eigh block
measure() {
  local core=$1 setting=$2 rep=$3 threads=${2%%-*} env=()
  [[ $setting == *-passive ]] && env=(OMP_WAIT_POLICY=PASSIVE)
  local l v
  l=$(load1); v=$(env "${env[@]}" "$bin" step arm=lib threads="$threads" warmup="$WARMUP" steps="$STEPS" | awk '$1=="RESULT"{print $4}')
  printf 'dcgan_ms\t%s\t%s\t%s\t%s\t%s\n' "$core" "$setting" "$rep" "$v" "$l" | tee -a "$out"
  l=$(load1); v=$(env "${env[@]}" "$bin" eigh n="$N" reps=1 threads="$threads" | awk '$1=="RESULT"{print $4}')
  printf 'eigh_s\t%s\t%s\t%s\t%s\t%s\n' "$core" "$setting" "$rep" "$v" "$l" | tee -a "$out"
}

echo "load before: $(uptime)"
settings=(1 2 2-passive)
for rep in $(seq 1 "$REPS"); do
  for core in idle busy; do
    [[ $core == busy ]] && { yes >/dev/null & spinner=$!; }
    for i in 0 1 2; do measure "$core" "${settings[$(( (i + rep) % 3 ))]}" "$rep"; done
    stop_spinner
  done
done 2> >(grep -v '^\[' >&2)
echo "load after: $(uptime)"

/usr/bin/python3 - "$out" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
cells = {}
for r in rows:
    cells.setdefault((r["bench"], r["core"], r["setting"]), []).append(float(r["value"]))
loads = [float(r["load1"]) for r in rows]
fmt = lambda xs, f: f"{f.format(statistics.median(xs))} [{f.format(min(xs))}–{f.format(max(xs))}]"
print(f"\n1-min load average during the run: median {statistics.median(loads):.1f}, min {min(loads):.1f}, max {max(loads):.1f}\n")
print("| intra-op threads | DCGAN ms/iteration, other core idle | DCGAN, other core busy | eigh 2048 s, idle | eigh 2048 s, busy |")
print("|---|---|---|---|---|")
for s, name in (("1", "1"), ("2", "2"), ("2-passive", "2, OMP_WAIT_POLICY=PASSIVE")):
    c = [cells.get((b, core, s)) for b in ("dcgan_ms", "eigh_s") for core in ("idle", "busy")]
    print(f"| {name} | {fmt(c[0], '{:.0f}')} | {fmt(c[1], '{:.0f}')} | {fmt(c[2], '{:.2f}')} | {fmt(c[3], '{:.2f}')} |")
PY
