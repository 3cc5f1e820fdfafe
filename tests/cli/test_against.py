#!/usr/bin/env python3
"""End-to-end tests of `ditto dedup --against X.didx NEW.jsonl`: the cross pairs of one
`ditto dedup --pairs` over reference + new, kept lines, clusters, --also-within, sources changed
or missing after indexing (estimated, with a summary), parameter mismatches and usage errors.

Usage: test_against.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import shutil
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, run, setup, write  # noqa: E402

setup(DITTO, WORK)


def words(rng, n):
    return " ".join(f"w{rng.randrange(400)}" for _ in range(n))


def edited(rng, text, edits):
    w = text.split()
    for _ in range(edits):
        w[rng.randrange(len(w))] = f"x{rng.randrange(10**6)}"
    return " ".join(w)


def make_corpora(seed):
    """A reference corpus with families of near-copies; new documents: near-copies of reference
    documents at several distances, near-copies of each other, and unrelated ones."""
    rng = random.Random(seed)
    ref = []
    for i in range(150):
        if ref and rng.random() < 0.3:
            ref.append(edited(rng, rng.choice(ref), rng.randrange(6)))
        else:
            ref.append(words(rng, 40 + rng.randrange(50)))
    new = []
    for i in range(100):
        kind = rng.randrange(4)
        if kind == 0:
            new.append(words(rng, 30 + rng.randrange(50)))
        elif kind == 3 and new:
            new.append(edited(rng, rng.choice(new), 1))
        else:
            new.append(edited(rng, rng.choice(ref), rng.randrange(10)))
    return ref, new


REF, NEW = make_corpora(7)


def records(prefix, texts):
    return "".join(json.dumps({"id": f"{prefix}{i}", "text": t}) + "\n" for i, t in enumerate(texts))


write("ref.jsonl", records("r", REF))
write("new.jsonl", records("n", NEW))
write("both.jsonl", records("r", REF) + records("n", NEW))


def tsv(stdout):
    return [line.split("\t") for line in stdout.decode().splitlines()]


def expand(rows):
    """The full pairs that compact --pairs rows stand for: a 'same' row's copy stands for its
    first new document, an 'indexed-same' row's copy for its lowest indexed one."""
    copies, indexed_copies = {}, {}
    for a, b, s, how in rows:
        if how == "same":
            copies.setdefault(a, [a]).append(b)
        elif how == "indexed-same":
            indexed_copies.setdefault(a, [a]).append(b)
    out = []
    for a, b, s, how in rows:
        if how in ("exact", "estimated"):
            out += [(n, r, s, how) for n in copies.get(a, [a]) for r in indexed_copies.get(b, [b])]
        elif how == "within":
            out += [(x, y, s, how) for x in copies.get(a, [a]) for y in copies.get(b, [b])]
    for first, members in copies.items():
        out += [(x, y, "1.0000", "within") for i, x in enumerate(members) for y in members[i + 1:]]
    return out


def cross_pairs(threshold):
    """The pairs of one new and one reference document from `ditto dedup --pairs` over both."""
    p = run(["dedup", "--pairs", "--exact-pairs", "full", "--threshold", threshold, "both.jsonl"], check=0)
    out = set()
    for a, b, s in tsv(p.stdout):
        if a[0] != b[0]:
            n, r = (a, b) if a[0] == "n" else (b, a)
            out.add((n, r, s))
    return out


@case
def equals_dedup_over_both_corpora():
    for threshold in ("0.8", "0.5"):
        run(["index", "build", "ref.jsonl", "-o", f"ref{threshold}.didx", "--threshold", threshold], check=0)
        p = run(["dedup", "--against", f"ref{threshold}.didx", "new.jsonl", "--pairs", "--exact-pairs", "full"], check=0)
        rows = tsv(p.stdout)
        compact = run(["dedup", "--against", f"ref{threshold}.didx", "new.jsonl", "--pairs", "-q"], check=0)
        expect(sorted(expand(tsv(compact.stdout))) == sorted(tuple(r) for r in rows), f"{threshold}: compact form")
        expect(all(r[3] == "exact" for r in rows), f"{threshold}: estimated rows {rows}")
        got = {(r[0], r[1], r[2]) for r in rows}
        want = cross_pairs(threshold)
        expect(len(want) >= 10, f"{threshold}: only {len(want)} cross pairs")
        expect(got == want, f"{threshold}: missing {sorted(want - got)[:5]}, extra {sorted(got - want)[:5]}")
        expect(b"1 indexed source verified, 0 sources estimated" in p.stderr, p.stderr.decode())
        # Kept lines: the new documents matching nothing in the index, as read.
        kept = run(["dedup", "--against", f"ref{threshold}.didx", "new.jsonl", "-q"], check=0).stdout.decode()
        matched = {n for n, _, _ in want}
        expected = "".join(line + "\n" for line in records("n", NEW).splitlines() if json.loads(line)["id"] not in matched)
        expect(kept == expected, f"{threshold}: kept lines differ")
        expect(len(matched) < len(NEW) - 10, "too few new documents matching nothing")


