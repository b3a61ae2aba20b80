#!/usr/bin/env bash
# Mode coverage (ring of 8, grid of 25; baseline vs SDP; standard and aggressive settings; 3 seeds) and the
# SDP overhead on a DCGAN training step. Writes bench/modes/results/{coverage,overhead}-<utc>.md.
# Usage: bash bench/modes/run.sh [Release] [coverage|overhead|all]   (extra key=value options go in COVERAGE_ARGS / OVERHEAD_ARGS)
set -euo pipefail
config="${1:-Release}"
what="${2:-all}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
proj="$root/bench/Ml.GanSdp.Bench"
bin="$proj/bin/$config/net10.0/gansdp-bench"
out="$root/bench/modes/results"
mkdir -p "$out"
dotnet build "$proj" -c "$config" -v quiet --nologo >/dev/null
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
if [[ "$what" == all || "$what" == coverage ]]; then
  echo "== mode coverage ($(uptime))"
  # threads=1: the MLPs are tiny, one intra-op thread is faster than two and leaves a core for the OS.
  # The grid needs more iterations than the ring to learn anything (at 2,000 no run covers more than 3 of 25 modes).
  before="$(uptime)"
  "$bin" coverage threads=1 grid25_iterations=5000 out="$out/coverage-$stamp.md" ${COVERAGE_ARGS:-}
  { echo; echo "load before: $before"; echo "load after: $(uptime)"; } >> "$out/coverage-$stamp.md"
fi
if [[ "$what" == all || "$what" == overhead ]]; then
  echo "== SDP overhead ($(uptime))"
  before="$(uptime)"
  "$bin" overhead blocks=30 steps=2 warmup=2 ${OVERHEAD_ARGS:-} | tee "$out/overhead-$stamp.md"
  { echo; echo "load before: $before"; echo "load after: $(uptime)"; } >> "$out/overhead-$stamp.md"
fi
