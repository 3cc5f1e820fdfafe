#!/usr/bin/env bash
# `ditto dedup --memory` on a generated corpus several times the budget, against the run that
# holds the input: wall time, peak resident memory (getrusage, through /usr/bin/time), the
# ratio of the two runs' times, and whether their outputs are byte-identical. One line per
# output mode.
#
# Usage: benchmarks/run_memory.sh [BUILD_DIR] [MEGABYTES] [BUDGET] [THREADS]
#   BUILD_DIR  a built tree with the tool and corpus_gen (default build/release)
#   MEGABYTES  corpus size (default 1024); generated once into BUILD_DIR/bench-data
#   BUDGET     --memory (default 256M)
#   THREADS    --threads (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
megabytes=${2:-1024}
budget=${3:-256M}
threads=${4:-$(nproc)}
data="$build/bench-data"
corpus="$data/corpus-$megabytes.jsonl"
mkdir -p "$data"
if [ ! -s "$corpus" ]; then
    "$build/benchmarks/corpus_gen" --megabytes "$megabytes" "$corpus" "$data/truth-$megabytes.tsv"
fi
if [ ! -x /usr/bin/time ]; then
    echo "run_memory: /usr/bin/time is missing (apt-get install time)" >&2
    exit 1
fi
ditto="$build/tools/ditto/ditto"
bytes=$(stat -L -c %s "$corpus")
printf 'corpus %.1f MB, %d documents, --memory %s, %s threads\n' "$(echo "$bytes / 1000000" | bc -l)" \
    "$(wc -l < "$corpus")" "$budget" "$threads"
printf '%-10s %9s %9s %10s %10s %7s %s\n' mode held_s held_MB memory_s memory_MB ratio identical

# Runs ditto with the given options; prints "seconds kilobytes".
measure() {
    local out=$1
    shift
    /usr/bin/time -f '%e %M' -o "$data/time.txt" "$ditto" dedup --quiet --threads "$threads" -o "$out" "$@" "$corpus"
    cat "$data/time.txt"
}
for mode in lines clusters pairs; do
    flag=()
    [ "$mode" = lines ] || flag=("--$mode")
    read -r held_s held_kb < <(measure "$data/held.out" "${flag[@]}")
    read -r mem_s mem_kb < <(measure "$data/memory.out" --memory "$budget" "${flag[@]}")
    same=no
    cmp -s "$data/held.out" "$data/memory.out" && same=yes
    awk -v m="$mode" -v hs="$held_s" -v hk="$held_kb" -v ms="$mem_s" -v mk="$mem_kb" -v same="$same" 'BEGIN {
        printf "%-10s %9.2f %9.0f %10.2f %10.0f %7.2f %s\n", m, hs, hk / 1024, ms, mk / 1024, ms / hs, same
    }'
done
rm -f "$data/held.out" "$data/memory.out"
