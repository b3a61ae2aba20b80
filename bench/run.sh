#!/usr/bin/env bash
# Benchmarks the DCGAN training iteration of Ml.GanSdp against the same loop in plain TorchSharp (the library's
# overhead) and in PyTorch 1.13 (Debian's python3-torch), and updates docs/benchmarks.md.
#
#   bash bench/run.sh [Release|Debug]        (or: make bench)
#
# Each measurement block is a fresh process. The three arms (lib: gansdp-bench step arm=lib; raw: arm=raw;
# py: bench/dcgan_step.py) run in an order that rotates every round, and every round visits all thread settings,
# starting at a different one, so machine load drifts hit all of them alike.
# Knobs (environment): BLOCKS (rounds, default 5), STEPS (timed steps per block, 10), WARMUP (3),
# SETTINGS (intra-op thread counts, default "default 1 2"; "default" = the library's default for C#, PyTorch's own
# for Python), ADD_BLOCKS (rounds of the overhead benchmarks, 3), ADD_N (additions per block, 100000), TINY_STEPS
# (steps of the tiny DCGAN, 200), AB_BLOCKS / AB_STEPS (gansdp-bench step-ab: lib and raw interleaved in one process,
# 10 blocks of 2 steps per setting), TINY_WARMUP (its warm-up steps, 200: .NET's tiered JIT optimizes a method after about
# 30 calls, so 20 warm-up steps left the library's code partly unoptimized in the timed steps), BATCH/WIDTH (64/64), PYTHON (/usr/bin/python3), NO_DOCS=1 (print only).
set -euo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
BLOCKS="${BLOCKS:-5}"; STEPS="${STEPS:-10}"; WARMUP="${WARMUP:-3}"
SETTINGS="${SETTINGS:-default 1 2}"
ADD_BLOCKS="${ADD_BLOCKS:-3}"; ADD_N="${ADD_N:-100000}"; TINY_STEPS="${TINY_STEPS:-200}"; TINY_WARMUP="${TINY_WARMUP:-200}"
BATCH="${BATCH:-64}"; WIDTH="${WIDTH:-64}"
AB_BLOCKS="${AB_BLOCKS:-10}"; AB_STEPS="${AB_STEPS:-2}"
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

# run <label> <bench> <setting> <arm> <block> <args...>   (bench: dcgan or addcall; arm: lib, raw, cs or py)
run() {
  local label=$1 bench=$2 setting=$3 arm=$4 block=$5; shift 5
  local l; l=$(load1)
  local res
  case $arm in
    lib|raw) res=$("$bin" step arm="$arm" threads="$setting" "$@") ;;
    cs) res=$("$bin" "$bench" threads="$setting" "$@") ;;
    py)
      local pyargs=("$bench" --threads "$setting")
      for kv in "$@"; do pyargs+=("--${kv%%=*}" "${kv#*=}"); done
      if [[ $setting == default ]]; then res=$("$PYTHON" bench/dcgan_step.py "${pyargs[@]}")
      else res=$(OPENBLAS_NUM_THREADS=$setting "$PYTHON" bench/dcgan_step.py "${pyargs[@]}"); fi ;;
  esac
  local v; v=$(awk '$1=="RESULT"{print $4}' <<<"$res")
  [[ -n $v ]] || { echo "error: no result from $arm $bench $setting:"; echo "$res"; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$setting" "$arm" "$block" "$v" "$l" >>"$out"
  printf '  %-9s %-8s %-3s block %s: %10s  (load %s)\n' "$label" "$setting" "$arm" "$block" "$v" "$l"
}

# arms <label> <bench> <setting> <block> <arm list> -- <args...>: the arms in an order rotated by the block number.
arms() {
  local label=$1 bench=$2 setting=$3 block=$4; shift 4
  local list=()
  while [[ $1 != -- ]]; do list+=("$1"); shift; done
  shift
  local n=${#list[@]} i
  for i in $(seq 0 $(( n - 1 ))); do run "$label" "$bench" "$setting" "${list[$(( (i + block) % n ))]}" "$block" "$@"; done
}

echo "DCGAN iteration: $BLOCKS rounds x settings [$SETTINGS] x arms lib raw py, $WARMUP warm-up + $STEPS timed steps per block"
read -r -a settings <<<"$SETTINGS"
for b in $(seq 1 "$BLOCKS"); do
  for i in $(seq 0 $(( ${#settings[@]} - 1 ))); do
    s=${settings[$(( (i + b - 1) % ${#settings[@]} ))]}
    arms dcgan dcgan "$s" "$b" lib raw py -- warmup="$WARMUP" steps="$STEPS" batch="$BATCH" width="$WIDTH"
  done
done
echo "lib vs raw in one process (gansdp-bench step-ab): $AB_BLOCKS interleaved blocks of $AB_STEPS steps per arm and setting"
for s in "${settings[@]}"; do
  l=$(load1)
  res=$("$bin" step-ab threads="$s" warmup="$WARMUP" steps="$AB_STEPS" blocks="$AB_BLOCKS" batch="$BATCH" width="$WIDTH")
  grep -q '^RESULT step-ab' <<<"$res" || { echo "error: no result from step-ab $s:"; echo "$res"; exit 1; }
  while read -r _ blk wall cpu; do
    printf 'ab\t%s\twall\t%s\t%s\t%s\n' "$s" "$blk" "$wall" "$l" >>"$out"
    printf 'ab\t%s\tcpu\t%s\t%s\t%s\n' "$s" "$blk" "$cpu" "$l" >>"$out"
  done < <(grep '^RATIO' <<<"$res")
  printf '  step-ab   %-8s %s  (load %s)\n' "$s" "$(grep '^RESULT' <<<"$res")" "$l"
done
echo "Overhead: $ADD_BLOCKS rounds of $ADD_N additions and of $TINY_STEPS steps of a tiny DCGAN (batch 4, width 4) after $TINY_WARMUP warm-up steps"
for b in $(seq 1 "$ADD_BLOCKS"); do
  arms addcall addcall 1 "$b" cs py -- n="$ADD_N"
  arms dcgantiny dcgan 1 "$b" lib raw py -- warmup="$TINY_WARMUP" steps="$TINY_STEPS" batch=4 width=4
done

args=(--results "$out" --command "make bench (bash bench/run.sh $config; BLOCKS=$BLOCKS STEPS=$STEPS WARMUP=$WARMUP AB_BLOCKS=$AB_BLOCKS AB_STEPS=$AB_STEPS ADD_N=$ADD_N TINY_STEPS=$TINY_STEPS TINY_WARMUP=$TINY_WARMUP)" --python "$PYTHON")
[[ -n ${NO_DOCS:-} ]] || args+=(--docs docs/benchmarks.md)
"$PYTHON" bench/report.py "${args[@]}"
