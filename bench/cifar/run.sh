#!/usr/bin/env bash
# make bench-cifar: the SDP study on CIFAR-10 (issue #11 item 3; results in docs/sdp-study.md).
#
#   1. extracts the CIFAR-10 JPEGs once and computes the FD (ResNet18) reference statistics of REF_SAMPLES training
#      images (`gansdp fid stats --reference-dataset cifar10-jpg`, cached outside the repository: $GANSDP_CACHE_DIR,
#      else $XDG_CACHE_HOME/ml-gansdp, else ~/.cache/ml-gansdp);
#   2. trains every run with `gansdp train` on the CIFAR-10 train JPEG folder (32x32 RGB, unconditional), an FD curve
#      every FD_EVERY_* iterations on FD_SAMPLES images, checkpoints for resuming;
#   3. measures each finished generator once more with FINAL_SAMPLES images (`gansdp fid --reference`; FINAL_SAMPLES=0
#      skips it: the curve's point at the last iteration is then the final FD), writes final-fd.json and a 64-image
#      grid (final-grid.png) into the run folder;
#   4. summarizes (bench/cifar/summarize.py): tables, FD curves as SVG, grids and reports under docs/sdp-study/.
#
# Settings (SETTINGS, default "standard aggressive"), each baseline (--no-sdp) vs SDP over SEEDS:
#   standard:   DCGAN (width WIDTH, BN in G and D), non-saturating loss, Adam 2e-4 (0.5, 0.999), batch 64, z 128
#   aggressive: DCGAN without BN in D, Wasserstein loss + WGAN-GP (10), Adam 1e-3 (0.5, 0.999), n_critic 5, batch 64, z 128
#   SDP: lambda 0.01, k0 5, t = 3% and I_p = 5% of the run's iterations (the paper's 3000 and 5000 of 100,000).
#   EMA off: the generator itself is measured, as in the paper.
#
# Resumable: re-running skips finished runs, resumes interrupted ones from their newest checkpoint (train --resume),
# and re-measures only what is missing. A run that diverges (train exit code 3) is recorded in diverged.txt and not
# retried. Two runs go in parallel with JOBS=2, one libtorch thread each; with PIN=1 slot i is pinned (taskset) to the
# i-th core of CPUS (the featurization runs on one ONNX Runtime thread by the library's default, so it stays there; a
# loaded generator's session still keeps a pool thread of ONNX Runtime's own on another core, docs/threads.md). Each run holds a lock
# (flock on RUN.lock) while it works, so a second driver started on the same OUT later (e.g. when a core frees up,
# JOBS=1 CPUS=0) takes the runs nobody holds and skips the rest.
#
# The defaults are the run reported in docs/sdp-study.md: standard 3,000 iterations with FD every 750, aggressive 600
# with FD every 200, FD on 1,000 images, no separate final measurement, seeds 1 2 3 (it ran with JOBS=2).
#
# Usage: bash bench/cifar/run.sh [Release]   (knobs below as environment variables)
set -euo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
gansdp="${GANSDP:-$root/src/Ml.GanSdp.Samples/bin/$config/net10.0/gansdp}"
archive="${ARCHIVE:-$root/../shared/datasets/cifar10-jpg.tar.gz}"
out="${OUT:-$root/runs/cifar}"
settings="${SETTINGS:-standard aggressive}"
seeds="${SEEDS:-1 2 3}"
arms="${ARMS:-baseline sdp}"
width="${WIDTH:-32}"
latent="${LATENT:-128}"
iters_standard="${ITERS_STANDARD:-3000}"
iters_aggressive="${ITERS_AGGRESSIVE:-600}"
fd_every_standard="${FD_EVERY_STANDARD:-750}"
fd_every_aggressive="${FD_EVERY_AGGRESSIVE:-200}"
fd_samples="${FD_SAMPLES:-1000}"
final_samples="${FINAL_SAMPLES:-0}"
ref_samples="${REF_SAMPLES:-10000}"
threads="${THREADS:-1}"
jobs="${JOBS:-1}"
pin="${PIN:-1}"
read -r -a cpus <<<"${CPUS:-$(seq -s ' ' 0 $(($(nproc) - 1)))}"
summarize="${SUMMARIZE:-1}"

