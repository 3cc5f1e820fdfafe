#!/usr/bin/env python3
"""End-to-end tests of `ditto dedup --memory`: the input read in blocks and its texts read again
by offset gives, byte for byte, the output of the run that holds the input, in every output mode,
on the sample corpus and on a generated corpus of several blocks with escapes, ill-formed UTF-8,
CRLF lines, a byte order mark, ids of every kind, skipped lines, a template family and a storm of
short copies; standard input; the option checks.

Usage: test_memory.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import re
import resource
import signal
import subprocess
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, generated_corpus, run, setup, write  # noqa: E402

setup(DITTO, WORK)
NEWS = os.path.join(SOURCE, "examples/data/news.jsonl")
MODES = [[], ["--pairs"], ["--pairs", "--exact-pairs", "full"], ["--clusters"], ["--report"], ["--explain"]]


def summary(stderr):
    """The summary line without its time."""
    text = stderr.decode()
    return re.sub(r", [0-9.]+ s$", "", text.strip().splitlines()[-1]) if text.strip() else ""


def same_as_held(args, path, stdin=None):
    held = run(["dedup"] + args + [path], stdin=stdin, check=0)
    bounded = run(["dedup", "--memory", "16M"] + args + [path], stdin=stdin, check=0)
    expect(bounded.stdout == held.stdout,
           f"{args}: --memory wrote {len(bounded.stdout)} bytes, the held run {len(held.stdout)}")
    expect(summary(bounded.stderr) == summary(held.stderr),
           f"{args}: summaries differ: {summary(bounded.stderr)!r} vs {summary(held.stderr)!r}")
    return held


@case
def sample_corpus_every_mode():
    for mode in MODES:
        same_as_held(mode, NEWS)
        same_as_held(["--method", "simhash"] + mode, NEWS)


@case
def generated_corpus_every_mode_and_rule():
    path = write("corpus.jsonl", generated_corpus())
    expect(os.path.getsize(path) > 2 * (1 << 20), "the corpus should span several blocks")
    out = same_as_held([], path)
    expect(0 < out.stdout.count(b"\n") < 2500, "expected many copies removed")
    # Not --exact-pairs full here: the storm of 20,000 copies of one text would list 2 x 10^8 pairs.
    for mode in MODES:
        if "full" not in mode:
            same_as_held(mode, path)
    for extra in [["--keep", "longest"], ["--cluster", "connected", "--clusters"], ["--threshold", "0.5", "--pairs"],
                  ["--threads", "1", "--clusters"], ["--threads", "3", "--report"], ["--set-memory", "0", "--pairs"],
                  ["--method", "simhash"], ["--method", "simhash", "--pairs"], ["--method", "simhash", "--clusters"],
                  ["--method", "simhash", "--hamming", "6", "--keep", "longest", "--report"]]:
        same_as_held(extra, path)


def short_documents(seed=12):
    """About 40,000 short records (their band keys and slots alone are above 16M): near-copies,
    a template family, storms of one notice, and lines that test the reader."""
    g = random.Random(seed)
    vocabulary = ["v%d" % i for i in range(20000)] + ["caf\u00e9", "\u0436\u0443\u0440\u043d\u0430\u043b"]
    lines = []
    while len(lines) < 40000:
        text = " ".join(g.choice(vocabulary) for _ in range(g.randint(8, 30)))
        lines.append(json.dumps({"text": text, "id": "s%d" % len(lines)}))
        for _ in range(g.choice([0, 0, 0, 1, 3])):
            words = text.split()
            words[g.randrange(len(words))] = g.choice(vocabulary)
            lines.append(json.dumps({"text": " ".join(words)}, ensure_ascii=False))
        if len(lines) % 50 == 0:
            lines.append(json.dumps({"text": "header menu login " * 6 + "item %d" % len(lines)}))
        if len(lines) % 997 == 0:
            lines.extend([json.dumps({"text": "Accept all cookies"})] * 300)
    return ("\n".join(lines) + "\n").encode() + b'{"text": "bad \xff byte v1 v2 v3 v4 v5 v6"}\r\n'


@case
def many_short_documents_spill_their_keys_and_slots():
    path = write("short.jsonl", short_documents())
    os.makedirs(os.path.join(WORK, "spill"), exist_ok=True)
    verbose = run(["dedup", "--memory", "16M", "--tmp-dir", "spill", "-v", "--clusters", path], check=0)
    spilled = re.search(r"(\d+) MB of band keys and slots spilled", verbose.stderr.decode())
    expect(spilled is not None and int(spilled.group(1)) > 0, "expected the band keys spilled: " + verbose.stderr.decode())
    expect(os.listdir(os.path.join(WORK, "spill")) == [], "a temporary file was left behind")
    held = run(["dedup", "-v", "--clusters", path], check=0)
    spilled = re.search(r"(\d+) MB of band keys and slots spilled", held.stderr.decode())
    expect(spilled is not None and spilled.group(1) == "0", "nothing spilled without --memory")
    for mode in MODES:
        if "full" not in mode:
            same_as_held(mode, path)
    for extra in [["--keep", "longest"], ["--cluster", "connected", "--clusters"], ["--threshold", "0.5", "--pairs"],
                  ["--threads", "1", "--clusters"], ["--threads", "3"], ["--sketch-size", "64", "--pairs"]]:
        same_as_held(extra, path)
    # A full disk while spilling (files limited to 1 MB): an error, no output, nothing left behind.
    def limit_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    out = os.path.join(WORK, "full-disk.out")
    p = subprocess.run([DITTO, "dedup", "--memory", "16M", "--tmp-dir", "spill", "-o", out, path],
                       capture_output=True, cwd=WORK, preexec_fn=limit_files)
    expect(p.returncode == 1 and b"disk full" in p.stderr, f"exit {p.returncode}: {p.stderr!r}")
    expect(not os.path.exists(out), "an output was written")
    expect(os.listdir(os.path.join(WORK, "spill")) == [], "a temporary file was left behind")


@case
def skipped_lines_are_copied_or_listed_the_same():
    corpus = generated_corpus(seed=8)
    broken = corpus.replace(b'{"text": "bad', b'{"text": bad', 1) + b"\n{not json\n\n"
    path = write("broken.jsonl", broken)
    for mode in [[], ["--pairs"], ["--clusters"]]:
        same_as_held(mode + ["--skip-invalid"], path)
        held = run(["dedup"] + mode + [path], check=1)
        bounded = run(["dedup", "--memory", "16M"] + mode + [path], check=1)
        expect(bounded.stderr == held.stderr, f"errors differ: {bounded.stderr!r} vs {held.stderr!r}")
        expect(bounded.stdout == b"", "output written on error")


@case
def standard_input_is_copied_first():
    data = generated_corpus(seed=9)
    path = write("stdin.jsonl", data)
    held = run(["dedup", "--clusters", path], check=0)
    os.makedirs(os.path.join(WORK, "tmp"), exist_ok=True)
    piped = run(["dedup", "--memory", "16M", "--tmp-dir", "tmp", "--clusters", "-"], stdin=data, check=0)
    expect(piped.stdout == held.stdout, "standard input gave another answer")
    expect(os.listdir(os.path.join(WORK, "tmp")) == [], "a temporary file was left behind")


@case
def input_as_output_and_partly_read_standard_input():
    path = write("self.jsonl", generated_corpus(seed=10))
    before = open(path, "rb").read()
    with open(path, "ab") as appended:  # standard output appends to the input itself
        p = subprocess.run([DITTO, "dedup", "--memory", "16M", path], stdout=appended, stderr=subprocess.PIPE)
    expect(p.returncode == 2 and b"standard output is" in p.stderr, f"exit {p.returncode}: {p.stderr!r}")
    expect(open(path, "rb").read() == before, "the input was written to")
    # Standard input from a file of which a first line was read already: the rest only, as held.
    first = before.index(b"\n") + 1
    script = 'head -c %d > /dev/null; exec "$@"' % first
    for memory in ([], ["--memory", "16M"]):
        with open(path, "rb") as f:
            q = subprocess.run(["sh", "-c", script, "sh", DITTO, "dedup", "--clusters", "-q"] + memory + ["-"],
                               stdin=f, capture_output=True)
        expect(q.returncode == 0, q.stderr.decode())
        if not memory:
            held = q.stdout
    expect(q.stdout == held and held.count(b"\n") == before.count(b"\n"), "the rest of standard input differs")
    # -o naming standard output, which is the input: refused as plain standard output is.
    with open(path, "ab") as appended:
        p = subprocess.run([DITTO, "dedup", "--memory", "16M", "-o", "/dev/stdout", path], stdout=appended,
                           stderr=subprocess.PIPE)
    expect(p.returncode == 2 and b"standard output is" in p.stderr, f"exit {p.returncode}: {p.stderr!r}")
    expect(open(path, "rb").read() == before, "the input was written to")
    # A file above the 8 MiB pieces the held run reads in parallel: the rest of it too.
    big = write("big.jsonl", b"".join(b'{"id": "b%d", "text": "record number %d and some words"}\n' % (i, i)
                                     for i in range(250000)))
    expect(os.path.getsize(big) > 9 << 20, "the file should be above 9 MiB")
    skip = (5 << 20) + 17  # mid-line: the shell's read takes the rest of that line
    script = 'head -c %d > /dev/null; IFS= read -r line; exec "$@"' % skip
    outputs = []
    for memory in ([], ["--memory", "16M"]):
        with open(big, "rb") as f:
            q = subprocess.run(["sh", "-c", script, "sh", DITTO, "dedup", "--clusters", "-q"] + memory + ["-"],
                               stdin=f, capture_output=True)
        expect(q.returncode == 0, q.stderr.decode())
        outputs.append(q.stdout)
    rest = open(big, "rb").read()[skip:]
    rest = rest[rest.index(b"\n") + 1:]
    counts = [o.count(b"\n") for o in outputs] + [rest.count(b"\n")]
    expect(outputs[0] == outputs[1] and counts[0] == counts[2], "%d and %d lines for the %d left" % tuple(counts))


@case
def tmp_dir_applies_without_memory():
    path = write("pairs.jsonl", generated_corpus(seed=11))
    os.makedirs(os.path.join(WORK, "runs"), exist_ok=True)
    env = dict(os.environ, TMPDIR=os.path.join(WORK, "no-such-folder"))
    expected = run(["dedup", "--pairs", "-q", path], check=0).stdout
    p = subprocess.run([DITTO, "dedup", "--pairs", "-q", "--pairs-memory", "4K", "--tmp-dir", "runs", path],
                       capture_output=True, cwd=WORK, env=env)
    expect(p.returncode == 0 and p.stdout == expected, p.stderr.decode())


@case
def option_checks():
    error(["dedup", "--memory", "1M", NEWS], 2, r"--memory must be at least 16M")
    error(["dedup", "--memory", "lots", NEWS], 2, r"--memory")
    error(["dedup", "--memory", "64M", "--clean", NEWS], 2, r"--memory does not go with --clean")
    error(["dedup", "--memory", "64M", "--measure", "containment", NEWS], 2, r"--memory goes with --measure jaccard")
    error(["dedup", "--memory", "64M", "--tmp-dir", "no-such-folder", NEWS], 2, r"--tmp-dir .* is not a folder")
    error(["dedup", "--memory", "64M", "missing.jsonl"], 1, r"cannot open missing.jsonl")
    out = run(["dedup", "--help"], check=0).stdout.decode()
    expect("--memory SIZE" in out and "--tmp-dir DIR" in out, "no --memory or --tmp-dir in help")


finish()
