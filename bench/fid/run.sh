#!/usr/bin/env bash
# FID feature-extraction throughput: Inception on TorchSharp, on ONNX Runtime and through ML.NET against pytorch-fid's
# network on PyTorch 1.13, plus ResNet18 through ML.NET; one process per measurement block, the arms interleaved
# (each round starts at a different arm), every arm on the same THREADS intra-op threads.
#
#   bash bench/fid/run.sh [Release|Debug]        (or: make bench-fid)
#
# Knobs (environment): ROUNDS (3), BATCH (images per pass, 8), REPS (timed passes per block, 3), SIZE (image side, 32),
# THREADS (1), ARMS (default: all), PYTHON (/usr/bin/python3, Debian's python3-torch).
# Raw numbers: bench/results/fid-<utc>.tsv; the summary (median over rounds of each block's median images/s) is printed.
set -euo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
ROUNDS="${ROUNDS:-3}"; BATCH="${BATCH:-8}"; REPS="${REPS:-3}"; SIZE="${SIZE:-32}"; THREADS="${THREADS:-1}"
ARMS="${ARMS:-torchsharp torchsharp-fused onnx mlnet pytorch resnet18}"
PYTHON="${PYTHON:-/usr/bin/python3}"

"$PYTHON" -c "import torch" 2>/dev/null || { echo "error: $PYTHON cannot import torch (apt-get install python3-torch)"; exit 1; }
dotnet build bench/Ml.GanSdp.Bench/Ml.GanSdp.Bench.csproj -c "$config" -v quiet --nologo >/dev/null
bin="bench/Ml.GanSdp.Bench/bin/$config/net10.0/gansdp-bench"
unset OMP_NUM_THREADS OPENBLAS_NUM_THREADS GANSDP_NUM_THREADS MKL_NUM_THREADS

mkdir -p bench/results
out="bench/results/fid-$(date -u +%Y%m%dT%H%M%SZ).tsv"
printf 'arm\tround\tmedian_images_per_s\tbest_images_per_s\tthreads\tbatch\tsize\tload1\n' >"$out"
read -r -a arms <<<"$ARMS"
n=${#arms[@]}
for ((round = 1; round <= ROUNDS; round++)); do
  for ((k = 0; k < n; k++)); do
    arm=${arms[$(((k + round - 1) % n))]}
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [[ $arm == pytorch ]]; then
      line=$(OMP_NUM_THREADS=$THREADS "$PYTHON" bench/fid/bench_fid_torch.py inception "$BATCH" "$REPS" "$SIZE" "$THREADS" | grep '^RESULT')
    else
      line=$("$bin" fid-speed arm="$arm" batch="$BATCH" reps="$REPS" size="$SIZE" threads="$THREADS" 2>/dev/null | grep '^RESULT')
    fi
    read -r _ _ _ median best <<<"$line"
    printf '%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arm" "$round" "$median" "$best" "$THREADS" "$BATCH" "$SIZE" "$load" >>"$out"
    printf 'round %d  %-17s %9s images/s (best %s)  load %s\n' "$round" "$arm" "$median" "$best" "$load"
  done
done
echo "summary (median over $ROUNDS rounds; $BATCH images of ${SIZE}x${SIZE}, $THREADS thread(s)); raw: $out"
for arm in "${arms[@]}"; do
  awk -F'\t' -v a="$arm" '$1 == a { print $3 }' "$out" | sort -g \
    | awk -v a="$arm" '{ x[NR] = $1 } END { m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2; printf "  %-17s %9.3f images/s\n", a, m }'
done
