#!/usr/bin/env bash
# Runs a libFuzzer target for a while from a fresh copy of its seed corpus; fails on any finding.
# Usage: run_fuzz.sh FUZZER SEEDS WORK_DIR SECONDS
#   SEEDS: a folder of seed inputs (copied), or a program that writes seeds into the folder it is given.
# A finding is left in WORK_DIR/artifacts/; keep it in tests/fuzz/corpus/<target>/ once fixed.
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$seeds" ]; then
    cp "$seeds"/* "$work/corpus/"
else
    "$seeds" "$work/corpus"
fi
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" "$work/corpus"
