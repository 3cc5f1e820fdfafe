#!/usr/bin/env python3
"""End-to-end tests of `ditto dedup --method simhash`: its pairs are true pairs (a subset of the
MinHash method's, with the same similarities), near-identical copies are found, the output does
not depend on the thread count, the short-prefix warning, and the option checks.

Usage: test_simhash.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, jsonl, run, setup, write  # noqa: E402

setup(DITTO, WORK)
NEWS = os.path.join(SOURCE, "examples/data/news.jsonl")


def pairs(output):
    rows = {}
    for line in output.decode().splitlines():
        a, b, s = line.split("\t")
        rows[(a, b)] = s
    return rows


def texts(count, words, seed):
    """count unrelated texts of `words` random words each, from a large vocabulary."""
    g = random.Random(seed)
    vocabulary = ["w%d" % i for i in range(20000)]
    return [" ".join(g.choice(vocabulary) for _ in range(words)) for _ in range(count)]


@case
def help_lists_the_method_and_hamming():
    out = run(["dedup", "--help"], check=0).stdout.decode()
    expect("--method minhash|simhash" in out, "no --method in help")
    expect("--hamming K" in out and "0..16" in out, "no --hamming in help")


@case
def simhash_pairs_are_minhash_pairs_with_the_same_similarity():
    for threshold in ["0.8", "0.9"]:
        minhash = pairs(run(["dedup", "--pairs", "--quiet", "--threshold", threshold, NEWS], check=0).stdout)
        for k in ["6", "16"]:  # k 3 finds none here: the copies are rewritten, not near-identical
            simhash = pairs(run(["dedup", "--pairs", "--quiet", "--method", "simhash", "--hamming", k,
                                 "--threshold", threshold, NEWS], check=0).stdout)
            extra = {p: s for p, s in simhash.items() if minhash.get(p) != s}
            expect(not extra, f"threshold {threshold}, k {k}: pairs not found by minhash: {extra}")
            expect(len(simhash) > 0, f"threshold {threshold}, k {k}: no pairs")
    # A wider k finds at least what a narrower one does.
    narrow = pairs(run(["dedup", "--pairs", "-q", "--method", "simhash", "--hamming", "2", NEWS], check=0).stdout)
    wide = pairs(run(["dedup", "--pairs", "-q", "--method", "simhash", "--hamming", "12", NEWS], check=0).stdout)
    expect(set(narrow) <= set(wide), "k 12 lost pairs that k 2 found")


@case
def near_identical_copies_are_found_and_removed():
    base = texts(30, 400, 1)
    docs = [{"id": "doc%d" % i, "text": t} for i, t in enumerate(base)]
    # A copy of doc3 with one word changed (Jaccard about 0.98) and one of doc7 in capitals
    # (the same normalized text: an exact duplicate).
    words = base[3].split()
    words[200] = "changed"
    docs.append({"id": "copy3", "text": " ".join(words)})
    docs.append({"id": "copy7", "text": base[7].upper()})
    path = write("near.jsonl", jsonl(*docs))
    p = run(["dedup", "--pairs", "--quiet", "--method", "simhash", path], check=0)
    got = pairs(p.stdout)
    expect(set(got) == {("copy3", "doc3"), ("copy7", "doc7")}, f"got {got}")
    expect(got[("copy7", "doc7")] == "1.0000", f"got {got}")
    kept = run(["dedup", "--quiet", "--method", "simhash", path], check=0).stdout.decode().splitlines()
    expect(len(kept) == 30 and all(json.loads(l)["id"].startswith("doc") for l in kept), f"kept {len(kept)} lines")
    clusters = [json.loads(l) for l in run(["dedup", "--clusters", "-q", "--method", "simhash", "--keep", "longest",
                                            path], check=0).stdout.decode().splitlines()]
    by_id = {c["id"]: c for c in clusters}
    expect(by_id["copy3"]["cluster"] in ("doc3", "copy3"), f"copy3: {by_id['copy3']}")
    expect(sum(1 for c in clusters if not c["keep"]) == 2, "two copies removed")


@case
def output_does_not_depend_on_threads():
    docs = [{"id": i, "text": t} for i, t in enumerate(texts(200, 60, 2))]
    g = random.Random(3)
    for i in range(100):  # light copies
        words = docs[i]["text"].split()
        words[g.randrange(len(words))] = "x%d" % i
        docs.append({"id": 1000 + i, "text": " ".join(words)})
    path = write("threads.jsonl", jsonl(*docs))
    outputs = set()
    for threads in ["1", "2", "8"]:
        for mode in ["--pairs", "--clusters"]:
            p = run(["dedup", mode, "-q", "--method", "simhash", "--hamming", "8", "--threshold", "0.7",
                     "--threads", threads, path], check=0)
            outputs.add((mode, p.stdout))
    expect(len(outputs) == 2, f"{len(outputs)} different outputs for 2 modes")


@case
def short_prefixes_warn_on_stderr_even_when_quiet():
    path = write("many.jsonl", jsonl(*[{"id": i, "text": t} for i, t in enumerate(texts(300, 20, 4))]))
    p = run(["dedup", "--quiet", "--method", "simhash", "--hamming", "16", path], check=0)
    message = p.stderr.decode()
    expect("ditto: warning: the Hamming index matches" in message and "prefixes" in message, message)
    p = run(["dedup", "--quiet", "--method", "simhash", path], check=0)
    expect(p.stderr == b"", f"unexpected message {p.stderr!r}")
    p = run(["dedup", "--verbose", "--method", "simhash", path], check=0)
    expect("SimHash k = 3, 4 blocks, 4 tables, 16-bit prefixes" in p.stderr.decode(), p.stderr.decode())


@case
def options_are_checked():
    path = write("one.jsonl", jsonl({"id": 1, "text": "a b c"}))
    error(["dedup", "--hamming", "3", path], 2, r"--hamming goes with --method simhash")
    error(["dedup", "--method", "simhash", "--recall", "0.9", path], 2, r"--recall applies to --method minhash only")
    error(["dedup", "--method", "simhash", "--sketch-size", "64", path], 2, r"--sketch-size applies to --method minhash only")
    error(["dedup", "--method", "simhash", "--hamming", "17", path], 2, r"--hamming")
    error(["dedup", "--method", "simhash", "--hamming", "-1", path], 2, r"--hamming")
    error(["dedup", "--method", "lsh", path], 2, r"--method must be 'minhash' or 'simhash', got 'lsh'")
    error(["dedup", "--method", "simhash", "--against", "x.didx", path], 2, r"--against works with --method minhash only")
    error(["dedup", "--method", "minhash", "--against", "missing.didx", path], 1, r"missing\.didx")  # gets that far
    # minhash is the default and may be named.
    run(["dedup", "--method", "minhash", "--recall", "0.9", "-q", path], check=0)
    run(["dedup", "--method", "simhash", "--hamming", "0", "-q", path], check=0)
    run(["dedup", "--method", "simhash", "--hamming", "16", "-q", path], check=0)


finish()