@case
def clusters_name_the_best_match():
    p = run(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--clusters", "-q"], check=0)
    best = {}
    for n, r, s in cross_pairs("0.8"):
        if n not in best or float(s) > best[n][1] or (float(s) == best[n][1] and int(r[1:]) < int(best[n][0][1:])):
            best[n] = (r, float(s))
    lines = [json.loads(line) for line in p.stdout.decode().splitlines()]
    expect([c["id"] for c in lines] == [f"n{i}" for i in range(len(NEW))], "not one line per new document in order")
    for c in lines:
        if c["id"] in best:
            expect(c["cluster"] == best[c["id"]][0] and not c["keep"] and c["in_index"], f"{c}")
        else:
            expect(c["cluster"] == c["id"] and c["keep"], f"{c}")


@case
def report_lists_the_removed_documents():
    p = run(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--report", "-q"], check=0)
    text = p.stdout.decode()
    matched = {n for n, _, _ in cross_pairs("0.8")}
    expect(text.endswith(f"{len(NEW)} new documents, {len(matched)} removed, {len(NEW) - len(matched)} kept\n"), text[-200:])
    listed = {line for line in text.splitlines() if line and not line.startswith(" ") and "new documents" not in line}
    expect(listed == matched, f"listed {sorted(listed)[:5]}")


@case
def also_within_removes_copies_among_the_new_documents():
    within = run(["dedup", "--pairs", "--exact-pairs", "full", "new.jsonl"], check=0)
    pairs = [(a, b) for a, b, _ in tsv(within.stdout)]
    expect(pairs, "the new corpus has no near-copies of its own")
    matched = {n for n, _, _ in cross_pairs("0.8")}
    index = {f"n{i}": i for i in range(len(NEW))}
    kept = []
    for i in range(len(NEW)):
        d = f"n{i}"
        earlier = {a if index[a] < index[b] else b for a, b in pairs if d in (a, b) and a != b} - {d}
        if d not in matched and not (earlier & set(kept)):
            kept.append(d)
    p = run(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--also-within", "-q"], check=0)
    got = [json.loads(line)["id"] for line in p.stdout.decode().splitlines()]
    expect(got == kept, f"kept {got[:10]}..., expected {kept[:10]}...")
    p = run(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--also-within", "--pairs", "-q"], check=0)
    rows = [r for r in tsv(p.stdout) if r[3] == "within"]
    expect(len(rows) == len(pairs), f"{len(rows)} within pairs, expected {len(pairs)}")


@case
def changed_source_is_estimated_with_a_summary():
    shutil.copy(os.path.join(WORK, "ref.jsonl"), os.path.join(WORK, "ref2.jsonl"))
    run(["index", "build", "ref2.jsonl", "-o", "ref2.didx"], check=0)
    with open(os.path.join(WORK, "ref2.jsonl"), "r+b") as f:  # same size, other bytes
        data = bytearray(f.read())
        data[data.index(b"w")] = ord("v")
        f.seek(0)
        f.write(data)
    p = run(["dedup", "--against", "ref2.didx", "new.jsonl", "--pairs", "-q"], check=0)
    rows = tsv(p.stdout)
    expect(rows and all(r[3] == "estimated" for r in rows), f"rows {rows[:3]}")
    message = p.stderr.decode()
    expect("0 indexed sources verified, 1 source estimated: 'ref2.jsonl': its content changed" in message, message)
    with open(os.path.join(WORK, "ref2.jsonl"), "ab") as f:
        f.write(b"\n")
    p = run(["dedup", "--against", "ref2.didx", "new.jsonl", "--pairs"], check=0)
    expect(b"'ref2.jsonl': its size changed" in p.stderr, p.stderr.decode())


@case
def missing_source_is_estimated():
    shutil.copy(os.path.join(WORK, "ref.jsonl"), os.path.join(WORK, "ref3.jsonl"))
    run(["index", "build", "ref3.jsonl", "-o", "ref3.didx"], check=0)
    os.remove(os.path.join(WORK, "ref3.jsonl"))
    p = run(["dedup", "--against", "ref3.didx", "new.jsonl", "--pairs"], check=0)
    rows = tsv(p.stdout)
    expect(rows and all(r[3] == "estimated" for r in rows), f"rows {rows[:3]}")
    expect(b"'ref3.jsonl': cannot be read" in p.stderr, p.stderr.decode())
    # The estimates pick out the same documents here (near-copies far above the threshold or not).
    exact = {(r[0], r[1]) for r in tsv(run(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--pairs"], check=0).stdout)}
    estimated = {(r[0], r[1]) for r in rows}
    expect(len(exact & estimated) >= 0.8 * len(exact), "the estimates miss most exact pairs")


@case
def parameter_mismatch_names_the_fields():
    # Options that differ from the index's are a usage error (exit 2) naming every differing field.
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--threshold", "0.5"], 2,
          r"ref0\.8\.didx was built with other options: the parameters differ \(bands, rows, threshold\)")
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--ngram", "3"], 2, r"differ \(shingle size\)")
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--ngram", "3", "--sketch-size", "64", "--recall", "0.9",
           "--pairs"], 2, r"differ \(shingle size, slots, bands, recall\)")
    # Options given that equal the index are accepted.
    run(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--threshold", "0.8", "--ngram", "5"], check=0)


@case
def usage_and_data_errors():
    error(["dedup", "--against", "ref0.8.didx"], 2, r"no new documents")
    error(["dedup", "--against", "-", "new.jsonl"], 2, r"standard input")
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--explain"], 2, r"--explain does not go with --against")
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--pairs", "--clusters"], 2, r"exclude each other")
    error(["dedup", "--against", "ref0.8.didx", "--against", "ref0.8.didx", "new.jsonl"], 2, r"more than once")
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--bogus"], 2, r"--bogus")
    error(["dedup", "--against", "missing.didx", "new.jsonl"], 1, r"cannot open 'missing.didx'")
    write("bad.didx", b"DITTO" + bytes(200))
    error(["dedup", "--against", "bad.didx", "new.jsonl"], 1, r"bad.didx: not a valid index")
    error(["dedup", "--against", "ref0.8.didx", "nothing.jsonl"], 1, r"nothing.jsonl")


finish()
