#!/usr/bin/env bash
# Runs a libFuzzer target for a while from a fresh seed corpus; fails on any finding.
# Usage: run_fuzz.sh FUZZER SEED_MAKER WORK_DIR SECONDS
set -euo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
"$seeds" "$work/corpus"
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" "$work/corpus"
