#!/usr/bin/env python3
"""End-to-end tests of `--shingle words:K | chars:K`: the default is unchanged, character shingles
give the pairs of a brute force over k-gram sets computed here, every output mode runs and does not
depend on the thread count, malformed specs are usage errors, and a stored index records the kind.
And of `--measure containment`: the pairs of a brute force over excerpts of originals, clusters
that keep the source, the same output on any thread count, option errors.

Usage: test_shingle.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, jsonl, run, setup, write  # noqa: E402

setup(DITTO, WORK)
NEWS = os.path.join(SOURCE, "examples/data/news.jsonl")

LATIN = "ka lo mi ne ru sta ver qui dor pel tam zu bre gio han wex fy ost lum cra".split()
CYRILLIC = "ка ло ми не ру ста вер щи дор пел там зу бре жё хан фы ост люм кра".split()
CJK = [chr(0x4E00 + i) for i in range(300)]


def text(rng, script, length):
    """Lower-case text that the normalizer leaves as it is (single spaces, no punctuation)."""
    out = ""
    while len(out) < length:
        if script == 2:
            out += rng.choice(CJK)
        else:
            out += (" " if out else "") + "".join(rng.choice(LATIN if script == 0 else CYRILLIC)
                                                  for _ in range(rng.randint(1, 3)))
    return out


def edit(rng, script, s, rate):
    out = []
    for c in s:
        r = rng.random()
        if r < rate / 2:
            continue
        out.append(c)
        if r < rate:
            out.append(text(rng, script, 1)[-1])
    return "".join(out).replace("  ", " ").strip()


def corpus(seed):
    rng = random.Random(seed)
    texts = []
    for script in range(3):
        for _ in range(25):
            base = text(rng, script, rng.randint(30, 200))
            texts.append(base)
            for _ in range(rng.randint(0, 3)):
                texts.append(edit(rng, script, base, rng.random() * 0.06))
    rng.shuffle(texts)
    return [{"id": "d%03d" % i, "text": t} for i, t in enumerate(texts)]


def grams(s, k):
    if not s:
        return set()
    if len(s) < k:
        return {s}
    return {s[i:i + k] for i in range(len(s) - k + 1)}


def brute_force(records, k, threshold):
    sets = [grams(r["text"], k) for r in records]
    out = {}
    for a in range(len(records)):
        for b in range(a + 1, len(records)):
            if records[a]["text"] == records[b]["text"]:
                j = 1.0
            else:
                j = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
            if j >= threshold:
                ids = sorted([records[a]["id"], records[b]["id"]])
                out[(ids[0], ids[1])] = j
    return out


def pairs(stdout):
    rows = {}
    for line in stdout.decode().splitlines():
        a, b, s = line.split("\t")
        rows[(a, b)] = float(s)
    return rows


RECORDS = corpus(5)
write("scripts.jsonl", jsonl(*RECORDS))


@case
def help_lists_the_option():
    out = run(["dedup", "--help"], check=0).stdout.decode()
    expect("--shingle words:K|chars:K" in out, "no --shingle in dedup help")
    out = run(["index", "build", "--help"], check=0).stdout.decode()
    expect("--shingle words:K|chars:K" in out, "no --shingle in index build help")


@case
def words_5_is_the_default_and_ngram_its_alias():
    for mode in (["--pairs"], ["--clusters"], ["--report"], []):
        default = run(["dedup", "-q"] + mode + [NEWS], check=0).stdout
        spelled = run(["dedup", "-q", "--shingle", "words:5"] + mode + [NEWS], check=0).stdout
        expect(default == spelled, f"--shingle words:5 changed the output of {mode}")
    three = run(["dedup", "-q", "--pairs", "--ngram", "3", NEWS], check=0).stdout
    expect(three == run(["dedup", "-q", "--pairs", "--shingle", "words:3", NEWS], check=0).stdout, "--ngram 3")
    # The last of --ngram and --shingle wins.
    expect(three == run(["dedup", "-q", "--pairs", "--shingle", "chars:4", "--ngram", "3", NEWS], check=0).stdout,
           "--ngram after --shingle")


@case
def char_pairs_are_the_brute_force_pairs():
    for k in (3, 5):
        want = brute_force(RECORDS, k, 0.8)
        expect(len(want) >= 30, f"k {k}: only {len(want)} true pairs")
        got = pairs(run(["dedup", "-q", "--pairs", "--exact-pairs", "full", "--shingle", f"chars:{k}", "scripts.jsonl"],
                        check=0).stdout)
        extra = [p for p in got if p not in want]
        missed = [p for p in want if p not in got]
        expect(not extra, f"k {k}: pairs below the threshold: {extra[:5]}")
        expect(len(missed) <= len(want) // 100, f"k {k}: missed {missed[:5]} of {len(want)}")
        wrong = [p for p in got if abs(got[p] - want[p]) > 5e-5]
        expect(not wrong, f"k {k}: similarities differ: {[(p, got[p], want[p]) for p in wrong[:5]]}")


@case
def every_output_mode_is_the_same_on_any_thread_count():
    for mode in ([], ["--pairs"], ["--clusters"], ["--report"], ["--explain"], ["--pairs", "--exact-pairs", "full"]):
        outputs = [run(["dedup", "-q", "--shingle", "chars:4", "--threads", t] + mode + ["scripts.jsonl"], check=0).stdout
                   for t in ("1", "2", "8")]
        expect(outputs[0] == outputs[1] == outputs[2], f"{mode}: output depends on the thread count")
        expect(outputs[0], f"{mode}: no output")
    # The report's similarity is the character one.
    report = run(["dedup", "-q", "--report", "--shingle", "chars:4", "scripts.jsonl"], check=0).stdout.decode()
    expect("Cluster 1:" in report, report[:200])


@case
def short_titles_need_character_shingles():
    titles = jsonl({"id": "a", "text": "Markets rally on rate cut"}, {"id": "b", "text": "Markets rally on rate cuts"},
                   {"id": "c", "text": "Storm hits the coast"}, {"id": "d", "text": ""}, {"id": "e", "text": "ab"})
    write("titles.jsonl", titles)
    words = run(["dedup", "-q", "--pairs", "titles.jsonl"], check=0).stdout
    expect(words == b"", f"word 5-shingles paired short titles: {words!r}")
    chars = pairs(run(["dedup", "-q", "--pairs", "--shingle", "chars:3", "titles.jsonl"], check=0).stdout)
    expect(list(chars) == [("a", "b")], f"{chars}")
    # Ill-formed UTF-8 in a text is replaced, then shingled.
    write("bad.jsonl", b'{"id": "x", "text": "abc\\u00ff"}\n{"id": "y", "text": "abc\xff"}\n{"id": "z", "text": "abc\xef\xbf\xbd"}\n')
    got = pairs(run(["dedup", "-q", "--pairs", "--shingle", "chars:2", "bad.jsonl"], check=0).stdout)
    expect(got == {("y", "z"): 1.0}, f"{got}")


@case
def malformed_specs_are_usage_errors():
    for spec, pattern in [("chars", r"--shingle must be words:K or chars:K, got 'chars'"),
                          ("bytes:3", r"--shingle must be words:K or chars:K, got 'bytes:3'"),
                          ("", r"--shingle must be words:K or chars:K"),
                          ("chars:", r"--shingle chars:K must be an integer in \[1, 64\], got ''"),
                          ("chars:0", r"--shingle chars:K must be an integer in \[1, 64\], got '0'"),
                          ("chars:65", r"--shingle chars:K must be an integer in \[1, 64\], got '65'"),
                          ("chars:3x", r"--shingle chars:K must be an integer in \[1, 64\], got '3x'"),
                          ("words:0", r"--shingle words:K must be an integer in \[1, 1024\], got '0'"),
                          ("words:1025", r"--shingle words:K must be an integer in \[1, 1024\], got '1025'"),
                          ("Chars:3", r"got 'Chars:3'")]:
        error(["dedup", "--shingle", spec, NEWS], 2, pattern)
    error(["dedup", "--shingle", NEWS], 2, r"")  # the value is the file name: not a spec
    error(["dedup", "--method", "simhash", "--shingle", "chars:3", NEWS], 2, r"--shingle chars:K goes with --method minhash")
    run(["dedup", "-q", "--shingle", "chars:64", "--pairs", NEWS], check=0)


@case
def an_index_records_the_shingle_kind():
    half = len(RECORDS) // 2
    write("old.jsonl", jsonl(*RECORDS[:half]))
    write("new.jsonl", jsonl(*RECORDS[half:]))
    run(["index", "build", "--shingle", "chars:4", "old.jsonl", "-o", "chars.didx", "-q"], check=0)
    info = run(["index", "info", "chars.didx"], check=0).stdout.decode()
    expect("shingles            characters, 4" in info, info)
    # Options not given are the index's: the cross pairs are those of dedup over both with chars:4.
    got = run(["dedup", "--against", "chars.didx", "new.jsonl", "--pairs", "--exact-pairs", "full", "-q"], check=0).stdout
    old = {r["id"] for r in RECORDS[:half]}
    rows = [line.split("\t") for line in got.decode().splitlines()]
    expect(rows and all(r[3] != "estimated" for r in rows), f"{rows[:3]}")
    got = {tuple(sorted(r[:2])) for r in rows if (r[0] in old) != (r[1] in old)}
    both = pairs(run(["dedup", "-q", "--pairs", "--exact-pairs", "full", "--shingle", "chars:4", "scripts.jsonl"], check=0).stdout)
    cross = {p for p in both if (p[0] in old) != (p[1] in old)}
    expect(cross and got == cross, f"against: {sorted(got - cross)[:5]} extra, {sorted(cross - got)[:5]} missing")
    same = run(["dedup", "--against", "chars.didx", "new.jsonl", "--pairs", "-q", "--shingle", "chars:4"], check=0).stdout
    expect(same == run(["dedup", "--against", "chars.didx", "new.jsonl", "--pairs", "-q"], check=0).stdout, "chars:4 given")
    # A words query against a chars index names the field.
    error(["dedup", "--against", "chars.didx", "new.jsonl", "--shingle", "words:4"], 2,
          r"chars\.didx was built with other options: the parameters differ \(shingle kind\)")
    error(["dedup", "--against", "chars.didx", "new.jsonl", "--ngram", "4"], 2, r"the parameters differ \(shingle kind\)")
    error(["index", "add", "chars.didx", "new.jsonl", "--shingle", "chars:5"], 2, r"the parameters differ \(shingle size\)")
    run(["index", "add", "chars.didx", "new.jsonl", "-q"], check=0)
    # And a words index refuses characters.
    run(["index", "build", "old.jsonl", "-o", "words.didx", "-q"], check=0)
    error(["dedup", "--against", "words.didx", "new.jsonl", "--shingle", "chars:5"], 2, r"the parameters differ \(shingle kind\)")
    error(["index", "merge", "chars.didx", "words.didx", "-o", "m.didx"], 1, r"the parameters differ \(shingle kind, shingle size\)")


def excerpts(seed):
    """Originals of random words, contiguous excerpts of 30-90 % of them (some edited), unrelated texts."""
    rng = random.Random(seed)
    vocabulary = ["w%d" % i for i in range(3000)]
    texts = []
    for _ in range(60):
        base = [rng.choice(vocabulary) for _ in range(rng.randint(20, 200))]
        texts.append(" ".join(base))
        for _ in range(rng.randint(0, 3)):
            length = max(1, len(base) * rng.randint(30, 90) // 100)
            start = rng.randint(0, len(base) - length)
            part = base[start:start + length]
            if rng.random() < 0.3:
                part = [rng.choice(vocabulary) if rng.random() < 0.05 else w for w in part]
            texts.append(" ".join(part))
    texts += ["", "w1 w2", "w1 w2"]
    rng.shuffle(texts)
    return [{"id": "e%03d" % i, "text": t} for i, t in enumerate(texts)]


def word_shingles(s, k=5):
    w = s.split()
    if not w:
        return set()
    if len(w) < k:
        return {tuple(w)}
    return {tuple(w[i:i + k]) for i in range(len(w) - k + 1)}


def containment_pairs(records, threshold):
    sets = [word_shingles(r["text"]) for r in records]
    out = {}
    for a in range(len(records)):
        for b in range(a + 1, len(records)):
            if records[a]["text"] == records[b]["text"]:
                c = 1.0
            else:
                small = min(len(sets[a]), len(sets[b]))
                c = len(sets[a] & sets[b]) / small if small else 0.0
            if c >= threshold:
                ids = sorted([records[a]["id"], records[b]["id"]])
                out[(ids[0], ids[1])] = c
    return out


EXCERPTS = excerpts(9)
write("excerpts.jsonl", jsonl(*EXCERPTS))


@case
def containment_pairs_are_the_brute_force_pairs():
    for threshold in ("0.8", "0.9"):
        want = containment_pairs(EXCERPTS, float(threshold))
        jaccard = pairs(run(["dedup", "-q", "--pairs", "--exact-pairs", "full", "--threshold", threshold,
                             "excerpts.jsonl"], check=0).stdout)
        expect(len(want) >= 60 and len(want) > 2 * len(jaccard), f"{len(want)} contained pairs, {len(jaccard)} by Jaccard")
        got = pairs(run(["dedup", "-q", "--pairs", "--exact-pairs", "full", "--measure", "containment",
                         "--threshold", threshold, "excerpts.jsonl"], check=0).stdout)
        expect(set(got) == set(want), f"{sorted(set(got) - set(want))[:5]} extra, {sorted(set(want) - set(got))[:5]} missing")
        wrong = [p for p in got if abs(got[p] - want[p]) > 5e-5]
        expect(not wrong, f"similarities differ: {[(p, got[p], want[p]) for p in wrong[:5]]}")
        expect(set(jaccard) <= set(got), "a pair at the Jaccard threshold is not at the containment threshold")


@case
def containment_clusters_keep_the_source():
    want = containment_pairs(EXCERPTS, 0.8)
    size = {r["id"]: len(word_shingles(r["text"])) for r in EXCERPTS}
    out = run(["dedup", "-q", "--clusters", "--measure", "containment", "excerpts.jsonl"], check=0).stdout.decode()
    removed = 0
    for line in out.splitlines():
        r = json.loads(line)
        if r["keep"]:
            continue
        removed += 1
        pair = tuple(sorted([r["id"], r["cluster"]]))
        expect(pair in want, f"{r['id']} removed for {r['cluster']}, not contained in it")
        expect(size[r["cluster"]] >= size[r["id"]], f"{r['id']} removed for the smaller {r['cluster']}")
    expect(removed >= 40, f"only {removed} removed")
    for mode in ([], ["--pairs"], ["--clusters"], ["--report"], ["--explain"]):
        outputs = [run(["dedup", "-q", "--measure", "containment", "--threads", t] + mode + ["excerpts.jsonl"],
                       check=0).stdout for t in ("1", "2", "8")]
        expect(outputs[0] == outputs[1] == outputs[2], f"{mode}: output depends on the thread count")
    report = run(["dedup", "-q", "--report", "--measure", "containment", "excerpts.jsonl"], check=0).stdout.decode()
    expect("  1.00  " in report, report[:300])
    # Character shingles and containment together.
    run(["dedup", "-q", "--pairs", "--measure", "containment", "--shingle", "chars:5", "excerpts.jsonl"], check=0)
    # The default measure is Jaccard.
    expect(run(["dedup", "-q", "--pairs", NEWS], check=0).stdout ==
           run(["dedup", "-q", "--pairs", "--measure", "jaccard", NEWS], check=0).stdout, "--measure jaccard")


@case
def containment_option_errors():
    error(["dedup", "--measure", "overlap", NEWS], 2, r"--measure must be 'jaccard' or 'containment', got 'overlap'")
    error(["dedup", "--measure", "containment", "--method", "simhash", NEWS], 2,
          r"--measure containment goes with --method minhash only")
    error(["dedup", "--measure", "containment", "--recall", "0.9", NEWS], 2, r"--recall does not apply to --measure containment")
    run(["index", "build", "excerpts.jsonl", "-o", "e.didx", "-q"], check=0)
    error(["dedup", "--against", "e.didx", "--measure", "containment", "excerpts.jsonl"], 2,
          r"--against works with --measure jaccard only")
    run(["dedup", "--against", "e.didx", "--measure", "jaccard", "excerpts.jsonl", "-q"], check=0)
    # Containment has no LSH shape to reach: a low threshold is fine.
    run(["dedup", "-q", "--pairs", "--measure", "containment", "--threshold", "0.03", "excerpts.jsonl"], check=0)


finish()
