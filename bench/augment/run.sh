#!/usr/bin/env bash
# make bench-augment: augmentation gain and CAS on Fashion-MNIST (issue #10 item 5; results in docs/benchmarks.md).
#
#   1. trains two class-conditional DCGANs on all 60,000 Fashion-MNIST training images with `gansdp train
#      --conditional` (TrainGanSdp through the CLI), one with SDP (the paper's schedule scaled to the run), one without,
#      same seed and options otherwise; each run folder keeps model.zip (ML.NET's model format) and report.html;
#   2. `gansdp-bench augment` (bench/Ml.GanSdp.Bench/AugmentBench.cs): for each generator and ML.NET classifier,
#      EvaluateAugmentation with classifier seeds SEEDS: (a) PER_CLASS real rows per class, (b) those plus RATIO x as
#      many synthetic rows, (c) synthetic rows only (CAS), tested on the first TEST_ROWS test images;
#   3. writes the tables to bench/results/augment/<UTC>.md.
#
# Resumable: a finished GAN (model.zip) is reused unless RETRAIN=1; an interrupted one resumes from its checkpoint.
# Usage: bash bench/augment/run.sh [Release]   (knobs below as environment variables)
set -euo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
gansdp="${GANSDP:-$root/src/Ml.GanSdp.Samples/bin/$config/net10.0/gansdp}"
bench="${BENCH:-$root/bench/Ml.GanSdp.Bench/bin/$config/net10.0/gansdp-bench}"
out="${OUT:-$root/runs/augment}"
iterations="${ITERATIONS:-2000}"
width="${WIDTH:-32}"
latent="${LATENT:-64}"
ema="${EMA:-0.99}"
gan_seed="${GAN_SEED:-0}"
threads="${THREADS:-1}"
classifiers="${CLASSIFIERS:-lbfgs,lightgbm,cnn}"
seeds="${SEEDS:-0,1,2,3,4}"
per_class="${PER_CLASS:-100}"
ratio="${RATIO:-1}"
test_rows="${TEST_ROWS:-10000}"
cnn_epochs="${CNN_EPOCHS:-30}"
results="$root/bench/results/augment"

log() { echo "[$(date -u +%H:%M:%S)] $*"; }

[[ -n "${GANSDP:-}" ]] || dotnet build "$root/src/Ml.GanSdp.Samples" -c "$config" -v quiet --nologo >/dev/null
[[ -n "${BENCH:-}" ]] || dotnet build "$root/bench/Ml.GanSdp.Bench" -c "$config" -v quiet --nologo >/dev/null
mkdir -p "$out" "$results"

# One GAN: $1 = sdp | nosdp.
train_gan() {
  local arm="$1" dir="$out/$1"
  if [[ -f "$dir/model.zip" && -f "$dir/final.json" && "${RETRAIN:-0}" != 1 ]]; then log "$arm: trained earlier ($dir)"; return; fi
  local -a args
  if [[ -f "$dir/options.json" && ! -f "$dir/final.json" && "${RETRAIN:-0}" != 1 ]]; then
    log "$arm: resuming"
    args=(train -o "$dir" --resume -n "$iterations" --threads "$threads")
  else
    log "$arm: training ($iterations iterations)"
    args=(train -o "$dir" --overwrite -d fashion-mnist --conditional -a dcgan --width "$width" --latent "$latent"
          -b 64 --lr 2e-4 --beta1 0.5 --beta2 0.999 -n "$iterations" -s "$gan_seed" --threads "$threads"
          --ema "$ema" --ema-start $((iterations / 5)))
    if [[ "$arm" == nosdp ]]; then args+=(--no-sdp)
    else args+=(--sdp-lambda 0.01 --sdp-k0 5 --sdp-t $((iterations * 3 / 100)) --sdp-period $((iterations * 5 / 100))); fi
  fi
  "$gansdp" "${args[@]}" > "$out/$arm.log" 2>&1 || { log "$arm: training failed (see $out/$arm.log)"; exit 1; }
  log "$arm: $(grep -o '"seconds": *[0-9.]*' "$dir/final.json" | head -1)"
}

train_gan sdp
train_gan nosdp

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
log "classifiers $classifiers, seeds $seeds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$bench" augment generator="sdp=$out/sdp/model.zip,nosdp=$out/nosdp/model.zip" classifiers="$classifiers" \
  seeds="$seeds" per-class="$per_class" ratio="$ratio" test-rows="$test_rows" cnn-epochs="$cnn_epochs" \
  out="$results/$stamp.md"
{
  echo
  echo "GANs: conditional DCGAN width $width, latent $latent, batch 64, Adam 2e-4 (0.5, 0.999), $iterations iterations, EMA $ema from $((iterations / 5)), seed $gan_seed; SDP: lambda 0.01, k0 5, t $((iterations * 3 / 100)), I_p $((iterations * 5 / 100)); run folders $out/{sdp,nosdp}."
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$results/$stamp.md"
log "tables: $results/$stamp.md"
