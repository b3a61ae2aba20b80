#!/usr/bin/env bash
# Downstream-classifier benchmark (augmentation gain and CAS) of a class-conditional DCGAN on Fashion-MNIST.
#
#   bash bench/augment/run.sh [Release|Debug]        (or: make bench-augment)
#
# Trains one conditional DCGAN with SDP and the same without SDP (pipeline TrainGanSdp, saved with Model.Save to
# bench/results/augment/{sdp,nosdp}.zip; an existing zip is reused unless RETRAIN=1), then runs the classifier
# experiments and writes the Markdown tables to bench/results/augment/<UTC time>.md (and stdout).
# Knobs (environment): ITERATIONS (GAN iterations, 2000), WIDTH (32), GAN_SEED (0), SEEDS (classifier seeds, 0,1,2,3,4),
# RATIOS (synthetic rows per real row, 1,2), SUBSET (fixed | per-seed), NOSDP=0 (skip the GAN without SDP).
set -euo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
ITERATIONS="${ITERATIONS:-2000}"; WIDTH="${WIDTH:-32}"; GAN_SEED="${GAN_SEED:-0}"
SEEDS="${SEEDS:-0,1,2,3,4}"; RATIOS="${RATIOS:-1,2}"; SUBSET="${SUBSET:-fixed}"; NOSDP="${NOSDP:-1}"
dotnet build bench/Ml.GanSdp.Bench.Augment/Ml.GanSdp.Bench.Augment.csproj -c "$config" -v quiet --nologo >/dev/null
bin="bench/Ml.GanSdp.Bench.Augment/bin/$config/net10.0/gansdp-bench-augment"
dir=bench/results/augment
mkdir -p "$dir"
out="$dir/$(date -u +%Y%m%dT%H%M%SZ).md"
load1() { cut -d' ' -f1 /proc/loadavg; }
{
  echo "command: make bench-augment (bash bench/augment/run.sh $config; ITERATIONS=$ITERATIONS WIDTH=$WIDTH GAN_SEED=$GAN_SEED SEEDS=$SEEDS RATIOS=$RATIOS SUBSET=$SUBSET NOSDP=$NOSDP)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average at start $(load1)"
  echo
} | tee "$out"
models="sdp=$dir/sdp.zip"
train() {  # train <name> <sdp>
  local zip="$dir/$1.zip"
  if [[ -f $zip && -z ${RETRAIN:-} ]]; then echo "reusing $zip (RETRAIN=1 retrains)" | tee -a "$out"; return; fi
  local l; l=$(load1)
  "$bin" train --sdp "$2" --iterations "$ITERATIONS" --width "$WIDTH" --seed "$GAN_SEED" --out "$zip" 2>"$dir/train-$1.log" | tee -a "$out"
  echo "(load average before: $l, after: $(load1))" | tee -a "$out"
}
train sdp true
if [[ $NOSDP != 0 ]]; then train nosdp false; models="$models,nosdp=$dir/nosdp.zip"; fi
l=$(load1)
echo | tee -a "$out"
"$bin" evaluate --models "$models" --seeds "$SEEDS" --synthetic-ratio "$RATIOS" --subset "$SUBSET" | tee -a "$out"
echo "(load average before the evaluation: $l, after: $(load1))" | tee -a "$out"
echo "results: $out"
