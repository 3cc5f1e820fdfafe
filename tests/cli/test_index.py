#!/usr/bin/env python3
"""End-to-end tests of `ditto index build|add|merge|info`: what an index holds against its input,
build + add and merge giving the bytes of one build, parameter mismatches named field by field,
damaged indexes refused with exit status 1, and every option checked before anything is read or
written.

Usage: test_index.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import re
import shutil
import struct
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, jsonl, run, setup, write  # noqa: E402

setup(DITTO, WORK)


NEWS = os.path.join(SOURCE, "examples", "data", "news.jsonl")
WORDS = ("river city council plan bike lane budget school teacher market price rain storm harbour "
         "train station bridge museum garden library festival music paper report vote mayor").split()


def corpus(seed, n, ids=True):
    """n records of generated text, some near-copies of others; ids "s<seed>-<i>" or none."""
    rng = random.Random(seed)
    texts = []
    for i in range(n):
        words = rng.choice(texts).split() if texts else []
        if words and rng.random() < 0.3:
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            texts.append(" ".join(words))
        else:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 40))))
    return jsonl(*({"id": f"s{seed}-{i}", "text": t} if ids else {"text": t} for i, t in enumerate(texts)))


def read(name):
    with open(os.path.join(WORK, name), "rb") as f:
        return f.read()


def parse(data):
    """The sections of an index (docs/format.md) by kind: (offset, length, count)."""
    expect(data[:8] == b"DITTOIDX" and data[-8:] == b"DITTOEND", "not an index")
    (n,) = struct.unpack_from("<I", data, 12)
    sections = {}
    for i in range(n):
        kind, _crc, offset, length, count = struct.unpack_from("<IIQQQ", data, 80 + 32 * i)
        sections[kind] = (offset, length, count)
    return sections


def documents(data):
    """[(source, offset, length, id)] of an index."""
    offset, _length, count = parse(data)[2]
    ids_at = offset + 48 * count
    out, start = [], 0
    for d in range(count):
        source, begin, length = struct.unpack_from("<QQQ", data, offset + 48 * d)
        (end,) = struct.unpack_from("<Q", data, offset + 48 * d + 40)
        out.append((source, begin, length, data[ids_at + start:ids_at + end].decode()))
        start = end
    return out


def sources(data):
    """[(path, size)] of an index."""
    offset, _length, count = parse(data)[1]
    paths_at = offset + 32 * count
    out, start = [], 0
    for s in range(count):
        size, _high, _low, end = struct.unpack_from("<QQQQ", data, offset + 32 * s)
        out.append((data[paths_at + start:paths_at + end].decode(), size))
        start = end
    return out


def build(inputs, output, *options):
    p = run(["index", "build", *options, *inputs, "-o", output], check=0)
    expect(p.stdout == b"", f"build wrote {p.stdout!r} to stdout")
    return read(output)


@case
def build_then_info():
    shutil.copy(NEWS, os.path.join(WORK, "news.jsonl"))
    build(["news.jsonl"], "news.didx")
    out = run(["index", "info", "news.didx"], check=0).stdout.decode()
    lines = sum(1 for line in open(NEWS, encoding="utf-8") if line.strip())
    for want in ("version             2.0", "checksums           verified", "shingles            words, 5",
                 "sketch              fast, 128 slots of 32 bits", "threshold           0.8",
                 "recall              0.995", "sources             1", f"documents           {lines}",
                 "signatures", "band records"):
        expect(want in out, f"{want!r} not in\n{out}")
    size = os.path.getsize(os.path.join(WORK, "news.didx"))
    expect(f"file size           {size} bytes" in out, out)


@case
def documents_and_ids_match_the_input():
    # Ids: the id field (string or number, as dedup names documents), else the line number.
    records = ['{"id": "a", "text": "one two three four five six"}',
               '{"text": "no id here at all, so the line number"}',
               '{"id": 17, "text": "a number id \\u00e9 with an escape"}',
               '{"id": "d", "text": ""}']
    data = "\n".join(records) + "\n"
    write("ids.jsonl", data)
    index = build(["ids.jsonl"], "ids.didx")
    docs = documents(index)
    expect([d[3] for d in docs] == ["a", "2", "17", "d"], str(docs))
    expect(sources(index) == [("ids.jsonl", len(data.encode()))], str(sources(index)))
    # Each document's offset and length are its line's bytes.
    raw = data.encode()
    for (source, begin, length, _id), line in zip(docs, records):
        expect(source == 0 and raw[begin:begin + length] == line.encode(), f"{begin} {length} {line}")
    # The empty text has no band records: 3 signed documents x 18 bands.
    expect(parse(index)[4][2] == 3 * 18, str(parse(index)[4]))
    # A generated corpus: count and order as in the input.
    write("gen.jsonl", corpus(5, 200))
    docs = documents(build(["gen.jsonl"], "gen.didx"))
    expect([d[3] for d in docs] == [f"s5-{i}" for i in range(200)], "ids differ")
    # --id-field and --text-field are those of dedup.
    write("fields.jsonl", jsonl({"key": "k1", "body": "first text here"}, {"key": "k2", "body": "second"}))
    docs = documents(build(["fields.jsonl"], "fields.didx", "--id-field", "key", "--text-field", "body"))
    expect([d[3] for d in docs] == ["k1", "k2"], str(docs))
    # Duplicate ids within a file are refused, as by dedup.
    write("dup.jsonl", jsonl({"id": "x", "text": "a"}, {"id": "x", "text": "b"}))
    error(["index", "build", "dup.jsonl", "-o", "dup.didx"], 1, r"dup\.jsonl:2: id \"x\" is also the id of line 1")
    expect(not os.path.exists(os.path.join(WORK, "dup.didx")), "wrote an index after an error")


def signatures(data):
    """Each document's signature bytes."""
    offset, length, count = parse(data)[3]
    size = length // count if count else 0
    return [data[offset + size * d:offset + size * (d + 1)] for d in range(count)]


