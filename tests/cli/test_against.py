#!/usr/bin/env python3
"""End-to-end tests of `ditto dedup --against X.didx NEW.jsonl`: the cross pairs of one
`ditto dedup --pairs` over reference + new, kept lines, clusters, --also-within, storms of exact
duplicates on both sides in every output mode (compact pairs standing for the full ones, 1 and 2
threads byte-identical), sources changed, missing or looked for from another folder (estimated,
with a summary), parameter mismatches (usage errors naming every field) and other usage errors.

Usage: test_against.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import shutil
import subprocess
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


def expand(rows, within=False):
    """The full pairs that compact --pairs rows stand for: a 'same' row's copy stands for its
    first new document, an 'indexed-same' row's copy for its lowest indexed one; with within
    (--also-within), a group of 'same' rows is also every pair of its members."""
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
    for first, members in copies.items() if within else ():
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
def kept_lines_with_escapes_come_out_as_read():
    # New lines in both forms of json.dumps (written back from their decoded text) and in forms
    # no encoder writes (kept as read another way), matching nothing in the index.
    lines = []
    for n in range(12):
        record = {"id": f"e{n}", "text": f"caf\u00e9 line {n}\nwith \"quotes\" \u0436\u0438\u0437\u043d\u044c \U0001F600 zq{n}x"}
        line = json.dumps(record, ensure_ascii=n % 3 != 1)
        if n % 3 == 2:
            line = line.replace("\\n", "\\/n")
        lines.append(line + "\n")
    path = write("escapes-new.jsonl", "".join(lines))
    kept = run(["dedup", "--against", "ref0.8.didx", path, "-q"], check=0).stdout.decode()
    expect(kept == "".join(lines), f"kept lines differ: {kept[:300]!r}")


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


STORM = "Sorry, this page is not available in your country at the moment."


def storm_corpora():
    """The corpora above with storms on both sides: a short text repeated hundreds of times (and
    case or spacing variants of it), texts without words (empty, emoji only), a near-copy of the
    storm text, and a storm of the new crawl alone; shuffled."""
    rng = random.Random(3)
    ref = (list(REF) + [STORM] * 300 + ["SORRY, this page is  not available in your country at the moment."] * 40 +
           [""] * 30 + ["\U0001F600\U0001F389"] * 20 + [STORM + " Please try again later."] * 10)
    new = (list(NEW) + [STORM] * 200 + ["Sorry, this page is not available in your COUNTRY at the moment."] * 30 +
           [""] * 25 + ["\U0001F600\U0001F389"] * 15 + ["a text of the new crawl only, repeated many times over"] * 50)
    rng.shuffle(ref)
    rng.shuffle(new)
    return ref, new


SREF, SNEW = storm_corpora()
write("sref.jsonl", records("r", SREF))
write("snew.jsonl", records("n", SNEW))
write("sboth.jsonl", records("r", SREF) + records("n", SNEW))
TOKENLESS = {f"r{i}" for i, t in enumerate(SREF) if not t.strip() or t.startswith("\U0001F600")} | \
            {f"n{i}" for i, t in enumerate(SNEW) if not t.strip() or t.startswith("\U0001F600")}


@case
def storms_on_both_sides_in_every_output_mode():
    run(["index", "build", "sref.jsonl", "-o", "sref.didx"], check=0)
    # The truth: the cross pairs of one `ditto dedup` over both corpora, without the pairs of
    # texts without words (dedup pairs equal ones as exact duplicates; the index cannot be
    # searched for them: they have no band keys).
    p = run(["dedup", "--pairs", "--exact-pairs", "full", "sboth.jsonl"], check=0)
    want = set()
    for a, b, sim in tsv(p.stdout):
        if a[0] != b[0] and a not in TOKENLESS and b not in TOKENLESS:
            n, r = (a, b) if a[0] == "n" else (b, a)
            want.add((n, r, sim))
    expect(len(want) >= 230 * 340, f"only {len(want)} cross pairs")
    against = ["dedup", "--against", "sref.didx", "snew.jsonl", "-q"]
    outputs = {}
    for extra in ([], ["--pairs"], ["--pairs", "--exact-pairs", "full"], ["--clusters"], ["--report"]):
        for within in ([], ["--also-within"]):
            runs = [run(against + extra + within + ["--threads", t], check=0).stdout for t in ("1", "2")]
            expect(runs[0] == runs[1], f"{extra + within}: 1 and 2 threads differ")
            outputs[" ".join(extra + within)] = runs[0]
    full = tsv(outputs["--pairs --exact-pairs full"])
    expect(all(r[3] == "exact" for r in full), "estimated rows")
    got = {(r[0], r[1], r[2]) for r in full}
    expect(len(got) == len(full), "repeated rows")
    expect(got == want, f"missing {sorted(want - got)[:5]}, extra {sorted(got - want)[:5]}")
    compact = tsv(outputs["--pairs"])
    expect(len(compact) < 1500, f"{len(compact)} compact rows")
    expect(sorted(expand(compact)) == sorted(tuple(r) for r in full), "compact rows do not stand for the full ones")
    expect(any(r[3] == "same" for r in compact) and any(r[3] == "indexed-same" for r in compact), "no compact groups")
    # Kept lines: the new documents matching nothing in the index.
    matched = {n for n, _, _ in want}
    lines = records("n", SNEW).splitlines()
    expect(outputs[""].decode() == "".join(l + "\n" for l in lines if json.loads(l)["id"] not in matched), "kept lines")
    # --also-within: the rule applied by brute force over the full pairs among the new documents.
    within = [(a, b, sim) for a, b, sim in tsv(run(["dedup", "--pairs", "--exact-pairs", "full", "snew.jsonl"], check=0).stdout)]
    order = {f"n{i}": i for i in range(len(SNEW))}
    similar = {}
    for a, b, _ in within:
        similar.setdefault(a, set()).add(b)
        similar.setdefault(b, set()).add(a)
    kept, copies = [], {}
    for i in range(len(SNEW)):
        d = f"n{i}"
        earlier = sorted((x for x in similar.get(d, ()) if order[x] < i and x in set(kept)), key=order.get)
        if d in matched:
            continue
        if earlier:
            copies[d] = earlier[0]
        else:
            kept.append(d)
    got_kept = [json.loads(l)["id"] for l in outputs["--also-within"].decode().splitlines()]
    expect(got_kept == kept, f"--also-within kept {got_kept[:8]}..., expected {kept[:8]}...")
    full_within = tsv(outputs["--pairs --exact-pairs full --also-within"])
    expect(sorted((a, b, s) for a, b, s, how in full_within if how == "within") ==
           sorted((a, b, s) if order[a] < order[b] else (b, a, s) for a, b, s in within), "within pairs in full")
    expect(sorted(expand(tsv(outputs["--pairs --also-within"]), within=True)) == sorted(tuple(r) for r in full_within),
           "compact rows with --also-within")
    # Clusters: the best match in the index (highest similarity, then lowest indexed number), or
    # the kept new document copied, or itself.
    best = {}
    for n, r, sim in want:
        key = (-float(sim), int(r[1:]))
        if n not in best or key < best[n]:
            best[n] = key
    for line in outputs["--clusters --also-within"].decode().splitlines():
        c = json.loads(line)
        if c["id"] in best:
            expect(c["in_index"] and c["cluster"] == f"r{best[c['id']][1]}" and not c["keep"], f"{c}")
        elif c["id"] in copies:
            expect(c["cluster"] == copies[c["id"]] and not c["in_index"] and not c["keep"], f"{c}")
        else:
            expect(c["cluster"] == c["id"] and c["keep"], f"{c}")
    report = outputs["--report"].decode()
    expect(report.endswith(f"{len(SNEW)} new documents, {len(matched)} removed, {len(SNEW) - len(matched)} kept\n"),
           report[-200:])
    expect("copies of it" in report and "same text as new document" in report, report[:500])
    expect(len(report) < 200 * len(SNEW), "the report repeats the copies")


@case
def sources_are_found_beside_the_index_or_reported_estimated():
    # Paths are stored as typed: an index beside its corpus is usable from any folder.
    os.makedirs(os.path.join(WORK, "kept"), exist_ok=True)
    os.makedirs(os.path.join(WORK, "elsewhere"), exist_ok=True)
    shutil.copy(os.path.join(WORK, "ref.jsonl"), os.path.join(WORK, "kept", "ref.jsonl"))
    shutil.copy(os.path.join(WORK, "new.jsonl"), os.path.join(WORK, "elsewhere", "new.jsonl"))
    p = subprocess.run([DITTO, "index", "build", "ref.jsonl", "-o", "ref.didx"], cwd=os.path.join(WORK, "kept"),
                       capture_output=True)
    expect(p.returncode == 0, p.stderr.decode())
    here = run(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--pairs"], check=0).stdout
    p = subprocess.run([DITTO, "dedup", "--against", "../kept/ref.didx", "new.jsonl", "--pairs"],
                       cwd=os.path.join(WORK, "elsewhere"), capture_output=True)
    expect(p.returncode == 0 and p.stdout == here, p.stderr.decode())
    expect(b"1 indexed source verified, 0 sources estimated" in p.stderr, p.stderr.decode())
    # A path typed relative to a folder that is neither the current one nor the index's: the
    # similarities are estimated, and the summary says so and where the source was looked for.
    run(["index", "build", "kept/ref.jsonl", "-o", "elsewhere/far.didx"], check=0)
    p = subprocess.run([DITTO, "dedup", "--against", "far.didx", "new.jsonl", "--pairs", "-q"],
                       cwd=os.path.join(WORK, "elsewhere"), capture_output=True)
    expect(p.returncode == 0, p.stderr.decode())
    rows = tsv(p.stdout)
    expect(rows and all(r[3] == "estimated" for r in rows), f"rows {rows[:3]}")
    expect("0 indexed sources verified, 1 source estimated: 'kept/ref.jsonl': cannot be read" in p.stderr.decode(),
           p.stderr.decode())
    # Run from the folder it was built in, the same index is exact.
    p = run(["dedup", "--against", "elsewhere/far.didx", "new.jsonl", "--pairs"], check=0)
    expect(p.stdout == here, "exact from the build's folder")


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
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--exact-pairs", "full"], 2, r"--exact-pairs goes with --pairs")
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--pairs", "--exact-pairs", "all"], 2,
          r"--exact-pairs must be 'compact' or 'full', got 'all'")
    error(["dedup", "--against", "ref0.8.didx", "--against", "ref0.8.didx", "new.jsonl"], 2, r"more than once")
    error(["dedup", "--against", "ref0.8.didx", "new.jsonl", "--bogus"], 2, r"--bogus")
    error(["dedup", "--against", "missing.didx", "new.jsonl"], 1, r"cannot open 'missing.didx'")
    write("bad.didx", b"DITTO" + bytes(200))
    error(["dedup", "--against", "bad.didx", "new.jsonl"], 1, r"bad.didx: not a valid index")
    error(["dedup", "--against", "ref0.8.didx", "nothing.jsonl"], 1, r"nothing.jsonl")


finish()
