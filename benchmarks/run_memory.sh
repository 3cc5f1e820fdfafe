#!/usr/bin/env bash
# `ditto dedup --memory` on a generated corpus several times the budget, against the run that
# holds the input: wall time, peak resident memory (getrusage, through /usr/bin/time), the
# ratio of the two runs' times, and whether their outputs are byte-identical. One line per
# output mode.
#
# Usage: benchmarks/run_memory.sh [BUILD_DIR] [MEGABYTES] [BUDGET] [THREADS] [SHAPE] [-- DEDUP_OPTIONS…]
#   BUILD_DIR  a built tree with the tool and corpus_gen (default build/release)
#   MEGABYTES  corpus size (default 1024); generated once into BUILD_DIR/bench-data
#   BUDGET     --memory (default 256M)
#   THREADS    --threads (default: all cores)
#   SHAPE      articles (default: corpus_gen's documents, about 2 KB) or short (10-40 words,
#              about 225 bytes: many documents, whose state is what the budget must hold)
#   DEDUP_OPTIONS  given to both runs (e.g. -- --method simhash)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
megabytes=${2:-1024}
budget=${3:-256M}
threads=${4:-$(nproc)}
shape=${5:-articles}
extra=()
if [ $# -gt 5 ]; then
    [ "$6" = "--" ] || { echo "run_memory: expected -- before the dedup options, got '$6'" >&2; exit 2; }
    extra=("${@:7}")
fi
case "$shape" in
articles) shape_options=() ;;
short) shape_options=(--min-words 10 --max-words 40) ;;
*) echo "run_memory: SHAPE must be articles or short, got '$shape'" >&2; exit 2 ;;
esac
data="$build/bench-data"
corpus="$data/corpus-$megabytes${shape_options:+-$shape}.jsonl"
mkdir -p "$data"
if [ ! -s "$corpus" ]; then
    "$build/benchmarks/corpus_gen" --megabytes "$megabytes" "${shape_options[@]}" "$corpus" "$data/truth-$megabytes-$shape.tsv"
fi
if [ ! -x /usr/bin/time ]; then
    echo "run_memory: /usr/bin/time is missing (apt-get install time)" >&2
    exit 1
fi
ditto="$build/tools/ditto/ditto"
bytes=$(stat -L -c %s "$corpus")
printf 'corpus %.1f MB, %d documents, --memory %s, %s threads %s\n' "$(echo "$bytes / 1000000" | bc -l)" \
    "$(wc -l < "$corpus")" "$budget" "$threads" "${extra[*]}"
printf '%-10s %9s %9s %10s %10s %7s %s\n' mode held_s held_MB memory_s memory_MB ratio identical

# Runs ditto with the given options; prints "seconds kilobytes".
measure() {
    local out=$1
    shift
    /usr/bin/time -f '%e %M' -o "$data/time.txt" "$ditto" dedup --quiet --threads "$threads" -o "$out" "${extra[@]}" "$@" "$corpus"
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
