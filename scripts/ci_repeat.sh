#!/usr/bin/env bash
# Run CI N times in a row, each from a fresh clone of this repository's HEAD, as a newcomer would.
#   scripts/ci_repeat.sh 10        -> prints one line per run and "N passed, M failed"; logs in $LOGS
# The clones sit beside the repo (so ../shared/data resolves as in CI) and are removed after each run.
set -uo pipefail
runs="${1:-10}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
parent="$(dirname "$repo")"
logs="${LOGS:-$repo/runs/ci_repeat}"
mkdir -p "$logs"
passed=0
failed=0
for i in $(seq 1 "$runs"); do
  clone="$parent/ci-fresh-$i"
  rm -rf "$clone"
  git clone -q "$repo" "$clone"
  start=$(date +%s)
  if (cd "$clone" && CI=true bash .ci/run) >"$logs/run-$i.log" 2>&1; then
    passed=$((passed + 1)); verdict=pass
  else
    failed=$((failed + 1)); verdict=FAIL
  fi
  echo "run $i: $verdict in $(( $(date +%s) - start )) s (log: $logs/run-$i.log)"
  rm -rf "$clone"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