@case
def parameters_and_sketches_are_those_of_dedup():
    # The LSH shape dedup picks for the same options.
    write("p.jsonl", corpus(6, 40))
    for options in ([], ["--threshold", "0.5", "--sketch-size", "64", "--recall", "0.9"],
                    ["--threshold", "0.95", "--ngram", "2", "--sketch-size", "256"]):
        err = run(["dedup", "--verbose", "-o", "/dev/null", *options, "p.jsonl"], check=0).stderr.decode()
        shape = re.search(r"LSH (\d+) bands x (\d+) rows", err)
        expect(shape, err)
        build(["p.jsonl"], "p.didx", *options)
        info = run(["index", "info", "p.didx"], check=0).stdout.decode()
        expect(f"bands x rows        {shape.group(1)} x {shape.group(2)}" in info, f"{options}: {err}\n{info}")
    # Texts dedup treats as exact duplicates (equal once normalized) have equal signatures.
    base = "The Council approved the plan on Tuesday, after a long debate about the budget"
    write("same.jsonl", jsonl({"id": "a", "text": base}, {"id": "b", "text": "  " + base.upper() + "  "},
                              {"id": "c", "text": base.replace("Tuesday", "Monday")}))
    err = run(["dedup", "--verbose", "-o", "/dev/null", "same.jsonl"], check=0).stderr.decode()
    expect("1 exact duplicates" in err, err)
    sig = signatures(build(["same.jsonl"], "same.didx"))
    expect(sig[0] == sig[1] and sig[0] != sig[2] and len(sig[0]) == 128 * 4, "signatures")


