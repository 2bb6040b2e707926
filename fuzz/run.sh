#!/usr/bin/env bash
# Run each atheris harness for a bounded time on a copy of its committed seed corpus (make fuzz).
# A crash (an exception the harness does not allow, a hang past -timeout, memory past -rss_limit_mb)
# fails the run; the input is left in fuzz/crashes/<harness>/ to be added as a regression seed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-45}"
PY="${PY:-.venv/bin/python}"
status=0
for harness in image_headers multipart; do
  work="$(mktemp -d)"
  cp fuzz/corpus/"$harness"/* "$work"/
  mkdir -p fuzz/crashes/"$harness"
  echo "fuzz: $harness for ${SECONDS_EACH}s ($(ls "$work" | wc -l) seeds)"
  if ! "$PY" fuzz/fuzz_"$harness".py "$work" -max_total_time="$SECONDS_EACH" -timeout=30 -rss_limit_mb=2048 \
      -artifact_prefix=fuzz/crashes/"$harness"/ -print_final_stats=1 > "$work.log" 2>&1; then
    status=1
    tail -60 "$work.log"
    echo "fuzz: $harness FOUND A CRASH: see fuzz/crashes/$harness/"
  else
    grep -E "^(#[0-9]+|stat::number_of_executed_units|stat::peak_rss_mb|Done)" "$work.log" | tail -4
    echo "fuzz: $harness: no crash"
  fi
  rm -rf "$work" "$work.log"
  rmdir fuzz/crashes/"$harness" 2>/dev/null || true
done
rmdir fuzz/crashes 2>/dev/null || true
exit $status
