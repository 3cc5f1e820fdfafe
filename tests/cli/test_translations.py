#!/usr/bin/env python3
"""End-to-end tests of `ditto translations` and `ditto diff --cross-lingual`: the shipped sample
(every translated copy linked to its original, nothing else linked, the low-anchor story
abstaining, the changed figure reported), option checks, odd input, and the same output on any
number of threads.

Usage: test_translations.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, jsonl, run, setup, write  # noqa: E402

setup(DITTO, WORK)

NEWS = os.path.join(SOURCE, "examples", "data", "news.jsonl")
TRANSLATED = os.path.join(SOURCE, "examples", "data", "news_translated.jsonl")


def links(out):
    rows = [line.split("\t") for line in out.decode().splitlines()]
    expect(all(len(r) == 3 for r in rows), f"rows of three fields: {rows}")
    return rows


def translated_records():
    with open(TRANSLATED, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@case
def sample_translations_are_linked_to_their_originals():
    records = translated_records()
    p = run(["translations", "--min-anchors", "3", NEWS, TRANSLATED], check=0)
    got = {other: (ref, float(score)) for other, ref, score in links(p.stdout)}
    # The expected link of each copy is in the data ("original"); the ids are in input order.
    expected = {r["id"]: r["original"] for r in records if r["original"] and r["id"] != "en-bees-de"}
    expect({k: v[0] for k, v in got.items()} == expected, f"links {got}, expected {expected}")
    expect([row[0] for row in links(p.stdout)] == [r["id"] for r in records if r["id"] in expected], "input order")
    expect(all(0.25 <= s <= 1.0 for _, s in got.values()), str(got))
    # The unrelated article is not linked, the story with one figure abstains: the summary says so.
    summary = p.stderr.decode()
    expect("11 documents against 40 reference documents" in summary, summary)
    expect("9 linked, 1 abstained (fewer than 3 anchors), 1 not linked" in summary, summary)
    # At the default of 10 anchors, every one of these short stories (3 or 4 figures) abstains.
    p = run(["translations", NEWS, TRANSLATED], check=0)
    expect(p.stdout == b"", p.stdout.decode())
    expect("0 linked, 11 abstained (fewer than 10 anchors)" in p.stderr.decode(), p.stderr.decode())


@case
def all_lists_every_candidate_best_first():
    p = run(["translations", "--all", "--min-anchors", "3", NEWS, TRANSLATED], check=0)
    rows = links(p.stdout)
    by_doc = {}
    for other, ref, score in rows:
        by_doc.setdefault(other, []).append((ref, float(score)))
    # Copies of an original with the same figures score as high; the original comes first.
    expect(by_doc["en-bike-de"][0] == ("en-bike", 1.0), str(by_doc["en-bike-de"]))
    expect({r for r, _ in by_doc["en-bike-de"]} >= {"en-bike-promo", "en-bike-short"}, str(by_doc["en-bike-de"]))
    for other, matches in by_doc.items():
        scores = [s for _, s in matches]
        expect(scores == sorted(scores, reverse=True) and min(scores) >= 0.25, f"{other}: {matches}")
    expect("de-flughafen" not in by_doc and "en-bees-de" not in by_doc, str(sorted(by_doc)))


@case
def same_output_on_any_number_of_threads_and_with_chars():
    for extra in ([], ["--chars"], ["--all", "--threshold", "0.1"]):
        outs = {run(["translations", "-q", "--threads", str(t), "--min-anchors", "3"] + extra + [NEWS, TRANSLATED],
                    check=0).stdout for t in (1, 2, 5)}
        expect(len(outs) == 1, f"{extra}: outputs differ between thread counts")
    p = run(["translations", "-q", "--chars", "--min-anchors", "3", NEWS, TRANSLATED], check=0)
    expect({row[0] for row in links(p.stdout)} == {r["id"] for r in translated_records() if r["original"]} - {"en-bees-de"},
           p.stdout.decode())


@case
def generated_corpus_links_at_the_defaults():
    # Articles with 12 to 40 figures, codes and links in English prose; their "translations" keep
    # the anchors (a few dropped, written the German or Russian way) in other prose.
    rng = random.Random(5)
    words_en = "the council said on tuesday that new lines will open in spring".split()
    words_ru = "совет заявил во вторник что новые линии откроются весной".split()
    words_de = "der Rat sagte am Dienstag dass neue Linien im Frühjahr öffnen".split()

    def anchors(n):
        out = []
        for _ in range(n):
            k = rng.randrange(4)
            if k == 0:
                out.append((f"{rng.randrange(1, 99)}.{rng.randrange(10)}", f"{rng.randrange(1, 99)},{rng.randrange(10)}"))
                out[-1] = (out[-1][0], out[-1][0].replace(".", ","))
            elif k == 1:
                v = rng.randrange(1000, 99999)
                out.append((f"{v:,}", f"{v:,}".replace(",", ".")))
            elif k == 2:
                u = f"https://site{rng.randrange(500)}.example/{rng.randrange(10**6)}"
                out.append((u, u))
            else:
                a = "".join(rng.choice("ABCDEFGHKLMNPRSTUVWXZ") for _ in range(3))
                out.append((a, a))
        return out

    def prose(tokens, words):
        return " ".join(" ".join(rng.choice(words) for _ in range(rng.randrange(1, 6))) + " " + t for t in tokens) + "."

    refs, others, expected = [], [], {}
    for i in range(120):
        a = anchors(rng.randrange(12, 40))
        refs.append({"id": f"r{i}", "text": prose([x for x, _ in a], words_en)})
        if i % 3 == 0:
            kept = [y for _, y in a if rng.random() > 0.1]
            others.append({"id": f"t{i}", "text": prose(kept, words_ru if i % 2 else words_de)})
            expected[f"t{i}"] = f"r{i}"
    for i in range(15):
        others.append({"id": f"new{i}", "text": prose([x for x, _ in anchors(25)], words_de)})
    ref_file, other_file = write("gen_ref.jsonl", jsonl(*refs)), write("gen_other.jsonl", jsonl(*others))
    p = run(["translations", ref_file, other_file], check=0)
    got = {other: ref for other, ref, _ in links(p.stdout)}
    expect(got == expected, f"{len(got)} links, {len(expected)} expected; wrong: "
           f"{ {k: v for k, v in got.items() if expected.get(k) != v} }")


@case
def diff_cross_lingual_reports_the_changed_figure():
    a, b = NEWS + "#ru-harvest", TRANSLATED + "#ru-harvest-en"
    j = json.loads(run(["diff", "--cross-lingual", "--json", a, b], check=0).stdout)
    expect([x["anchor"] for x in j["shared"]] == ["3.8", "41"], str(j["shared"]))
    expect([(x["old"], x["new"]) for x in j["changed_figures"]] == [("12", "15")], str(j["changed_figures"]))
    expect(j["only_a"] == [] and j["only_b"] == [] and j["a"]["anchors"] == 3, str(j))
    out = run(["diff", "--cross-lingual", "--color=never", a, b], check=0).stdout.decode()
    expect("2 shared anchors (67% of A's, 67% of B's), 1 changed figure, 0 only in A, 0 only in B" in out, out)
    expect("  3,8  =  3.8\n" in out and "Changed figures:\n  12 \u2192 15   (A bytes" in out, out)
    # A faithful translation changes no figure; one-sided anchors are listed.
    j = json.loads(run(["diff", "--cross-lingual", "--json", NEWS + "#en-bike", TRANSLATED + "#en-bike-ru"], check=0).stdout)
    expect([x["anchor"] for x in j["shared"]] == ["42", "4.2", "9.000"] and j["changed_figures"] == [], str(j))
    x = write("x.txt", "NASA 1 2 https://a.example"), write("y.txt", "ESA 1 3")
    j = json.loads(run(["diff", "--cross-lingual", "--json", x[0], x[1]], check=0).stdout)
    expect([s["anchor"] for s in j["shared"]] == ["1"], str(j))
    expect([(c["old"], c["new"]) for c in j["changed_figures"]] == [("2", "3")], str(j))
    expect([o["anchor"] for o in j["only_a"]] == ["nasa", "a.example"] and [o["anchor"] for o in j["only_b"]] == ["esa"], str(j))
    # Texts without anchors: an empty diff, not an error.
    e = write("empty.txt", ""), write("words.txt", "just words here")
    out = run(["diff", "--cross-lingual", e[0], e[1]], check=0).stdout.decode()
    expect("0 shared anchors" in out and out.count("(none)") == 4, out)
    error(["diff", "--cross-lingual", "--window", "3", x[0], x[1]], 2, r"--window does not apply to --cross-lingual")


@case
def options_are_checked_before_reading():
    missing = os.path.join(WORK, "missing.jsonl")
    error(["translations", NEWS], 2, r"need two JSONL files, REFERENCE and OTHER, got 1")
    error(["translations", NEWS, NEWS, NEWS], 2, r"got 3")
    error(["translations", "-", "-"], 2, r"at most one of REFERENCE and OTHER may be standard input")
    for bad in ("1.5", "-0.1", "abc", "nan", ""):
        error(["translations", "--threshold", bad, NEWS, missing], 2, r"--threshold")
    error(["translations", "--min-anchors", "-1", NEWS, missing], 2, r"--min-anchors")
    error(["translations", "--min-anchors", "4294967296", NEWS, missing], 2, r"--min-anchors")
    error(["translations", "--candidates", "0", NEWS, missing], 2, r"--candidates")
    error(["translations", "--candidates", "10001", NEWS, missing], 2, r"--candidates")
    error(["translations", "--threads", "0", NEWS, missing], 2, r"--threads")
    error(["translations", "--chars=yes", NEWS, missing], 2, r"--chars takes no value")
    error(["translations", "--text-field", "id", NEWS, missing], 2, r"--text-field and --id-field must differ")
    error(["translations", "--invalid-utf8", "skip", NEWS, missing], 2, r"--invalid-utf8")
    error(["translations", "--frobnicate", NEWS, missing], 2, r"--frobnicate")
    error(["translations", "-o", os.path.join(WORK, "no", "such", "dir", "out.tsv"), NEWS, missing], 2, r"out\.tsv")
    # Only then the files: a missing one is a data error.
    error(["translations", NEWS, missing], 1, r"missing\.jsonl")
    expect(b"Usage: ditto translations" in run(["translations", "--help"], check=0).stdout, "help")
    expect(b"translations" in run(["--help"], check=0).stdout, "listed in ditto --help")


@case
def odd_input_has_a_defined_result():
    empty = write("empty.jsonl", "")
    # An empty reference links nothing; an empty OTHER prints nothing.
    p = run(["translations", "--min-anchors", "3", empty, TRANSLATED], check=0)
    expect(p.stdout == b"" and "0 linked, 1 abstained" in p.stderr.decode() and "10 not linked" in p.stderr.decode(),
           p.stderr.decode())
    p = run(["translations", NEWS, empty], check=0)
    expect(p.stdout == b"" and "0 documents against 40" in p.stderr.decode(), p.stderr.decode())
    # Texts without anchors, empty texts, ill-formed UTF-8 and a huge line: defined, exit 0.
    text = "Figures 11 22 33 44 55 66 77 88 99 100 and https://x.example/page"
    ref = write("ref.jsonl", jsonl({"id": "a", "text": text}, {"id": "b", "text": ""}, {"id": "c", "text": "no anchors at all"}))
    huge = "word " * 400000 + text
    other = write("other.jsonl", jsonl({"id": "x", "text": ""}, {"id": "y", "text": "plain words"}, {"id": "big", "text": huge})
                  .encode() + b'{"id": "bad", "text": "NA\xffSA ' + text.encode() + b'"}\n')
    p = run(["translations", ref, other], check=0)
    expect(links(p.stdout) == [["big", "a", "1.0000"], ["bad", "a", "1.0000"]], p.stdout.decode())
    expect("2 linked, 2 abstained" in p.stderr.decode(), p.stderr.decode())
    error(["translations", "--invalid-utf8", "error", ref, other], 1, r"other\.jsonl:4")
    # Standard input as one side; ids escaped in the TSV.
    tabbed = jsonl({"id": "tab\there", "text": text})
    p = run(["translations", "-q", ref, "-"], stdin=tabbed.encode(), check=0)
    expect(p.stdout == b"tab\\there\ta\t1.0000\n" and p.stderr == b"", repr(p.stdout))
    # Bad JSON and duplicate ids are data errors naming the place.
    error(["translations", ref, write("broken.jsonl", '{"id": "a", "text": 1}\n')], 1, r"broken\.jsonl:1:")
    error(["translations", write("dup.jsonl", jsonl({"id": "a", "text": "x"}, {"id": "a", "text": "y"})), ref], 1,
          r"dup\.jsonl:2: id \"a\" is also the id of line 1")
    # -o: the file is written whole; --quiet: nothing on standard error.
    out = os.path.join(WORK, "links.tsv")
    p = run(["translations", "-q", "-o", out, ref, other], check=0)
    expect(p.stdout == b"" and p.stderr == b"", p.stderr.decode())
    with open(out, "rb") as f:
        expect(f.read() == b"big\ta\t1.0000\nbad\ta\t1.0000\n", "output file")


finish()
