#!/usr/bin/env python3
"""The tool's threaded paths, each run on 1 and on 4 threads over a small web-shaped corpus: the
outputs must be identical. Small enough to run under ThreadSanitizer in CI (label threads), where
it is the tool's share of the race checks: dedup held and with --memory (the streamed parser and
the texts read again by offset), --clusters and --pairs, simhash, containment, sketch and dedup
--sketches (rows held and read by pread from several threads), index build and dedup --against,
clean, translations, and a manifest of many files read on threads.

Usage: test_threads.py DITTO SOURCE_DIR WORK_DIR"""

import os
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, expect, finish, generated_corpus, manifest_sequence, run, setup, write  # noqa: E402

setup(DITTO, WORK)
CORPUS = write("corpus.jsonl", generated_corpus(seed=11, originals=300))
NEWS = os.path.join(SOURCE, "examples/data/news.jsonl")
TRANSLATED = os.path.join(SOURCE, "examples/data/news_translated.jsonl")


def same_on_threads(args, name):
    """ditto args on 1 and on 4 threads: the same output, and some output."""
    one = run(args + ["--threads", "1"], check=0)
    four = run(args + ["--threads", "4"], check=0)
    expect(four.stdout == one.stdout, f"{name}: 4 threads give {len(four.stdout)} bytes, 1 thread {len(one.stdout)}")
    expect(len(one.stdout) > 0, f"{name}: no output")
    return one.stdout


@case
def dedup_held_and_streamed():
    for mode in [[], ["--pairs"], ["--clusters"], ["--clusters", "--cluster", "connected"]]:
        held = same_on_threads(["dedup", "-q"] + mode + [CORPUS], f"dedup {mode}")
        streamed = same_on_threads(["dedup", "-q", "--memory", "16M"] + mode + [CORPUS], f"dedup --memory {mode}")
        expect(streamed == held, f"dedup --memory {mode}: differs from the input held")


@case
def other_measures():
    same_on_threads(["dedup", "-q", "--method", "simhash", "--pairs", CORPUS], "simhash")
    same_on_threads(["dedup", "-q", "--measure", "containment", "--pairs", CORPUS], "containment")
    same_on_threads(["dedup", "-q", "--clean", CORPUS], "dedup --clean")
    same_on_threads(["clean", "-q", CORPUS], "clean")


@case
def sketches_and_indexes():
    folder = os.path.join(WORK, "sketches")
    os.makedirs(folder, exist_ok=True)
    for p in range(3):
        for threads in ["1", "4"]:
            run(["sketch", "-q", "--threads", threads, "--part", "%d/3" % p, "-o", os.path.join(folder, "part-%d.sketch" % p),
                 CORPUS], check=0)
    alone = run(["dedup", "-q", "--pairs", CORPUS], check=0).stdout
    for memory in [[], ["--memory", "16M"]]:
        staged = same_on_threads(["dedup", "-q", "--sketches", folder, "--pairs"] + memory + [CORPUS], f"dedup --sketches {memory}")
        expect(staged == alone, f"dedup --sketches {memory}: differs from dedup alone")
    for threads in ["1", "4"]:
        run(["index", "build", CORPUS, "-o", "corpus-%s.didx" % threads, "--threads", threads], check=0)
    expect(open(os.path.join(WORK, "corpus-1.didx"), "rb").read() == open(os.path.join(WORK, "corpus-4.didx"), "rb").read(),
           "index build: other bytes on 4 threads")
    same_on_threads(["dedup", "-q", "--against", "corpus-1.didx", "--pairs", CORPUS], "dedup --against")
    same_on_threads(["dedup", "-q", "--against", "corpus-1.didx", "--also-within", "--clusters", CORPUS],
                    "dedup --against --also-within")


@case
def a_manifest_read_on_threads():
    # Over 8 MB in 40 shards: the input is read in 8 MB pieces on the pool, each piece through
    # several files, with more files than are kept open (eviction while other threads read).
    lines = generated_corpus(seed=12, originals=2200).splitlines(True)
    folder = os.path.join(WORK, "shards")
    os.makedirs(folder, exist_ok=True)
    names = []
    step = len(lines) // 40 + 1
    for i in range(0, len(lines), step):
        body = b"".join(lines[i:i + step])
        names.append("s%02d.jsonl" % len(names))
        with open(os.path.join(folder, names[-1]), "wb") as f:
            f.write(body)
    sequence = manifest_sequence([os.path.join(folder, n) for n in names])
    expect(len(names) >= 33 and len(sequence) > 8 << 20, f"{len(names)} shards, {len(sequence)} bytes")
    with open(os.path.join(folder, "list"), "w") as f:
        f.write("\n".join(names) + "\n")
    written = write("sequence.jsonl", sequence)
    manifest = ["--manifest", os.path.join(folder, "list")]
    held = same_on_threads(["dedup", "-q", "--clusters"] + manifest, "dedup --manifest")
    expect(held == run(["dedup", "-q", "--clusters", written], check=0).stdout, "dedup --manifest: differs from its sequence")
    streamed = run(["dedup", "-q", "--clusters", "--memory", "16M", "--threads", "4"] + manifest, check=0).stdout
    expect(streamed == held, "dedup --manifest --memory: differs")


@case
def translations():
    same_on_threads(["translations", "--min-anchors", "3", NEWS, TRANSLATED], "translations")


finish()
