#!/bin/bash
# run-fuzz.sh FUZZER SECONDS SEED_DIR... - a short libFuzzer run in a scratch
# corpus seeded from the given directories (the bounce corpus is read in
# place: seeds are copied into a temp dir, never into the repository).
set -euo pipefail
fuzzer=$1
secs=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
for d in "$@"; do
    [ -d "$d" ] && find "$d" -type f -name '*' -size -1M -exec cp -t "$work/corpus" {} + 2>/dev/null || true
done
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=262144 \
    -artifact_prefix="$work/" "$work/corpus" 2>&1 | tail -20
