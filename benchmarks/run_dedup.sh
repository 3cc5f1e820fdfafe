#!/usr/bin/env bash
# Runs `ditto dedup` on a generated corpus and reports wall time, MB/s, documents/s, peak resident
# memory, and precision/recall of the reported pairs against the generator's ground truth.
#
# Usage: benchmarks/run_dedup.sh [BUILD_DIR] [MEGABYTES] [THREADS]
#   BUILD_DIR  a configured and built tree with the tool and corpus_gen (default build/release)
#   MEGABYTES  corpus size (default 1000); the corpus is generated once into BUILD_DIR/bench-data
#   THREADS    passed to --threads (default: all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
megabytes=${2:-1000}
threads=${3:-$(nproc)}
data="$build/bench-data"
corpus="$data/corpus-$megabytes.jsonl"
truth="$data/truth-$megabytes.tsv"
mkdir -p "$data"
if [ ! -s "$corpus" ] || [ ! -s "$truth" ]; then
    "$build/benchmarks/corpus_gen" --megabytes "$megabytes" "$corpus" "$truth"
fi
bytes=$(stat -L -c %s "$corpus")
documents=$(wc -l < "$corpus")

if [ ! -x /usr/bin/time ]; then
    echo "run_dedup: /usr/bin/time is missing (apt-get install time); peak memory is not measured" >&2
    start=$(date +%s.%N)
    "$build/tools/ditto/ditto" dedup --quiet --pairs --exact-pairs full --threads "$threads" -o "$data/pairs.tsv" "$corpus"
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    rss_kb=0
else
    /usr/bin/time -v "$build/tools/ditto/ditto" dedup --quiet --pairs --exact-pairs full --threads "$threads" -o "$data/pairs.tsv" "$corpus" \
        2> "$data/time.txt"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$data/time.txt")
    rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$data/time.txt")
fi

# Precision: reported pairs that are planted pairs; recall: planted pairs with Jaccard >= 0.8 reported.
read -r reported planted found correct < <(awk -F'\t' '
    FNR == NR { if ($3 >= 0.8) { want[$1 "\t" $2] = 1; planted++ } family[$1 "\t" $2] = 1; next }
    { reported++; key = $1 "\t" $2; if (key in want) found++; if (key in family) correct++ }
    END { print reported + 0, planted + 0, found + 0, correct + 0 }' "$truth" "$data/pairs.tsv")

awk -v bytes="$bytes" -v docs="$documents" -v wall="$wall" -v rss="$rss_kb" -v threads="$threads" \
    -v reported="$reported" -v planted="$planted" -v found="$found" -v correct="$correct" 'BEGIN {
    printf "corpus               %.1f MB, %d documents\n", bytes / 1e6, docs
    printf "threads              %d\n", threads
    printf "wall                 %.2f s\n", wall
    printf "throughput           %.1f MB/s, %.0f documents/s\n", bytes / 1e6 / wall, docs / wall
    printf "peak resident        %.0f MB\n", rss / 1024
    printf "pairs reported       %d\n", reported
    printf "planted pairs >= 0.8 %d\n", planted
    printf "precision            %.4f (reported pairs that were planted)\n", reported ? correct / reported : 1
    printf "recall               %.4f (planted pairs >= 0.8 that were reported)\n", planted ? found / planted : 1
}'
