#!/usr/bin/env bash
# Runs the MSTest suite and ends with the line "N passed, N failed[, N skipped]" taken from the TRX results.
set -uo pipefail
config="${1:-Release}"
root="$(cd "$(dirname "$0")/.." && pwd)"
results="$root/tests/TestResults"
rm -rf "$results"
dotnet test "$root/tests/Ml.GanSdp.Tests/Ml.GanSdp.Tests.csproj" -c "$config" --no-build --nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" --results-directory "$results"
rc=$?
trx="$results/results.trx"
if [[ -f "$trx" ]]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
  skipped=$(( ${total:-0} - ${executed:-0} ))
  failed=$(( ${failed:-0} + $(get error || echo 0) + $(get timeout || echo 0) ))
  echo "${passed:-0} passed, ${failed} failed, ${skipped} skipped"
  if [[ "${executed:-0}" == "0" ]]; then echo "error: no test was executed"; exit 1; fi
else
  echo "0 passed, 1 failed"
  echo "error: no test results were written ($trx)"
  [[ $rc -ne 0 ]] || rc=1
fi
exit $rc