@case
def add_and_merge_equal_one_build():
    write("a.jsonl", corpus(1, 150))
    write("b.jsonl", corpus(2, 120, ids=False))
    write("c.jsonl", corpus(3, 80))
    for options in ([], ["--threshold", "0.5", "--ngram", "3", "--sketch-size", "64", "--recall", "0.9"]):
        whole = build(["a.jsonl", "b.jsonl", "c.jsonl"], "whole.didx", *options)
        build(["a.jsonl"], "grown.didx", *options)
        run(["index", "add", "grown.didx", "b.jsonl"], check=0)
        run(["index", "add", "grown.didx", "c.jsonl", *options], check=0)  # the same options: accepted
        expect(read("grown.didx") == whole, f"build + add differs from one build ({options})")
        build(["a.jsonl", "b.jsonl"], "ab.didx", *options)
        build(["c.jsonl"], "c.didx", *options)
        run(["index", "merge", "ab.didx", "c.didx", "-o", "merged.didx"], check=0)
        expect(read("merged.didx") == whole, f"merge differs from one build ({options})")
        # The output may be one of the inputs.
        run(["index", "merge", "ab.didx", "c.didx", "-o", "ab.didx"], check=0)
        expect(read("ab.didx") == whole, "merge onto an input differs")
    docs = documents(whole)
    expect(len(docs) == 350 and docs[150][3] == "1" and docs[0][3] == "s1-0", str(docs[148:152]))
    expect(sorted({d[0] for d in docs}) == [0, 1, 2], "three sources")


@case
def parameter_mismatch_names_each_field():
    write("m.jsonl", corpus(7, 30))
    build(["m.jsonl"], "default.didx")
    build(["m.jsonl"], "other.didx", "--ngram", "3", "--threshold", "0.7")
    before = read("default.didx")
    error(["index", "merge", "default.didx", "other.didx", "-o", "x.didx"], 1,
          r"cannot merge default\.didx and other\.didx: the parameters differ \(shingle size, .*threshold\)")
    expect(not os.path.exists(os.path.join(WORK, "x.didx")), "wrote a merge of differing indexes")
    error(["index", "add", "default.didx", "m.jsonl", "--ngram", "4", "--sketch-size", "256"], 2,
          r"default\.didx was built with other options: the parameters differ \(shingle size, slots")
    expect(read("default.didx") == before, "a refused add changed the index")
    # Options not given are the index's; those given must equal them.
    three = build(["m.jsonl"], "three.didx", "--ngram", "3", "--threshold", "0.7")
    run(["index", "add", "three.didx", "m.jsonl", "--threshold", "0.7"], check=0)
    error(["index", "add", "three.didx", "m.jsonl", "--threshold", "0.8", "--ngram", "3"], 2,
          r"three\.didx was built with other options: the parameters differ \(bands, rows, threshold\)")
    # Every differing field is named, with a pointer to the help (a usage error).
    p = run(["index", "add", "three.didx", "m.jsonl", "--threshold", "0.5", "--ngram", "4", "--sketch-size", "64",
             "--recall", "0.9"], check=2)
    message = p.stderr.decode()
    expect("the parameters differ (shingle size, slots, bands, rows, threshold, recall)" in message, message)
    expect("ditto index add --help" in message, message)
    expect(len(documents(read("three.didx"))) == 2 * len(documents(three)), "add with matching options")


