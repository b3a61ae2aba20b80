#!/usr/bin/env bash
# Benchmarks Ml.GanSdp against PyTorch (same libtorch 1.13) and updates docs/benchmarks.md.
#
#   bash bench/run.sh [Release|Debug]        (or: make bench)
#
# Each measurement block is a fresh process; C# and PyTorch blocks alternate (C#, Python, Python, C#, ...:
# C# first in odd rounds) and every round visits all thread settings, starting at a different one, so
# machine load drifts hit all of them alike.
# Knobs (environment): BLOCKS (rounds, default 5), STEPS (timed steps per block, 10), WARMUP (3),
# SETTINGS ("intra x blas" list, default "default 1x1 1x2 2x1 2x2"), ADD_BLOCKS (rounds of the overhead
# benchmarks, 3), ADD_N (additions per block, 100000), TINY_STEPS (steps of the tiny DCGAN, 200),
# PYTHON (/usr/bin/python3, Debian's python3-torch), NO_DOCS=1 (print only, leave docs alone).
set -euo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
BLOCKS="${BLOCKS:-5}"; STEPS="${STEPS:-10}"; WARMUP="${WARMUP:-3}"
SETTINGS="${SETTINGS:-default 1x1 1x2 2x1 2x2}"
ADD_BLOCKS="${ADD_BLOCKS:-3}"; ADD_N="${ADD_N:-100000}"; TINY_STEPS="${TINY_STEPS:-200}"
PYTHON="${PYTHON:-/usr/bin/python3}"

"$PYTHON" -c "import torch" 2>/dev/null || { echo "error: $PYTHON cannot import torch (apt-get install python3-torch)"; exit 1; }
dotnet build bench/Ml.GanSdp.Bench/Ml.GanSdp.Bench.csproj -c "$config" -v quiet --nologo >/dev/null
bin="bench/Ml.GanSdp.Bench/bin/$config/net10.0/gansdp-bench"

# The controlled runs must not inherit the caller's thread variables.
unset OMP_NUM_THREADS OPENBLAS_NUM_THREADS GANSDP_NUM_THREADS MKL_NUM_THREADS

mkdir -p bench/results
out="bench/results/$(date -u +%Y%m%dT%H%M%SZ).tsv"
printf 'bench\tsetting\tlang\tblock\tvalue\tload1\n' >"$out"
load1() { cut -d' ' -f1 /proc/loadavg; }

# run <label> <mode> <setting> <lang> <block> <args...>   (mode: dcgan or addcall)
run() {
  local label=$1 bench=$2 setting=$3 lang=$4 block=$5; shift 5
  local intra=default blas=default
  if [[ $setting != default ]]; then intra=${setting%x*}; blas=${setting#*x}; fi
  local l; l=$(load1)
  local res
  if [[ $lang == cs ]]; then
    res=$("$bin" "$bench" --threads "$intra" --blas "$blas" "$@")
  else
    if [[ $blas == default ]]; then res=$("$PYTHON" bench/dcgan_step.py "$bench" --threads "$intra" "$@")
    else res=$(OPENBLAS_NUM_THREADS=$blas "$PYTHON" bench/dcgan_step.py "$bench" --threads "$intra" "$@"); fi
  fi
  local v; v=$(awk '$1=="RESULT"{print $4}' <<<"$res")
  [[ -n $v ]] || { echo "error: no result from $lang $bench $setting:"; echo "$res"; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$setting" "$lang" "$block" "$v" "$l" >>"$out"
  printf '  %-9s %-8s %-3s block %s: %10s  (load %s)\n' "$label" "$setting" "$lang" "$block" "$v" "$l"
}

# pair <label> <mode> <setting> <block> <args...>: one C# and one PyTorch block, C# first in odd rounds.
pair() {
  local label=$1 mode=$2 setting=$3 block=$4; shift 4
  if (( block % 2 )); then run "$label" "$mode" "$setting" cs "$block" "$@"; run "$label" "$mode" "$setting" py "$block" "$@"
  else run "$label" "$mode" "$setting" py "$block" "$@"; run "$label" "$mode" "$setting" cs "$block" "$@"; fi
}

echo "DCGAN step: $BLOCKS rounds x settings [$SETTINGS], $WARMUP warm-up + $STEPS timed steps per block"
read -r -a settings <<<"$SETTINGS"
for b in $(seq 1 "$BLOCKS"); do
  # Each round starts at another setting, so no setting always follows the same one.
  for i in $(seq 0 $(( ${#settings[@]} - 1 ))); do
    s=${settings[$(( (i + b - 1) % ${#settings[@]} ))]}
    pair dcgan dcgan "$s" "$b" --warmup "$WARMUP" --steps "$STEPS"
  done
done
echo "Overhead: $ADD_BLOCKS rounds of $ADD_N additions and of $TINY_STEPS steps of a tiny DCGAN (batch 4, width 4)"
for b in $(seq 1 "$ADD_BLOCKS"); do
  pair addcall addcall 1x1 "$b" --n "$ADD_N"
  pair dcgantiny dcgan 1x1 "$b" --warmup 20 --steps "$TINY_STEPS" --batch 4 --width 4
done

args=(--results "$out" --command "make bench (bash bench/run.sh $config; BLOCKS=$BLOCKS STEPS=$STEPS WARMUP=$WARMUP ADD_N=$ADD_N TINY_STEPS=$TINY_STEPS)" --python "$PYTHON")
[[ -n ${NO_DOCS:-} ]] || args+=(--docs docs/benchmarks.md)
"$PYTHON" bench/report.py "${args[@]}"
