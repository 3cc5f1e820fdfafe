#!/usr/bin/env python3
"""Compares `ditto dedup` with the Python library datasketch (MinHash + MinHashLSH) on the same
generated corpus: documents per second, MB/s, and precision/recall against the generator's ground
truth. Both use 128 permutations, threshold 0.8 and 5-word shingles of lower-cased word tokens.
datasketch reports LSH candidates; ditto verifies every candidate exactly.

Usage: datasketch_compare.py DITTO CORPUS.jsonl TRUTH.tsv [--limit N] [--threads N]
  --limit    use the first N documents (default 50000; datasketch is slow in pure Python)
Skips, saying so, when datasketch is not importable (pip install datasketch)."""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("ditto")
parser.add_argument("corpus")
parser.add_argument("truth")
parser.add_argument("--limit", type=int, default=50000)
parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
args = parser.parse_args()

try:
    from datasketch import MinHash, MinHashLSH
except ImportError as e:
    print(f"skipped: datasketch is not importable ({e}); install it with 'pip install datasketch'")
    sys.exit(0)

lines = []
with open(args.corpus, "rb") as f:
    for i, line in enumerate(f):
        if i >= args.limit:
            break
        lines.append(line)
records = [json.loads(l) for l in lines]
ids = [r["id"] for r in records]
megabytes = sum(len(l) for l in lines) / 1e6
present = set(ids)
truth = {}
with open(args.truth) as f:
    for line in f:
        a, b, j = line.rstrip("\n").split("\t")
        if a in present and b in present:
            truth[(a, b)] = float(j)
wanted = {p for p, j in truth.items() if j >= 0.8}


def score(pairs):
    found = len(pairs & wanted)
    planted = len(pairs & set(truth))
    return (planted / len(pairs) if pairs else 1.0, found / len(wanted) if wanted else 1.0)


# datasketch: shingles, MinHash, LSH insert and query.
word = re.compile(r"\w+")
start = time.perf_counter()
lsh = MinHashLSH(threshold=0.8, num_perm=128)
sketches = []
for r in records:
    tokens = word.findall(r["text"].lower())
    shingles = {" ".join(tokens[i:i + 5]) for i in range(max(1, len(tokens) - 4))} if tokens else set()
    m = MinHash(num_perm=128)
    m.update_batch([s.encode("utf-8") for s in shingles])
    sketches.append(m)
    lsh.insert(r["id"], m)
pairs = set()
for r, m in zip(records, sketches):
    for other in lsh.query(m):
        if other != r["id"]:
            pairs.add((min(r["id"], other), max(r["id"], other)))
datasketch_seconds = time.perf_counter() - start
ds_precision, ds_recall = score(pairs)

# ditto on the same documents.
with tempfile.TemporaryDirectory() as tmp:
    subset = os.path.join(tmp, "subset.jsonl")
    with open(subset, "wb") as f:
        f.writelines(lines)
    results = {}
    for threads in sorted({1, args.threads}):
        out = os.path.join(tmp, f"pairs-{threads}.tsv")
        start = time.perf_counter()
        subprocess.run([args.ditto, "dedup", "--quiet", "--pairs", "--threads", str(threads), "-o", out, subset], check=True)
        seconds = time.perf_counter() - start
        with open(out) as f:
            got = {tuple(l.split("\t")[:2]) for l in f}
        results[threads] = (seconds, *score(got))

n = len(records)
print(f"corpus        {n} documents, {megabytes:.1f} MB, {len(wanted)} planted pairs >= 0.8")
print(f"datasketch    {datasketch_seconds:8.2f} s  {n / datasketch_seconds:10.0f} docs/s  {megabytes / datasketch_seconds:7.2f} MB/s"
      f"  precision {ds_precision:.4f}  recall {ds_recall:.4f}  (1 thread, candidates unverified)")
for threads, (seconds, precision, recall) in results.items():
    print(f"ditto {threads:2d} thr  {seconds:8.2f} s  {n / seconds:10.0f} docs/s  {megabytes / seconds:7.2f} MB/s"
          f"  precision {precision:.4f}  recall {recall:.4f}  ({datasketch_seconds / seconds:.1f}x datasketch)")