@case
def damaged_indexes_are_refused():
    write("d.jsonl", corpus(9, 20))
    good = build(["d.jsonl"], "d.didx")
    rng = random.Random(11)
    positions = sorted({0, 9, 30, 100, len(good) // 2, len(good) - 20, len(good) - 1} |
                       {rng.randrange(len(good)) for _ in range(12)})
    for at in positions:
        bad = bytearray(good)
        bad[at] ^= 1 << rng.randrange(8)
        write("flipped.didx", bytes(bad))
        for command in (["index", "info", "flipped.didx"], ["index", "add", "flipped.didx", "d.jsonl"],
                        ["index", "merge", "flipped.didx", "d.didx", "-o", "out.didx"]):
            error(command, 1, r"^ditto: flipped\.didx: not a valid index: .*\(.*byte offset \d+\)")
        expect(read("flipped.didx") == bytes(bad), "a damaged index was rewritten")
    for length in (0, 7, 103, 104, 200, len(good) - 16, len(good) - 1):
        write("short.didx", good[:length])
        error(["index", "info", "short.didx"], 1, r"^ditto: short\.didx: not a valid index: ")
    write("long.didx", good + b"\0" * 8)
    error(["index", "info", "long.didx"], 1, r"truncated or has bytes appended")
    error(["index", "info", "d.jsonl"], 1, r"not a valid index: .*bad magic")
    expect(not os.path.exists(os.path.join(WORK, "out.didx")), "merge wrote from a damaged input")


@case
def missing_and_unreadable_inputs():
    write("ok.jsonl", corpus(4, 5))
    error(["index", "build", "ok.jsonl", "missing.jsonl", "-o", "never.didx"], 1, r"cannot open missing\.jsonl")
    expect(not os.path.exists(os.path.join(WORK, "never.didx")), "wrote an index with a missing input")
    error(["index", "info", "missing.didx"], 1, r"cannot open 'missing\.didx'")
    error(["index", "add", "missing.didx", "ok.jsonl"], 1, r"cannot open 'missing\.didx'")
    expect(not os.path.exists(os.path.join(WORK, "missing.didx")), "add created a missing index")
    build(["ok.jsonl"], "ok.didx")
    before = read("ok.didx")
    error(["index", "add", "ok.didx", "missing.jsonl"], 1, r"cannot open missing\.jsonl")
    write("broken.jsonl", '{"text": "fine"}\n{"text": \n')
    error(["index", "add", "ok.didx", "broken.jsonl"], 1, r"broken\.jsonl:2:")
    expect(read("ok.didx") == before, "a failed add changed the index")
    error(["index", "merge", "ok.didx", "missing.didx", "-o", "m.didx"], 1, r"cannot open 'missing\.didx'")


@case
def unwritable_output():
    write("w.jsonl", corpus(4, 5))
    missing = os.path.join(WORK, "no-such-folder", "x.didx")
    error(["index", "build", "w.jsonl", "-o", missing], 2, r"-o .*no-such-folder/x\.didx: ")
    error(["index", "build", "w.jsonl", "-o", WORK], 2, r"-o ")
    build(["w.jsonl"], "w.didx")
    error(["index", "merge", "w.didx", "w.didx", "-o", missing], 2, r"no-such-folder/x\.didx")
    expect(not os.path.exists(os.path.dirname(missing)), "created the folder")
    if os.geteuid() != 0:
        locked = os.path.join(WORK, "locked")
        os.makedirs(locked)
        shutil.copy(os.path.join(WORK, "w.didx"), locked)
        os.chmod(locked, 0o555)
        try:
            error(["index", "add", os.path.join(locked, "w.didx"), "w.jsonl"], 2, r"Permission denied")
        finally:
            os.chmod(locked, 0o755)


@case
def usage_errors_and_help():
    write("u.jsonl", corpus(4, 5))
    for command in ([], ["build"], ["add"], ["merge"], ["info"]):
        p = run(["index", *command, "--help"], check=0)
        expect(p.stdout.startswith(b"Usage: ditto index") and p.stderr == b"", p.stdout[:80])
    expect(b"index" in run(["--help"], check=0).stdout, "ditto --help does not list index")
    error(["index"], 2, r"index needs a command")
    error(["index", "rebuild"], 2, r"unknown index command 'rebuild'")
    error(["index", "build", "u.jsonl"], 2, r"no index to write: give -o")
    error(["index", "build", "-o", "u.didx"], 2, r"no input files")
    error(["index", "build", "-", "-o", "u.didx"], 2, r"standard input cannot be indexed")
    error(["index", "build", "u.jsonl", "-o", "u.didx", "--threshold", "1.5"], 2, r"--threshold")
    error(["index", "build", "u.jsonl", "-o", "u.didx", "--ngram", "0"], 2, r"--ngram")
    error(["index", "build", "u.jsonl", "-o", "u.didx", "--sketch-size", "1"], 2, r"--recall 0\.995 cannot be reached")
    error(["index", "build", "u.jsonl", "-o", "u.didx", "--pairs"], 2, r"--pairs")
    error(["index", "build", "u.jsonl", "-o", "u.didx", "--threads", "0"], 2, r"--threads")
    error(["index", "build", "u.jsonl", "-o", "u.didx", "--text-field", "id"], 2, r"must differ")
    error(["index", "build", "u.jsonl", "-o", "u.didx", "--invalid-utf8", "skip"], 2, r"--invalid-utf8")
    error(["index", "build", "u.jsonl", "-o", ""], 2, r"needs a file name")
    expect(not os.path.exists(os.path.join(WORK, "u.didx")), "wrote an index on a usage error")
    build(["u.jsonl"], "u.didx")
    error(["index", "add", "u.didx"], 2, r"no input files to add")
    error(["index", "add", "u.didx", "u.jsonl", "-o", "x.didx"], 2, r"-o")
    error(["index", "merge", "u.didx", "-o", "x.didx"], 2, r"merge takes two indexes, got 1")
    error(["index", "merge", "u.didx", "u.didx"], 2, r"no index to write")
    error(["index", "info"], 2, r"info takes one index, got 0")
    error(["index", "info", "u.didx", "u.didx"], 2, r"info takes one index, got 2")
    error(["index", "info", "u.didx", "--verbose"], 2, r"--verbose")
    error(["index", "info", "-"], 2, r"an index cannot be read from standard input")
    error(["index", "add", "-", "u.jsonl"], 2, r"an index cannot be read from standard input")
    error(["index", "add", "u.didx", "-"], 2, r"standard input cannot be indexed")


def big_corpus(seed, n, words=60):
    """n records of about `words` words each, a third near-copies: several MB for n in the thousands."""
    rng = random.Random(seed)
    texts, out = [], []
    for i in range(n):
        w = rng.choice(texts).split() if texts else []
        if w and rng.random() < 0.3:
            w[rng.randrange(len(w))] = rng.choice(WORDS)
            t = " ".join(w)
        else:
            t = " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(rng.randint(0, words)))
        texts.append(t)
        out.append({"id": f"b{seed}-{i}", "text": t} if i % 7 else {"text": t})
    return jsonl(*out)


def no_files_in(folder):
    left = os.listdir(os.path.join(WORK, folder))
    expect(left == [], f"left in {folder}: {left}")


@case
def memory_budget_gives_the_same_bytes():
    # Files of several 1 MiB blocks, a byte order mark, CRLF lines and a last line without "\n":
    # every budget (down to one that spills a run every few documents) gives the bytes of the
    # build that never spills, and so do build + add and merge (both stream the indexes they read).
    write("m1.jsonl", big_corpus(1, 9000))
    write("m2.jsonl", b"\xef\xbb\xbf" + big_corpus(2, 3000).replace("\n", "\r\n").encode()[:-2])
    os.makedirs(os.path.join(WORK, "runs"), exist_ok=True)
    whole = build(["m1.jsonl", "m2.jsonl"], "m-whole.didx", "--memory", "8G")
    for memory in ("4K", "100K", "1M", "3M", "64m"):
        p = run(["index", "build", "--memory", memory, "--tmp-dir", "runs", "m1.jsonl", "m2.jsonl", "-o", "m.didx"],
                check=0)
        expect(read("m.didx") == whole, f"--memory {memory}: another index")
        if memory in ("4K", "100K", "1M"):
            expect(re.search(r"bytes spilled to runs \(\d+ sorted runs\)", p.stderr.decode()), p.stderr.decode())
        no_files_in("runs")
    for threads in ("1", "3"):
        build(["m1.jsonl", "m2.jsonl"], "m.didx", "--memory", "4K", "--threads", threads, "--tmp-dir", "runs")
        expect(read("m.didx") == whole, f"--threads {threads}: another index")
    build(["m1.jsonl"], "m-add.didx", "--memory", "100K")
    run(["index", "add", "m-add.didx", "m2.jsonl"], check=0)
    expect(read("m-add.didx") == whole, "build + add differs from one build under a budget")
    build(["m1.jsonl"], "m-add.didx", "--memory", "100K")
    p = run(["index", "add", "--memory", "4K", "--tmp-dir", "runs", "m-add.didx", "m2.jsonl"], check=0)
    expect(read("m-add.didx") == whole, "build + add --memory 4K differs from one build")
    expect(re.search(r"bytes spilled to runs \(\d+ sorted runs\)", p.stderr.decode()), p.stderr.decode())
    no_files_in("runs")
    build(["m2.jsonl"], "m2.didx", "--memory", "4K")
    run(["index", "merge", "m-add.didx", "m2.didx", "-o", "m-twice.didx"], check=0)
    twice = build(["m1.jsonl", "m2.jsonl", "m2.jsonl"], "m-twice-whole.didx")
    expect(read("m-twice.didx") == twice, "merge differs from one build")
    error(["index", "add", "--tmp-dir", "no-such-folder", "m-add.didx", "m2.jsonl"], 2, r"--tmp-dir .*not a folder")
    error(["index", "add", "--memory", "lots", "m-add.didx", "m2.jsonl"], 2, r"--memory")
    # The default folder of temporary files is the index's: nothing is left there either.
    os.makedirs(os.path.join(WORK, "out"), exist_ok=True)
    build(["m1.jsonl", "m2.jsonl"], "out/m.didx", "--memory", "4K")
    expect(os.listdir(os.path.join(WORK, "out")) == ["m.didx"], str(os.listdir(os.path.join(WORK, "out"))))
    expect(read("out/m.didx") == whole, "another index in out/")


@case
def memory_budget_numbers_lines_as_one_block():
    # Texts with escaped newlines ("\\n", a newline once decoded) in a file of several 1 MiB
    # blocks: the records without an id are named by their line numbers, the same in any block.
    records = [json.loads(line) for line in big_corpus(5, 9000).splitlines()]
    for i, r in enumerate(records):
        if i % 2:
            r["text"] = r["text"].replace(" ", "\n", 3)
    lines = [json.dumps(r) for r in records]
    write("nl.jsonl", "\n".join(lines) + "\n")
    whole = build(["nl.jsonl"], "nl-whole.didx", "--memory", "8G")
    build(["nl.jsonl"], "nl.didx", "--memory", "4K")
    expect(read("nl.didx") == whole, "line numbers differ between blocks and one block")
    ids = [d[3] for d in documents(read("nl.didx"))]
    expect(len(ids) == len(lines), f"{len(ids)} documents for {len(lines)} lines")
    wrong = [(i + 1, ids[i]) for i in range(0, len(ids), 7) if ids[i] != str(i + 1)]
    expect(not wrong, f"records without an id named other than by their line: {wrong[:3]}")


@case
def memory_budget_long_lines_and_errors():
    # A line longer than the block is read whole; its neighbours are cut around it.
    long_text = " ".join(f"w{i % 997}" for i in range(400000))  # about 2.4 MB
    write("long.jsonl", jsonl({"id": "a", "text": "short one two three four five"}, {"id": "long", "text": long_text},
                             {"id": "c", "text": "short one two three four six"}))
    os.makedirs(os.path.join(WORK, "runs"), exist_ok=True)
    whole = build(["long.jsonl"], "long-whole.didx")
    expect(build(["long.jsonl"], "long.didx", "--memory", "1K", "--tmp-dir", "runs") == whole, "long line: another index")
    # A bad line or a repeated id far into a file, after runs were spilled: an error, no index,
    # no temporary file left.
    data = big_corpus(3, 6000)
    write("bad.jsonl", data + '{"id": "x", "text": "unterminated\n' + big_corpus(4, 100))
    lines = data.count("\n") + 1
    error(["index", "build", "--memory", "4K", "--tmp-dir", "runs", "bad.jsonl", "-o", "bad.didx"], 1,
          rf"bad\.jsonl:{lines}:\d+: ")
    write("dupfar.jsonl", data + jsonl({"id": "b3-5", "text": "again"}))
    error(["index", "build", "--memory", "4K", "--tmp-dir", "runs", "dupfar.jsonl", "-o", "bad.didx"], 1,
          rf"dupfar\.jsonl:{lines}: id \"b3-5\" is also the id of line 6")
    expect(not os.path.exists(os.path.join(WORK, "bad.didx")), "wrote an index after an error")
    no_files_in("runs")
    # An id that is another record's line number is the same id, as without a budget.
    write("lineid.jsonl", jsonl({"text": "first"}, {"id": "1", "text": "second"}))
    error(["index", "build", "--memory", "4K", "lineid.jsonl", "-o", "bad.didx"], 1,
          r"lineid\.jsonl:2: id \"1\" is also the id of line 1")


@case
def memory_option_checked():
    write("mem.jsonl", jsonl({"id": "a", "text": "one two three four five six"}))
    for bad in ("0", "0K", "", "12X", "1.5G", "-1", "K", "9223372036854775809", "8388609T", "99999999999999999999"):
        error(["index", "build", "mem.jsonl", "-o", "mem.didx", "--memory", bad], 2, r"--memory must be a positive number")
    error(["index", "build", "mem.jsonl", "-o", "mem.didx", "--tmp-dir", "missing"], 2, r"--tmp-dir 'missing' is not a folder")
    error(["index", "build", "mem.jsonl", "-o", "mem.didx", "--tmp-dir", "mem.jsonl"], 2, r"is not a folder")
    expect(not os.path.exists(os.path.join(WORK, "mem.didx")), "wrote an index on a usage error")
    for good in ("1", "512M", "2g", "8388608T"):
        build(["mem.jsonl"], "mem.didx", "--memory", good)
    help_text = run(["index", "build", "--help"], check=0).stdout.decode()
    expect("--memory BYTES" in help_text and "half the physical memory" in help_text, help_text)


@case
def memory_budget_signal_leaves_nothing():
    # SIGTERM while runs are being spilled: the process dies by it, and neither the index nor
    # its temporary file nor any run is left.
    import signal
    import subprocess
    import time
    write("sig.jsonl", big_corpus(5, 40000))
    os.makedirs(os.path.join(WORK, "sigruns"), exist_ok=True)
    p = subprocess.Popen([DITTO, "index", "build", "--memory", "4K", "--threads", "1", "--tmp-dir", "sigruns",
                          "sig.jsonl", "-o", "sig.didx"], cwd=WORK, stderr=subprocess.PIPE)
    time.sleep(0.3)
    p.send_signal(signal.SIGTERM)
    p.communicate()
    if p.returncode == 0:
        return  # finished first (a fast machine): nothing to check
    expect(p.returncode == -signal.SIGTERM, f"exit {p.returncode}")
    no_files_in("sigruns")
    left = [f for f in os.listdir(WORK) if f.startswith("sig.didx") or "ditto" in f]
    expect(left == [], f"left behind: {left}")


@case
def memory_budget_full_disk():
    # Temporary files on a full disk (a 256 KiB tmpfs, where this test may mount one): a clear
    # error, no index, nothing left on the small disk.
    import subprocess
    tiny = os.path.join(WORK, "tiny")
    os.makedirs(tiny, exist_ok=True)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", tiny],
                                           capture_output=True).returncode != 0:
        print("      (skipped: cannot mount a small tmpfs)")
        return
    try:
        write("full.jsonl", big_corpus(6, 6000))
        error(["index", "build", "--memory", "1M", "--tmp-dir", tiny, "full.jsonl", "-o", "full.didx"], 1,
              r"sorted run: writing failed \(is the disk full\?\)|temporary data: writing failed")
        expect(not os.path.exists(os.path.join(WORK, "full.didx")), "wrote an index on a full disk")
        expect(os.listdir(tiny) == [], f"left on the disk: {os.listdir(tiny)}")
        # The index itself on the full disk: the output's own error, and no file.
        for memory in ("1M", "1G"):
            error(["index", "build", "--memory", memory, "--tmp-dir", ".", "full.jsonl", "-o", "tiny/full.didx"], 1,
                  r"cannot write tiny/full\.didx: No space left on device")
            expect(os.listdir(tiny) == [], f"left on the disk: {os.listdir(tiny)}")
    finally:
        subprocess.run(["umount", tiny], capture_output=True)