log() { echo "[$(date -u +%H:%M:%S)] $*"; }

if [[ -z "${GANSDP:-}" ]]; then
  dotnet build "$root/src/Ml.GanSdp.Samples" -c "$config" -v quiet --nologo >/dev/null
fi
mkdir -p "$out"

# 1. CIFAR-10 JPEGs and the reference statistics (computed once, then found in the cache).
log "reference statistics: $ref_samples CIFAR-10 training JPEGs, ResNet18 features"
stats_out="$("$gansdp" fid stats --reference-dataset cifar10-jpg --archive "$archive" -n "$ref_samples")"
echo "$stats_out"
# The library's cache folder and file name (ReferenceStatistics.CacheDirectory / FileName).
if [[ -n "${GANSDP_CACHE_DIR:-}" ]]; then cache="$GANSDP_CACHE_DIR"
elif [[ "${XDG_CACHE_HOME:-}" == /* ]]; then cache="$XDG_CACHE_HOME/ml-gansdp"
else cache="$HOME/.cache/ml-gansdp"; fi
reference="$cache/cifar10-train.resnet18.n$ref_samples.npz"
[[ -f "$reference" ]] || { echo "error: 'gansdp fid stats' did not leave '$reference'" >&2; exit 1; }
train_data="$cache/cifar10-jpg/train"
[[ -d "$train_data" ]] || { echo "error: the extracted CIFAR-10 training folder '$train_data' is missing" >&2; exit 1; }

# The options of one run (setting, arm) apart from -o, -s and --threads.
run_args() {
  local setting="$1" arm="$2" n fd_every
  case "$setting" in
    standard)   n="$iters_standard";   fd_every="$fd_every_standard"
                printf '%s\n' --loss non-saturating --lr 2e-4 ;;
    aggressive) n="$iters_aggressive"; fd_every="$fd_every_aggressive"
                printf '%s\n' --loss wasserstein -r wgan-gp=10 --lr 1e-3 --n-critic 5 --no-d-batch-norm ;;
    *) echo "error: unknown setting '$setting' (standard, aggressive)" >&2; return 2 ;;
  esac
  printf '%s\n' --dataset folder --data "$train_data" --image-size 32 --channels 3 \
    -a dcgan --width "$width" --latent "$latent" -b 64 --beta1 0.5 --beta2 0.999 -n "$n" \
    --fd-every "$fd_every" --sample-every "$fd_every" --fd-samples "$fd_samples" --fd-reference "$reference" \
    --checkpoint-every "$fd_every" --keep-checkpoints 2
  case "$arm" in
    baseline) printf '%s\n' --no-sdp ;;
    sdp) printf '%s\n' --sdp-lambda 0.01 --sdp-k0 5 --sdp-t $((n * 3 / 100)) --sdp-period $((n * 5 / 100)) ;;
    *) echo "error: unknown arm '$arm' (baseline, sdp)" >&2; return 2 ;;
  esac
}

iterations_of() { case "$1" in standard) echo "$iters_standard" ;; aggressive) echo "$iters_aggressive" ;; esac; }

# Trains (or resumes) one run, then measures it with FINAL_SAMPLES images and writes its grid. $1 = core for taskset.
# Runs in a subshell of its own (the lock is released when it exits).
run_one() {
  local cpu="$1" setting="$2" arm="$3" seed="$4"
  local name="$setting-$arm-s$seed" dir="$out/$setting-$arm-s$seed" rc=0 lock
  local -a pre=()
  [[ "$pin" == 1 && -n "$cpu" ]] && command -v taskset >/dev/null && pre=(taskset -c "$cpu")
  exec {lock}>"$out/$name.lock"
  if ! flock -n "$lock"; then log "$name: in progress in another driver, skipped"; return 0; fi
  if [[ ( "$final_samples" == 0 || -f "$dir/final-fd.json" ) && -f "$dir/final-grid.png" ]]; then log "$name: done"; return 0; fi
  if [[ -f "$dir/diverged.txt" ]]; then log "$name: diverged earlier ($(head -1 "$dir/diverged.txt")), not retried"; return 0; fi
  if [[ ! -f "$dir/final.json" ]]; then
    local -a args
    if [[ -f "$dir/options.json" ]] && compgen -G "$dir/checkpoints/*.ckpt" >/dev/null; then
      log "$name: resuming"
      args=(train -o "$dir" --resume -n "$(iterations_of "$setting")" --threads "$threads")
    else
      log "$name: training"
      mapfile -t args < <(run_args "$setting" "$arm")
      args=(train -o "$dir" -s "$seed" --threads "$threads" --overwrite "${args[@]}")
    fi
    "${pre[@]}" "$gansdp" "${args[@]}" >>"$out/$name.log" 2>&1 || rc=$?
    if [[ $rc == 3 ]]; then
      grep -h "gansdp: error" "$out/$name.log" | tail -1 > "$dir/diverged.txt"
      log "$name: diverged: $(cat "$dir/diverged.txt")"
      return 0
    elif [[ $rc != 0 ]]; then
      log "$name: train failed with exit code $rc (see $out/$name.log)"
      return 1
    fi
  fi
  if [[ "$final_samples" != 0 && ! -f "$dir/final-fd.json" ]]; then
    log "$name: final FD on $final_samples images"
    # gansdp fid writes the JSON atomically (temporary file, then rename)
    "${pre[@]}" "$gansdp" fid "$dir/model.zip" --reference "$reference" -n "$final_samples" -s 0 -o "$dir/final-fd.json" >>"$out/$name.log" 2>&1 \
      || { log "$name: final FD failed (see $out/$name.log)"; return 1; }
  fi
  "${pre[@]}" "$gansdp" generate "$dir/model.zip" -c 64 -s 0 -o "$dir/final-grid.png" >>"$out/$name.log" 2>&1 \
    || { log "$name: grid failed (see $out/$name.log)"; return 1; }
  if [[ -f "$dir/final-fd.json" ]]; then log "$name: final $(grep -o '"FrechetDistance": *[0-9.]*' "$dir/final-fd.json" | head -1)"
  else log "$name: done (final FD: the curve's last point)"; fi
}

# Every run, paired runs next to each other (with JOBS=2 a seed's baseline and SDP run side by side).
queue=()
for seed in $seeds; do
  for setting in $settings; do
    for arm in $arms; do queue+=("$setting $arm $seed"); done
  done
done

# A pool of JOBS slots; slot i is pinned to core i.
failed=0
declare -A slot_pid=()
for item in "${queue[@]}"; do
  while true; do
    for ((s = 0; s < jobs; s++)); do
      pid="${slot_pid[$s]:-}"
      if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        if [[ -n "$pid" ]]; then wait "$pid" || failed=$((failed + 1)); fi
        # shellcheck disable=SC2086
        run_one "${cpus[$((s % ${#cpus[@]}))]}" $item &
        slot_pid[$s]=$!
        continue 3
      fi
    done
    sleep 5
  done
done
for s in "${!slot_pid[@]}"; do wait "${slot_pid[$s]}" || failed=$((failed + 1)); done
log "all runs processed ($failed failed)"

if [[ "$summarize" == 1 ]]; then
  "${PYTHON:-/usr/bin/python3}" "$root/bench/cifar/summarize.py" --runs "$out" --docs "$root/docs/sdp-study" --settings "$settings" --seeds "$seeds"
fi
[[ $failed == 0 ]]