@case
def merge_reads_an_index_from_a_pipe():
    # An index that cannot seek (a pipe) is copied to a temporary file first: the merge reads its
    # inputs several times. Nothing is left in the output's folder.
    import threading
    write("pa.jsonl", corpus(21, 30))
    write("pb.jsonl", corpus(22, 25))
    a = build(["pa.jsonl"], "pa.didx")
    build(["pb.jsonl"], "pb.didx")
    run(["index", "merge", "pa.didx", "pb.didx", "-o", "pab.didx"], check=0)
    fifo = os.path.join(WORK, "pa-pipe.didx")
    if os.path.exists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as f:
            f.write(a)

    os.makedirs(os.path.join(WORK, "piped"), exist_ok=True)
    writer = threading.Thread(target=feed)
    writer.start()
    run(["index", "merge", "pa-pipe.didx", "pb.didx", "-o", "piped/pab.didx"], check=0)
    writer.join()
    expect(read("piped/pab.didx") == read("pab.didx"), "a merge from a pipe differs")
    expect(os.listdir(os.path.join(WORK, "piped")) == ["pab.didx"], str(os.listdir(os.path.join(WORK, "piped"))))
    os.remove(fifo)


@case
def memory_budget_pipe_input():
    # A pipe is read whole (its size is not known in advance), indexed as the same bytes in a
    # file would be, and its repeated ids are named as in a file.
    import threading
    data = big_corpus(7, 3000)
    write("pipe-copy.jsonl", data)
    fifo = os.path.join(WORK, "pipe.jsonl")

    def feed(payload):
        with open(fifo, "wb") as f:
            f.write(payload.encode())

    for payload, dup in ((data, False), (data + jsonl({"id": "b7-3", "text": "again"}), True)):
        if os.path.exists(fifo):
            os.remove(fifo)
        os.mkfifo(fifo)
        writer = threading.Thread(target=feed, args=(payload,))
        writer.start()
        if dup:
            error(["index", "build", "--memory", "4K", "pipe.jsonl", "-o", "pipe.didx"], 1,
                  rf"pipe\.jsonl:{data.count(chr(10)) + 1}: id \"b7-3\" is also the id of line 4")
        else:
            got = build(["pipe.jsonl"], "pipe.didx", "--memory", "4K")
            want = build(["pipe-copy.jsonl"], "pipe-copy.didx")
            (o1, l1, _), (o2, l2, _) = parse(got)[4], parse(want)[4]
            expect(documents(got) == documents(want) and signatures(got) == signatures(want)
                   and got[o1:o1 + l1] == want[o2:o2 + l2], "a pipe indexed otherwise than a file")
        writer.join()
    os.remove(fifo)


finish()
